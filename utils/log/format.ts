import { base64 } from '@scure/base';
import * as v from 'valibot';
import { isAllowedAttachmentType, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_CONTACT } from './attachments';
import {
  createKdfParams,
  DEFAULT_KDF_COST,
  decodeUtf8,
  decryptBytes,
  derivePassphraseKey,
  encodeUtf8,
  encryptBytes,
  isValidKdfParams,
  type KdfParams,
} from './crypto';
import { LogError } from './errors';
import {
  type AttachmentMeta,
  CHANNELS,
  CONTACT_STATUSES,
  EVENT_SOURCES,
  type LogContact,
  type LogEvent,
  MAX_SHORT_TEXT_LENGTH,
  MAX_TAGS,
  MAX_TEXT_LENGTH,
  RISK_LEVELS,
  recomputeContact,
} from './model';
import { getNumberKey, isE164 } from './number';

/**
 * The versioned export file (docs/LOG-FORMAT.md): complete, re-importable JSON with attachments inline
 * as base64, and its encrypted envelope for backups. Parsing validates everything before anything is
 * written, so a bad file can only be refused, never half-imported.
 */

export const LOG_FORMAT = 'exposure-guard-contact-log';
export const LOG_FORMAT_VERSION = 1;
export const ENCRYPTED_LOG_FORMAT = 'exposure-guard-contact-log-encrypted';
export const ENCRYPTED_LOG_FORMAT_VERSION = 1;

/** Largest file accepted: 100 000 contacts with their timelines are ~60 MB; this leaves room for attachments. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;
export const MAX_IMPORT_CONTACTS = 500_000;
export const MAX_EVENTS_PER_CONTACT = 10_000;

export interface ExportedEvent {
  id: string;
  at: string;
  channel: LogEvent['channel'];
  numberInput: string;
  said: string;
  demanded: string;
  scripts: string[];
  source: LogEvent['source'];
  createdAt: string;
  updatedAt: string;
}

export interface ExportedAttachment {
  id: string;
  eventId: string | null;
  name: string;
  type: string;
  size: number;
  addedAt: string;
  /** base64 of the bytes. */
  data: string;
}

export interface ExportedContact {
  id: string;
  number: { input: string; e164: string | null; national: string | null };
  numberInputs: string[];
  name: string;
  channel: LogContact['channel'];
  /** Derived from the events; informative only, recomputed on import. */
  firstAt: string;
  lastAt: string;
  count: number;
  said: string;
  demanded: string;
  scripts: string[];
  risk: LogContact['risk'];
  status: LogContact['status'];
  notes: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  events: ExportedEvent[];
  attachments: ExportedAttachment[];
}

export interface ExportedLog {
  format: typeof LOG_FORMAT;
  version: typeof LOG_FORMAT_VERSION;
  exportedAt: string;
  contacts: ExportedContact[];
}

