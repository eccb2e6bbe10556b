import { useMemo, useState } from 'preact/hooks';
import { Field } from '@/components/Field';
import {
  formatContactNumber,
  formatDateTime,
  getChannelLabel,
  getEventCountLabel,
  getLogErrorMessage,
  getRiskBadgeLabel,
  getStatusLabel,
} from '@/components/log/messages';
import { getScriptLabel } from '@/components/log/scripts';
import { t } from '@/utils/i18n';
import {
  CHANNELS,
  type Channel,
  CONTACT_STATUSES,
  type ContactStatus,
  type LogContact,
  type LogFilters,
  type LogSort,
  type LogStore,
} from '@/utils/log';

const PAGE = 100;
/** Characters of what they said shown in a list row; the rest is in the contact. */
const SNIPPET = 120;

function parseDay(value: string, endOfDay: boolean): number | undefined {
  if (!value) return undefined;
  const [y, m, d] = value.split('-').map(Number);
  if (!y || !m || !d) return undefined;
  return endOfDay ? new Date(y, m - 1, d, 23, 59, 59, 999).getTime() : new Date(y, m - 1, d).getTime();
}

export function getContactTitle(contact: LogContact): string {
  return contact.name || formatContactNumber(contact.number) || t('log.list.unnamed');
}

