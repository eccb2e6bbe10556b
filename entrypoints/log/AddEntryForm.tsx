import { useState } from 'preact/hooks';
import { Field } from '@/components/Field';
import { getChannelLabel, getLogErrorMessage, getRiskLabel, getStatusLabel } from '@/components/log/messages';
import { matchScripts } from '@/components/log/scripts';
import { t } from '@/utils/i18n';
import {
  CHANNELS,
  type Channel,
  CONTACT_STATUSES,
  type ContactStatus,
  type LogStore,
  RISK_LEVELS,
  type RiskLevel,
} from '@/utils/log';

function toLocalInput(ms: number): string {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

/** Logs a contact: a number already in the log gets a new event on its timeline. */
export function AddEntryForm(props: { store: LogStore; onOpen: (id: string) => void }) {
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [channel, setChannel] = useState<Channel>('call');
  const [at, setAt] = useState(() => toLocalInput(Date.now()));
  const [said, setSaid] = useState('');
  const [demanded, setDemanded] = useState('');
  const [risk, setRisk] = useState<RiskLevel>('unknown');
  const [status, setStatus] = useState<ContactStatus>('new');
  const [tags, setTags] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<{ id: string; merged: boolean; count: number } | null>(null);
  const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setSaved(null);
    try {
      const matched = matchScripts(said);
      const when = at ? new Date(at).getTime() : Date.now();
      const result = await props.store.addEntry({
        number,
        name,
        channel,
        at: Number.isFinite(when) ? when : Date.now(),
        said,
        demanded,
        scripts: matched.scripts,
        risk: risk === 'unknown' ? matched.risk : risk,
        status,
        tags: tags.split(/[,，、]/),
        source: 'manual',
      });
      setSaved({ id: result.contact.id, merged: result.merged, count: result.contact.count });
      setNumber('');
      setName('');
      setSaid('');
      setDemanded('');
      setTags('');
      setAt(toLocalInput(Date.now()));
    } catch (failure) {
      setError(getLogErrorMessage(failure));
    }
  }

  return (
    <section aria-labelledby="add-heading">
      <h2 id="add-heading">{t('log.add.heading')}</h2>
      <form class="log-form" id="add-form" onSubmit={submit}>
        <Field id="add-number" label={t('log.field.number')} hint={t('log.add.numberHint')} error={error}>
          {(aria) => <input {...aria} type="tel" value={number} maxLength={200} onInput={(e) => setNumber(value(e))} />}
        </Field>
        <Field id="add-name" label={t('log.field.name')} hint={t('log.add.nameHint')}>
          {(aria) => <input {...aria} type="text" value={name} maxLength={200} onInput={(e) => setName(value(e))} />}
        </Field>
        <div class="log-filter-grid">
          <div class="field">
            <label for="add-channel">{t('log.field.channel')}</label>
            <select id="add-channel" value={channel} onChange={(e) => setChannel(value(e) as Channel)}>
              {CHANNELS.map((item) => (
                <option key={item} value={item}>
                  {getChannelLabel(item)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="add-at">{t('log.field.at')}</label>
            <input id="add-at" type="datetime-local" value={at} onInput={(e) => setAt(value(e))} />
          </div>
          <div class="field">
            <label for="add-status">{t('log.field.status')}</label>
            <select id="add-status" value={status} onChange={(e) => setStatus(value(e) as ContactStatus)}>
              {CONTACT_STATUSES.map((item) => (
                <option key={item} value={item}>
                  {getStatusLabel(item)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="add-risk">{t('log.field.risk')}</label>
            <select id="add-risk" value={risk} onChange={(e) => setRisk(value(e) as RiskLevel)}>
              {RISK_LEVELS.map((item) => (
                <option key={item} value={item}>
                  {getRiskLabel(item)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <Field id="add-said" label={t('log.field.said')} hint={t('log.add.saidHint')}>
          {(aria) => <textarea {...aria} value={said} maxLength={20000} onInput={(e) => setSaid(value(e))} />}
        </Field>
        <Field id="add-demanded" label={t('log.field.demanded')} hint={t('log.add.demandedHint')}>
          {(aria) => <textarea {...aria} value={demanded} maxLength={20000} onInput={(e) => setDemanded(value(e))} />}
        </Field>
        <Field id="add-tags" label={t('log.field.tags')} hint={t('log.add.tagsHint')}>
          {(aria) => <input {...aria} type="text" value={tags} onInput={(e) => setTags(value(e))} />}
        </Field>
        <button type="submit" id="add-save">
          {t('log.add.save')}
        </button>
      </form>
      {saved && (
        <p id="add-status-message" class="notice notice-ok" role="status">
          {saved.merged ? t('log.add.merged', [saved.count]) : t('log.add.created')}{' '}
          <button type="button" id="add-open" class="secondary" onClick={() => props.onOpen(saved.id)}>
            {t('log.add.open')}
          </button>
        </p>
      )}
    </section>
  );
}
