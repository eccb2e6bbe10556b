import {
  type CountryCode,
  ParseError,
  type PhoneNumber,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';

// `max` metadata: the full per-type number patterns, so isValid() checks the digits themselves and not
// just the length (`min` would accept +86 123 4567 8901). `mobile` would be smaller but reports landlines
// as invalid, and leaked contact lists hold landlines and relatives' office numbers too. An extension
// loads its bundle from disk, so the extra ~65 kB costs nothing the user notices.

/** Why a typed number was refused; the UI maps each to a localised sentence. */
export type PhoneErrorReason = 'empty' | 'not-a-number' | 'too-short' | 'too-long' | 'invalid-country-code' | 'invalid';

export const PHONE_ERROR_REASONS: readonly PhoneErrorReason[] = [
  'empty',
  'not-a-number',
  'too-short',
  'too-long',
  'invalid-country-code',
  'invalid',
];

export interface NormalizedPhone {
  ok: true;
  /** E.164, e.g. +8613800138000: the only form the range protocol uses. */
  e164: string;
  /** Region of the number; undefined for non-geographic numbers such as +800. */
  country: CountryCode | undefined;
  /** Formatted for dialling inside its country, e.g. "138 0013 8000". */
  national: string;
  /** Formatted for dialling from abroad, e.g. "+86 138 0013 8000". */
  international: string;
}

export type PhoneNormalization = NormalizedPhone | { ok: false; reason: PhoneErrorReason };

// Separators people type or paste between digits, in ASCII and their CJK full-width forms (NFKC folds most).
const SEPARATORS = /[\s\u00a0\u3000\-\u2010-\u2015\u2212.()\u3001\u3002/]/g;

/** Full-width digits, "＋" and ideographic spaces become their ASCII forms. */
function foldWidth(input: string): string {
  return input.normalize('NFKC');
}

function toReason(code: string | undefined): PhoneErrorReason {
  switch (code) {
    case 'NOT_A_NUMBER':
      return 'not-a-number';
    case 'INVALID_COUNTRY':
      return 'invalid-country-code';
    case 'TOO_SHORT':
      return 'too-short';
    case 'TOO_LONG':
      return 'too-long';
    default:
      return 'invalid';
  }
}

type Attempt = { number: PhoneNumber } | { reason: PhoneErrorReason };

function attempt(text: string, defaultCountry: CountryCode): Attempt {
  let number: PhoneNumber;
  try {
    number = parsePhoneNumberWithError(text, defaultCountry);
  } catch (error) {
    return { reason: error instanceof ParseError ? toReason(error.message) : 'invalid' };
  }
  if (number.isValid()) return { number };
  // A parsed but invalid number: say whether the length is the problem, else that the digits are.
  const lengthProblem = validatePhoneNumberLength(number.number);
  return {
    reason: lengthProblem === 'TOO_SHORT' || lengthProblem === 'TOO_LONG' ? toReason(lengthProblem) : 'invalid',
  };
}

/**
 * A typed or pasted phone number in E.164, or why it is not one. A number without "+" is read in
 * `defaultCountry`; "00" is read as the international prefix; digits whose length is impossible in
 * `defaultCountry` but that are valid with a "+" in front (85291234567 typed with US as default) are
 * read as international, since a valid reading beats refusing.
 */
export function normalizePhone(input: string, defaultCountry: CountryCode): PhoneNormalization {
  const text = foldWidth(input).trim();
  if (!text) return { ok: false, reason: 'empty' };
  if (!/\p{Nd}/u.test(text)) return { ok: false, reason: 'not-a-number' };

  const compact = text.replace(SEPARATORS, '');
  const isDigitsOnly = /^\d+$/.test(compact);
  // 00 is the international prefix almost everywhere, but libphonenumber reads it as one only when it is
  // the default country's own (the US uses 011), so rewrite it to "+".
  const candidate = /^00\d/.test(compact) ? `+${compact.slice(2)}` : text;

  const first = attempt(candidate, defaultCountry);
  let found = 'number' in first ? first.number : undefined;
  // Only when the local reading has an impossible length: a possible-length typo of a local number
  // (12345678901 in China) must be refused, not turned into a valid foreign number (+1 234 567 8901).
  const lengthImpossible = 'reason' in first && (first.reason === 'too-long' || first.reason === 'too-short');
  if (!found && lengthImpossible && isDigitsOnly && !compact.startsWith('0')) {
    const international = attempt(`+${compact}`, defaultCountry);
    if ('number' in international) found = international.number;
  }
  if (!found) return { ok: false, reason: 'reason' in first ? first.reason : 'invalid' };
  return {
    ok: true,
    e164: found.number,
    country: found.country,
    national: found.formatNational(),
    international: found.formatInternational(),
  };
}
