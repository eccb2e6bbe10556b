import { getSimplifiedCode } from '@/utils/chinese';

/**
 * Text normalisation for matching, with a map back to the original text.
 *
 * Scammers disguise key words so that keyword filters miss them: full-width letters
 * (ｌｏａｎ), Traditional characters (帳戶), zero-width characters, spaces or punctuation
 * between Chinese characters (安 全 账.户) and digits for letters (l0an, acc0unt, ca$h).
 * Patterns and text go through the same folding, so a pattern written plainly matches
 * every disguise. Every normalised code unit remembers the original range it came from,
 * so matches highlight the text the user actually sees.
 */
export interface NormalisedText {
  /** Folded UTF-16 code units; only the first `length` are used. */
  codes: Uint16Array;
  length: number;
  /** For normalised unit i: original [start[i], end[i]). */
  start: Int32Array;
  end: Int32Array;
  /** 1 where a clause boundary (。！？; newline …) was removed or collapsed just before unit i. */
  clauseBreak: Uint8Array;
}

// Per-code-unit classification, computed lazily once per BMP code unit.
const KIND_UNKNOWN = 0;
const KIND_DROP = 1; // zero-width and format characters, combining marks
const KIND_SEP = 2; // whitespace, punctuation, symbols, emoji halves
const KIND_CJK = 3; // ideographs after Traditional→Simplified folding
const KIND_LETTER = 4; // a-z after folding (incl. look-alike Cyrillic/Greek, accents removed)
const KIND_DIGIT = 5; // 0-9
const KIND_LEET_SYM = 6; // $ @ — letters only when touching a letter
const KIND_OTHER = 7; // kana, hangul …: kept verbatim, joins nothing
const KIND_MULTI = 8; // NFKC expands to several code units (①→1, ㎏→kg)

const kindOf = new Uint8Array(65536);
const foldedOf = new Uint16Array(65536);
const multiOf = new Map<number, number[]>();

// Characters after which a scope ("公安机关不会…") should not reach across.
const CLAUSE_BREAK = new Set([...'。！？!?；;\n\r…'].map((c) => c.charCodeAt(0)));

// Digits and symbols that stand in for letters when they touch a letter ("l0an", "ca$h").
// 1 and l both fold to i: "verify", "ver1fy", "loan" and "1oan" then meet in the middle.
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', $: 's', '@': 'a' };
const LEET_CODE = new Int32Array(128).fill(-1);
for (const [from, to] of Object.entries(LEET)) LEET_CODE[from.charCodeAt(0)] = to.charCodeAt(0);

// Cyrillic and Greek letters that look like Latin ones, used to dodge English filters.
const LOOKALIKES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};

function isCjkCode(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff);
}

function isFormatOrMark(code: number): boolean {
  return (
    code === 0xad ||
    code === 0x034f ||
    code === 0x061c ||
    code === 0x180e ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x206f) ||
    code === 0xfeff ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    (code >= 0x0300 && code <= 0x036f)
  );
}

/** Classify one code after NFKC; sets kindOf/foldedOf for `index`. */
function classifySingle(index: number, code: number): void {
  if (code >= 0x61 && code <= 0x7a) {
    kindOf[index] = KIND_LETTER;
    foldedOf[index] = code === 0x6c ? 0x69 : code; // l → i
    return;
  }
  if (code >= 0x41 && code <= 0x5a) {
    kindOf[index] = KIND_LETTER;
    foldedOf[index] = code === 0x4c ? 0x69 : code + 32;
    return;
  }
  if (code >= 0x30 && code <= 0x39) {
    kindOf[index] = KIND_DIGIT;
    foldedOf[index] = code;
    return;
  }
  if (code === 0x24 || code === 0x40) {
    kindOf[index] = KIND_LEET_SYM;
    foldedOf[index] = LEET_CODE[code]!;
    return;
  }
  if (isFormatOrMark(code)) {
    kindOf[index] = KIND_DROP;
    return;
  }
  if (isCjkCode(code)) {
    kindOf[index] = KIND_CJK;
    foldedOf[index] = getSimplifiedCode(code);
    return;
  }
  const char = String.fromCharCode(code);
  const lookalike = LOOKALIKES[char.toLowerCase()];
  if (lookalike) {
    kindOf[index] = KIND_LETTER;
    foldedOf[index] = lookalike.charCodeAt(0);
    return;
  }
  if (code >= 0xc0 && code <= 0x24f) {
    // Accented Latin: drop the accent ("lóan" → "loan").
    const base = char.normalize('NFD').charCodeAt(0);
    if (base < 0x80 && /[A-Za-z]/.test(String.fromCharCode(base))) {
      classifySingle(index, base);
      return;
    }
  }
  if (/[\p{L}\p{N}]/u.test(char)) {
    kindOf[index] = KIND_OTHER;
    foldedOf[index] = code;
    return;
  }
  kindOf[index] = KIND_SEP;
}