export interface EncryptedLogFile {
  format: typeof ENCRYPTED_LOG_FORMAT;
  version: typeof ENCRYPTED_LOG_FORMAT_VERSION;
  kdf: KdfParams;
  cipher: 'AES-256-GCM';
  iv: string;
  data: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The export document for live contacts; deleted contacts, events and attachments (the trash) are left out. */
export function createExportDocument(
  contacts: Iterable<LogContact>,
  getBytes: (attachmentId: string) => Uint8Array | undefined,
  now: number,
): ExportedLog {
  const out: ExportedContact[] = [];
  for (const contact of contacts) {
    if (contact.deletedAt !== null) continue;
    out.push({
      id: contact.id,
      number: { ...contact.number },
      numberInputs: contact.numberInputs,
      name: contact.name,
      channel: contact.channel,
      firstAt: iso(contact.firstAt),
      lastAt: iso(contact.lastAt),
      count: contact.count,
      said: contact.said,
      demanded: contact.demanded,
      scripts: contact.scripts,
      risk: contact.risk,
      status: contact.status,
      notes: contact.notes,
      tags: contact.tags,
      createdAt: iso(contact.createdAt),
      updatedAt: iso(contact.updatedAt),
      events: contact.events
        .filter((event) => event.deletedAt === null)
        .map((event) => ({
          id: event.id,
          at: iso(event.at),
          channel: event.channel,
          numberInput: event.numberInput,
          said: event.said,
          demanded: event.demanded,
          scripts: event.scripts,
          source: event.source,
          createdAt: iso(event.createdAt),
          updatedAt: iso(event.updatedAt),
        })),
      attachments: contact.attachments
        .filter((attachment) => attachment.deletedAt === null)
        .flatMap((attachment) => {
          const bytes = getBytes(attachment.id);
          if (!bytes) return [];
          return [
            {
              id: attachment.id,
              eventId: attachment.eventId,
              name: attachment.name,
              type: attachment.type,
              size: bytes.length,
              addedAt: iso(attachment.addedAt),
              data: base64.encode(bytes),
            },
          ];
        }),
    });
  }
  return { format: LOG_FORMAT, version: LOG_FORMAT_VERSION, exportedAt: iso(now), contacts: out };
}

// ---- Validation ----

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
const shortText = v.pipe(v.string(), v.maxLength(MAX_SHORT_TEXT_LENGTH));
const longText = v.pipe(v.string(), v.maxLength(MAX_TEXT_LENGTH));
const stringList = v.pipe(v.array(shortText), v.maxLength(MAX_TAGS));
/** Any ISO 8601 date-time Date.parse accepts, between 1970 and 2200, read as ms since epoch. */
const timestamp = v.pipe(
  v.string(),
  v.maxLength(40),
  v.transform((text) => Date.parse(text)),
  v.number(),
  v.check((ms) => Number.isFinite(ms) && ms >= 0 && ms < 7_258_118_400_000),
);
const maxBase64Length = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4;

const eventSchema = v.object({
  id,
  at: timestamp,
  channel: v.picklist(CHANNELS),
  numberInput: shortText,
  said: longText,
  demanded: longText,
  scripts: stringList,
  source: v.picklist(EVENT_SOURCES),
  createdAt: v.optional(timestamp),
  updatedAt: v.optional(timestamp),
});

const attachmentSchema = v.object({
  id,
  eventId: v.nullable(id),
  name: shortText,
  type: v.pipe(v.string(), v.maxLength(100), v.check(isAllowedAttachmentType)),
  size: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_ATTACHMENT_BYTES)),
  addedAt: timestamp,
  data: v.pipe(v.string(), v.maxLength(maxBase64Length)),
});

const contactSchema = v.object({
  id,
  number: v.object({
    input: shortText,
    e164: v.nullable(v.pipe(v.string(), v.check(isE164))),
    national: v.nullable(shortText),
  }),
  numberInputs: v.pipe(v.array(shortText), v.maxLength(1000)),
  name: shortText,
  channel: v.picklist(CHANNELS),
  said: longText,
  demanded: longText,
  scripts: stringList,
  risk: v.picklist(RISK_LEVELS),
  status: v.picklist(CONTACT_STATUSES),
  notes: longText,
  tags: stringList,
  createdAt: timestamp,
  updatedAt: timestamp,
  events: v.pipe(v.array(eventSchema), v.maxLength(MAX_EVENTS_PER_CONTACT)),
  attachments: v.pipe(v.array(attachmentSchema), v.maxLength(MAX_ATTACHMENTS_PER_CONTACT)),
});

type ValidContact = v.InferOutput<typeof contactSchema>;

