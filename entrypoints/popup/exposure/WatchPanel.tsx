import { liveQuery } from 'dexie';
import { useEffect, useState } from 'preact/hooks';
import { Field } from '@/components/Field';
import { getDb, type WatchRecord } from '@/utils/db';
import { addWatch, type ExposureResult, getWatches, MAX_WATCH_LABEL_LENGTH, removeWatch } from '@/utils/exposure';
import { getUiLanguage, t } from '@/utils/i18n';
import { sendMessage } from '@/utils/messaging';
import { type NormalizedPhone, normalizePhone } from '@/utils/phone';
import { getErrorMessage } from './messages';

/** "Watch this number", offered under a found / not-found answer. Nothing is stored until it is used. */
export function WatchForm(props: {
  phone: NormalizedPhone;
  result: Extract<ExposureResult, { status: 'found' | 'not-found' }>;
}) {
  const [label, setLabel] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  async function watch(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      const outcome = await addWatch(getDb(), {
        e164: props.phone.e164,
        label: label.trim() || props.phone.international,
        result: props.result,
      });
      setMessage(
        outcome.added
          ? t('exposure.watchSaved', [outcome.watch.label])
          : t('exposure.watchAlready', [outcome.watch.label]),
      );
    } catch {
      setMessage(t('exposure.watchFailed'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="exposure-watch" onSubmit={watch} aria-labelledby="watch-heading">
      <h3 id="watch-heading">{t('exposure.watchTitle')}</h3>
      <p class="muted">{t('exposure.watchHint')}</p>
      <Field id="watch-label" label={t('exposure.watchLabel')}>
        {(aria) => (
          <input
            {...aria}
            type="text"
            value={label}
            maxLength={MAX_WATCH_LABEL_LENGTH}
            autocomplete="off"
            onInput={(e) => setLabel(e.currentTarget.value)}
          />
        )}
      </Field>
      <button type="submit" id="watch-number" disabled={busy}>
        {t('exposure.watchButton')}
      </button>
      <p role="status" id="watch-status">
        {message}
      </p>
    </form>
  );
}

function getStatusText(watch: WatchRecord): string {
  if (watch.lastStatus === null || watch.lastCheckedAt === null) return t('exposure.watchStatusPending');
  const when = new Intl.DateTimeFormat(getUiLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(
    watch.lastCheckedAt,
  );
  if (watch.lastStatus === 'found') return t('exposure.watchStatusFound', [when]);
  if (watch.lastStatus === 'not-found') return t('exposure.watchStatusNotFound', [when]);
  return t('exposure.watchStatusError', [when]);
}

function formatWatchedNumber(e164: string): string {
  // E.164 parses the same whatever the default country; the default only matters without "+".
  const phone = normalizePhone(e164, 'CN');
  return phone.ok ? phone.international : e164;
}

/** The watched numbers, live from IndexedDB (the background updates them), with remove and "check now". */
export function WatchList() {
  const [watches, setWatches] = useState<WatchRecord[] | null>(null);
  const [status, setStatus] = useState('');
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    const subscription = liveQuery(() => getWatches(getDb())).subscribe({
      next: setWatches,
      error: () => setWatches([]),
    });
    return () => subscription.unsubscribe();
  }, []);

  if (!watches || watches.length === 0) return null;

  async function recheck() {
    setChecking(true);
    setStatus(t('exposure.recheckRunning'));
    try {
      const summary = await sendMessage('exposure.recheckNow');
      setStatus(
        summary.error
          ? t('exposure.recheckFailed', [getErrorMessage({ status: 'error', code: summary.error })])
          : t('exposure.recheckDone', [summary.checked, summary.newlyFound]),
      );
    } catch (error) {
      setStatus(t('exposure.recheckFailed', [error instanceof Error ? error.message : String(error)]));
    } finally {
      setChecking(false);
    }
  }

  return (
    <section class="exposure-watches" aria-labelledby="watches-heading">
      <h2 id="watches-heading">{t('exposure.watchesTitle')}</h2>
      <ul id="watch-list">
        {watches.map((watch) => {
          const number = formatWatchedNumber(watch.e164);
          return (
            <li key={watch.id} class="watch-item" data-status={watch.lastStatus ?? 'pending'}>
              <div>
                <strong class="watch-label">{watch.label}</strong> <span class="watch-number">{number}</span>
              </div>
              <div class="muted">{getStatusText(watch)}</div>
              <button
                type="button"
                class="secondary watch-remove"
                aria-label={t('exposure.watchRemoveLabel', [watch.label])}
                onClick={() => void removeWatch(getDb(), watch.id as number)}
              >
                {t('exposure.watchRemove')}
              </button>
            </li>
          );
        })}
      </ul>
      <button type="button" class="secondary" id="recheck-watches" disabled={checking} onClick={recheck}>
        {t('exposure.recheckNow')}
      </button>
      <p role="status" id="recheck-status">
        {status}
      </p>
    </section>
  );
}
