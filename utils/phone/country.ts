import { type CountryCode, getCountries, isSupportedCountry } from 'libphonenumber-js/max';

/** Regions libphonenumber-js knows, for the country pickers. */
export function getSupportedCountries(): CountryCode[] {
  return getCountries();
}

export function isCountryCode(value: string): value is CountryCode {
  return isSupportedCountry(value);
}

// A bare language says little about where someone lives; these are the likeliest for our users.
const LANGUAGE_DEFAULT_REGION: Record<string, CountryCode> = { zh: 'CN', en: 'US' };

/** The region of a BCP 47 locale such as "zh-CN" or "en_GB", else a guess from its language. */
export function getCountryFromLocale(locale: string): CountryCode | undefined {
  const parts = locale.replace('_', '-').split('-');
  const region = parts
    .slice(1)
    .find((part) => /^[A-Za-z]{2}$/.test(part))
    ?.toUpperCase();
  if (region && isCountryCode(region)) return region;
  const script = parts[1]?.toLowerCase();
  if (parts[0] === 'zh' && script === 'hant') return 'TW';
  return LANGUAGE_DEFAULT_REGION[parts[0]?.toLowerCase() ?? ''];
}

/** The user's chosen default country, else the browser locale's, else CN. */
export function getDefaultCountry(chosen: string, locale: string): CountryCode {
  if (isCountryCode(chosen)) return chosen;
  return getCountryFromLocale(locale) ?? 'CN';
}
