import { useEffect, useRef, useState } from 'preact/hooks';
import { Field } from '@/components/Field';
import {
  formatContactNumber,
  formatDateTime,
  formatList,
  getChannelLabel,
  getListParts,
  getLogErrorMessage,
  getRiskLabel,
  getStatusLabel,
} from '@/components/log/messages';
import { getScriptLabel, matchScripts } from '@/components/log/scripts';
import { t } from '@/utils/i18n';
import {
  assessCaller,
  CHANNELS,
  type Channel,
  CONTACT_STATUSES,
  type ContactStatus,
  type LogContact,
  type LogStore,
  MAX_ATTACHMENT_BYTES,
  RISK_LEVELS,
  type RiskLevel,
} from '@/utils/log';
import type { CountryCode } from '@/utils/phone';
import { FindingsList } from './FindingsList';
import { getContactTitle } from './LogList';

type Confirm = (options: { title: string; message: string; confirmLabel: string; onConfirm: () => void }) => void;

/** One contact: facts, edit form, timeline, attachments, "who called me?" hints, delete. */
export function ContactDetail(props: {
  store: LogStore;
  version: number;
  id: string;
  defaultCountry: CountryCode;
  onBack: () => void;
  onDeleted: (token: string, count: number) => void;
  onMessage: (text: string, kind: 'ok' | 'danger') => void;
  confirm: Confirm;
}) {
  const { store } = props;
  const contact = store.getContact(props.id);
  const heading = useRef<HTMLHeadingElement>(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => heading.current?.focus(), [props.id]);

  if (!contact || contact.deletedAt !== null) {
    return (
      <section>
        <p>{t('log.error.contactNotFound')}</p>
        <button type="button" id="contact-back" class="secondary" onClick={props.onBack}>
          {t('log.detail.back')}
        </button>
      </section>
    );
  }

  async function run(action: () => Promise<void>) {
    try {
      await action();
    } catch (error) {
      props.onMessage(getLogErrorMessage(error), 'danger');
    }
  }

  const title = getContactTitle(contact);
  const number = contact.number.e164 ?? contact.number.input;
  const shownNumber = formatContactNumber(contact.number);
  const findings = number
    ? assessCaller({
        number,
        claimedName: contact.name,
        said: contact.said,
        defaultCountry: props.defaultCountry,
      }).findings
    : [];
  const events = contact.events.filter((event) => event.deletedAt === null).reverse();

  return (
    <section id="log-detail" aria-labelledby="contact-title">
      <div class="row">
        <button type="button" id="contact-back" class="secondary" onClick={props.onBack}>
          {t('log.detail.back')}
        </button>
      </div>
      <h2 id="contact-title" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      <dl class="log-facts">
        <dt>{t('log.field.number')}</dt>
        <dd id="contact-number" data-e164={contact.number.e164 ?? undefined}>
          {shownNumber || t('log.detail.noNumber')}
        </dd>
        {contact.numberInputs.length > 1 && (
          <>
            <dt>{t('log.field.numberAsEntered')}</dt>
            <dd>{contact.numberInputs.join(' / ')}</dd>
          </>
        )}
        <dt>{t('log.field.status')}</dt>
        <dd id="contact-status" data-status={contact.status}>
          {getStatusLabel(contact.status)}
        </dd>
        <dt>{t('log.field.risk')}</dt>
        <dd id="contact-risk" data-risk={contact.risk}>
          {getRiskLabel(contact.risk)}
        </dd>
        <dt>{t('log.field.count')}</dt>
        <dd id="contact-count">{contact.count}</dd>
        <dt>{t('log.field.firstAt')}</dt>
        <dd>{formatDateTime(contact.firstAt)}</dd>
        <dt>{t('log.field.lastAt')}</dt>
        <dd>{formatDateTime(contact.lastAt)}</dd>
        {contact.said && (
          <>
            <dt>{t('log.field.said')}</dt>
            <dd class="log-pre">{contact.said}</dd>
          </>
        )}
        {contact.demanded && (
          <>
            <dt>{t('log.field.demanded')}</dt>
            <dd class="log-pre">{contact.demanded}</dd>
          </>
        )}
        {contact.scripts.length > 0 && (
          <>
            <dt>{t('log.field.scripts')}</dt>
            <dd id="contact-scripts">
              <ScriptNames ids={contact.scripts} />
            </dd>
          </>
        )}
        {contact.tags.length > 0 && (
          <>
            <dt>{t('log.field.tags')}</dt>
            <dd id="contact-tags">{contact.tags.join(', ')}</dd>
          </>
        )}
        {contact.notes && (
          <>
            <dt>{t('log.field.notes')}</dt>
            <dd class="log-pre">{contact.notes}</dd>
          </>
        )}
      </dl>

      <div class="row">
        <button
          type="button"
          id="contact-edit"
          class="secondary"
          aria-expanded={editing}
          onClick={() => setEditing(!editing)}
        >
          {t('log.detail.edit')}
        </button>
        <button
          type="button"
          id="contact-delete"
          class="danger"
          onClick={() =>
            props.confirm({
              title: t('log.delete.titleOne', [title]),
              message: t('log.delete.message'),
              confirmLabel: t('log.delete.confirm'),
              onConfirm: () =>
                void run(async () => {
                  const { token, count } = await store.deleteContacts([contact.id]);
                  props.onDeleted(token, count);
                  props.onBack();
                }),
            })
          }
        >
          {t('log.detail.delete')}
        </button>
      </div>

      {editing && (
        <EditContactForm
          contact={contact}
          onCancel={() => setEditing(false)}
          onSave={(patch) =>
            run(async () => {
              await store.updateContact(contact.id, patch);
              setEditing(false);
              props.onMessage(t('log.detail.saved'), 'ok');
            })
          }
        />
      )}

      {findings.length > 0 && (
        <section aria-labelledby="contact-hints-heading">
          <h3 id="contact-hints-heading">{t('log.who.heading')}</h3>
          <FindingsList findings={findings} />
        </section>
      )}

      <section aria-labelledby="contact-timeline-heading">
        <h3 id="contact-timeline-heading">{t('log.detail.timeline')}</h3>
        {number && <AddEventForm contact={contact} store={store} run={run} onMessage={props.onMessage} />}
        {/* Newest first; the times say the order, so no numbers that could read as "the first call". */}
        <ol id="contact-timeline" class="log-timeline">
          {events.map((event) => (
            <li key={event.id} data-event-id={event.id}>
              <div class="row">
                <strong>{formatDateTime(event.at)}</strong>
                <span class="badge">{getChannelLabel(event.channel)}</span>
                <span class="muted">{event.numberInput}</span>
                <button
                  type="button"
                  class="secondary log-event-delete"
                  aria-label={t('log.detail.deleteEvent', [formatDateTime(event.at)])}
                  onClick={() =>
                    void run(async () => {
                      const { token } = await store.deleteEvent(contact.id, event.id);
                      props.onDeleted(token, 1);
                    })
                  }
                >
                  {t('log.detail.deleteEventShort')}
                </button>
              </div>
              {event.said && <p class="log-pre">{event.said}</p>}
              {event.demanded && (
                <p class="log-pre">
                  <strong>{t('log.field.demanded')}: </strong>
                  {event.demanded}
                </p>
              )}
              {event.scripts.length > 0 && (
                <p class="muted">{t('log.detail.eventScripts', [formatList(event.scripts.map(getScriptLabel))])}</p>
              )}
            </li>
          ))}
        </ol>
      </section>

      <Attachments contact={contact} store={store} run={run} onDeleted={props.onDeleted} />
    </section>
  );
}

