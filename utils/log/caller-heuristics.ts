import { type CountryCode, normalizePhone } from '@/utils/phone';
import type { LogContact } from './model';
import { getDigits, getNumberKey, resolveNumber } from './number';

/**
 * "Who called me?": explainable warnings about a number. The rules are data (CALLER_RULES), each with the
 * source it rests on, and every finding names the rule that produced it, so the UI can show why. They are
 * hints, not verdicts: a virtual-operator number can be a friend's; an official-looking one can be spoofed.
 */

export type FindingSeverity = 'info' | 'warning' | 'danger';

export interface RuleSource {
  title: string;
  url?: string;
  /** What the source says that makes the rule worth having. */
  note: string;
}

export type CallerFindingCode =
  | 'virtual-operator-range'
  | 'official-short-number'
  | 'claims-short-number-from-mobile'
  | 'international-short-number-lookalike'
  | 'international-claims-institution'
  | 'international-number'
  | 'invalid-number'
  | 'seen-before'
  | 'previously-blocked'
  | 'previously-reported'
  | 'matched-scripts'
  | 'high-risk-logged';

export type CallerRule =
  | {
      id: string;
      kind: 'national-prefix';
      /** Region whose national numbers the prefixes apply to. */
      country: CountryCode;
      prefixes: string[];
      finding: CallerFindingCode;
      severity: FindingSeverity;
      source: RuleSource;
    }
  | {
      id: string;
      kind: 'short-number';
      /** Digits of an official service number, as a regular expression on the whole number. */
      pattern: string;
      finding: CallerFindingCode;
      severity: FindingSeverity;
      source: RuleSource;
    }
  | {
      id: string;
      kind: 'claimed-short-number-from-mobile';
      /** An official number mentioned in the caller's name or words. */
      pattern: string;
      /** The caller's own number is an ordinary mobile of this region. */
      country: CountryCode;
      finding: CallerFindingCode;
      severity: FindingSeverity;
      source: RuleSource;
    }
  | {
      id: string;
      kind: 'international-lookalike';
      /** Calling codes that make "+95 588…" read like the bank number 95588. */
      callingCodePrefixes: string[];
      finding: CallerFindingCode;
      severity: FindingSeverity;
      source: RuleSource;
    }
  | {
      id: string;
      kind: 'international-institution';
      /** Words naming an institution of the user's own country (lowercase; Chinese as is). */
      keywords: string[];
      finding: CallerFindingCode;
      severity: FindingSeverity;
      /** Finding when the number is international but claims nothing. */
      plainFinding: CallerFindingCode;
      source: RuleSource;
    };

const CN_NUMBERING: RuleSource = {
  title: 'Telephone numbers in China (mobile prefixes, MVNO ranges)',
  url: 'https://en.wikipedia.org/wiki/Telephone_numbers_in_China',
  note:
    'MIIT gave mobile virtual network operators (移动通信转售企业) their own ranges: 170 from the first ' +
    'licences in December 2013, 171 opened in August 2015, then 162, 165 and 167.',
};

