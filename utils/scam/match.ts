import { createAutomaton } from './automaton';
import { SCAM_CATALOGUE } from './catalogue';
import { isWordCode, type NormalisedText, normalisePhrase, normaliseText } from './normalise';
import type { ScamCatalogue, ScamCheckResult, ScamExplanation, ScamMatch, ScamScript, ScamVerdict } from './types';

export const SCAM_THRESHOLD = 0.7;
export const SUSPICIOUS_THRESHOLD = 0.4;
/** Scripts weaker than this are not listed even when others push the verdict up. */
const REPORT_THRESHOLD = 0.3;

const GAP_SHORT = 8;
const GAP_LONG = 24;
// How far a negator reaches ("不会…要求…转账" / "never ask you for your code"), in normalised units.
const NEGATION_SCOPE_CJK = 10;
const NEGATION_SCOPE_LATIN = 32;

/** Script-index slots in a packed match key; keys stay exact below 2^53 for texts under ~10^7 units. */
const SCRIPT_SLOTS = 128;
const MAX_TEXT_UNITS = 4_000_000;
const WINDOW_OVERLAP = 2_000;

const TARGET_NEGATOR = -1;
const TARGET_CUE = -2;
const TARGET_STRONG_CUE = -3;
const TARGET_VETO = -4;
const TARGET_REQUEST = -5;

interface Piece {
  length: number;
  wordStart: boolean;
  wordEnd: boolean;
  /** "arrest*": the hit extends to the end of the word ("arrested") for highlighting. */
  open: boolean;
}

interface Phrase {
  pieces: number[];
  /** maxGap[k]: most units allowed between piece k-1 and piece k. */
  maxGap: number[];
  /** amountGap[k]: the gap before piece k must be an amount ("借#到手"). */
  amountGap: boolean[];
  /** The phrase ends in an amount ("交#"): the hit extends over it. */
  amountTail: boolean;
  targets: number[];
  /** Filled after compilation: evidence groups (targets >= 0) and advisory-role flags. */
  groups: number[];
  roles: number;
}

const ROLE_NEGATOR = 1;
const ROLE_CUE = 2;
const ROLE_STRONG_CUE = 4;
const ROLE_VETO = 8;
const ROLE_REQUEST = 16;

interface Rule {
  script: number;
  groups: number[];
  weight: number;
}

interface PhraseHit {
  phrase: number;
  start: number;
  end: number;
  /** Gap phrases ("学生…账户"): the pieces' own [start, end) pairs, so the gap is not highlighted. */
  parts?: number[];
}

const SAFE = { verdict: 'safe', score: 0, advisory: false } as const;

// Amount slot "#": digits and Chinese numerals (a leading/inner space allowed), at most this long.
const MAX_AMOUNT_UNITS = 16;
const CJK_NUMERALS = new Set(
  [...'零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟'].map((c) => c.charCodeAt(0)),
);

function isAmountCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x20 || CJK_NUMERALS.has(code);
}

/**
 * End of the amount that starts at `from` (exclusive; trailing spaces not included), or -1.
 * An amount holds an ASCII digit or at least two Chinese numerals, so "交一下" is not "交#".
 */
export function amountEnd(codes: Uint16Array, length: number, from: number): number {
  let digits = 0;
  let numerals = 0;
  let end = -1;
  const start = from + currencyLength(codes, length, from);
  for (let i = start; i < length && i - start < MAX_AMOUNT_UNITS; i++) {
    const code = codes[i]!;
    if (!isAmountCode(code)) break;
    if (code === 0x20) continue;
    if (code <= 0x39) digits++;
    else numerals++;
    end = i + 1;
  }
  return end >= 0 && (digits > 0 || numerals >= 2) ? end : -1;
}

// A currency word may stand before the number ("付港币15元", "转人民币5000").
const CURRENCY_WORDS = [
  '港币',
  '港元',
  '人民币',
  '美元',
  '美金',
  '新台币',
  '台币',
  '澳门币',
  '日元',
  '欧元',
  '英镑',
].map((w) => Array.from(w, (c) => c.charCodeAt(0)));

function currencyLength(codes: Uint16Array, length: number, from: number): number {
  for (const word of CURRENCY_WORDS) {
    if (from + word.length > length) continue;
    let same = true;
    for (let k = 0; k < word.length && same; k++) same = codes[from + k] === word[k];
    if (same) return word.length;
  }
  return 0;
}

