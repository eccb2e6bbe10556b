import { describe, expect, it } from 'vitest';
import { getCountryFromLocale, getDefaultCountry } from '@/utils/phone/country';

describe('getCountryFromLocale', () => {
  it.each([
    ['zh-CN', 'CN'],
    ['zh_TW', 'TW'],
    ['zh-Hant', 'TW'],
    ['zh-Hant-HK', 'HK'],
    ['en-GB', 'GB'],
    ['en', 'US'],
    ['zh', 'CN'],
  ])('%s → %s', (locale, country) => {
    expect(getCountryFromLocale(locale)).toBe(country);
  });

  it('has no answer for a language without a likely region', () => {
    expect(getCountryFromLocale('xx')).toBeUndefined();
  });
});

describe('getDefaultCountry', () => {
  it('prefers the chosen country, then the locale, then CN', () => {
    expect(getDefaultCountry('HK', 'en-US')).toBe('HK');
    expect(getDefaultCountry('', 'en-US')).toBe('US');
    expect(getDefaultCountry('', 'xx')).toBe('CN');
    expect(getDefaultCountry('ZZ', 'en-GB')).toBe('GB');
  });
});