function classify(code: number): void {
  const char = String.fromCharCode(code);
  // Lone surrogates are handled by the caller; NFKC folds full-width and compatibility forms.
  const folded = code >= 0xd800 && code <= 0xdfff ? char : char.normalize('NFKC');
  if (folded.length === 1) {
    classifySingle(code, folded.charCodeAt(0));
    return;
  }
  if (folded.length === 0) {
    kindOf[code] = KIND_DROP;
    return;
  }
  kindOf[code] = KIND_MULTI;
  multiOf.set(
    code,
    Array.from(folded, (c) => c.charCodeAt(0)),
  );
}

/** Folds an astral code point (𝐥𝐨𝐚𝐧, emoji) to BMP codes; emoji and the rest become separators. */
function foldAstral(pair: string): number[] {
  const folded = pair.normalize('NFKC');
  if (folded !== pair && folded.length >= 1) return Array.from(folded, (c) => c.charCodeAt(0));
  if (/\p{Mn}|\p{Cf}|\p{Emoji_Modifier}/u.test(pair) || /[\u{E0000}-\u{E007F}]/u.test(pair)) return [];
  if (/\p{Script=Han}/u.test(pair)) return [-1]; // astral ideograph: kept as a word character
  return [0x20];
}

class Builder {
  codes: Uint16Array;
  start: Int32Array;
  end: Int32Array;
  clauseBreak: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.codes = new Uint16Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.clauseBreak = new Uint8Array(capacity);
  }

  push(code: number, start: number, end: number, brk: number): void {
    if (this.length === this.codes.length) this.grow();
    const i = this.length++;
    this.codes[i] = code;
    this.start[i] = start;
    this.end[i] = end;
    this.clauseBreak[i] = brk;
  }

  grow(): void {
    const size = this.codes.length * 2 + 16;
    const codes = new Uint16Array(size);
    codes.set(this.codes);
    const start = new Int32Array(size);
    start.set(this.start);
    const end = new Int32Array(size);
    end.set(this.end);
    const clauseBreak = new Uint8Array(size);
    clauseBreak.set(this.clauseBreak);
    this.codes = codes;
    this.start = start;
    this.end = end;
    this.clauseBreak = clauseBreak;
  }
}

// Longest run of separators between two Chinese characters that is read as padding
// ("安 全 账 户", "安.全.账.户"); longer runs are real breaks.
const MAX_CJK_GAP = 3;

/**
 * Normalise `text` for matching. Output runs of separators collapse to one space,
 * except short runs between two Chinese characters, which are removed.
 */
