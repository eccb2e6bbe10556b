import TSCharacters from 'opencc-js/dict/TSCharacters';

/**
 * Traditional → Simplified Chinese folding, character by character, from OpenCC's TSCharacters
 * dictionary (the character table of its t2s/t2cn conversions). Shared by the scam matcher and the
 * contact log's search, so both read one table: text and query folded alike match across scripts
 * (貸款 finds 贷款, 帳戶 finds 账户). Only one-to-one pairs in the BMP are used, so folding keeps the
 * text's length and every offset; the rare astral pairs never occur in the words people search for.
 */

/** simplified code per BMP code unit, 0 where the unit is left as it is; built on first use. */
let table: Uint16Array | null = null;

function getTable(): Uint16Array {
  if (table) return table;
  const map = new Uint16Array(65536);
  for (const pair of TSCharacters.split('|')) {
    const space = pair.indexOf(' ');
    const from = pair.slice(0, space);
    const to = pair.slice(space + 1);
    // "trad simp" pairs only; an entry with several candidates ("trad a b") is ambiguous and skipped.
    if (from.length === 1 && to.length === 1 && from !== to) map[from.charCodeAt(0)] = to.charCodeAt(0);
  }
  // 帐 and 账 are both current Simplified spellings of "account"; scripts and people use either.
  const zhang = '帐'.charCodeAt(0);
  const zhangAccount = '账'.charCodeAt(0);
  for (let code = 0; code < 65536; code++) if (map[code] === zhang) map[code] = zhangAccount;
  map[zhang] = zhangAccount;
  table = map;
  return map;
}

/** The Simplified form of one UTF-16 code unit (the unit itself when it has none). */
export function getSimplifiedCode(code: number): number {
  return getTable()[code] || code;
}

/** `text` with every Traditional character replaced by its Simplified form; same length. */
export function toSimplified(text: string): string {
  const map = getTable();
  const n = text.length;
  let i = 0;
  // Most text (Simplified Chinese, English, digits) has nothing to fold: return it as it is.
  while (i < n && map[text.charCodeAt(i)] === 0) i++;
  if (i === n) return text;
  const codes = new Uint16Array(n);
  for (let k = 0; k < n; k++) {
    const code = text.charCodeAt(k);
    codes[k] = map[code] || code;
  }
  let out = '';
  // fromCharCode with a spread is bounded by the engine's argument limit: convert in chunks.
  for (let k = 0; k < n; k += 8192) out += String.fromCharCode(...codes.subarray(k, Math.min(n, k + 8192)));
  return out;
}