/** List with search as you type, filters, sorting and bulk actions. */
export function LogList(props: {
  store: LogStore;
  version: number;
  onOpen: (id: string) => void;
  onDeleted: (token: string, count: number) => void;
  onMessage: (text: string, kind: 'ok' | 'danger') => void;
  confirm: (options: { title: string; message: string; confirmLabel: string; onConfirm: () => void }) => void;
}) {
  const { store } = props;
  const [text, setText] = useState('');
  const [status, setStatus] = useState<ContactStatus | ''>('');
  const [channel, setChannel] = useState<Channel | ''>('');
  const [script, setScript] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [sort, setSort] = useState<LogSort>('last');
  const [limit, setLimit] = useState(PAGE);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkStatus, setBulkStatus] = useState<ContactStatus>('reported');

  const facets = useMemo(() => store.getFacets(), [store, props.version]);
  const filters: LogFilters = {
    statuses: status ? [status] : undefined,
    channels: channel ? [channel] : undefined,
    scripts: script ? [script] : undefined,
    from: parseDay(from, false),
    to: parseDay(to, true),
  };
  // Synchronous on every keystroke: the in-memory index answers 100 000 contacts within a frame.
  const result = useMemo(
    () => store.search({ text, filters, sort, limit }),
    [store, props.version, text, status, channel, script, from, to, sort, limit],
  );
  const shown = result.ids;
  // Selections stay while they are still in the log (a search narrowing the list does not drop them).
  const selectedIds = [...selected].filter((id) => store.getContact(id)?.deletedAt === null);

  function toggle(id: string, on: boolean) {
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  async function run(action: () => Promise<void>) {
    try {
      await action();
    } catch (error) {
      props.onMessage(getLogErrorMessage(error), 'danger');
    }
  }

  function bulkDelete() {
    const ids = selectedIds;
    props.confirm({
      title: t('log.delete.titleMany', [ids.length]),
      message: t('log.delete.message'),
      confirmLabel: t('log.delete.confirm'),
      onConfirm: () =>
        void run(async () => {
          const { token, count } = await store.deleteContacts(ids);
          setSelected(new Set());
          props.onDeleted(token, count);
        }),
    });
  }

  function bulkMerge() {
    const [target, ...rest] = selectedIds;
    if (!target || rest.length === 0) return;
    props.confirm({
      title: t('log.bulk.mergeTitle', [selectedIds.length]),
      message: t('log.bulk.mergeMessage', [getContactTitle(store.getContact(target) as LogContact)]),
      confirmLabel: t('log.bulk.merge'),
      onConfirm: () =>
        void run(async () => {
          await store.mergeContacts(target, rest);
          setSelected(new Set());
          props.onMessage(t('log.bulk.merged'), 'ok');
        }),
    });
  }

  return (
    <section aria-labelledby="log-list-heading">
      <h2 id="log-list-heading" class="visually-hidden">
        {t('log.list.heading')}
      </h2>
      <Field id="log-search" label={t('log.search.label')} hint={t('log.search.hint')}>
        {(aria) => (
          <input
            {...aria}
            type="search"
            autocomplete="off"
            value={text}
            onInput={(event) => {
              setText((event.currentTarget as HTMLInputElement).value);
              setLimit(PAGE);
            }}
          />
        )}
      </Field>
      <fieldset class="log-filters">
        <legend>{t('log.filter.legend')}</legend>
        <div class="log-filter-grid">
          <div class="field">
            <label for="log-filter-status">{t('log.field.status')}</label>
            <select
              id="log-filter-status"
              value={status}
              onChange={(event) => setStatus((event.currentTarget as HTMLSelectElement).value as ContactStatus | '')}
            >
              <option value="">{t('log.filter.any')}</option>
              {CONTACT_STATUSES.map((value) => (
                <option value={value} key={value}>
                  {getStatusLabel(value)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="log-filter-channel">{t('log.field.channel')}</label>
            <select
              id="log-filter-channel"
              value={channel}
              onChange={(event) => setChannel((event.currentTarget as HTMLSelectElement).value as Channel | '')}
            >
              <option value="">{t('log.filter.any')}</option>
              {CHANNELS.map((value) => (
                <option value={value} key={value}>
                  {getChannelLabel(value)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="log-filter-script">{t('log.filter.script')}</label>
            <select
              id="log-filter-script"
              value={script}
              onChange={(event) => setScript((event.currentTarget as HTMLSelectElement).value)}
            >
              <option value="">{t('log.filter.any')}</option>
              {facets.scripts.map((value) => (
                <option value={value} key={value}>
                  {getScriptLabel(value)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="log-filter-from">{t('log.filter.from')}</label>
            <input
              id="log-filter-from"
              type="date"
              value={from}
              onInput={(event) => setFrom((event.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <div class="field">
            <label for="log-filter-to">{t('log.filter.to')}</label>
            <input
              id="log-filter-to"
              type="date"
              value={to}
              onInput={(event) => setTo((event.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <div class="field">
            <label for="log-sort">{t('log.sort.label')}</label>
            <select
              id="log-sort"
              value={sort}
              onChange={(event) => setSort((event.currentTarget as HTMLSelectElement).value as LogSort)}
            >
              <option value="last">{t('log.sort.last')}</option>
              <option value="first">{t('log.sort.first')}</option>
              <option value="count">{t('log.sort.count')}</option>
              <option value="risk">{t('log.sort.risk')}</option>
              <option value="name">{t('log.sort.name')}</option>
            </select>
          </div>
        </div>
      </fieldset>

      <p id="log-count" class="muted" aria-live="polite">
        {store.size === 0 ? t('log.empty') : t('log.list.count', [result.total, store.size])}
      </p>

      {selectedIds.length > 0 && (
        <fieldset class="log-bulk row">
          <legend class="visually-hidden">{t('log.bulk.label')}</legend>
          <span>{t('log.bulk.selected', [selectedIds.length])}</span>
          <label for="log-bulk-status" class="visually-hidden">
            {t('log.bulk.statusLabel')}
          </label>
          <select
            id="log-bulk-status"
            value={bulkStatus}
            onChange={(event) => setBulkStatus((event.currentTarget as HTMLSelectElement).value as ContactStatus)}
          >
            {CONTACT_STATUSES.map((value) => (
              <option value={value} key={value}>
                {getStatusLabel(value)}
              </option>
            ))}
          </select>
          <button
            type="button"
            id="log-bulk-apply"
            class="secondary"
            onClick={() =>
              void run(async () => {
                const count = await store.updateContacts(selectedIds, () => ({ status: bulkStatus }));
                props.onMessage(t('log.bulk.updated', [count]), 'ok');
              })
            }
          >
            {t('log.bulk.apply')}
          </button>
          <button
            type="button"
            id="log-bulk-merge"
            class="secondary"
            disabled={selectedIds.length < 2}
            onClick={bulkMerge}
          >
            {t('log.bulk.merge')}
          </button>
          <button type="button" id="log-bulk-delete" class="danger" onClick={bulkDelete}>
            {t('log.bulk.delete')}
          </button>
          <button type="button" class="secondary" onClick={() => setSelected(new Set())}>
            {t('log.bulk.clear')}
          </button>
        </fieldset>
      )}

      <ul id="log-list" class="log-list">
        {shown.map((id) => {
          const contact = store.getContact(id);
          if (!contact) return null;
          const title = getContactTitle(contact);
          const number = formatContactNumber(contact.number);
          const riskBadge = getRiskBadgeLabel(contact.risk);
          return (
            <li key={id} data-contact-id={id} class="log-row">
              <input
                type="checkbox"
                class="log-row-select"
                checked={selected.has(id)}
                aria-label={t('log.list.select', [title])}
                onChange={(event) => toggle(id, (event.currentTarget as HTMLInputElement).checked)}
              />
              <button type="button" class="log-row-open" onClick={() => props.onOpen(id)}>
                <span class="log-row-title">{title}</span>
                {contact.name && number ? <span class="log-row-number">{number}</span> : null}
                <span class="log-row-meta">
                  <span class={`badge status-${contact.status}`}>{getStatusLabel(contact.status)}</span>{' '}
                  {riskBadge && (
                    <>
                      <span class={`badge risk-${contact.risk}`}>{riskBadge}</span>{' '}
                    </>
                  )}
                  {getEventCountLabel(contact.count)} · {getChannelLabel(contact.channel)} ·{' '}
                  {formatDateTime(contact.lastAt)}
                </span>
                {contact.said && (
                  <span class="log-row-said">
                    {contact.said.length > SNIPPET ? `${contact.said.slice(0, SNIPPET)}…` : contact.said}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
      {result.total > shown.length && (
        <button type="button" id="log-more" class="secondary" onClick={() => setLimit((n) => n + PAGE)}>
          {t('log.list.more', [result.total - shown.length])}
        </button>
      )}
    </section>
  );
}
