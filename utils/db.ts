import Dexie, { type Table } from 'dexie';

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
export const LATEST_SCHEMA_VERSION = SCHEMA_V1_WATCHES;

export const DB_NAME = 'exposure-guard';

/** The extension's one IndexedDB database. */
export class ExposureGuardDB extends Dexie {
  watches!: Table<WatchRecord, number>;

  constructor(name = DB_NAME) {
    super(name);
    this.version(SCHEMA_V1_WATCHES).stores({
      watches: '++id, &e164',
    });
  }
}

let shared: ExposureGuardDB | undefined;

/** The database instance for this page or worker, opened on first use. */
export function getDb(): ExposureGuardDB {
  shared ??= new ExposureGuardDB();
  return shared;
}