export function normaliseText(text: string): NormalisedText {
  const n = text.length;
  const out = new Builder(n + 8);
  // Pending separator run (original offsets) and whether it held a clause break.
  let sepStart = -1;
  let sepEnd = -1;
  let sepUnits = 0;
  let sepBreak = 0;
  let prevKind = KIND_SEP; // kind of the last emitted unit (SEP at the start)

  const flushSep = (nextKind: number) => {
    if (sepStart < 0) return;
    const joinCjk = prevKind === KIND_CJK && nextKind === KIND_CJK && sepUnits <= MAX_CJK_GAP;
    if (!joinCjk && out.length > 0) {
      out.push(0x20, sepStart, sepEnd, sepBreak);
      prevKind = KIND_SEP;
      sepBreak = 0;
    }
    sepStart = -1;
    sepUnits = 0;
  };
  const addSep = (from: number, to: number, brk: boolean) => {
    if (sepStart < 0) {
      sepStart = from;
      sepUnits = 0;
    }
    sepEnd = to;
    sepUnits++;
    if (brk) sepBreak = 1;
  };
  // Emits one classified BMP code that came from original [from, to).
  const emit = (code: number, from: number, to: number) => {
    let kind = kindOf[code]!;
    if (kind === KIND_UNKNOWN) {
      classify(code);
      kind = kindOf[code]!;
    }
    switch (kind) {
      case KIND_DROP:
        return;
      case KIND_SEP:
        addSep(from, to, CLAUSE_BREAK.has(code));
        return;
      case KIND_MULTI:
        for (const part of multiOf.get(code)!) emit(part, from, to);
        return;
      case KIND_DIGIT:
      case KIND_LEET_SYM: {
        // A digit or $/@ reads as a letter only when it touches a letter.
        const value = foldedOf[code]!;
        const letter = kind === KIND_LEET_SYM ? value : LEET_CODE[value]!;
        const touchesLetter = (sepStart < 0 && prevKind === KIND_LETTER) || nextIsLetter(text, to);
        if (touchesLetter && letter >= 0) {
          flushSep(KIND_LETTER);
          out.push(letter, from, to, sepBreak);
          sepBreak = 0;
          prevKind = KIND_LETTER;
          return;
        }
        if (kind === KIND_LEET_SYM) {
          addSep(from, to, false);
          return;
        }
        flushSep(KIND_DIGIT);
        out.push(value, from, to, sepBreak);
        sepBreak = 0;
        prevKind = KIND_DIGIT;
        return;
      }
      default:
        flushSep(kind);
        out.push(foldedOf[code]!, from, to, sepBreak);
        sepBreak = 0;
        prevKind = kind;
    }
  };

  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    // Fast path for the common cases: already-classified, single-unit, BMP.
    if (code < 0xd800 || code > 0xdfff) {
      const kind = kindOf[code]!;
      if (kind === KIND_CJK || kind === KIND_LETTER || kind === KIND_OTHER) {
        if (sepStart >= 0) flushSep(kind);
        if (out.length === out.codes.length) out.grow();
        const j = out.length++;
        out.codes[j] = foldedOf[code]!;
        out.start[j] = i;
        out.end[j] = i + 1;
        out.clauseBreak[j] = sepBreak;
        sepBreak = 0;
        prevKind = kind;
        continue;
      }
      emit(code, i, i + 1);
      continue;
    }
    // Surrogate pair: fold mathematical letters etc.; anything else is a separator.
    const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      const folded = foldAstral(text.slice(i, i + 2));
      for (const part of folded) {
        if (part === -1) {
          flushSep(KIND_OTHER);
          out.push(code, i, i + 2, sepBreak);
          out.push(next, i, i + 2, 0);
          sepBreak = 0;
          prevKind = KIND_OTHER;
        } else emit(part, i, i + 2);
      }
      i++;
    } else addSep(i, i + 1, false);
  }
  // A trailing separator run adds nothing to match against.
  return { codes: out.codes, length: out.length, start: out.start, end: out.end, clauseBreak: out.clauseBreak };
}

function nextIsLetter(text: string, at: number): boolean {
  if (at >= text.length) return false;
  const code = text.charCodeAt(at);
  if (code >= 0xd800 && code <= 0xdfff) return false;
  if (kindOf[code] === KIND_UNKNOWN) classify(code);
  return kindOf[code] === KIND_LETTER;
}

/** The normalised text as a string (for tests, debugging and pattern compilation). */
export function normalisedString(normalised: NormalisedText): string {
  let result = '';
  const chunk = 8192;
  for (let i = 0; i < normalised.length; i += chunk) {
    result += String.fromCharCode(...normalised.codes.subarray(i, Math.min(normalised.length, i + chunk)));
  }
  return result;
}

/** Normalise a catalogue phrase: same folding as text, outer spaces trimmed. */
export function normalisePhrase(phrase: string): string {
  return normalisedString(normaliseText(phrase)).trim();
}

/** True for a normalised code that is part of an English-style word (boundary checks). */
export function isWordCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
}

/** Map a normalised span [from, to) back to the original text's UTF-16 offsets. */
export function toOriginalSpan(normalised: NormalisedText, from: number, to: number): { start: number; end: number } {
  return { start: normalised.start[from]!, end: normalised.end[to - 1]! };
}
