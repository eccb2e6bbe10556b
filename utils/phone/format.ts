import { AsYouType, type CountryCode } from 'libphonenumber-js/max';

/**
 * The partial number formatted the way it will be dialled, e.g. "138001" → "138 001",
 * "+1415" → "+1 415". Full-width digits are folded to ASCII first; text the formatter cannot
 * make sense of is returned unchanged so typing is never swallowed.
 */
export function formatPhoneAsYouType(input: string, defaultCountry: CountryCode): string {
  const folded = input.normalize('NFKC');
  if (!/\d/.test(folded)) return input;
  const formatted = new AsYouType(defaultCountry).input(folded);
  return formatted || input;
}

/**
 * Where the caret belongs after re-formatting: after the same number of digits (and "+") as before,
 * so inserted spaces do not push it backwards.
 */
export function getCaretAfterFormat(formatted: string, rawBeforeCaret: string): number {
  const wanted = rawBeforeCaret.normalize('NFKC').replace(/[^\d+]/g, '').length;
  if (wanted === 0) return 0;
  let seen = 0;
  for (let i = 0; i < formatted.length; i++) {
    if (/[\d+]/.test(formatted[i] as string)) seen++;
    if (seen === wanted) return i + 1;
  }
  return formatted.length;
}
