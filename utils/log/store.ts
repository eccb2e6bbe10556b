import { base64 } from '@scure/base';
import { liveQuery } from 'dexie';
import { type ExposureGuardDB, getDb } from '@/utils/db';
import type { CountryCode } from '@/utils/phone';
import { checkAttachment, cleanAttachmentName, MAX_ATTACHMENTS_PER_CONTACT } from './attachments';
import {
  checkPassphrase,
  createInboxKeyPair,
  createKdfParams,
  DEFAULT_KDF_COST,
  decodeUtf8,
  decryptBytes,
  decryptJson,
  derivePassphraseKey,
  encodeUtf8,
  encryptBytes,
  encryptJson,
  getRandomBytes,
  type InboxKeyPair,
  importAesKey,
  openFromPublicKey,
  sealedFromText,
  sealedToText,
  sealToPublicKey,
} from './crypto';
import { LogError, toStorageError } from './errors';
import {
  createExportDocument,
  decryptLogExport,
  encryptLogExport,
  MAX_IMPORT_BYTES,
  parseLogFile,
  readLogDocument,
} from './format';
import {
  type AttachmentMeta,
  addEventToContact,
  applyContactPatch,
  applyEventPatch,
  type ContactPatch,
  cloneContact,
  createContact,
  createEvent,
  createId,
  type EventPatch,
  type LogContact,
  type LogEvent,
  MAX_SHORT_TEXT_LENGTH,
  MAX_TEXT_LENGTH,
  mergeContact,
  mergeContactInto,
  type NewEntry,
  recomputeContact,
} from './model';
import { type ResolvedNumber, resolveNumber } from './number';
import type { LockConfig, LogInboxItem, LogSealedRecord } from './records';
import { buildSearchIndex, type LogQuery, type LogSearchIndex, type LogSearchResult } from './search';

/**
 * The log's storage. Without a passphrase, contacts are plain rows (timeline embedded) and every write is a
 * read-modify-write inside one Dexie transaction, so the popup and the log page can write at once. With a
 * passphrase, rows are AES-GCM sealed; the log page decrypts everything into memory on unlock (that is
 * what search runs on) and writes re-sealed rows. The popup never needs the passphrase: while a lock is
 * set, its entries are sealed to the log's public key and merged on the next unlock.
 */

export type LogState = 'plain' | 'locked' | 'unlocked';

export interface LogStoreOptions {
  db?: ExposureGuardDB;
  /** Region for numbers typed without "+". */
  defaultCountry?: CountryCode;
  now?: () => number;
  /** KDF cost for new passphrases (tests use a small one; production uses DEFAULT_KDF_COST). */
  kdfCost?: { N: number; r: number; p: number };
  /** For the name sort's collation. */
  language?: string;
}

export interface AddResult {
  /** null when the entry was queued for a locked log (the contact is known only after unlock). */
  contactId: string | null;
  eventId: string;
  /** True when the number matched an existing contact and the event joined its timeline. */
  merged: boolean;
  queued: boolean;
}

export interface ImportResult {
  /** Contacts in the file. */
  contacts: number;
  created: number;
  merged: number;
  /** Events that were new to this log (events already present are skipped by id). */
  eventsAdded: number;
  attachmentsAdded: number;
}

const META_LOCK = 'lock';
const META_REVISION = 'revision';
const CONTACT_AAD = (id: string) => `contact:${id}`;
const ATTACHMENT_AAD = (id: string) => `attachment:${id}`;
const DATA_KEY_AAD = encodeUtf8('data-key');
const INBOX_KEY_AAD = encodeUtf8('inbox-key');

function checkEntry(entry: NewEntry): void {
  const shortFields = [entry.number, entry.name];
  const longFields = [entry.said, entry.demanded, entry.notes];
  if (shortFields.some((text) => (text?.length ?? 0) > MAX_SHORT_TEXT_LENGTH)) {
    throw new LogError('text-too-long', { limit: MAX_SHORT_TEXT_LENGTH });
  }
  if (longFields.some((text) => (text?.length ?? 0) > MAX_TEXT_LENGTH)) {
    throw new LogError('text-too-long', { limit: MAX_TEXT_LENGTH });
  }
  if (!entry.number.trim() && !entry.name?.trim()) throw new LogError('number-required');
}

function checkPatch(patch: ContactPatch | EventPatch): void {
  const record = patch as Record<string, unknown>;
  for (const field of ['name'] as const) {
    if (typeof record[field] === 'string' && (record[field] as string).length > MAX_SHORT_TEXT_LENGTH) {
      throw new LogError('text-too-long', { limit: MAX_SHORT_TEXT_LENGTH });
    }
  }
  for (const field of ['said', 'demanded', 'notes'] as const) {
    if (typeof record[field] === 'string' && (record[field] as string).length > MAX_TEXT_LENGTH) {
      throw new LogError('text-too-long', { limit: MAX_TEXT_LENGTH });
    }
  }
}

/** Rows one write puts and removes. */
interface LogChange {
  put: LogContact[];
  remove?: string[];
  putBytes?: { id: string; contactId: string; type: string; bytes: Uint8Array }[];
  removeBytes?: string[];
}

/** What the popup seals for a locked log: the entry, already resolved, with its final ids and time. */
interface InboxPayload {
  entry: NewEntry;
  eventId: string;
  contactId: string;
  resolved: ResolvedNumber;
  at: number;
}

async function readLockConfig(db: ExposureGuardDB): Promise<LockConfig | null> {
  const row = await db.logMeta.get(META_LOCK);
  return row?.key === 'lock' ? row.value : null;
}

async function bumpRevision(db: ExposureGuardDB): Promise<number> {
  const row = await db.logMeta.get(META_REVISION);
  const next = (row?.key === 'revision' ? row.value : 0) + 1;
  await db.logMeta.put({ key: 'revision', value: next });
  return next;
}