/** Scam script names joined as the page language lists things, each marked with its id. */
function ScriptNames(props: { ids: readonly string[] }) {
  const labels = props.ids.map(getScriptLabel);
  return (
    <>
      {getListParts(labels).map((part, i) =>
        part.index === null ? (
          part.value
        ) : (
          <span key={`${i}-${props.ids[part.index]}`} data-script={props.ids[part.index]}>
            {part.value}
          </span>
        ),
      )}
    </>
  );
}

function EditContactForm(props: {
  contact: LogContact;
  onSave: (patch: {
    name: string;
    status: ContactStatus;
    risk: RiskLevel;
    said: string;
    demanded: string;
    notes: string;
    tags: string[];
  }) => Promise<void>;
  onCancel: () => void;
}) {
  const { contact } = props;
  const [name, setName] = useState(contact.name);
  const [status, setStatus] = useState(contact.status);
  const [risk, setRisk] = useState(contact.risk);
  const [said, setSaid] = useState(contact.said);
  const [demanded, setDemanded] = useState(contact.demanded);
  const [notes, setNotes] = useState(contact.notes);
  const [tags, setTags] = useState(contact.tags.join(', '));
  const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;
  return (
    <form
      id="contact-edit-form"
      class="log-form"
      onSubmit={(event) => {
        event.preventDefault();
        void props.onSave({
          name,
          status,
          risk,
          said,
          demanded,
          notes,
          tags: tags.split(/[,，、]/),
        });
      }}
    >
      <Field id="edit-name" label={t('log.field.name')}>
        {(aria) => <input {...aria} type="text" value={name} maxLength={200} onInput={(e) => setName(value(e))} />}
      </Field>
      <div class="log-filter-grid">
        <div class="field">
          <label for="edit-status">{t('log.field.status')}</label>
          <select id="edit-status" value={status} onChange={(e) => setStatus(value(e) as ContactStatus)}>
            {CONTACT_STATUSES.map((item) => (
              <option key={item} value={item}>
                {getStatusLabel(item)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="edit-risk">{t('log.field.risk')}</label>
          <select id="edit-risk" value={risk} onChange={(e) => setRisk(value(e) as RiskLevel)}>
            {RISK_LEVELS.map((item) => (
              <option key={item} value={item}>
                {getRiskLabel(item)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Field id="edit-said" label={t('log.field.said')}>
        {(aria) => <textarea {...aria} value={said} maxLength={20000} onInput={(e) => setSaid(value(e))} />}
      </Field>
      <Field id="edit-demanded" label={t('log.field.demanded')} hint={t('log.add.demandedHint')}>
        {(aria) => <textarea {...aria} value={demanded} maxLength={20000} onInput={(e) => setDemanded(value(e))} />}
      </Field>
      <Field id="edit-notes" label={t('log.field.notes')}>
        {(aria) => <textarea {...aria} value={notes} maxLength={20000} onInput={(e) => setNotes(value(e))} />}
      </Field>
      <Field id="edit-tags" label={t('log.field.tags')} hint={t('log.add.tagsHint')}>
        {(aria) => <input {...aria} type="text" value={tags} onInput={(e) => setTags(value(e))} />}
      </Field>
      <div class="row">
        <button type="submit" id="edit-save">
          {t('common.save')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function AddEventForm(props: {
  contact: LogContact;
  store: LogStore;
  run: (action: () => Promise<void>) => Promise<void>;
  onMessage: (text: string, kind: 'ok' | 'danger') => void;
}) {
  const [channel, setChannel] = useState<Channel>(props.contact.channel);
  const [said, setSaid] = useState('');
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const firstField = useRef<HTMLSelectElement>(null);
  const opened = useRef(false);
  // Keyboard focus follows the form in and back to its button out.
  useEffect(() => {
    if (open) firstField.current?.focus();
    else if (opened.current) toggle.current?.focus();
    opened.current = open;
  }, [open]);
  // Folded away by default, so the timeline itself is what the eye meets first.
  if (!open) {
    return (
      <button
        type="button"
        id="event-add-open"
        class="secondary"
        aria-expanded="false"
        ref={toggle}
        onClick={() => setOpen(true)}
      >
        {t('log.detail.addEventOpen')}
      </button>
    );
  }
  return (
    <form
      id="event-add-form"
      class="log-form log-inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void props.run(async () => {
          const matched = matchScripts(said);
          await props.store.addEntry({
            number: props.contact.number.input || props.contact.number.e164 || '',
            channel,
            said,
            scripts: matched.scripts,
            risk: matched.risk,
          });
          setSaid('');
          setOpen(false);
          props.onMessage(t('log.detail.eventAdded'), 'ok');
        });
      }}
    >
      <div class="field">
        <label for="event-add-channel">{t('log.field.channel')}</label>
        <select
          id="event-add-channel"
          ref={firstField}
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
      <Field id="event-add-said" label={t('log.detail.newEventSaid')}>
        {(aria) => (
          <textarea
            {...aria}
            value={said}
            maxLength={20000}
            onInput={(e) => setSaid((e.currentTarget as HTMLTextAreaElement).value)}
          />
        )}
      </Field>
      <div class="row">
        <button type="submit" id="event-add-submit">
          {t('log.detail.addEvent')}
        </button>
        <button type="button" class="secondary" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function Attachments(props: {
  contact: LogContact;
  store: LogStore;
  run: (action: () => Promise<void>) => Promise<void>;
  onDeleted: (token: string, count: number) => void;
}) {
  const { contact, store } = props;
  const attachments = contact.attachments.filter((attachment) => attachment.deletedAt === null);
  const [error, setError] = useState<string | null>(null);
  async function open(id: string) {
    await props.run(async () => {
      const blob = await store.getAttachment(id);
      const url = URL.createObjectURL(blob);
      window.open(url, '_blank', 'noopener');
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });
  }
  return (
    <section aria-labelledby="contact-attachments-heading">
      <h3 id="contact-attachments-heading">{t('log.attachments.heading')}</h3>
      <ul id="contact-attachments">
        {attachments.map((attachment) => (
          <li key={attachment.id} class="row">
            <button type="button" class="secondary" onClick={() => void open(attachment.id)}>
              {attachment.name}
            </button>
            <span class="muted">{t('log.attachments.size', [Math.max(1, Math.round(attachment.size / 1024))])}</span>
            <button
              type="button"
              class="secondary"
              aria-label={t('log.attachments.deleteNamed', [attachment.name])}
              onClick={() =>
                void props.run(async () => {
                  const { token } = await store.deleteAttachment(contact.id, attachment.id);
                  props.onDeleted(token, 1);
                })
              }
            >
              {t('log.detail.deleteEventShort')}
            </button>
          </li>
        ))}
      </ul>
      <Field
        id="attachment-file"
        label={t('log.attachments.add')}
        hint={t('log.attachments.hint', [Math.round(MAX_ATTACHMENT_BYTES / (1024 * 1024))])}
        error={error}
      >
        {(aria) => (
          <input
            {...aria}
            type="file"
            accept="image/*,audio/*,video/*,application/pdf,text/plain"
            onChange={async (event) => {
              const input = event.currentTarget as HTMLInputElement;
              const file = input.files?.[0];
              if (!file) return;
              setError(null);
              try {
                await store.addAttachment(contact.id, file, { name: file.name });
              } catch (failure) {
                setError(getLogErrorMessage(failure));
              }
              input.value = '';
            }}
          />
        )}
      </Field>
    </section>
  );
}
