import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Why a cell did not yield a number; counted per reason in the build report. */
export type BadRowReason = 'empty_phone' | 'unparseable_phone' | 'invalid_phone' | 'malformed_row';

export type NormalizeResult = { ok: true; e164: string } | { ok: false; reason: BadRowReason };

export function isCountryCode(value: unknown): value is CountryCode {
  return typeof value === 'string' && isSupportedCountry(value);
}

/**
 * E.164 of a leaked number, read in `defaultCountry` when it has no `+`; only numbers libphonenumber-js
 * (full metadata) reports valid. Leaks often write numbers as `0086 138…`, `86-138…` or with spaces.
 */
export function normalizePhoneNumber(raw: string, defaultCountry: CountryCode): NormalizeResult {
  let text = raw.trim();
  if (text === '') return { ok: false, reason: 'empty_phone' };
  // Spreadsheet exports sometimes write numbers in scientific notation or with a trailing ".0".
  if (/^\d+\.0+$/.test(text)) text = text.replace(/\.0+$/, '');
  if (/^00[1-9]/.test(text)) text = `+${text.slice(2)}`;
  if (!/\d/.test(text) || /[a-z]{3,}/i.test(text)) return { ok: false, reason: 'unparseable_phone' };
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (!parsed) return { ok: false, reason: 'unparseable_phone' };
  if (!parsed.isValid()) return { ok: false, reason: 'invalid_phone' };
  return { ok: true, e164: parsed.number };
}