export const CALLER_RULES: readonly CallerRule[] = [
  {
    id: 'cn-virtual-operator-range',
    kind: 'national-prefix',
    country: 'CN',
    prefixes: ['170', '171', '162', '165', '167'],
    finding: 'virtual-operator-range',
    severity: 'warning',
    source: {
      ...CN_NUMBERING,
      note:
        `${CN_NUMBERING.note} Police fraud warnings from 2016 named 170/171 a fraud hot spot (cheap cards sold ` +
        "in bulk online, weak real-name checks), and MIIT's November 2016 implementing opinions on fighting " +
        'telecom fraud ordered all 170/171 users re-verified.',
    },
  },
  {
    id: 'cn-official-short-number',
    kind: 'short-number',
    pattern: '^9[56]\\d{3}$',
    finding: 'official-short-number',
    severity: 'info',
    source: {
      title: 'MIIT numbering: 95xxx national and 96xxx local service numbers',
      note:
        'Banks, insurers and utilities answer and call from 95xxx (e.g. 95588) or local 96xxx numbers. Call back ' +
        'the number printed on your card or the official website before acting on such a call.',
    },
  },
  {
    id: 'cn-short-number-claimed-from-mobile',
    kind: 'claimed-short-number-from-mobile',
    pattern: '(?<!\\d)(9[56]\\d{3}|100(?:86|10|00))(?!\\d)',
    country: 'CN',
    finding: 'claims-short-number-from-mobile',
    severity: 'danger',
    source: {
      title: 'National Anti-Fraud Center (国家反诈中心) warnings on fake customer service',
      note:
        'Genuine bank and carrier service lines call from their official numbers; "customer service" that calls ' +
        'from an ordinary mobile and quotes a 95xxx number is a standard impersonation script.',
    },
  },
  {
    id: 'international-short-number-lookalike',
    kind: 'international-lookalike',
    callingCodePrefixes: ['95', '96'],
    finding: 'international-short-number-lookalike',
    severity: 'danger',
    source: {
      title: 'ITU-T E.164 country codes: +95 Myanmar, +960–+968 Maldives to Oman',
      url: 'https://www.itu.int/pub/T-SP-E.164D',
      note:
        'A call shown as "+95588…" or "0095 588…" is an international call from Myanmar, not the bank number ' +
        '95588; police anti-fraud notices warn about exactly this disguise.',
    },
  },
  {
    id: 'international-claims-institution',
    kind: 'international-institution',
    keywords: [
      '公安',
      '警察',
      '警官',
      '派出所',
      '刑警',
      '法院',
      '检察',
      '银行',
      '银保监',
      '金融监管',
      '证监会',
      '人民银行',
      '央行',
      '社保',
      '医保',
      '税务',
      '海关',
      '快递',
      '客服',
      '征信',
      '运营商',
      '大使馆',
      '领事馆',
      'police',
      'court',
      'bank',
      'customs',
      'tax',
      'customer service',
      'embassy',
      'consulate',
      'regulator',
    ],
    finding: 'international-claims-institution',
    severity: 'danger',
    plainFinding: 'international-number',
    source: {
      title: 'Ministry of Public Security / National Anti-Fraud Center: calls from abroad posing as officials',
      note:
        'Police, courts, banks and regulators at home do not phone from foreign numbers; calls shown with "+" or ' +
        '"00" that claim to be them are a staple of impersonation fraud.',
    },
  },
];

export interface CallerFinding {
  code: CallerFindingCode;
  severity: FindingSeverity;
  /** The rule behind it ("history" for findings from the user's own log). */
  ruleId: string;
  source: RuleSource | null;
  /** Values for the localised sentence ($1…), in a fixed order per code. */
  params: (string | number)[];
}

export interface CallerAssessment {
  input: string;
  e164: string | null;
  /** The same key the log uses, to look the number up in it. */
  numberKey: string;
  country: CountryCode | null;
  findings: CallerFinding[];
}

export interface CallerLookup {
  number: string;
  /** Who they claimed to be, and what they said: both feed the "claims" rules. */
  claimedName?: string;
  said?: string;
  defaultCountry: CountryCode;
  /** The number's contact in the log, if any. */
  history?: LogContact | null;
  rules?: readonly CallerRule[];
}

const SEVERITY_RANK: Record<FindingSeverity, number> = { danger: 0, warning: 1, info: 2 };

function isOrdinaryMobile(country: CountryCode | undefined, national: string, rule: { country: CountryCode }): boolean {
  // Chinese mobiles are 11 digits starting with 1 (13x–19x).
  return country === rule.country && /^1[3-9]\d{9}$/.test(national);
}

