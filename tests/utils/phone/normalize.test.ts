import { describe, expect, it } from 'vitest';
import { type CountryCode, normalizePhone, PHONE_ERROR_REASONS, type PhoneErrorReason } from '@/utils/phone';

type Row = [input: string, defaultCountry: CountryCode, e164: string];

// Each country: local formats, with and without "+", with "00" and the calling code without "+",
// read once with the home country and once with a foreign default.
const VALID: Record<string, Row[]> = {
  CN: [
    ['13800138000', 'CN', '+8613800138000'],
    ['138 0013 8000', 'CN', '+8613800138000'],
    ['138-0013-8000', 'CN', '+8613800138000'],
    ['138.0013.8000', 'CN', '+8613800138000'],
    ['(138) 0013 8000', 'CN', '+8613800138000'],
    ['１３８００１３８０００', 'CN', '+8613800138000'],
    ['１３８　００１３　８０００', 'CN', '+8613800138000'],
    ['＋８６ １３８００１３８０００', 'US', '+8613800138000'],
    ['+86 138 0013 8000', 'US', '+8613800138000'],
    ['+8613800138000', 'GB', '+8613800138000'],
    ['0086 138 0013 8000', 'CN', '+8613800138000'],
    ['0086-13800138000', 'US', '+8613800138000'],
    ['8613800138000', 'CN', '+8613800138000'],
    ['8613800138000', 'US', '+8613800138000'],
    ['  13800138000  ', 'CN', '+8613800138000'],
    ['010 6552 9988', 'CN', '+861065529988'],
    ['(010) 6552-9988', 'CN', '+861065529988'],
    ['+86 10 6552 9988', 'HK', '+861065529988'],
  ],
  US: [
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415-555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['1 415 555 2671', 'US', '+14155552671'],
    ['+1 (415) 555-2671', 'CN', '+14155552671'],
    ['+14155552671', 'TW', '+14155552671'],
    ['001 415 555 2671', 'CN', '+14155552671'],
    ['011 1 415 555 2671', 'US', '+14155552671'],
  ],
  HK: [
    ['9123 4567', 'HK', '+85291234567'],
    ['91234567', 'HK', '+85291234567'],
    ['2123 4567', 'HK', '+85221234567'],
    ['+852 9123 4567', 'CN', '+85291234567'],
    ['00852 9123 4567', 'US', '+85291234567'],
    ['852 9123 4567', 'US', '+85291234567'],
  ],
  TW: [
    ['0912 345 678', 'TW', '+886912345678'],
    ['0912-345-678', 'TW', '+886912345678'],
    ['02 2345 6789', 'TW', '+886223456789'],
    ['(02) 2345-6789', 'TW', '+886223456789'],
    ['+886 912 345 678', 'CN', '+886912345678'],
    ['+886-2-2345-6789', 'US', '+886223456789'],
    ['00886 912 345 678', 'CN', '+886912345678'],
  ],
  UK: [
    ['07400 123456', 'GB', '+447400123456'],
    ['07400-123-456', 'GB', '+447400123456'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['(020) 7946 0958', 'GB', '+442079460958'],
    ['+44 7400 123456', 'CN', '+447400123456'],
    ['+44 (0) 20 7946 0958', 'US', '+442079460958'],
    ['0044 20 7946 0958', 'CN', '+442079460958'],
    ['44 7400 123456', 'US', '+447400123456'],
  ],
};

describe('normalizePhone: valid numbers', () => {
  for (const [country, rows] of Object.entries(VALID)) {
    describe(country, () => {
      it.each(rows)('%j read in %s → %s', (input, defaultCountry, e164) => {
        const result = normalizePhone(input, defaultCountry);
        expect(result).toMatchObject({ ok: true, e164 });
      });
    });
  }

  it('reports the country and both display formats', () => {
    expect(normalizePhone('13800138000', 'CN')).toEqual({
      ok: true,
      e164: '+8613800138000',
      country: 'CN',
      national: '138 0013 8000',
      international: '+86 138 0013 8000',
    });
    expect(normalizePhone('+852 9123 4567', 'CN')).toMatchObject({ country: 'HK', national: '9123 4567' });
    expect(normalizePhone('0912345678', 'TW')).toMatchObject({ country: 'TW', national: '0912 345 678' });
    expect(normalizePhone('4155552671', 'US')).toMatchObject({ country: 'US', international: '+1 415 555 2671' });
  });

  it('leaves the country empty for non-geographic numbers', () => {
    expect(normalizePhone('+800 1234 5678', 'CN')).toMatchObject({
      ok: true,
      e164: '+80012345678',
      country: undefined,
    });
  });

  it('prefers the default country reading when it is valid', () => {
    // 2123 4567 is a valid Hong Kong landline; with "+" it would be +212 (Morocco) and is not taken.
    expect(normalizePhone('21234567', 'HK')).toMatchObject({ e164: '+85221234567' });
  });
});

const INVALID: [input: string, defaultCountry: CountryCode, reason: PhoneErrorReason][] = [
  ['', 'CN', 'empty'],
  ['   ', 'CN', 'empty'],
  ['\u3000', 'CN', 'empty'],
  ['abc', 'CN', 'not-a-number'],
  ['+', 'CN', 'not-a-number'],
  ['---', 'US', 'not-a-number'],
  ['电话', 'CN', 'not-a-number'],
  ['1', 'CN', 'too-short'],
  ['+12', 'US', 'too-short'],
  ['555-2671', 'US', 'too-short'],
  ['1380013800012345678', 'CN', 'too-long'],
  ['+1 415 555 26712', 'US', 'too-long'],
  ['+999 1234 5678', 'CN', 'invalid-country-code'],
  ['00999 1234 5678', 'US', 'invalid-country-code'],
  ['12345678901', 'CN', 'invalid'],
  ['+86 1380013800', 'US', 'invalid'],
  ['0912 345 67', 'TW', 'invalid'],
  ['07400 12345', 'GB', 'invalid'],
];

describe('normalizePhone: refused input', () => {
  it.each(INVALID)('%j read in %s → %s', (input, defaultCountry, reason) => {
    expect(normalizePhone(input, defaultCountry)).toEqual({ ok: false, reason });
  });

  it('has a case for every reason', () => {
    expect(new Set(INVALID.map(([, , reason]) => reason))).toEqual(new Set(PHONE_ERROR_REASONS));
  });
});
