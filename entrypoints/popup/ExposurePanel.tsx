import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useCountryOptions } from '@/components/CountrySelect';
import { Field } from '@/components/Field';
import { useSettings } from '@/components/useSettings';
import { createExposureChecker } from '@/utils/exposure';
import { t } from '@/utils/i18n';
import {
  type CountryCode,
  formatPhoneAsYouType,
  getCaretAfterFormat,
  getDefaultCountry,
  isCountryCode,
  normalizePhone,
} from '@/utils/phone';
import type { Settings } from '@/utils/settings';
import { type ExposureOutcome, ExposureResultView } from './exposure/ExposureResultView';
import { getReasonMessage } from './exposure/messages';
import { WatchForm, WatchList } from './exposure/WatchPanel';

/**
 * "Is my number leaked?": the check runs here in the popup, straight against the range server
 * (it allows any origin), so no number ever passes through the background.
 */
export function ExposurePanel() {
  const [settings] = useSettings();
  if (!settings) return <p role="status">{t('common.loading')}</p>;
  return <ExposureChecker settings={settings} />;
}

function ExposureChecker(props: { settings: Settings }) {
  const { settings } = props;
  const countries = useCountryOptions();
  const [country, setCountry] = useState<CountryCode>(() =>
    getDefaultCountry(settings.defaultCountry, navigator.language),
  );
  const [phone, setPhone] = useState('');
  const [outcome, setOutcome] = useState<ExposureOutcome | null>(null);
  const pending = useRef<AbortController | null>(null);
  const prepareTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // One checker per server: it keeps the verified manifest for its cache lifetime and the number blinded
  // ahead (docs/PROTOCOL.md, "A check, step by step").
  const checker = useMemo(
    () => createExposureChecker({ endpoint: settings.endpoint, pinnedKey: settings.pinnedKey }),
    [settings.endpoint, settings.pinnedKey],
  );

  // A closed popup or a new check abandons the old one.
  useEffect(
    () => () => {
      pending.current?.abort();
      clearTimeout(prepareTimer.current);
    },
    [],
  );

  /**
   * Once the input is a valid number (and the user is about to click): fetch the manifest, which says
   * nothing about any number, and blind the number locally, so the click only waits for the two requests
   * that must carry its prefix and blinded element. Invalid input still sends nothing at all.
   */
  function prepareAhead(text: string, inCountry: CountryCode) {
    clearTimeout(prepareTimer.current);
    prepareTimer.current = setTimeout(() => {
      const normalized = normalizePhone(text, inCountry);
      if (!normalized.ok) return;
      checker.prefetchManifest();
      checker.prepare(normalized.e164);
    }, 50);
  }

  function onPhoneInput(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const raw = input.value;
    const caret = input.selectionStart ?? raw.length;
    const formatted = formatPhoneAsYouType(raw, country);
    if (formatted !== raw) {
      input.value = formatted;
      const position = getCaretAfterFormat(formatted, raw.slice(0, caret));
      input.setSelectionRange(position, position);
    }
    setPhone(formatted);
    if (outcome?.kind === 'invalid') setOutcome(null);
    prepareAhead(formatted, country);
  }

  function onCountryChange(event: Event) {
    const value = (event.currentTarget as HTMLSelectElement).value;
    if (!isCountryCode(value)) return;
    setCountry(value);
    setPhone((current) => formatPhoneAsYouType(current, value));
    prepareAhead(phone, value);
    if (outcome?.kind === 'invalid') setOutcome(null);
  }

  async function check(event: Event) {
    event.preventDefault();
    pending.current?.abort();
    const normalized = normalizePhone(phone, country);
    if (!normalized.ok) {
      // Invalid input never leaves the popup.
      setOutcome({ kind: 'invalid', reason: normalized.reason });
      document.getElementById('phone-input')?.focus();
      return;
    }
    const controller = new AbortController();
    pending.current = controller;
    setOutcome({ kind: 'checking', phone: normalized });
    try {
      clearTimeout(prepareTimer.current);
      const result = await checker.check(normalized.e164, controller.signal);
      if (!controller.signal.aborted) setOutcome({ kind: 'result', phone: normalized, result });
    } catch (error) {
      if (controller.signal.aborted) return;
      // checkExposure turns every server problem into a code; anything else is a bug, but the user
      // must still get an answer rather than a spinner.
      const detail = error instanceof Error ? error.message : String(error);
      setOutcome({ kind: 'result', phone: normalized, result: { status: 'error', code: 'malformed', detail } });
    }
  }

  const invalidReason = outcome?.kind === 'invalid' ? getReasonMessage(outcome.reason) : null;
  const checking = outcome?.kind === 'checking';

  return (
    <div class="exposure-panel">
      <p class="muted">{t('exposure.intro')}</p>
      {settings.keyLabel === 'demo' && (
        <p class="exposure-demo">
          <span class="badge" id="exposure-demo-badge">
            {t('exposure.demoBadge')}
          </span>{' '}
          <span class="muted">{t('exposure.demoHint')}</span>
        </p>
      )}
      <form onSubmit={check} noValidate>
        <Field id="phone-country" label={t('exposure.countryLabel')} hint={t('exposure.countryHint')}>
          {(aria) => (
            <select {...aria} value={country} onChange={onCountryChange}>
              {countries.map((option) => (
                <option value={option.code} key={option.code}>
                  {option.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="phone-input" label={t('exposure.phoneLabel')} hint={t('exposure.phoneHint')} error={invalidReason}>
          {(aria) => (
            <input
              {...aria}
              type="tel"
              inputMode="tel"
              // Off: the browser's form history would otherwise keep every number typed here.
              autocomplete="off"
              spellcheck={false}
              value={phone}
              onInput={onPhoneInput}
            />
          )}
        </Field>
        <button type="submit" id="check-exposure" disabled={checking}>
          {checking ? t('exposure.checking') : t('exposure.check')}
        </button>
      </form>
      {outcome && <ExposureResultView outcome={outcome} />}
      {outcome?.kind === 'result' && outcome.result.status !== 'error' && (
        <WatchForm key={outcome.phone.e164} phone={outcome.phone} result={outcome.result} />
      )}
      <WatchList />
    </div>
  );
}
