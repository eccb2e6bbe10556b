import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExposureGuardDB } from '@/utils/db';
import { addWatch, type ExposureResult, getWatches, MAX_WATCH_LABEL_LENGTH, removeWatch } from '@/utils/exposure';
import type { Manifest } from '@/utils/exposure/manifest';
import { getWatchUpdate } from '@/utils/exposure/watches';

const manifest = { version: 'build-1', datasets: [], fields: [] } as unknown as Manifest;
const found: Extract<ExposureResult, { status: 'found' }> = {
  status: 'found',
  datasets: [],
  fields: [],
  datasetBits: 0b101,
  fieldBits: 0,
  manifest,
};
const notFound: Extract<ExposureResult, { status: 'not-found' }> = { status: 'not-found', manifest };

let db: ExposureGuardDB;
let count = 0;
beforeEach(() => {
  db = new ExposureGuardDB(`watches-test-${++count}`);
});
afterEach(async () => {
  db.close();
  await db.delete();
});

describe('addWatch', () => {
  it('stores the number seeded with the answer the user just saw', async () => {
    const { added, watch } = await addWatch(db, { e164: '+8613800138000', label: '  Mum ', result: found }, 1000);
    expect(added).toBe(true);
    expect(await db.watches.get(watch.id as number)).toEqual({
      id: watch.id,
      e164: '+8613800138000',
      label: 'Mum',
      createdAt: 1000,
      lastCheckedVersion: 'build-1',
      lastStatus: 'found',
      lastDatasetBits: 0b101,
      lastCheckedAt: 1000,
    });
  });

  it('keeps the existing record when the number is already watched', async () => {
    await addWatch(db, { e164: '+8613800138000', label: 'Mum', result: found }, 1000);
    const again = await addWatch(db, { e164: '+8613800138000', label: 'Mother', result: notFound }, 2000);
    expect(again.added).toBe(false);
    expect(again.watch).toMatchObject({ label: 'Mum', lastStatus: 'found', createdAt: 1000 });
    expect(await db.watches.count()).toBe(1);
  });

  it('caps the label length', async () => {
    const { watch } = await addWatch(db, { e164: '+14155552671', label: 'x'.repeat(100), result: notFound });
    expect(watch.label).toHaveLength(MAX_WATCH_LABEL_LENGTH);
  });
});

describe('getWatches and removeWatch', () => {
  it('lists oldest first and removes by id', async () => {
    const b = await addWatch(db, { e164: '+14155552671', label: 'B', result: notFound }, 2000);
    await addWatch(db, { e164: '+8613800138000', label: 'A', result: found }, 1000);
    expect((await getWatches(db)).map((w) => w.label)).toEqual(['A', 'B']);
    await removeWatch(db, b.watch.id as number);
    expect((await getWatches(db)).map((w) => w.label)).toEqual(['A']);
  });
});

describe('getWatchUpdate', () => {
  it('moves the version forward on an answer and keeps it on an error', () => {
    expect(getWatchUpdate(notFound, 5)).toEqual({
      lastStatus: 'not-found',
      lastDatasetBits: 0,
      lastCheckedVersion: 'build-1',
      lastCheckedAt: 5,
    });
    expect(getWatchUpdate({ status: 'error', code: 'unreachable' }, 6)).toEqual({
      lastStatus: 'error',
      lastCheckedAt: 6,
    });
  });
});
