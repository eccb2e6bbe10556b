/** Languages the catalogue's evidence is written in. */
export type ScamLanguage = 'zh' | 'en';

/** Localised text for the two UI languages the catalogue ships. */
export interface LocalisedText {
  'zh-CN': string;
  en: string;
}

/** Groups of scripts shown together in the UI and on the Learn page. */
export type ScamCategory =
  | 'fake-debt-collection'
  | 'exposure-threat'
  | 'campus-loan-cancellation'
  | 'credit-record'
  | 'impersonated-authority'
  | 'upfront-fee-loan'
  | 'predatory-loan'
  | 'fake-customer-service'
  | 'account-takeover'
  | 'debt-relief-agent'
  | 'impersonated-contact'
  | 'unusual-payment'
  | 'sextortion'
  | 'prize-and-investment'
  | 'phishing';

/**
 * One scam script. Evidence is grouped; a rule fires when every group it names has at
 * least one (non-negated) hit anywhere in the text. A phrase may contain "…" (gap of at
 * most 8 normalised characters) or "……" (at most 24) between its pieces, and "#" for an
 * amount: a run of digits or Chinese numerals ("交#" matches 交200块, 交两万; "借#到手"
 * matches 借1000到手). English pieces match whole words; a trailing "*" allows a longer
 * word ("arrest*" → "arrested"). Rules may name shared groups with "@name"
 * (ScamCatalogue.shared).
 */
export interface ScamScript {
  id: string;
  category: ScamCategory;
  languages: ScamLanguage[];
  /** Loan-app / debt / credit scripts: the product's main use case, measured separately. */
  loanFraud: boolean;
  groups: Record<string, string[]>;
  rules: { all: string[]; weight: number }[];
  explanation: LocalisedText;
  advice: LocalisedText;
  /** The public advisory (or advisories) the script was written from. */
  source: string;
}

export interface ScamCatalogue {
  version: string;
  shared: Record<string, string[]>;
  /**
   * Spelling variants applied to every phrase when the catalogue is compiled: a phrase
   * containing a key also matches with each listed variant in its place. For text-speak
   * ("your" → "ur") and homophone typos used to dodge filters ("解冻" → "结冻"). English
   * keys replace whole words only.
   */
  variants?: Record<string, string[]>;
  /**
   * Advisory language. A scam phrase that follows a negator in the same clause
   * ("公安机关不会要求…转账", "we will never ask for your code") is not evidence;
   * cues ("反诈", "提醒您") mark warnings and lower the score a little; strong cues —
   * words scammers do not use about themselves ("骗局", "谨防", "this is a scam") —
   * lower it a lot.
   */
  advisory: {
    negators: string[];
    cues: string[];
    strongCues: string[];
    /** Cue words used as a question or denial ("你是不是骗子", "我们不是骗子") are not warnings. */
    vetoes: string[];
    /** Direct requests to the reader: a text that asks for something is not read as a warning. */
    requests: string[];
  };
  scripts: ScamScript[];
}

export type ScamVerdict = 'scam' | 'suspicious' | 'safe';

/** A span of the ORIGINAL text (UTF-16 offsets, end exclusive) that triggered a script. */
export interface ScamMatch {
  start: number;
  end: number;
  script: string;
}

export interface ScamExplanation {
  script: string;
  category: ScamCategory;
  score: number;
  explanation: LocalisedText;
  advice: LocalisedText;
}

export interface ScamCheckResult {
  verdict: ScamVerdict;
  /** 0..1, three decimals. */
  score: number;
  /** Matched script ids, strongest first (empty when safe). */
  scripts: string[];
  matches: ScamMatch[];
  explanations: ScamExplanation[];
  /** The text reads as an anti-fraud warning (negated or cued scam phrases). */
  advisory: boolean;
}

/** The CLI's and page scanning's slim result: no explanations. */
export type ScamBatchResult = Pick<ScamCheckResult, 'verdict' | 'score' | 'scripts' | 'matches'>;
