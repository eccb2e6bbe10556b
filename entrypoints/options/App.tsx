import { useEffect, useState } from 'preact/hooks';
import { useCountryOptions } from '@/components/CountrySelect';
import { Field } from '@/components/Field';
import { useSettings } from '@/components/useSettings';
import { getUiLanguage, t } from '@/utils/i18n';
import { getCountryFromLocale } from '@/utils/phone/country';
import { LANGUAGE_CHOICES, type LanguageChoice } from '@/utils/settings';
import { isEndpointUrl, isPublicKeyText } from '@/utils/settings-validation';

const LANGUAGE_NAMES: Record<Exclude<LanguageChoice, 'auto'>, string> = {
  zh_CN: '简体中文',
  zh_TW: '繁體中文',
  en: 'English',
};

export function App() {
  const [settings, save] = useSettings();
  const countries = useCountryOptions();
  const [endpoint, setEndpoint] = useState('');
  const [pinnedKey, setPinnedKey] = useState('');
  const [errors, setErrors] = useState<{ endpoint?: string; pinnedKey?: string }>({});
  const [status, setStatus] = useState('');

  useEffect(() => {
    if (!settings) return;
    setEndpoint(settings.endpoint);
    setPinnedKey(settings.pinnedKey);
  }, [settings?.endpoint, settings?.pinnedKey]);

  if (!settings) return <p role="status">{t('common.loading')}</p>;
  const browserCountry = getCountryFromLocale(navigator.language) ?? 'CN';

  async function saveDisplay(patch: Parameters<typeof save>[0]) {
    await save(patch);
    setStatus(t('common.saved'));
  }

  async function saveServer(event: Event) {
    event.preventDefault();
    const next = {
      endpoint: isEndpointUrl(endpoint) ? undefined : t('options.endpointInvalid'),
      pinnedKey: isPublicKeyText(pinnedKey) ? undefined : t('options.pinnedKeyInvalid'),
    };
    setErrors(next);
    if (next.endpoint || next.pinnedKey) return;
    const keyChanged = pinnedKey.trim() !== settings?.pinnedKey;
    await save({
      endpoint: endpoint.trim().replace(/\/+$/, ''),
      pinnedKey: pinnedKey.trim(),
      // A key typed in by hand is the user's own choice, no longer the demo key.
      ...(keyChanged ? { keyLabel: '' } : {}),
    });
    setStatus(t('options.savedServer'));
  }

  return (
    <main class="page page-wide">
      <header class="page-header">
        <h1>{t('options.title')}</h1>
      </header>
      <section aria-labelledby="display-heading">
        <h2 id="display-heading">{t('options.displaySection')}</h2>
        <Field id="language" label={t('options.language')} hint={t('options.languageHint')}>
          {(aria) => (
            <select
              {...aria}
              value={settings.language}
              data-value={settings.language}
              onChange={(e) => saveDisplay({ language: e.currentTarget.value as LanguageChoice })}
            >
              {LANGUAGE_CHOICES.map((choice) => (
                <option value={choice} key={choice} lang={choice === 'auto' ? undefined : choice.replace('_', '-')}>
                  {choice === 'auto' ? t('options.languageAuto') : LANGUAGE_NAMES[choice]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="country" label={t('options.country')} hint={t('options.countryHint')}>
          {(aria) => (
            <select
              {...aria}
              value={settings.defaultCountry}
              onChange={(e) => saveDisplay({ defaultCountry: e.currentTarget.value })}
            >
              <option value="">{t('options.countryAuto', [browserCountry])}</option>
              {countries.map((country) => (
                <option value={country.code} key={country.code}>
                  {country.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="field">
          <label class="checkbox">
            <input
              type="checkbox"
              id="large-text"
              checked={settings.largeText}
              aria-describedby="large-text-hint"
              onChange={(e) => saveDisplay({ largeText: e.currentTarget.checked })}
            />
            {t('options.largeText')}
          </label>
          <span class="field-hint" id="large-text-hint">
            {t('options.largeTextHint')}
          </span>
        </div>
      </section>
      <section aria-labelledby="server-heading">
        <h2 id="server-heading">{t('options.serverSection')}</h2>
        <form onSubmit={saveServer} noValidate>
          <Field id="endpoint" label={t('options.endpoint')} hint={t('options.endpointHint')} error={errors.endpoint}>
            {(aria) => (
              <input
                {...aria}
                type="url"
                value={endpoint}
                spellcheck={false}
                onInput={(e) => setEndpoint(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            id="pinned-key"
            label={t('options.pinnedKey')}
            hint={t('options.pinnedKeyHint')}
            error={errors.pinnedKey}
          >
            {(aria) => (
              <input
                {...aria}
                type="text"
                value={pinnedKey}
                spellcheck={false}
                autocomplete="off"
                onInput={(e) => setPinnedKey(e.currentTarget.value)}
              />
            )}
          </Field>
          {settings.keyLabel === 'demo' && (
            <p>
              <span class="badge" id="key-label">
                {t('options.keyLabelDemo')}
              </span>
            </p>
          )}
          <button type="submit" id="save-server">
            {t('common.save')}
          </button>
        </form>
      </section>
      <p role="status" id="options-status" lang={getUiLanguage()}>
        {status}
      </p>
    </main>
  );
}
