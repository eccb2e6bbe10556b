import { useState } from 'preact/hooks';
import { Field } from '@/components/Field';
import { formatDateTime } from '@/components/log/messages';
import { t } from '@/utils/i18n';
import { assessCaller, type CallerAssessment, type LogContact, type LogStore } from '@/utils/log';
import type { CountryCode } from '@/utils/phone';
import { FindingsList } from './FindingsList';

/** "Who called me?": the number's history in the log and explained warnings from the rules. */
export function WhoCalled(props: { store: LogStore; defaultCountry: CountryCode; onOpen: (id: string) => void }) {
  const [number, setNumber] = useState('');
  const [claimed, setClaimed] = useState('');
  const [said, setSaid] = useState('');
  const [result, setResult] = useState<{ assessment: CallerAssessment; history: LogContact | undefined } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

  function lookUp(event: Event) {
    event.preventDefault();
    if (!number.trim()) {
      setError(t('log.who.numberMissing'));
      setResult(null);
      return;
    }
    setError(null);
    const history = props.store.findByNumber(number);
    const assessment = assessCaller({
      number,
      claimedName: claimed,
      said,
      defaultCountry: props.defaultCountry,
      history: history ?? null,
    });
    setResult({ assessment, history });
  }

  return (
    <section aria-labelledby="who-heading">
      <h2 id="who-heading">{t('log.who.heading')}</h2>
      <p class="muted">{t('log.who.intro')}</p>
      <form class="log-form" onSubmit={lookUp}>
        <Field id="who-number" label={t('log.field.number')} error={error}>
          {(aria) => <input {...aria} type="tel" value={number} onInput={(e) => setNumber(value(e))} />}
        </Field>
        <Field id="who-name" label={t('log.who.claimed')} hint={t('log.who.claimedHint')}>
          {(aria) => <input {...aria} type="text" value={claimed} onInput={(e) => setClaimed(value(e))} />}
        </Field>
        <Field id="who-said" label={t('log.field.said')}>
          {(aria) => <textarea {...aria} value={said} onInput={(e) => setSaid(value(e))} />}
        </Field>
        <button type="submit" id="who-submit">
          {t('log.who.submit')}
        </button>
      </form>
      {result && (
        <div id="who-results" aria-live="polite">
          {result.history ? (
            <p class="notice">
              {t('log.who.history', [result.history.count, formatDateTime(result.history.lastAt)])}{' '}
              <button type="button" id="who-open" class="secondary" onClick={() => props.onOpen(result.history!.id)}>
                {t('log.who.open')}
              </button>
            </p>
          ) : (
            <p class="notice">{t('log.who.notInLog')}</p>
          )}
          {result.assessment.findings.length > 0 ? (
            <FindingsList id="who-findings" findings={result.assessment.findings} />
          ) : (
            <p class="notice notice-ok">{t('log.who.noFindings')}</p>
          )}
          <p class="muted">{t('log.who.disclaimer')}</p>
        </div>
      )}
    </section>
  );
}
