import { useMemo } from 'preact/hooks';
import { getUiLanguage } from '@/utils/i18n';
import { getSupportedCountries } from '@/utils/phone/country';

/** Country names in the UI language, sorted for that language, with the calling code. */
export function useCountryOptions(): { code: string; label: string }[] {
  return useMemo(() => {
    const lang = getUiLanguage();
    const names = new Intl.DisplayNames([lang], { type: 'region' });
    const collator = new Intl.Collator(lang);
    return getSupportedCountries()
      .map((code) => ({ code, label: `${names.of(code) ?? code} (${code})` }))
      .sort((a, b) => collator.compare(a.label, b.label));
  }, []);
}