const LATIN_KEY = /^[a-z0-9' ]+$/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A phrase and its spelling variants (ScamCatalogue.variants): one key replaced at a time,
 * every occurrence of it. English keys replace whole words only.
 */
export function expandVariants(phrase: string, variants: Record<string, string[]> | undefined): string[] {
  const out = [phrase];
  if (!variants) return out;
  for (const [key, alternatives] of Object.entries(variants)) {
    const pattern = LATIN_KEY.test(key)
      ? new RegExp(`(?<![a-z0-9])${escapeRegExp(key)}(?![a-z0-9])`, 'gi')
      : new RegExp(escapeRegExp(key), 'g');
    if (!pattern.test(phrase)) continue;
    for (const alternative of alternatives) {
      pattern.lastIndex = 0;
      const variant = phrase.replace(pattern, alternative);
      if (!out.includes(variant)) out.push(variant);
    }
  }
  return out;
}

export interface ScamMatcher {
  readonly catalogue: ScamCatalogue;
  checkText(text: string): ScamCheckResult;
}

function isCjkCode(code: number): boolean {
  return code >= 0x3400 && code <= 0x9fff;
}

/** Compile a catalogue into one automaton over every phrase piece, plus rule tables. */
export function createScamMatcher(catalogue: ScamCatalogue = SCAM_CATALOGUE): ScamMatcher {
  if (catalogue.scripts.length > SCRIPT_SLOTS) throw new Error(`scam catalogue: more than ${SCRIPT_SLOTS} scripts`);
  const pieceIndex = new Map<string, number>();
  const pieceTexts: string[] = [];
  const pieces: Piece[] = [];
  const phraseIndex = new Map<string, number>();
  const phrases: Phrase[] = [];
  const groupIds = new Map<string, number>();
  const rules: Rule[] = [];
  const scripts: ScamScript[] = catalogue.scripts;

  function addPiece(raw: string): number {
    const open = raw.endsWith('*');
    const text = normalisePhrase(open ? raw.slice(0, -1) : raw);
    if (!text) throw new Error(`scam catalogue: phrase piece "${raw}" is empty after normalisation`);
    const wordStart = isWordCode(text.charCodeAt(0));
    const wordEnd = !open && isWordCode(text.charCodeAt(text.length - 1));
    const key = `${text}\u0000${wordStart ? 1 : 0}${wordEnd ? 1 : 0}`;
    let id = pieceIndex.get(key);
    if (id === undefined) {
      id = pieces.length;
      pieceIndex.set(key, id);
      pieceTexts.push(text);
      pieces.push({
        length: text.length,
        wordStart,
        wordEnd,
        open: open && isWordCode(text.charCodeAt(text.length - 1)),
      });
    }
    return id;
  }

  function addPhrase(raw: string, target: number): void {
    for (const variant of expandVariants(raw, catalogue.variants)) addOnePhrase(variant, target);
  }

  function addOnePhrase(raw: string, target: number): void {
    let phrase = phraseIndex.get(raw);
    if (phrase === undefined) {
      const parts = raw.split(/(……|…|#)/);
      const ids: number[] = [];
      const gaps: number[] = [];
      const amountGaps: boolean[] = [];
      let gap = 0;
      let amount = false;
      for (const part of parts) {
        if (part === '…') gap = GAP_SHORT;
        else if (part === '……') gap = GAP_LONG;
        else if (part === '#') {
          if (ids.length === 0) throw new Error(`scam catalogue: phrase "${raw}" starts with an amount`);
          amount = true;
        } else if (part.trim()) {
          const id = addPiece(part.trim());
          if (amount && isAmountCode(pieceTexts[id]!.charCodeAt(0)))
            throw new Error(`scam catalogue: phrase "${raw}" has a number right after "#"`);
          ids.push(id);
          gaps.push(gap);
          amountGaps.push(amount);
          gap = 0;
          amount = false;
        }
      }
      phrase = phrases.length;
      phraseIndex.set(raw, phrase);
      phrases.push({
        pieces: ids,
        maxGap: gaps,
        amountGap: amountGaps,
        amountTail: amount,
        targets: [],
        groups: [],
        roles: 0,
      });
    }
    const targets = phrases[phrase]!.targets;
    if (!targets.includes(target)) targets.push(target);
  }

  function groupId(key: string, words: readonly string[] | undefined): number {
    let id = groupIds.get(key);
    if (id !== undefined) return id;
    if (!words || words.length === 0) throw new Error(`scam catalogue: unknown or empty group "${key}"`);
    id = groupIds.size;
    groupIds.set(key, id);
    for (const word of words) addPhrase(word, id);
    return id;
  }

  scripts.forEach((script, scriptIndex) => {
    for (const rule of script.rules) {
      const ids = rule.all.map((name) =>
        name.startsWith('@')
          ? groupId(name, catalogue.shared[name.slice(1)])
          : groupId(`${script.id}/${name}`, script.groups[name]),
      );
      rules.push({ script: scriptIndex, groups: ids, weight: rule.weight });
    }
  });
  for (const word of catalogue.advisory.negators) addPhrase(word, TARGET_NEGATOR);
  for (const word of catalogue.advisory.cues) addPhrase(word, TARGET_CUE);
  for (const word of catalogue.advisory.strongCues) addPhrase(word, TARGET_STRONG_CUE);
  for (const word of catalogue.advisory.vetoes) addPhrase(word, TARGET_VETO);
  for (const word of catalogue.advisory.requests) addPhrase(word, TARGET_REQUEST);

  const groupCount = groupIds.size;
  const roleOf: Record<number, number> = {
    [TARGET_NEGATOR]: ROLE_NEGATOR,
    [TARGET_CUE]: ROLE_CUE,
    [TARGET_STRONG_CUE]: ROLE_STRONG_CUE,
    [TARGET_VETO]: ROLE_VETO,
    [TARGET_REQUEST]: ROLE_REQUEST,
  };
  for (const phrase of phrases) {
    phrase.groups = phrase.targets.filter((t) => t >= 0);
    for (const t of phrase.targets) if (t < 0) phrase.roles |= roleOf[t]!;
  }
  const automaton = createAutomaton(pieceTexts);
  // Phrases keyed by their first piece, so only pieces that hit are looked at.
  const firstOf: number[][] = pieces.map(() => []);
  phrases.forEach((phrase, index) => {
    firstOf[phrase.pieces[0]!]!.push(index);
  });
  const rulesByScript: Rule[][] = scripts.map(() => []);
  for (const rule of rules) rulesByScript[rule.script]!.push(rule);

  // Per-piece hit lists, reused across calls (only touched pieces are reset): a Map per call
  // cost more than the scan itself on keyword-dense text.
  const hitsByPiece: number[][] = pieces.map(() => []);
  const touched: number[] = [];

  /** Fills hitsByPiece (flat [start, end, …] in end order) and returns the pieces that hit. */
  function findPieceHits(norm: NormalisedText): number[] {
    for (const piece of touched) hitsByPiece[piece]!.length = 0;
    touched.length = 0;
    const { codes, length } = norm;
    automaton.scan(codes, length, (piece, hitEnd) => {
      let end = hitEnd;
      const info = pieces[piece]!;
      const start = hitEnd - info.length;
      if (info.wordStart && start > 0 && isWordCode(codes[start - 1]!)) return;
      if (info.wordEnd && end < length && isWordCode(codes[end]!)) return;
      if (info.open) while (end < length && isWordCode(codes[end]!)) end++;
      const list = hitsByPiece[piece]!;
      if (list.length === 0) touched.push(piece);
      list.push(start, end);
    });
    return touched;
  }

  function assemblePhrases(norm: NormalisedText, hitPieces: number[]): PhraseHit[] {
    const result: PhraseHit[] = [];
    for (const piece of hitPieces) {
      const list = hitsByPiece[piece]!;
      phraseLoop: for (const phraseId of firstOf[piece]!) {
        const phrase = phrases[phraseId]!;
        // Common first pieces ("后…放款", "交#"): skip at once unless every later piece hit.
        for (let k = 1; k < phrase.pieces.length; k++)
          if (hitsByPiece[phrase.pieces[k]!]!.length === 0) continue phraseLoop;
        for (let h = 0; h < list.length; h += 2) {
          const start = list[h]!;
          let end = list[h + 1]!;
          if (phrase.pieces.length === 1 && !phrase.amountTail) {
            result.push({ phrase: phraseId, start, end });
            continue;
          }
          const parts = [start, end];
          let ok = true;
          for (let k = 1; k < phrase.pieces.length && ok; k++) {
            const next = hitsByPiece[phrase.pieces[k]!]!;
            ok = false;
            if (next.length === 0) break;
            if (phrase.amountGap[k]) {
              // The amount is part of the hit: the next piece starts where the amount ends.
              const at = amountEnd(norm.codes, norm.length, end);
              if (at < 0) break;
              for (let j = 0; j < next.length; j += 2) {
                if (next[j] === at) {
                  parts[parts.length - 1] = next[j + 1]!;
                  end = next[j + 1]!;
                  ok = true;
                  break;
                }
              }
              continue;
            }
            for (let j = 0; j < next.length; j += 2) {
              const s = next[j]!;
              if (s >= end && s - end <= phrase.maxGap[k]!) {
                end = next[j + 1]!;
                parts.push(s, end);
                ok = true;
                break;
              }
            }
          }
          if (ok && phrase.amountTail) {
            const at = amountEnd(norm.codes, norm.length, end);
            if (at < 0) ok = false;
            else {
              end = at;
              parts[parts.length - 1] = at;
            }
          }
          if (!ok) continue;
          if (parts.length === 2) result.push({ phrase: phraseId, start, end });
          else result.push({ phrase: phraseId, start, end, parts });
        }
      }
    }
    return result;
  }

  /**
   * Distance from the nearest negator that ends before each position within the same clause
   * (255 = none). One pass per negator instead of one per (hit, negator) pair.
   */
  function negationDistances(norm: NormalisedText, negators: PhraseHit[]): Uint8Array {
    const distance = new Uint8Array(norm.length + 1).fill(255);
    for (const neg of negators) {
      for (let i = neg.end, d = 0; i <= norm.length && d <= NEGATION_SCOPE_LATIN; i++, d++) {
        if (i < norm.length && norm.clauseBreak[i]) break;
        if (d < distance[i]!) distance[i] = d;
      }
    }
    return distance;
  }

  function isNegated(norm: NormalisedText, hit: PhraseHit, distance: Uint8Array | null): boolean {
    if (!distance) return false;
    const scope = isCjkCode(norm.codes[hit.start]!) ? NEGATION_SCOPE_CJK : NEGATION_SCOPE_LATIN;
    return distance[hit.start]! <= scope;
  }

  function checkText(text: string): ScamCheckResult {
    // Longer texts are checked in overlapping windows so packed match keys stay exact.
    if (text.length > MAX_TEXT_UNITS) return checkLongText(text);
    const norm = normaliseText(text);
    const phraseHits = assemblePhrases(norm, findPieceHits(norm));
    if (phraseHits.length === 0) return { ...SAFE, scripts: [], matches: [], explanations: [] };

    const negators: PhraseHit[] = [];
    const vetoes: PhraseHit[] = [];
    for (const hit of phraseHits) if (phrases[hit.phrase]!.roles & ROLE_VETO) vetoes.push(hit);
    const vetoed = (hit: PhraseHit) => vetoes.some((v) => v.start < hit.end && hit.start < v.end);
    let cueCount = 0;
    let strongCueCount = 0;
    const requestHits: PhraseHit[] = [];
    for (const hit of phraseHits) {
      const roles = phrases[hit.phrase]!.roles;
      if (roles === 0) continue;
      if (roles & ROLE_REQUEST) requestHits.push(hit);
      // A vetoed negator is a condition, not a denial: "if you don't pay …", "报警也没用".
      if (vetoes.length > 0 && vetoed(hit)) continue;
      if (roles & ROLE_NEGATOR) negators.push(hit);
      if (roles & ROLE_CUE) cueCount++;
      if (roles & ROLE_STRONG_CUE) strongCueCount++;
    }
    const distance = negators.length > 0 ? negationDistances(norm, negators) : null;
    const requestCount = requestHits.filter((hit) => !isNegated(norm, hit, distance)).length;

    const groupHits: PhraseHit[][] = [];
    const present = new Uint8Array(groupCount);
    let negatedCount = 0;
    for (const hit of phraseHits) {
      const targets = phrases[hit.phrase]!.groups;
      if (targets.length === 0) continue;
      if (isNegated(norm, hit, distance)) {
        negatedCount++;
        continue;
      }
      for (const target of targets) {
        present[target] = 1;
        let list = groupHits[target];
        if (!list) {
          list = [];
          groupHits[target] = list;
        }
        list.push(hit);
      }
    }

    // Each script scores its strongest fired rule; independent scripts combine by noisy-OR.
    const scriptScores = new Float64Array(scripts.length);
    const firedGroups: (Set<number> | undefined)[] = [];
    for (let s = 0; s < scripts.length; s++) {
      for (const rule of rulesByScript[s]!) {
        let all = true;
        for (const g of rule.groups) if (!present[g]) all = false;
        if (!all) continue;
        if (rule.weight > scriptScores[s]!) scriptScores[s] = rule.weight;
        const fired = firedGroups[s] ?? new Set<number>();
        firedGroups[s] = fired;
        for (const g of rule.groups) fired.add(g);
      }
    }
    let keep = 1;
    for (const score of scriptScores) keep *= 1 - score;
    let score = 1 - keep;

    // Anti-fraud warnings reuse the scam's words; negated phrases and warning cues damp the score.
    // A strong scam (0.95) wrapped in warning words still ends up suspicious, not safe; a text
    // that asks the reader for something (a scam call that also says "we are not scammers")
    // is damped much less.
    const anyCue = cueCount + strongCueCount > 0;
    const advisoryFactor =
      requestCount > 0
        ? strongCueCount > 0
          ? 0.85
          : negatedCount > 0
            ? 0.8
            : 1
        : negatedCount > 0 && anyCue
          ? 0.35
          : strongCueCount > 0
            ? 0.4
            : negatedCount > 0 || cueCount >= 2
              ? 0.6
              : cueCount === 1
                ? 0.85
                : 1;
    score *= advisoryFactor;
    score = Math.round(score * 1000) / 1000;
    const verdict: ScamVerdict =
      score >= SCAM_THRESHOLD ? 'scam' : score >= SUSPICIOUS_THRESHOLD ? 'suspicious' : 'safe';
    const advisory = verdict === 'safe' && (negatedCount > 0 || anyCue);

    if (verdict === 'safe') return { verdict, score, scripts: [], matches: [], explanations: [], advisory };

    const reported = scripts
      .map((script, index) => ({ script, index, score: scriptScores[index]! }))
      .filter((entry) => entry.score >= REPORT_THRESHOLD)
      .sort((a, b) => b.score - a.score);
    // Each (start, end, script) packed into one exact float key and sorted natively: comparator
    // sorts of match objects dominated the run time on keyword-dense text.
    const width = norm.length + 1;
    let count = 0;
    for (const { index } of reported) {
      for (const g of firedGroups[index] ?? []) {
        for (const hit of groupHits[g] ?? []) count += hit.parts ? hit.parts.length / 2 : 1;
      }
    }
    const keys = new Float64Array(count);
    let k = 0;
    for (const { index } of reported) {
      for (const g of firedGroups[index] ?? []) {
        for (const hit of groupHits[g] ?? []) {
          const parts = hit.parts ?? [hit.start, hit.end];
          for (let p = 0; p < parts.length; p += 2)
            keys[k++] = (parts[p]! * width + parts[p + 1]!) * SCRIPT_SLOTS + index;
        }
      }
    }
    keys.sort();
    // Several groups of one script can hold the same phrase: keep each span once per script.
    const matches: ScamMatch[] = [];
    for (let i = 0; i < keys.length; i++) {
      if (i > 0 && keys[i] === keys[i - 1]) continue;
      const key = keys[i]!;
      const index = key % SCRIPT_SLOTS;
      const span = (key - index) / SCRIPT_SLOTS;
      const end = span % width;
      const start = (span - end) / width;
      matches.push({ start: norm.start[start]!, end: norm.end[end - 1]!, script: scripts[index]!.id });
    }
    const explanations: ScamExplanation[] = reported.map(({ script, score: s }) => ({
      script: script.id,
      category: script.category,
      score: Math.round(s * 1000) / 1000,
      explanation: script.explanation,
      advice: script.advice,
    }));
    return { verdict, score, scripts: reported.map((r) => r.script.id), matches, explanations, advisory };
  }

  /** Windows of MAX_TEXT_UNITS overlapping by WINDOW_OVERLAP; the strongest window decides. */
  function checkLongText(text: string): ScamCheckResult {
    let best: ScamCheckResult | null = null;
    const matches: ScamMatch[] = [];
    const seen = new Set<string>();
    for (let from = 0; from < text.length; from += MAX_TEXT_UNITS - WINDOW_OVERLAP) {
      const result = checkText(text.slice(from, from + MAX_TEXT_UNITS));
      if (!best || result.score > best.score) best = result;
      for (const m of result.matches) {
        const key = `${from + m.start}:${from + m.end}:${m.script}`;
        if (seen.has(key)) continue;
        seen.add(key);
        matches.push({ start: from + m.start, end: from + m.end, script: m.script });
      }
      if (from + MAX_TEXT_UNITS >= text.length) break;
    }
    const result = best!;
    if (result.verdict === 'safe') return result;
    const scripts = new Set(result.scripts);
    return {
      ...result,
      matches: matches.filter((m) => scripts.has(m.script)).sort((a, b) => a.start - b.start || a.end - b.end),
    };
  }

  return { catalogue, checkText };
}

let defaultMatcher: ScamMatcher | null = null;

/** Check text with the built-in catalogue (compiled on first use). */
export function checkText(text: string): ScamCheckResult {
  defaultMatcher ??= createScamMatcher();
  return defaultMatcher.checkText(text);
}
