import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ExposureGuardDB,
  LATEST_SCHEMA_VERSION,
  SCHEMA_V1_WATCHES,
  SCHEMA_V2_CONTACT_LOG,
  type WatchRecord,
} from '@/utils/db';

const names: string[] = [];
function freshName(): string {
  const name = `db-test-${crypto.randomUUID()}`;
  names.push(name);
  return name;
}

afterEach(async () => {
  for (const name of names.splice(0)) await Dexie.delete(name);
});

const watch = (e164: string, label: string): WatchRecord => ({
  e164,
  label,
  createdAt: 1_700_000_000_000,
  lastCheckedVersion: '2024.1',
  lastStatus: 'found',
  lastDatasetBits: 5,
  lastCheckedAt: 1_700_000_100_000,
});

/** The database exactly as v1 of the extension created it. */
async function seedV1(name: string): Promise<void> {
  const v1 = new Dexie(name);
  v1.version(SCHEMA_V1_WATCHES).stores({ watches: '++id, &e164' });
  await v1.table('watches').bulkAdd([watch('+8613800138000', 'Me'), watch('+85291234567', 'Mum')]);
  v1.close();
}

describe('ExposureGuardDB schema', () => {
  it('names its versions and opens at the latest', async () => {
    expect(SCHEMA_V2_CONTACT_LOG).toBeGreaterThan(SCHEMA_V1_WATCHES);
    expect(LATEST_SCHEMA_VERSION).toBe(SCHEMA_V2_CONTACT_LOG);
    const db = new ExposureGuardDB(freshName());
    await db.open();
    expect(db.verno).toBe(LATEST_SCHEMA_VERSION);
    expect(db.tables.map((table) => table.name).sort()).toEqual(
      ['logAttachments', 'logContacts', 'logInbox', 'logMeta', 'logSealed', 'watches'].sort(),
    );
    expect(db.logContacts.schema.idxByName.numberKey).toBeDefined();
    expect(db.logContacts.schema.idxByName.updatedAt).toBeDefined();
    db.close();
  });

  it('upgrades a v1 database to v2 and keeps every watch', async () => {
    const name = freshName();
    await seedV1(name);
    const db = new ExposureGuardDB(name);
    await db.open();
    expect(db.verno).toBe(SCHEMA_V2_CONTACT_LOG);
    const watches = await db.watches.orderBy('id').toArray();
    expect(watches.map((row) => [row.e164, row.label, row.lastDatasetBits])).toEqual([
      ['+8613800138000', 'Me', 5],
      ['+85291234567', 'Mum', 5],
    ]);
    // The unique index still holds after the upgrade.
    await expect(db.watches.add(watch('+8613800138000', 'again'))).rejects.toThrow();
    // And the new tables are usable.
    expect(await db.logContacts.count()).toBe(0);
    await db.logMeta.put({ key: 'revision', value: 1 });
    expect(await db.logMeta.get('revision')).toEqual({ key: 'revision', value: 1 });
    db.close();
  });
});