function toPath(issue: v.BaseIssue<unknown>, prefix: string): string {
  let path = prefix;
  for (const item of issue.path ?? []) {
    path += typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`;
  }
  return path;
}

export type ParsedLogFile =
  | { kind: 'plain'; document: Record<string, unknown> }
  | { kind: 'encrypted'; file: EncryptedLogFile };

/** Reads the outer shape of a file: JSON, which format, which version. */
export function parseLogFile(text: string): ParsedLogFile {
  if (text.length > MAX_IMPORT_BYTES) throw new LogError('too-large', { limit: MAX_IMPORT_BYTES });
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new LogError('not-json', { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new LogError('wrong-format');
  const document = json as Record<string, unknown>;
  if (document.format === ENCRYPTED_LOG_FORMAT) {
    checkVersion(document.version, ENCRYPTED_LOG_FORMAT_VERSION);
    return { kind: 'encrypted', file: validateEncryptedFile(document) };
  }
  if (document.format !== LOG_FORMAT) throw new LogError('wrong-format');
  checkVersion(document.version, LOG_FORMAT_VERSION);
  return { kind: 'plain', document };
}

function checkVersion(version: unknown, supported: number): void {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new LogError('wrong-format', { path: 'version' });
  }
  if (version > supported) throw new LogError('unsupported-version');
}

const encryptedSchema = v.object({
  kdf: v.object({
    name: v.literal('scrypt'),
    N: v.number(),
    r: v.number(),
    p: v.number(),
    salt: v.pipe(v.string(), v.maxLength(64)),
  }),
  cipher: v.literal('AES-256-GCM'),
  iv: v.pipe(v.string(), v.maxLength(64)),
  data: v.pipe(v.string(), v.maxLength(MAX_IMPORT_BYTES)),
});

function validateEncryptedFile(document: Record<string, unknown>): EncryptedLogFile {
  const result = v.safeParse(encryptedSchema, document, { abortEarly: true });
  if (!result.success) {
    throw new LogError('invalid-record', { path: toPath(result.issues[0] as v.BaseIssue<unknown>, '') });
  }
  if (!isValidKdfParams(result.output.kdf)) throw new LogError('invalid-record', { path: 'kdf' });
  return {
    format: ENCRYPTED_LOG_FORMAT,
    version: ENCRYPTED_LOG_FORMAT_VERSION,
    ...result.output,
  };
}

export interface ImportedLog {
  contacts: LogContact[];
  /** Attachment bytes by attachment id. */
  attachments: Map<string, { contactId: string; type: string; bytes: Uint8Array }>;
}

/**
 * Validates a plain export document contact by contact and turns it into records. The first invalid
 * field stops the import with its path ("contacts[3].events[0].at").
 */
export function readLogDocument(document: Record<string, unknown>): ImportedLog {
  const contacts = document.contacts;
  if (!Array.isArray(contacts)) throw new LogError('invalid-record', { path: 'contacts' });
  if (contacts.length > MAX_IMPORT_CONTACTS) throw new LogError('too-large', { limit: MAX_IMPORT_CONTACTS });
  const out: LogContact[] = [];
  const attachments: ImportedLog['attachments'] = new Map();
  const seenIds = new Set<string>();
  for (let i = 0; i < contacts.length; i++) {
    const result = v.safeParse(contactSchema, contacts[i], { abortEarly: true });
    if (!result.success) {
      throw new LogError('invalid-record', {
        path: toPath(result.issues[0] as v.BaseIssue<unknown>, `contacts[${i}]`),
      });
    }
    if (seenIds.has(result.output.id)) throw new LogError('duplicate-id', { path: `contacts[${i}].id` });
    seenIds.add(result.output.id);
    out.push(toContact(result.output, i, attachments));
  }
  return { contacts: out, attachments };
}

function toContact(valid: ValidContact, index: number, attachments: ImportedLog['attachments']): LogContact {
  const eventIds = new Set<string>();
  const events: LogEvent[] = valid.events.map((event, j) => {
    if (eventIds.has(event.id)) throw new LogError('duplicate-id', { path: `contacts[${index}].events[${j}].id` });
    eventIds.add(event.id);
    return {
      ...event,
      createdAt: event.createdAt ?? event.at,
      updatedAt: event.updatedAt ?? event.createdAt ?? event.at,
      deletedAt: null,
      deleteToken: null,
    };
  });
  const metas: AttachmentMeta[] = valid.attachments.map((attachment, j) => {
    const path = `contacts[${index}].attachments[${j}]`;
    if (attachments.has(attachment.id)) throw new LogError('duplicate-id', { path: `${path}.id` });
    let bytes: Uint8Array;
    try {
      bytes = base64.decode(attachment.data);
    } catch (error) {
      throw new LogError('invalid-record', { path: `${path}.data`, cause: error });
    }
    if (bytes.length === 0 || bytes.length > MAX_ATTACHMENT_BYTES) {
      throw new LogError('invalid-record', { path: `${path}.data` });
    }
    attachments.set(attachment.id, { contactId: valid.id, type: attachment.type, bytes });
    return {
      id: attachment.id,
      eventId: attachment.eventId && eventIds.has(attachment.eventId) ? attachment.eventId : null,
      name: attachment.name,
      type: attachment.type,
      size: bytes.length,
      addedAt: attachment.addedAt,
      deletedAt: null,
      deleteToken: null,
    };
  });
  const number = { input: valid.number.input, e164: valid.number.e164, national: valid.number.national };
  const key = getNumberKey(number);
  return recomputeContact({
    id: valid.id,
    numberKey: key || `anon:${valid.id}`,
    number,
    numberInputs: valid.numberInputs,
    name: valid.name,
    channel: valid.channel,
    firstAt: valid.createdAt,
    lastAt: valid.createdAt,
    count: 0,
    said: valid.said,
    demanded: valid.demanded,
    scripts: valid.scripts,
    risk: valid.risk,
    status: valid.status,
    notes: valid.notes,
    tags: valid.tags,
    events,
    attachments: metas,
    createdAt: valid.createdAt,
    updatedAt: valid.updatedAt,
    deletedAt: null,
    deleteToken: null,
  });
}

// ---- Encrypted backups ----

const BACKUP_AAD = encodeUtf8(`${ENCRYPTED_LOG_FORMAT} v${ENCRYPTED_LOG_FORMAT_VERSION}`);

/** Wraps an export in a passphrase-encrypted envelope a family member can import with the passphrase. */
export async function encryptLogExport(
  plainJson: string,
  passphrase: string,
  cost: { N: number; r: number; p: number } = DEFAULT_KDF_COST,
): Promise<string> {
  const kdf = createKdfParams(cost);
  const key = await derivePassphraseKey(passphrase, kdf);
  const sealed = await encryptBytes(key, encodeUtf8(plainJson), BACKUP_AAD);
  const file: EncryptedLogFile = {
    format: ENCRYPTED_LOG_FORMAT,
    version: ENCRYPTED_LOG_FORMAT_VERSION,
    kdf,
    cipher: 'AES-256-GCM',
    iv: base64.encode(sealed.iv),
    data: base64.encode(sealed.data),
  };
  return JSON.stringify(file);
}

/** The plain export inside an encrypted backup; a wrong passphrase (or an altered file) is 'wrong-passphrase'. */
export async function decryptLogExport(file: EncryptedLogFile, passphrase: string): Promise<string> {
  if (!passphrase) throw new LogError('passphrase-required');
  let iv: Uint8Array;
  let data: Uint8Array;
  try {
    iv = base64.decode(file.iv);
    data = base64.decode(file.data);
  } catch (error) {
    throw new LogError('invalid-record', { path: 'data', cause: error });
  }
  const key = await derivePassphraseKey(passphrase, file.kdf);
  const plain = await decryptBytes(key, { iv, data }, BACKUP_AAD);
  if (!plain) throw new LogError('wrong-passphrase');
  try {
    return decodeUtf8(plain);
  } catch (error) {
    throw new LogError('not-json', { cause: error });
  }
}
