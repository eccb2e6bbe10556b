import { type CountryCode, normalizePhone } from '@/utils/phone';
import type { ContactNumber } from './model';

export interface ResolvedNumber {
  number: ContactNumber;
  /** "" when nothing was entered: the contact then gets an "anon:<id>" key and never merges. */
  key: string;
}

// Separators between digits in ASCII and CJK forms; removed so "95 555" and "95555" are one raw number.
const SEPARATORS = /[\s\u00a0\u3000\-\u2010-\u2015\u2212.()（）\u3001\u3002/]/g;

/** Width-folded (full-width digits become ASCII), lowercased, without separators. */
export function compactInput(input: string): string {
  return input.normalize('NFKC').toLowerCase().replace(SEPARATORS, '');
}

/**
 * What makes two entries "the same number": the E.164 form when the input normalises (so
 * "138-0013-8000", "+86 138 0013 8000" and "008613800138000" meet), else the compacted input as
 * entered (short codes like 95555, e-mail addresses, chat handles).
 */
export function resolveNumber(input: string, defaultCountry: CountryCode): ResolvedNumber {
  const trimmed = input.trim();
  if (!trimmed) return { number: { input: '', e164: null, national: null }, key: '' };
  const normalized = normalizePhone(trimmed, defaultCountry);
  if (normalized.ok) {
    return { number: { input: trimmed, e164: normalized.e164, national: normalized.national }, key: normalized.e164 };
  }
  return { number: { input: trimmed, e164: null, national: null }, key: getRawNumberKey(trimmed) };
}

export function getRawNumberKey(input: string): string {
  return `raw:${compactInput(input)}`;
}

/** The key of a number already resolved (imported records carry E.164 or only the input). */
export function getNumberKey(number: ContactNumber): string {
  if (number.e164) return number.e164;
  return number.input.trim() ? getRawNumberKey(number.input) : '';
}

/** Only the digits (full-width folded), for digit-substring search across formats. */
export function getDigits(text: string): string {
  return text.normalize('NFKC').replace(/\D+/g, '');
}

const E164 = /^\+[1-9]\d{5,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}