async function readRevision(db: ExposureGuardDB): Promise<number> {
  const row = await db.logMeta.get(META_REVISION);
  return row?.key === 'revision' ? row.value : 0;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

/**
 * Logs one event without loading the log: merged into the contact with the same number inside one
 * transaction, or — when a passphrase lock is set — sealed into the inbox for the next unlock.
 * This is what the popup's quick add and "Save to log" use.
 */
export async function addLogEntry(
  entry: NewEntry,
  options: { db?: ExposureGuardDB; defaultCountry: CountryCode; now?: number },
): Promise<AddResult> {
  checkEntry(entry);
  const db = options.db ?? getDb();
  const now = options.now ?? Date.now();
  const resolved = resolveNumber(entry.number, options.defaultCountry);
  const eventId = createId();
  const plain = await db
    .transaction('rw', db.logContacts, db.logMeta, async () => {
      if (await readLockConfig(db)) return null;
      const result = await addPlainInTransaction(db, entry, resolved, eventId, createId(), now);
      await bumpRevision(db);
      return result;
    })
    .catch((error: unknown) => {
      throw toStorageError(error);
    });
  if (plain) return { contactId: plain.contact.id, eventId, merged: plain.merged, queued: false };
  const lock = await readLockConfig(db);
  if (!lock) throw new LogError('concurrent-change');
  const contactId = createId();
  const payload: InboxPayload = { entry: { ...entry, at: entry.at ?? now }, eventId, contactId, resolved, at: now };
  const sealed = await sealToPublicKey(base64.decode(lock.inboxPublicKey), encodeUtf8(JSON.stringify(payload)));
  const item: LogInboxItem = { id: createId(), createdAt: now, ...sealed };
  await db
    .transaction('rw', db.logInbox, db.logMeta, async () => {
      await db.logInbox.add(item);
      await bumpRevision(db);
    })
    .catch((error: unknown) => {
      throw toStorageError(error);
    });
  return { contactId: null, eventId, merged: false, queued: true };
}

async function addPlainInTransaction(
  db: ExposureGuardDB,
  entry: NewEntry,
  resolved: ResolvedNumber,
  eventId: string,
  contactId: string,
  now: number,
): Promise<{ contact: LogContact; event: LogEvent; merged: boolean }> {
  const event = createEvent(entry, now, eventId);
  const existing = resolved.key
    ? (await db.logContacts.where('numberKey').equals(resolved.key).toArray()).find((c) => c.deletedAt === null)
    : undefined;
  if (existing) {
    addEventToContact(existing, entry, event, now);
    existing.updatedAt = now;
    await db.logContacts.put(existing);
    return { contact: existing, event, merged: true };
  }
  const contact = createContact(entry, resolved.number, resolved.key, event, now, contactId);
  await db.logContacts.add(contact);
  return { contact, event, merged: false };
}

/** Everything the log page needs: state, search, edits, trash, attachments, import/export and the lock. */
export class LogStore {
  readonly db: ExposureGuardDB;
  private readonly options: LogStoreOptions;
  private state: LogState = 'locked';
  private lock: LockConfig | null = null;
  private dataKey: CryptoKey | null = null;
  private inboxPair: InboxKeyPair | null = null;
  /** Every contact, the trash included, by id. */
  private contacts = new Map<string, LogContact>();
  /** Live contact id by number key. */
  private byKey = new Map<string, string>();
  private index: LogSearchIndex;
  private lastSeenUpdate = 0;
  /** Sealed rows that did not decrypt with the right key (altered on disk); kept, never overwritten. */
  private unreadable = 0;
  private lastRevision = -1;
  private listeners = new Set<() => void>();

  constructor(options: LogStoreOptions = {}) {
    this.options = options;
    this.db = options.db ?? getDb();
    this.index = buildSearchIndex([], options.language);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private get defaultCountry(): CountryCode {
    return this.options.defaultCountry ?? 'CN';
  }

  getState(): LogState {
    return this.state;
  }

  /** Reads the lock state and, without a lock, loads the whole log into memory. */
  async open(): Promise<LogState> {
    this.lock = await readLockConfig(this.db);
    this.lastRevision = await readRevision(this.db);
    if (this.lock) {
      this.clearMemory();
      this.state = 'locked';
    } else {
      this.state = 'plain';
      this.setMemory(await this.db.logContacts.toArray());
    }
    return this.state;
  }

  // ---- memory ----

  private clearMemory() {
    this.contacts.clear();
    this.byKey.clear();
    this.index.clear();
    this.lastSeenUpdate = 0;
  }

  private setMemory(contacts: LogContact[]) {
    this.clearMemory();
    this.index = buildSearchIndex([], this.options.language);
    this.remember(contacts);
    // The default order is ready before the first keystroke.
    this.index.prepare('last');
  }

  private remember(contacts: LogContact[]) {
    for (const contact of contacts) {
      const previous = this.contacts.get(contact.id);
      if (previous && this.byKey.get(previous.numberKey) === previous.id) this.byKey.delete(previous.numberKey);
      this.contacts.set(contact.id, contact);
      if (contact.deletedAt === null) this.byKey.set(contact.numberKey, contact.id);
      if (contact.updatedAt > this.lastSeenUpdate) this.lastSeenUpdate = contact.updatedAt;
    }
    this.index.upsertMany(contacts);
  }

  private forget(id: string) {
    const previous = this.contacts.get(id);
    if (!previous) return;
    if (this.byKey.get(previous.numberKey) === id) this.byKey.delete(previous.numberKey);
    this.contacts.delete(id);
    this.index.remove(id);
  }

  private requireOpen() {
    if (this.state === 'locked') throw new LogError('locked');
  }

  private notify() {
    for (const listener of this.listeners) listener();
  }

  // ---- reading ----

  search(query: LogQuery): LogSearchResult {
    this.requireOpen();
    return this.index.search(query);
  }

  get size(): number {
    return this.index.size;
  }

  getContact(id: string): LogContact | undefined {
    this.requireOpen();
    const contact = this.contacts.get(id);
    return contact ? cloneContact(contact) : undefined;
  }

  /** The live contact for a number in any format, if logged. */
  findByNumber(number: string): LogContact | undefined {
    this.requireOpen();
    const { key } = resolveNumber(number, this.defaultCountry);
    const id = key ? this.byKey.get(key) : undefined;
    return id ? this.getContact(id) : undefined;
  }

  /** Contacts in the trash, newest deletion first. */
  listDeleted(): LogContact[] {
    this.requireOpen();
    return [...this.contacts.values()]
      .filter((contact) => contact.deletedAt !== null)
      .sort((a, b) => (b.deletedAt ?? 0) - (a.deletedAt ?? 0))
      .map(cloneContact);
  }

  /** Live contacts (no copies: read-only use such as reports). */
  getLiveContacts(): readonly LogContact[] {
    this.requireOpen();
    return [...this.contacts.values()].filter((contact) => contact.deletedAt === null);
  }

  /** Every script id and tag in use, for the filter menus. */
  getFacets(): { scripts: string[]; tags: string[] } {
    this.requireOpen();
    const scripts = new Set<string>();
    const tags = new Set<string>();
    for (const contact of this.contacts.values()) {
      if (contact.deletedAt !== null) continue;
      for (const script of contact.scripts) scripts.add(script);
      for (const tag of contact.tags) tags.add(tag);
    }
    return { scripts: [...scripts].sort(), tags: [...tags].sort() };
  }

  // ---- writing ----

  /**
   * Writes contacts (and attachment changes) in one transaction, as plain rows or sealed ones. In plain
   * mode `update` runs inside the transaction on freshly read rows, so concurrent writers never lose each
   * other's changes; in unlocked mode it runs on copies of memory before sealing.
   */
  private async write(ids: string[], update: (current: Map<string, LogContact>) => LogChange): Promise<LogContact[]> {
    this.requireOpen();
    const now = this.now();
    try {
      if (this.state === 'plain') {
        const db = this.db;
        const result = await db.transaction('rw', [db.logContacts, db.logAttachments, db.logMeta], async () => {
          if (await readLockConfig(db)) throw new LogError('concurrent-change');
          const rows = await db.logContacts.bulkGet(ids);
          const current = new Map<string, LogContact>();
          for (const row of rows) if (row) current.set(row.id, row);
          const change = update(current);
          await this.applyPlainChange(change, now);
          return change;
        });
        this.afterCommit(result);
        return result.put;
      }
      await this.refresh();
      // Another tab may have set or removed the lock meanwhile.
      if (this.state !== 'unlocked') return this.write(ids, update);
      const current = new Map<string, LogContact>();
      for (const id of ids) {
        const contact = this.contacts.get(id);
        if (contact) current.set(id, cloneContact(contact));
      }
      const change = update(current);
      await this.commit(change, now);
      return change.put;
    } catch (error) {
      throw toStorageError(error);
    }
  }

  /** Inside a plain-mode transaction: writes the rows and bumps the revision. */
  private async applyPlainChange(change: LogChange, now: number): Promise<void> {
    const db = this.db;
    // updatedAt is the write time: other pages catch up by reading rows written since they last looked.
    for (const contact of change.put) contact.updatedAt = now;
    if (change.remove?.length) await db.logContacts.bulkDelete(change.remove);
    if (change.put.length) await db.logContacts.bulkPut(change.put);
    if (change.removeBytes?.length) await db.logAttachments.bulkDelete(change.removeBytes);
    if (change.putBytes?.length) {
      await db.logAttachments.bulkPut(
        change.putBytes.map((item) => ({
          id: item.id,
          contactId: item.contactId,
          type: item.type,
          data: toArrayBuffer(item.bytes),
        })),
      );
    }
    this.lastRevision = await bumpRevision(db);
  }

  /**
   * Writes a change computed from memory in one transaction, plain or sealed. With `expectedRevision`, the
   * transaction refuses ('concurrent-change') if any other page wrote since that revision.
   */
  private async commit(change: LogChange, now: number, expectedRevision?: number): Promise<void> {
    const db = this.db;
    const checkRevision = async () => {
      if (expectedRevision !== undefined && (await readRevision(db)) !== expectedRevision) {
        throw new LogError('concurrent-change');
      }
    };
    if (this.state === 'plain') {
      await db.transaction('rw', [db.logContacts, db.logAttachments, db.logMeta], async () => {
        if (await readLockConfig(db)) throw new LogError('concurrent-change');
        await checkRevision();
        await this.applyPlainChange(change, now);
      });
    } else {
      for (const contact of change.put) contact.updatedAt = now;
      const sealedContacts = await Promise.all(change.put.map((contact) => this.sealContact(contact, now)));
      const sealedBytes = await Promise.all(
        (change.putBytes ?? []).map((item) => this.sealAttachment(item.id, item.contactId, item.type, item.bytes, now)),
      );
      await db.transaction('rw', [db.logSealed, db.logMeta], async () => {
        await checkRevision();
        const removals = [...(change.remove ?? []), ...(change.removeBytes ?? [])];
        if (removals.length) await db.logSealed.bulkDelete(removals);
        await db.logSealed.bulkPut([...sealedContacts, ...sealedBytes]);
        this.lastRevision = await bumpRevision(db);
      });
    }
    this.afterCommit(change);
  }

  private afterCommit(change: LogChange) {
    for (const id of change.remove ?? []) this.forget(id);
    this.remember(change.put);
    this.notify();
  }

  private async sealContact(contact: LogContact, now: number): Promise<LogSealedRecord> {
    const sealed = await encryptJson(this.requireKey(), contact, CONTACT_AAD(contact.id));
    return { id: contact.id, kind: 'contact', updatedAt: now, ...sealed };
  }

  private async sealAttachment(
    id: string,
    contactId: string,
    type: string,
    bytes: Uint8Array,
    now: number,
  ): Promise<LogSealedRecord> {
    const payload = encodeUtf8(JSON.stringify({ contactId, type, data: base64.encode(bytes) }));
    const sealed = await encryptBytes(this.requireKey(), payload, encodeUtf8(ATTACHMENT_AAD(id)));
    return { id, kind: 'attachment', updatedAt: now, ...sealed };
  }

  private requireKey(): CryptoKey {
    if (!this.dataKey) throw new LogError('locked');
    return this.dataKey;
  }

  /** Logs one event: joins the contact with the same number (in any format), or creates one. */
  async addEntry(entry: NewEntry): Promise<{ contact: LogContact; event: LogEvent; merged: boolean }> {
    this.requireOpen();
    checkEntry(entry);
    const resolved = resolveNumber(entry.number, this.defaultCountry);
    const now = this.now();
    const eventId = createId();
    if (this.state === 'plain') {
      const db = this.db;
      try {
        const result = await db.transaction('rw', db.logContacts, db.logMeta, async () => {
          if (await readLockConfig(db)) throw new LogError('concurrent-change');
          const added = await addPlainInTransaction(db, entry, resolved, eventId, createId(), now);
          this.lastRevision = await bumpRevision(db);
          return added;
        });
        this.remember([result.contact]);
        this.notify();
        return { contact: cloneContact(result.contact), event: result.event, merged: result.merged };
      } catch (error) {
        throw toStorageError(error);
      }
    }
    await this.refresh();
    const existingId = resolved.key ? this.byKey.get(resolved.key) : undefined;
    const event = createEvent(entry, now, eventId);
    let merged = false;
    const contactId = existingId ?? createId();
    const [saved] = await this.write(existingId ? [existingId] : [], (current) => {
      const existing = existingId ? current.get(existingId) : undefined;
      if (existing) {
        merged = true;
        return { put: [addEventToContact(existing, entry, event, now)] };
      }
      return { put: [createContact(entry, resolved.number, resolved.key, event, now, contactId)] };
    });
    return { contact: cloneContact(saved as LogContact), event, merged };
  }

  async updateContact(id: string, patch: ContactPatch): Promise<LogContact> {
    checkPatch(patch);
    const [saved] = await this.write([id], (current) => {
      const contact = current.get(id);
      if (!contact) throw new LogError('contact-not-found');
      return { put: [applyContactPatch(contact, patch, this.now())] };
    });
    return cloneContact(saved as LogContact);
  }

  async updateEvent(contactId: string, eventId: string, patch: EventPatch): Promise<LogContact> {
    checkPatch(patch);
    const [saved] = await this.write([contactId], (current) => {
      const contact = current.get(contactId);
      if (!contact) throw new LogError('contact-not-found');
      const event = contact.events.find((item) => item.id === eventId);
      if (!event) throw new LogError('event-not-found');
      return { put: [applyEventPatch(contact, event, patch, this.now())] };
    });
    return cloneContact(saved as LogContact);
  }

  /** Applies the same edit to many contacts (bulk status, risk, tags). */
  async updateContacts(ids: string[], patch: (contact: LogContact) => ContactPatch): Promise<number> {
    const saved = await this.write(ids, (current) => ({
      put: [...current.values()]
        .filter((c) => c.deletedAt === null)
        .map((c) => applyContactPatch(c, patch(c), this.now())),
    }));
    return saved.length;
  }

  /** Moves contacts to the trash; the token undoes exactly this deletion. */
  async deleteContacts(ids: string[]): Promise<{ token: string; count: number }> {
    const token = createId();
    const now = this.now();
    const saved = await this.write(ids, (current) => ({
      put: [...current.values()]
        .filter((contact) => contact.deletedAt === null)
        .map((contact) => Object.assign(contact, { deletedAt: now, deleteToken: token, updatedAt: now })),
    }));
    return { token, count: saved.length };
  }

  async deleteEvent(contactId: string, eventId: string): Promise<{ token: string }> {
    const token = createId();
    const now = this.now();
    await this.write([contactId], (current) => {
      const contact = current.get(contactId);
      const event = contact?.events.find((item) => item.id === eventId && item.deletedAt === null);
      if (!contact || !event) throw new LogError('event-not-found');
      Object.assign(event, { deletedAt: now, deleteToken: token, updatedAt: now });
      contact.updatedAt = now;
      return { put: [recomputeContact(contact)] };
    });
    return { token };
  }

  async deleteAttachment(contactId: string, attachmentId: string): Promise<{ token: string }> {
    const token = createId();
    const now = this.now();
    await this.write([contactId], (current) => {
      const contact = current.get(contactId);
      const attachment = contact?.attachments.find((item) => item.id === attachmentId && item.deletedAt === null);
      if (!contact || !attachment) throw new LogError('attachment-not-found');
      Object.assign(attachment, { deletedAt: now, deleteToken: token });
      contact.updatedAt = now;
      return { put: [contact] };
    });
    return { token };
  }

  /**
   * Restores whatever a delete token removed. A restored contact whose number was logged again meanwhile
   * is merged into that newer contact, so the log never shows one number twice.
   */
  async undoDelete(token: string): Promise<{ restored: number }> {
    this.requireOpen();
    const ids = [...this.contacts.values()]
      .filter(
        (contact) =>
          contact.deleteToken === token ||
          contact.events.some((event) => event.deleteToken === token) ||
          contact.attachments.some((attachment) => attachment.deleteToken === token),
      )
      .map((contact) => contact.id);
    if (ids.length === 0) throw new LogError('undo-not-found');
    const restoredKeys = new Set(ids.map((id) => this.contacts.get(id)?.numberKey ?? ''));
    const liveIds = [...restoredKeys].map((key) => this.byKey.get(key)).filter((id): id is string => !!id);
    let restored = 0;
    const now = this.now();
    await this.write([...new Set([...ids, ...liveIds])], (current) => {
      const put = new Map<string, LogContact>();
      const remove: string[] = [];
      const liveByKey = new Map<string, LogContact>();
      for (const contact of current.values()) if (contact.deletedAt === null) liveByKey.set(contact.numberKey, contact);
      for (const id of ids) {
        const contact = current.get(id);
        if (!contact) continue;
        for (const event of contact.events) {
          if (event.deleteToken === token) Object.assign(event, { deletedAt: null, deleteToken: null, updatedAt: now });
        }
        for (const attachment of contact.attachments) {
          if (attachment.deleteToken === token) Object.assign(attachment, { deletedAt: null, deleteToken: null });
        }
        if (contact.deleteToken === token) {
          contact.deletedAt = null;
          contact.deleteToken = null;
          const live = liveByKey.get(contact.numberKey);
          if (live && live.id !== contact.id) {
            put.set(live.id, mergeContact(live, contact, now));
            remove.push(contact.id);
            restored++;
            continue;
          }
          liveByKey.set(contact.numberKey, contact);
        }
        restored++;
        put.set(contact.id, recomputeContact(contact));
      }
      return { put: [...put.values()], remove };
    });
    return { restored };
  }

  /** Deletes for good what is in the trash (all of it, or the given contacts' deleted parts). */
  async purgeDeleted(ids?: string[]): Promise<number> {
    this.requireOpen();
    const targets = (ids ?? [...this.contacts.keys()]).filter((id) => {
      const contact = this.contacts.get(id);
      return (
        contact &&
        (contact.deletedAt !== null ||
          contact.events.some((event) => event.deletedAt !== null) ||
          contact.attachments.some((attachment) => attachment.deletedAt !== null))
      );
    });
    if (targets.length === 0) return 0;
    let purged = 0;
    await this.write(targets, (current) => {
      const put: LogContact[] = [];
      const remove: string[] = [];
      const removeBytes: string[] = [];
      for (const contact of current.values()) {
        if (contact.deletedAt !== null) {
          remove.push(contact.id);
          removeBytes.push(...contact.attachments.map((attachment) => attachment.id));
          purged++;
          continue;
        }
        const goneAttachments = contact.attachments.filter((attachment) => attachment.deletedAt !== null);
        removeBytes.push(...goneAttachments.map((attachment) => attachment.id));
        contact.attachments = contact.attachments.filter((attachment) => attachment.deletedAt === null);
        const before = contact.events.length;
        contact.events = contact.events.filter((event) => event.deletedAt === null);
        purged += before - contact.events.length + goneAttachments.length;
        put.push(contact);
      }
      return { put, remove, removeBytes };
    });
    return purged;
  }

  /** Merges contacts the user says are the same caller (e.g. a number and its short code) into `targetId`. */
  async mergeContacts(targetId: string, sourceIds: string[]): Promise<LogContact> {
    const sources = sourceIds.filter((id) => id !== targetId);
    const [saved] = await this.write([targetId, ...sources], (current) => {
      const target = current.get(targetId);
      if (!target || target.deletedAt !== null) throw new LogError('contact-not-found');
      const remove: string[] = [];
      for (const id of sources) {
        const source = current.get(id);
        if (!source || source.deletedAt !== null) continue;
        mergeContact(target, source, this.now());
        remove.push(id);
      }
      return { put: [target], remove };
    });
    return cloneContact(saved as LogContact);
  }

  // ---- attachments ----

  async addAttachment(
    contactId: string,
    blob: Blob,
    options: { name?: string; eventId?: string | null } = {},
  ): Promise<AttachmentMeta> {
    this.requireOpen();
    const contact = this.contacts.get(contactId);
    if (!contact || contact.deletedAt !== null) throw new LogError('contact-not-found');
    const type = blob.type || 'application/octet-stream';
    const live = contact.attachments.filter((attachment) => attachment.deletedAt === null).length;
    checkAttachment(blob.size, type, live);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const now = this.now();
    const meta: AttachmentMeta = {
      id: createId(),
      eventId: options.eventId ?? null,
      name: cleanAttachmentName(options.name ?? (blob as File).name, `attachment-${now}`),
      type,
      size: bytes.length,
      addedAt: now,
      deletedAt: null,
      deleteToken: null,
    };
    await this.write([contactId], (current) => {
      const target = current.get(contactId);
      if (!target || target.deletedAt !== null) throw new LogError('contact-not-found');
      const count = target.attachments.filter((attachment) => attachment.deletedAt === null).length;
      if (count >= MAX_ATTACHMENTS_PER_CONTACT) {
        throw new LogError('too-many-attachments', { limit: MAX_ATTACHMENTS_PER_CONTACT });
      }
      target.attachments.push(meta);
      target.updatedAt = now;
      return { put: [target], putBytes: [{ id: meta.id, contactId, type, bytes }] };
    });
    return meta;
  }

  async getAttachmentBytes(attachmentId: string): Promise<{ type: string; bytes: Uint8Array } | undefined> {
    this.requireOpen();
    if (this.state === 'plain') {
      const row = await this.db.logAttachments.get(attachmentId);
      return row ? { type: row.type, bytes: new Uint8Array(row.data) } : undefined;
    }
    const row = await this.db.logSealed.get(attachmentId);
    if (row?.kind !== 'attachment') return undefined;
    const plain = await decryptBytes(this.requireKey(), row, encodeUtf8(ATTACHMENT_AAD(attachmentId)));
    if (!plain) return undefined;
    const payload = JSON.parse(decodeUtf8(plain)) as { type: string; data: string };
    return { type: payload.type, bytes: base64.decode(payload.data) };
  }

  async getAttachment(attachmentId: string): Promise<Blob> {
    const found = await this.getAttachmentBytes(attachmentId);
    if (!found) throw new LogError('attachment-not-found');
    return new Blob([found.bytes.slice().buffer as ArrayBuffer], { type: found.type });
  }

  // ---- export / import ----

  /** The complete log as the versioned JSON format (attachments inline as base64). */
  async exportJson(): Promise<string> {
    this.requireOpen();
    const bytes = new Map<string, Uint8Array>();
    const wanted: string[] = [];
    for (const contact of this.contacts.values()) {
      if (contact.deletedAt !== null) continue;
      for (const attachment of contact.attachments) if (attachment.deletedAt === null) wanted.push(attachment.id);
    }
    for (const id of wanted) {
      const found = await this.getAttachmentBytes(id);
      if (found) bytes.set(id, found.bytes);
    }
    return JSON.stringify(createExportDocument(this.contacts.values(), (id) => bytes.get(id), this.now()));
  }

  /** The same export, encrypted with a passphrase (which may differ from the lock's). */
  async exportEncrypted(passphrase: string): Promise<string> {
    checkPassphrase(passphrase);
    return encryptLogExport(await this.exportJson(), passphrase, this.options.kdfCost ?? DEFAULT_KDF_COST);
  }

  /**
   * Imports an export (plain or encrypted), merging by number and skipping events already present. The
   * whole file is validated first and written in one transaction: a bad file changes nothing.
   */
  async importText(text: string, options: { passphrase?: string } = {}): Promise<ImportResult> {
    this.requireOpen();
    let parsed = parseLogFile(text);
    if (parsed.kind === 'encrypted') {
      if (!options.passphrase) throw new LogError('passphrase-required');
      parsed = parseLogFile(await decryptLogExport(parsed.file, options.passphrase));
      if (parsed.kind === 'encrypted') throw new LogError('wrong-format');
    }
    const imported = readLogDocument(parsed.document);
    return this.mergeImported(imported);
  }

  /** Reads a picked file (size checked before reading) and imports it. */
  async importFile(file: Blob, options: { passphrase?: string } = {}): Promise<ImportResult> {
    if (file.size > MAX_IMPORT_BYTES) throw new LogError('too-large', { limit: MAX_IMPORT_BYTES });
    let text: string;
    try {
      text = decodeUtf8(new Uint8Array(await file.arrayBuffer()));
    } catch (error) {
      throw new LogError('not-json', { cause: error });
    }
    return this.importText(text, options);
  }

  private async mergeImported(imported: ReturnType<typeof readLogDocument>): Promise<ImportResult> {
    const now = this.now();
    const result: ImportResult = {
      contacts: imported.contacts.length,
      created: 0,
      merged: 0,
      eventsAdded: 0,
      attachmentsAdded: 0,
    };
    const knownAttachmentIds = new Set<string>();
    // `copy` protects the store's memory: existing contacts are cloned when first changed, so a refused
    // write leaves memory as it was.
    const plan = (existing: Iterable<LogContact>, copy: boolean) => {
      const liveByKey = new Map<string, LogContact>();
      const takenIds = new Set<string>();
      for (const contact of existing) {
        takenIds.add(contact.id);
        for (const attachment of contact.attachments) knownAttachmentIds.add(attachment.id);
        if (contact.deletedAt === null) liveByKey.set(contact.numberKey, contact);
      }
      const changed = new Map<string, LogContact>();
      const matched = new Set<string>();
      const newBytes: { id: string; contactId: string; type: string; bytes: Uint8Array }[] = [];
      result.created = 0;
      result.merged = 0;
      result.eventsAdded = 0;
      result.attachmentsAdded = 0;
      for (const incoming of imported.contacts) {
        const found = liveByKey.get(incoming.numberKey);
        const target = found && copy && !changed.has(found.id) ? cloneContact(found) : found;
        if (target) liveByKey.set(target.numberKey, target);
        const attachmentsBefore = new Set(target?.attachments.map((a) => a.id));
        if (target) {
          const eventIds = new Set(target.events.map((event) => event.id));
          result.eventsAdded += incoming.events.filter((event) => !eventIds.has(event.id)).length;
          if (!matched.has(target.id)) result.merged++;
          matched.add(target.id);
          // Only contacts the file actually changes are written: re-importing a backup writes nothing.
          if (mergeContactInto(target, incoming, now)) changed.set(target.id, target);
          else if (found && copy && target !== found && !changed.has(target.id)) liveByKey.set(target.numberKey, found);
        } else {
          // The file's records are fresh objects from the parser, so they can become the log's own.
          const contact = incoming;
          if (takenIds.has(contact.id)) {
            contact.id = createId();
            if (contact.numberKey.startsWith('anon:')) contact.numberKey = `anon:${contact.id}`;
          }
          takenIds.add(contact.id);
          contact.updatedAt = now;
          liveByKey.set(contact.numberKey, contact);
          changed.set(contact.id, contact);
          result.created++;
          result.eventsAdded += contact.events.length;
        }
        const owner = (target ?? liveByKey.get(incoming.numberKey)) as LogContact;
        for (const attachment of incoming.attachments) {
          if (attachmentsBefore.has(attachment.id) || knownAttachmentIds.has(attachment.id)) continue;
          const item = imported.attachments.get(attachment.id);
          if (!item) continue;
          knownAttachmentIds.add(attachment.id);
          newBytes.push({ id: attachment.id, contactId: owner.id, type: item.type, bytes: item.bytes });
          result.attachmentsAdded++;
        }
        // Keep a contact's attachment count under the limit: extra imported ones are not dropped silently,
        // the import refuses instead.
        if (owner.attachments.filter((a) => a.deletedAt === null).length > MAX_ATTACHMENTS_PER_CONTACT) {
          throw new LogError('too-many-attachments', { limit: MAX_ATTACHMENTS_PER_CONTACT });
        }
      }
      return { changed: [...changed.values()], newBytes };
    };

    // Planned from memory (no second read of the whole log), then written in one transaction that refuses
    // if another page wrote meanwhile; then planned again from the refreshed memory.
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.refresh();
      this.requireOpen();
      const expected = this.lastRevision;
      const { changed, newBytes } = plan(this.contacts.values(), true);
      try {
        await this.commit({ put: changed, putBytes: newBytes }, now, expected);
        return result;
      } catch (error) {
        if (!(error instanceof LogError && error.code === 'concurrent-change')) throw toStorageError(error);
      }
    }
    throw new LogError('concurrent-change');
  }

  // ---- passphrase lock ----

  /**
   * Encrypts the whole log at rest with a new passphrase. Everything is sealed first and then swapped in
   * one transaction; if another page wrote meanwhile, the snapshot is taken again.
   */
  async enableLock(passphrase: string): Promise<void> {
    if (this.state !== 'plain') throw new LogError('already-locked');
    checkPassphrase(passphrase);
    const kdf = createKdfParams(this.options.kdfCost ?? DEFAULT_KDF_COST);
    const passphraseKey = await derivePassphraseKey(passphrase, kdf);
    const rawDataKey = getRandomBytes(32);
    const dataKey = await importAesKey(rawDataKey, false);
    const inbox = createInboxKeyPair();
    const lock: LockConfig = {
      version: 1,
      createdAt: this.now(),
      kdf,
      wrappedDataKey: sealedToText(await encryptBytes(passphraseKey, rawDataKey, DATA_KEY_AAD)),
      inboxPublicKey: base64.encode(inbox.publicKey),
      wrappedInboxKey: sealedToText(await encryptBytes(dataKey, inbox.secretKey, INBOX_KEY_AAD)),
    };
    rawDataKey.fill(0);
    const db = this.db;
    for (let attempt = 0; attempt < 5; attempt++) {
      const revision = await readRevision(db);
      const contacts = await db.logContacts.toArray();
      const attachments = await db.logAttachments.toArray();
      const now = this.now();
      this.dataKey = dataKey;
      const sealed = [
        ...(await Promise.all(contacts.map((contact) => this.sealContact(contact, now)))),
        ...(await Promise.all(
          attachments.map((row) => this.sealAttachment(row.id, row.contactId, row.type, new Uint8Array(row.data), now)),
        )),
      ];
      this.dataKey = null;
      try {
        await db.transaction('rw', [db.logContacts, db.logAttachments, db.logSealed, db.logMeta], async () => {
          if ((await readRevision(db)) !== revision || (await readLockConfig(db))) {
            throw new LogError('concurrent-change');
          }
          await db.logSealed.bulkPut(sealed);
          await db.logContacts.clear();
          await db.logAttachments.clear();
          await db.logMeta.put({ key: 'lock', value: lock });
          this.lastRevision = await bumpRevision(db);
        });
      } catch (error) {
        if (error instanceof LogError && error.code === 'concurrent-change' && !(await readLockConfig(db))) continue;
        throw toStorageError(error);
      }
      this.lock = lock;
      this.dataKey = dataKey;
      this.inboxPair = inbox;
      this.state = 'unlocked';
      this.setMemory(contacts);
      this.notify();
      return;
    }
    throw new LogError('concurrent-change');
  }

  private async unwrapDataKey(lock: LockConfig, passphrase: string): Promise<Uint8Array> {
    const passphraseKey = await derivePassphraseKey(passphrase, lock.kdf);
    const raw = await decryptBytes(passphraseKey, sealedFromText(lock.wrappedDataKey), DATA_KEY_AAD);
    if (!raw) throw new LogError('wrong-passphrase');
    return raw;
  }

  /** Decrypts the log into memory. A wrong passphrase is 'wrong-passphrase' and changes nothing. */
  async unlock(passphrase: string): Promise<void> {
    if (!passphrase) throw new LogError('passphrase-required');
    const lock = await readLockConfig(this.db);
    if (!lock) throw new LogError('not-locked');
    if (this.state === 'unlocked') return;
    const raw = await this.unwrapDataKey(lock, passphrase);
    const dataKey = await importAesKey(raw, false);
    raw.fill(0);
    const secretKey = await decryptBytes(dataKey, sealedFromText(lock.wrappedInboxKey), INBOX_KEY_AAD);
    if (!secretKey) throw new LogError('wrong-passphrase');
    this.lock = lock;
    this.dataKey = dataKey;
    this.inboxPair = { secretKey, publicKey: base64.decode(lock.inboxPublicKey) };
    this.lastRevision = await readRevision(this.db);
    const rows = await this.db.logSealed.where('kind').equals('contact').toArray();
    const { contacts, unreadable } = await this.openSealedContacts(rows);
    this.unreadable = unreadable;
    this.state = 'unlocked';
    this.setMemory(contacts);
    await this.drainInbox();
    this.notify();
  }

  /** Opens sealed rows; one that does not open with the right key was altered on disk and is counted, not hidden. */
  private async openSealedContacts(rows: LogSealedRecord[]): Promise<{ contacts: LogContact[]; unreadable: number }> {
    const key = this.requireKey();
    const opened = await Promise.all(
      rows.map((row) => decryptJson<LogContact>(key, row, CONTACT_AAD(row.id)).catch(() => null)),
    );
    const contacts = opened.filter((contact): contact is LogContact => contact !== null);
    return { contacts, unreadable: rows.length - contacts.length };
  }

  /** How many encrypted contacts could not be read (damaged storage); the UI warns when this is not 0. */
  getUnreadableCount(): number {
    return this.unreadable;
  }

  /** Forgets the key and the decrypted log (the page shows the unlock form again). */
  lockNow(): void {
    if (!this.lock) throw new LogError('not-locked');
    this.dataKey = null;
    this.inboxPair = null;
    this.state = 'locked';
    this.clearMemory();
    this.notify();
  }

  isLockConfigured(): boolean {
    return this.lock !== null;
  }

  /** Turns the lock off: the log is stored plain again (after checking the passphrase). */
  async disableLock(passphrase: string): Promise<void> {
    const lock = await readLockConfig(this.db);
    if (!lock) throw new LogError('not-locked');
    (await this.unwrapDataKey(lock, passphrase)).fill(0);
    if (this.state !== 'unlocked') await this.unlock(passphrase);
    await this.drainInbox();
    // Whatever is still in the inbox did not decrypt (damaged): it cannot be read with or without a lock.
    const leftover = await this.db.logInbox.count();
    const db = this.db;
    const attachmentRows = await db.logSealed.where('kind').equals('attachment').toArray();
    const attachments = await Promise.all(
      attachmentRows.map(async (row) => {
        const plain = await decryptBytes(this.requireKey(), row, encodeUtf8(ATTACHMENT_AAD(row.id)));
        if (!plain) throw new LogError('wrong-passphrase');
        const payload = JSON.parse(decodeUtf8(plain)) as { contactId: string; type: string; data: string };
        return {
          id: row.id,
          contactId: payload.contactId,
          type: payload.type,
          data: toArrayBuffer(base64.decode(payload.data)),
        };
      }),
    );
    const contacts = [...this.contacts.values()];
    const revision = this.lastRevision;
    try {
      await db.transaction(
        'rw',
        [db.logContacts, db.logAttachments, db.logSealed, db.logInbox, db.logMeta],
        async () => {
          if ((await readRevision(db)) !== revision || (await db.logInbox.count()) !== leftover) {
            throw new LogError('concurrent-change');
          }
          await db.logContacts.bulkPut(contacts);
          await db.logAttachments.bulkPut(attachments);
          await db.logSealed.clear();
          await db.logInbox.clear();
          await db.logMeta.delete(META_LOCK);
          this.lastRevision = await bumpRevision(db);
        },
      );
    } catch (error) {
      throw toStorageError(error);
    }
    this.lock = null;
    this.dataKey = null;
    this.inboxPair = null;
    this.state = 'plain';
    this.notify();
  }

  /** Re-wraps the data key under a new passphrase; the records themselves are untouched. */
  async changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    checkPassphrase(newPassphrase);
    const lock = await readLockConfig(this.db);
    if (!lock) throw new LogError('not-locked');
    const raw = await this.unwrapDataKey(lock, oldPassphrase);
    const kdf = createKdfParams(this.options.kdfCost ?? DEFAULT_KDF_COST);
    const passphraseKey = await derivePassphraseKey(newPassphrase, kdf);
    const next: LockConfig = {
      ...lock,
      kdf,
      wrappedDataKey: sealedToText(await encryptBytes(passphraseKey, raw, DATA_KEY_AAD)),
    };
    raw.fill(0);
    await this.db.transaction('rw', this.db.logMeta, async () => {
      await this.db.logMeta.put({ key: 'lock', value: next });
      this.lastRevision = await bumpRevision(this.db);
    });
    this.lock = next;
  }

  /** Merges entries the popup sealed while the log was locked. Unreadable ones are kept, never dropped. */
  private async drainInbox(): Promise<number> {
    if (this.state !== 'unlocked' || !this.inboxPair) return 0;
    const items = await this.db.logInbox.toArray();
    if (items.length === 0) return 0;
    items.sort((a, b) => a.createdAt - b.createdAt);
    const payloads: { itemId: string; payload: InboxPayload }[] = [];
    for (const item of items) {
      const plain = await openFromPublicKey(this.inboxPair, item);
      if (plain) payloads.push({ itemId: item.id, payload: JSON.parse(decodeUtf8(plain)) as InboxPayload });
    }
    if (payloads.length === 0) return 0;
    const now = this.now();
    const changed = new Map<string, LogContact>();
    const liveByKey = new Map<string, LogContact>();
    for (const contact of this.contacts.values())
      if (contact.deletedAt === null) liveByKey.set(contact.numberKey, contact);
    for (const { payload } of payloads) {
      const event = createEvent(payload.entry, payload.at, payload.eventId);
      const existing = payload.resolved.key ? liveByKey.get(payload.resolved.key) : undefined;
      if (existing) {
        const copy = changed.get(existing.id) ?? cloneContact(existing);
        if (!copy.events.some((item) => item.id === event.id)) addEventToContact(copy, payload.entry, event, now);
        changed.set(copy.id, copy);
        liveByKey.set(copy.numberKey, copy);
      } else {
        const contact = createContact(
          payload.entry,
          payload.resolved.number,
          payload.resolved.key,
          event,
          payload.at,
          payload.contactId,
        );
        changed.set(contact.id, contact);
        liveByKey.set(contact.numberKey, contact);
      }
    }
    for (const contact of changed.values()) contact.updatedAt = now;
    const sealed = await Promise.all([...changed.values()].map((contact) => this.sealContact(contact, now)));
    const db = this.db;
    await db.transaction('rw', [db.logSealed, db.logInbox, db.logMeta], async () => {
      await db.logSealed.bulkPut(sealed);
      await db.logInbox.bulkDelete(payloads.map((item) => item.itemId));
      this.lastRevision = await bumpRevision(db);
    });
    this.remember([...changed.values()]);
    return payloads.length;
  }

  // ---- other pages' writes ----

  /**
   * Catches up with writes from other pages (the popup's quick add, another log tab): changed rows are
   * re-read by their write time, and a lock set or removed elsewhere switches this store's state.
   */
  async refresh(): Promise<boolean> {
    const revision = await readRevision(this.db);
    if (revision === this.lastRevision) return false;
    const lock = await readLockConfig(this.db);
    if (!!lock !== (this.state !== 'plain')) {
      // Locked or unlocked in another tab: start again from storage.
      this.dataKey = null;
      this.inboxPair = null;
      await this.open();
      this.notify();
      return true;
    }
    this.lock = lock;
    this.lastRevision = revision;
    if (this.state === 'plain') {
      const rows = await this.db.logContacts.where('updatedAt').aboveOrEqual(this.lastSeenUpdate).toArray();
      this.remember(rows);
      if ((await this.db.logContacts.count()) !== this.contacts.size) {
        this.setMemory(await this.db.logContacts.toArray());
      }
    } else if (this.state === 'unlocked') {
      const rows = await this.db.logSealed.where('updatedAt').aboveOrEqual(this.lastSeenUpdate).toArray();
      const fresh = await this.openSealedContacts(rows.filter((row) => row.kind === 'contact'));
      this.remember(fresh.contacts);
      const count = await this.db.logSealed.where('kind').equals('contact').count();
      if (count !== this.contacts.size + this.unreadable) {
        const all = await this.openSealedContacts(await this.db.logSealed.where('kind').equals('contact').toArray());
        this.unreadable = all.unreadable;
        this.setMemory(all.contacts);
      }
      await this.drainInbox();
    }
    this.notify();
    return true;
  }

  /** Calls `onChange` after this store changed, and watches other pages' writes. Returns a stop function. */
  subscribe(onChange: () => void): () => void {
    this.listeners.add(onChange);
    const subscription = liveQuery(() => readRevision(this.db)).subscribe({
      next: (revision) => {
        if (revision !== this.lastRevision) void this.refresh().catch(() => undefined);
      },
      error: () => undefined,
    });
    return () => {
      this.listeners.delete(onChange);
      subscription.unsubscribe();
    };
  }
}

export function createLogStore(options: LogStoreOptions = {}): LogStore {
  return new LogStore(options);
}
