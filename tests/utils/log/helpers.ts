import Dexie from 'dexie';
import { ExposureGuardDB } from '@/utils/db';
import { createLogStore, type LogStore, type LogStoreOptions } from '@/utils/log';

/** Cheap scrypt for tests (the product uses DEFAULT_KDF_COST); the code path is the same. */
export const TEST_KDF_COST = { N: 1024, r: 8, p: 1 };

const opened: ExposureGuardDB[] = [];

/** A store on its own fresh database, with a test clock that advances one second per call. */
export async function createTestStore(
  options: Partial<LogStoreOptions> & { name?: string } = {},
): Promise<{ store: LogStore; db: ExposureGuardDB; clock: { now: number } }> {
  const db = options.db ?? new ExposureGuardDB(options.name ?? `log-test-${crypto.randomUUID()}`);
  opened.push(db);
  const clock = { now: Date.UTC(2025, 0, 1, 9, 0, 0) };
  const store = createLogStore({
    db,
    defaultCountry: 'CN',
    kdfCost: TEST_KDF_COST,
    now: () => (clock.now += 1000),
    ...options,
  });
  await store.open();
  return { store, db, clock };
}

export async function deleteTestDatabases(): Promise<void> {
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
}
