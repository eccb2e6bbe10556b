import Dexie, { type Table } from 'dexie';
import type { LogAttachmentBytes, LogContact, LogInboxItem, LogMetaRecord, LogSealedRecord } from '@/utils/log/records';

/** A number the user asked us to re-check when the range server publishes a new build. */
export interface WatchRecord {
  id?: number;
  /** E.164, the only form the range protocol accepts. */
  e164: string;
  /** "Me", "Mum"… so family helpers can tell watched numbers apart. */
  label: string;
  createdAt: number;
  /** Manifest version of the last completed check, null before the first. */
  lastCheckedVersion: string | null;
  lastStatus: 'found' | 'not-found' | 'error' | null;
  /** Dataset bitmask of the last "found" answer; a new bit means a new leak to notify about. */
  lastDatasetBits: number;
  lastCheckedAt: number | null;
}

/** Schema versions, named so each upgrade can be tested by seeding the version before it. */
export const SCHEMA_V1_WATCHES = 1;
/** v2 adds the private contact log (utils/log/); watches are untouched. */
export const SCHEMA_V2_CONTACT_LOG = 2;
export const LATEST_SCHEMA_VERSION = SCHEMA_V2_CONTACT_LOG;

export const DB_NAME = 'exposure-guard';

/** The extension's one IndexedDB database. */
export class ExposureGuardDB extends Dexie {
  watches!: Table<WatchRecord, number>;
  /** Contacts with their timeline embedded, while the log has no passphrase. */
  logContacts!: Table<LogContact, string>;
  /** Attachment bytes, apart from the contacts so lists never load them. */
  logAttachments!: Table<LogAttachmentBytes, string>;
  /** Contacts and attachments encrypted with the log's data key, while a passphrase is set. */
  logSealed!: Table<LogSealedRecord, string>;
  /** Entries added while the log is locked, sealed to its public key until the next unlock. */
  logInbox!: Table<LogInboxItem, string>;
  /** Lock configuration and the change counter other pages watch. */
  logMeta!: Table<LogMetaRecord, string>;

  constructor(name = DB_NAME) {
    super(name);
    this.version(SCHEMA_V1_WATCHES).stores({
      watches: '++id, &e164',
    });
    this.version(SCHEMA_V2_CONTACT_LOG).stores({
      logContacts: '&id, numberKey, updatedAt',
      logAttachments: '&id, contactId',
      logSealed: '&id, kind, updatedAt',
      logInbox: '&id',
      logMeta: '&key',
    });
  }
}

let shared: ExposureGuardDB | undefined;

/** The database instance for this page or worker, opened on first use. */
export function getDb(): ExposureGuardDB {
  shared ??= new ExposureGuardDB();
  return shared;
}