export function assessCaller(lookup: CallerLookup): CallerAssessment {
  const rules = lookup.rules ?? CALLER_RULES;
  const input = lookup.number.trim();
  const resolved = resolveNumber(input, lookup.defaultCountry);
  const normalized = input ? normalizePhone(input, lookup.defaultCountry) : null;
  const country = normalized?.ok ? normalized.country : undefined;
  const national = normalized?.ok ? getDigits(normalized.national).replace(/^0+/, '') : '';
  const inputDigits = getDigits(input);
  const isInternationalInput = /^\s*(\+|00)/.test(input.normalize('NFKC'));
  const claimText = `${lookup.claimedName ?? ''}\n${lookup.said ?? ''}`.normalize('NFKC');
  const claimLower = claimText.toLowerCase();
  const findings: CallerFinding[] = [];

  for (const rule of rules) {
    switch (rule.kind) {
      case 'national-prefix': {
        const prefix = rule.prefixes.find((p) => national.startsWith(p));
        if (country === rule.country && prefix) {
          findings.push({
            code: rule.finding,
            severity: rule.severity,
            ruleId: rule.id,
            source: rule.source,
            params: [prefix],
          });
        }
        break;
      }
      case 'short-number': {
        if (!isInternationalInput && new RegExp(rule.pattern).test(inputDigits)) {
          findings.push({
            code: rule.finding,
            severity: rule.severity,
            ruleId: rule.id,
            source: rule.source,
            params: [inputDigits],
          });
        }
        break;
      }
      case 'claimed-short-number-from-mobile': {
        const claimed = claimText.match(new RegExp(rule.pattern));
        if (claimed && isOrdinaryMobile(country, national, rule)) {
          findings.push({
            code: rule.finding,
            severity: rule.severity,
            ruleId: rule.id,
            source: rule.source,
            params: [claimed[1] ?? claimed[0]],
          });
        }
        break;
      }
      case 'international-lookalike': {
        const afterPrefix = input.normalize('NFKC').trim().startsWith('+')
          ? inputDigits
          : inputDigits.startsWith('00')
            ? inputDigits.slice(2)
            : '';
        const code = rule.callingCodePrefixes.find((p) => afterPrefix.startsWith(p));
        if (code && afterPrefix.length >= 5 && lookup.defaultCountry !== countryOf(afterPrefix)) {
          findings.push({
            code: rule.finding,
            severity: rule.severity,
            ruleId: rule.id,
            source: rule.source,
            params: [afterPrefix.slice(0, 5), `+${afterPrefix}`],
          });
        }
        break;
      }
      case 'international-institution': {
        if (!normalized?.ok || !country || country === lookup.defaultCountry) break;
        const keyword = rule.keywords.find((word) => claimLower.includes(word));
        findings.push({
          code: keyword ? rule.finding : rule.plainFinding,
          severity: keyword ? rule.severity : 'info',
          ruleId: rule.id,
          source: rule.source,
          params: keyword ? [country, keyword] : [country],
        });
        break;
      }
    }
  }

  if (input && normalized && !normalized.ok && isInternationalInput) {
    findings.push({
      code: 'invalid-number',
      severity: 'warning',
      ruleId: 'numbering-plan',
      source: null,
      params: [input],
    });
  }
  findings.push(...getHistoryFindings(lookup.history ?? null));
  findings.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  return {
    input,
    e164: resolved.number.e164,
    numberKey: resolved.key || getNumberKey(resolved.number),
    country: country ?? null,
    findings,
  };
}

/** The region of an international digit string, for "is this really abroad?" */
function countryOf(digits: string): CountryCode | undefined {
  const parsed = normalizePhone(`+${digits}`, 'CN');
  return parsed.ok ? parsed.country : undefined;
}

/** What the user's own log says about the number. */
export function getHistoryFindings(contact: LogContact | null): CallerFinding[] {
  if (!contact || contact.deletedAt !== null) return [];
  const history = (code: CallerFindingCode, severity: FindingSeverity, params: (string | number)[]): CallerFinding => ({
    code,
    severity,
    ruleId: 'history',
    source: null,
    params,
  });
  const findings: CallerFinding[] = [history('seen-before', 'info', [contact.count, contact.lastAt])];
  if (contact.status === 'blocked') findings.push(history('previously-blocked', 'warning', []));
  if (contact.status === 'reported') findings.push(history('previously-reported', 'warning', []));
  if (contact.scripts.length > 0) findings.push(history('matched-scripts', 'danger', [contact.scripts.join(', ')]));
  if (contact.risk === 'high') findings.push(history('high-risk-logged', 'danger', []));
  return findings;
}
