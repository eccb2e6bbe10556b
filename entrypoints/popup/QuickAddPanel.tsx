import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { Field } from '@/components/Field';
import { getChannelLabel, getLogErrorMessage } from '@/components/log/messages';
import { matchScripts } from '@/components/log/scripts';
import { useSettings } from '@/components/useSettings';
import { t } from '@/utils/i18n';
import { type AddResult, addLogEntry, CHANNELS, type Channel } from '@/utils/log';
import { getDefaultCountry } from '@/utils/phone';

/**
 * Quick add: number, channel and what they said, saved straight to the log (merged with the same number in
 * any format). Works while the log is locked too: the entry is sealed for the next unlock.
 */
export function QuickAddPanel() {
  const [settings] = useSettings();
  const [number, setNumber] = useState('');
  const [channel, setChannel] = useState<Channel>('call');
  const [said, setSaid] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<AddResult | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    if (!settings) return;
    setError(null);
    setSaved(null);
    setBusy(true);
    try {
      const matched = matchScripts(said);
      const result = await addLogEntry(
        { number, channel, said, scripts: matched.scripts, risk: matched.risk, source: 'quick-add' },
        { defaultCountry: getDefaultCountry(settings.defaultCountry, navigator.language) },
      );
      setSaved(result);
      setNumber('');
      setSaid('');
    } catch (failure) {
      setError(getLogErrorMessage(failure));
      document.getElementById('quick-add-number')?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} aria-labelledby="quick-add-heading">
      <h2 id="quick-add-heading">{t('logAdd.heading')}</h2>
      <Field id="quick-add-number" label={t('log.field.number')} hint={t('logAdd.numberHint')} error={error}>
        {(aria) => (
          <input
            {...aria}
            type="tel"
            autocomplete="off"
            maxLength={200}
            value={number}
            onInput={(e) => setNumber((e.currentTarget as HTMLInputElement).value)}
          />
        )}
      </Field>
      <div class="field">
        <label for="quick-add-channel">{t('log.field.channel')}</label>
        <select
          id="quick-add-channel"
          value={channel}
          onChange={(e) => setChannel((e.currentTarget as HTMLSelectElement).value as Channel)}
        >
          {CHANNELS.map((item) => (
            <option key={item} value={item}>
              {getChannelLabel(item)}
            </option>
          ))}
        </select>
      </div>
      <Field id="quick-add-said" label={t('log.field.said')}>
        {(aria) => (
          <textarea
            {...aria}
            maxLength={20000}
            value={said}
            onInput={(e) => setSaid((e.currentTarget as HTMLTextAreaElement).value)}
          />
        )}
      </Field>
      <div class="row">
        <button type="submit" id="quick-add-save" disabled={busy || !settings}>
          {t('logAdd.save')}
        </button>
        <a href={browser.runtime.getURL('/log.html')} target="_blank" rel="noreferrer">
          {t('common.openLog')}
        </a>
      </div>
      {saved && (
        <p id="quick-add-status" class="notice notice-ok" role="status">
          {saved.queued ? t('logAdd.queued') : saved.merged ? t('logAdd.merged') : t('logAdd.created')}
        </p>
      )}
    </form>
  );
}
