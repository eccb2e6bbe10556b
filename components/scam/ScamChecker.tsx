import { useEffect, useMemo, useState } from 'preact/hooks';
import { Field } from '@/components/Field';
import { useSettings } from '@/components/useSettings';
import { t } from '@/utils/i18n';
import { isLogError, MAX_TEXT_LENGTH, saveScamCheckToLog } from '@/utils/log';
import { type CountryCode, getDefaultCountry, normalizePhone } from '@/utils/phone';
import { createScamMatcher, type ScamCheckResult, type ScamMatcher } from '@/utils/scam';
import { categoryKey, ScamResultView } from './ScamResultView';

/** Longest text checked at once (the log keeps at most MAX_TEXT_LENGTH of it). */
export const MAX_CHECK_CHARS = 50_000;

let matcher: ScamMatcher | null = null;
function getMatcher(): ScamMatcher {
  matcher ??= createScamMatcher();
  return matcher;
}

/** The log's own sentence for its error code (log.error.*), or the code while that is missing. */
function getLogErrorText(code: string): string {
  const key = `log.error.${categoryKey(code)}`;
  const text = t(key);
  return text && text !== key && text !== key.replaceAll('.', '_') ? text : code;
}

const RISK: Record<ScamCheckResult['verdict'], string> = { scam: 'high', suspicious: 'medium', safe: 'low' };

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; queued: boolean }
  | { kind: 'failed'; message: string };

/**
 * "Is this message a scam?": paste text (and the caller's number if known), get the verdict
 * with the triggering phrases highlighted, and save the check to the log. Matching runs here,
 * on this device.
 */
export function ScamChecker(props: { initialText?: string }) {
  const [settings] = useSettings();
  const [text, setText] = useState(props.initialText ?? '');
  const [caller, setCaller] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [callerError, setCallerError] = useState<string | null>(null);
  const [checked, setChecked] = useState<{ text: string; result: ScamCheckResult } | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const country = useMemo<CountryCode | null>(
    () => (settings ? getDefaultCountry(settings.defaultCountry, navigator.language) : null),
    [settings],
  );

  function runCheck(value: string) {
    setSave({ kind: 'idle' });
    if (!value.trim()) {
      setError(t('scam.empty'));
      setChecked(null);
      return;
    }
    if (value.length > MAX_CHECK_CHARS) {
      setError(t('scam.tooLong', [value.length, MAX_CHECK_CHARS]));
      setChecked(null);
      return;
    }
    setError(null);
    setChecked({ text: value, result: getMatcher().checkText(value) });
  }

  // Text handed over by the context menu is checked straight away.
  useEffect(() => {
    if (props.initialText) runCheck(props.initialText);
  }, [props.initialText]);

  function onSubmit(event: Event) {
    event.preventDefault();
    runCheck(text);
    if (!text.trim()) document.getElementById('scam-text')?.focus();
  }

  async function saveToLog() {
    if (!checked || !country) return;
    let number: string | undefined;
    if (caller.trim()) {
      const normalized = normalizePhone(caller, country);
      if (!normalized.ok) {
        setCallerError(t('scam.callerInvalid'));
        document.getElementById('scam-caller')?.focus();
        return;
      }
      number = normalized.e164;
    }
    setCallerError(null);
    setSave({ kind: 'saving' });
    try {
      const saved = await saveScamCheckToLog(
        {
          text: checked.text.slice(0, MAX_TEXT_LENGTH),
          number,
          name: number ? undefined : t('scam.logName', [new Date().toLocaleString()]),
          scripts: checked.result.scripts,
          risk: RISK[checked.result.verdict],
        },
        { defaultCountry: country },
      );
      setSave({ kind: 'saved', queued: saved.queued });
    } catch (failure) {
      const message = isLogError(failure)
        ? getLogErrorText(failure.code)
        : failure instanceof Error
          ? failure.message
          : String(failure);
      setSave({ kind: 'failed', message: t('scam.saveFailed', [message]) });
    }
  }

  return (
    <div>
      <p class="muted">{t('scam.intro')}</p>
      <form onSubmit={onSubmit} noValidate>
        <Field id="scam-text" label={t('scam.textLabel')} hint={t('scam.textHint')} error={error}>
          {(aria) => (
            <textarea
              {...aria}
              rows={6}
              value={text}
              onInput={(event) => setText((event.currentTarget as HTMLTextAreaElement).value)}
            />
          )}
        </Field>
        <Field id="scam-caller" label={t('scam.callerLabel')} hint={t('scam.callerHint')} error={callerError}>
          {(aria) => (
            <input
              {...aria}
              type="tel"
              autocomplete="off"
              value={caller}
              onInput={(event) => {
                setCaller((event.currentTarget as HTMLInputElement).value);
                setCallerError(null);
              }}
            />
          )}
        </Field>
        <button type="submit" id="check-scam">
          {t('scam.check')}
        </button>
      </form>
      {checked && (
        <ScamResultView text={checked.text} result={checked.result}>
          <div class="row">
            <button
              type="button"
              class="secondary"
              id="scam-save"
              disabled={save.kind === 'saving' || !country}
              onClick={() => void saveToLog()}
            >
              {save.kind === 'saving' ? t('scam.saving') : t('scam.saveToLog')}
            </button>
            <span role="status">{save.kind === 'saved' && t(save.queued ? 'scam.savedQueued' : 'scam.saved')}</span>
          </div>
          {save.kind === 'failed' && (
            <p class="notice notice-danger" role="alert">
              {save.message}
            </p>
          )}
        </ScamResultView>
      )}
    </div>
  );
}
