import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createRangeApp } from '@/server/app';
import { buildInMemory, createTestRangeService, type InMemoryDataset } from '@/server/testing';
import { ExposureGuardDB, getDb, type WatchRecord } from '@/utils/db';
import { addWatch, checkExposure, type FetchLike } from '@/utils/exposure';
import {
  EXPOSURE_ALARM_NAME,
  EXPOSURE_ALARM_PERIOD_MINUTES,
  runExposureMonitor,
  setupExposureMonitoring,
} from '@/utils/exposure/monitor';
import { saveSettings } from '@/utils/settings';
import { useLocaleMessages } from '../../support/fake-i18n';

const ENDPOINT = 'http://range.test';
const MUM = '+8613800138000';
const ME = '+8613912345678';

const LOAN_2019: InMemoryDataset = {
  id: 'loan-2019',
  title: { en: 'Loan app 2019', 'zh-CN': '借贷 App 2019' },
  published: '2019-06-05',
  fields: ['name', 'loan_amount'],
  numbers: [ME, '+8615000000001'],
};
const COLLECTOR_2024: InMemoryDataset = {
  id: 'collector-2024',
  title: { en: 'Collector list 2024', 'zh-CN': '催收名单 2024' },
  published: '2024-02-01',
  fields: ['contacts'],
  numbers: [MUM, ME],
};

/** A range server whose key survives rebuilds, like the real one between two builds. */
function createServer(datasets: InMemoryDataset[]) {
  const service = createTestRangeService({ prefixBits: 8, datasets });
  let app = service.app;
  let version = service.manifest.version;
  let failEvaluate = false;
  const requests: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    if (failEvaluate && url.endsWith('/v1/evaluate')) return new Response('down', { status: 500 });
    return app.request(url, init);
  };
  return {
    publicKey: service.publicKey,
    fetch,
    requests,
    get version() {
      return version;
    },
    /** Publishes a new build with the same key. */
    rebuild(next: InMemoryDataset[]) {
      const build = buildInMemory({ secretKey: service.secretKey, prefixBits: 8, datasets: next });
      app = createRangeApp({ store: build.store, secretKey: service.secretKey, rateLimitPerMinute: 1_000_000 });
      version = build.manifest.version;
    },
    setFailEvaluate(fail: boolean) {
      failEvaluate = fail;
    },
  };
}

let db: ExposureGuardDB;
let dbCount = 0;

beforeEach(async () => {
  fakeBrowser.reset();
  useLocaleMessages('en');
  db = new ExposureGuardDB(`monitor-test-${++dbCount}`);
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  db.close();
  await db.delete();
});

async function watchNumber(server: ReturnType<typeof createServer>, e164: string, label: string) {
  const result = await checkExposure({ e164, endpoint: ENDPOINT, pinnedKey: server.publicKey, fetch: server.fetch });
  if (result.status === 'error') throw new Error(`setup check failed: ${result.code}`);
  return (await addWatch(db, { e164, label, result })).watch;
}

async function getWatch(e164: string): Promise<WatchRecord> {
  return (await db.watches.where('e164').equals(e164).first()) as WatchRecord;
}

describe('runExposureMonitor', () => {
  it('makes no request at all while nothing is watched', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    const summary = await runExposureMonitor({ db, fetch: server.fetch });
    expect(summary).toEqual({ checked: 0, newlyFound: 0, failed: 0 });
    expect(server.requests).toEqual([]);
  });

  it('only reads the manifest while the build is unchanged', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    await watchNumber(server, MUM, 'Mum');
    server.requests.length = 0;
    const notify = vi.fn(async () => undefined);
    const summary = await runExposureMonitor({ db, fetch: server.fetch, notify });
    expect(summary).toEqual({ checked: 0, newlyFound: 0, failed: 0 });
    expect(server.requests).toEqual(['GET /v1/manifest']);
    expect(notify).not.toHaveBeenCalled();
  });

  it('re-checks after a new build and notifies once when a watched number newly appears', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    await watchNumber(server, MUM, 'Mum');
    expect(await getWatch(MUM)).toMatchObject({ lastStatus: 'not-found', lastDatasetBits: 0 });

    server.rebuild([LOAN_2019, COLLECTOR_2024]);
    const summary = await runExposureMonitor({ db, fetch: server.fetch, now: () => 1234 });
    expect(summary).toEqual({ checked: 1, newlyFound: 1, failed: 0 });
    expect(await getWatch(MUM)).toMatchObject({
      lastStatus: 'found',
      lastDatasetBits: 0b10,
      lastCheckedVersion: server.version,
      lastCheckedAt: 1234,
    });

    const notifications = fakeBrowser.notifications.getAllCreateOptions();
    const [id, options] = Object.entries(notifications)[0] ?? [];
    expect(Object.keys(notifications)).toHaveLength(1);
    expect(id).toMatch(/^exposure-watch-\d+$/);
    expect(options).toMatchObject({ type: 'basic', title: 'A watched number is in a new leak' });
    expect(options?.message).toContain('"Mum" appears in: Collector list 2024');
    // Labels, not numbers, go into a notification that may show on a locked screen.
    expect(options?.message).not.toContain('13800138000');

    // The same build again: nothing new, no second notification.
    await fakeBrowser.notifications.clear(id as string);
    expect(await runExposureMonitor({ db, fetch: server.fetch })).toEqual({ checked: 0, newlyFound: 0, failed: 0 });
    expect(Object.keys(fakeBrowser.notifications.getAllCreateOptions())).toHaveLength(0);
  });

  it('notifies only about datasets the number was not in before', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    await watchNumber(server, ME, 'Me');
    expect(await getWatch(ME)).toMatchObject({ lastStatus: 'found', lastDatasetBits: 0b01 });

    const notify = vi.fn(async () => undefined);
    // A rebuild that adds nothing for this number: re-checked, still found, not news.
    server.rebuild([LOAN_2019, { ...COLLECTOR_2024, numbers: [MUM] }]);
    expect(await runExposureMonitor({ db, fetch: server.fetch, notify })).toEqual({
      checked: 1,
      newlyFound: 0,
      failed: 0,
    });
    expect(notify).not.toHaveBeenCalled();

    server.rebuild([LOAN_2019, COLLECTOR_2024]);
    expect(await runExposureMonitor({ db, fetch: server.fetch, notify })).toMatchObject({ newlyFound: 1 });
    expect(notify).toHaveBeenCalledTimes(1);
    const [watch, datasets] = notify.mock.calls[0] as unknown as [WatchRecord, { id: string }[]];
    expect(watch.label).toBe('Me');
    expect(datasets.map((d) => d.id)).toEqual(['collector-2024']);
  });

  it('re-checks every watch with force, even on the same build', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    await watchNumber(server, MUM, 'Mum');
    await watchNumber(server, ME, 'Me');
    server.requests.length = 0;
    expect(await runExposureMonitor({ db, fetch: server.fetch, force: true })).toEqual({
      checked: 2,
      newlyFound: 0,
      failed: 0,
    });
    expect(server.requests.filter((r) => r === 'POST /v1/evaluate')).toHaveLength(2);
  });

  it('stops on a changed server key and leaves the watches as they were', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    const before = await watchNumber(server, MUM, 'Mum');
    const impostor = createServer([LOAN_2019, COLLECTOR_2024]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    const summary = await runExposureMonitor({ db, fetch: impostor.fetch });
    expect(summary).toEqual({ checked: 0, newlyFound: 0, failed: 0, error: 'key-changed' });
    expect(impostor.requests).toEqual(['GET /v1/manifest']);
    expect(await getWatch(MUM)).toEqual(before);
  });

  it('marks a failed check and retries it on the next run', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    await watchNumber(server, MUM, 'Mum');
    server.rebuild([LOAN_2019, COLLECTOR_2024]);
    server.setFailEvaluate(true);
    const notify = vi.fn(async () => undefined);
    expect(await runExposureMonitor({ db, fetch: server.fetch, notify, retryDelayMs: 0 })).toEqual({
      checked: 0,
      newlyFound: 0,
      failed: 1,
    });
    const failed = await getWatch(MUM);
    expect(failed.lastStatus).toBe('error');
    expect(failed.lastCheckedVersion).not.toBe(server.version);
    expect(failed.lastDatasetBits).toBe(0);

    server.setFailEvaluate(false);
    expect(await runExposureMonitor({ db, fetch: server.fetch, notify })).toMatchObject({ checked: 1, newlyFound: 1 });
    expect(notify).toHaveBeenCalledTimes(1);
  });

  it('does nothing when no server is configured', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    await watchNumber(server, MUM, 'Mum');
    await saveSettings({ endpoint: '', pinnedKey: '' });
    server.requests.length = 0;
    expect(await runExposureMonitor({ db, fetch: server.fetch })).toMatchObject({ error: 'not-configured' });
    expect(server.requests).toEqual([]);
  });

  it('shares one run between overlapping callers', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    await watchNumber(server, MUM, 'Mum');
    server.rebuild([LOAN_2019, COLLECTOR_2024]);
    const notify = vi.fn(async () => undefined);
    const [a, b] = await Promise.all([
      runExposureMonitor({ db, fetch: server.fetch, notify }),
      runExposureMonitor({ db, fetch: server.fetch, notify }),
    ]);
    expect(a).toBe(b);
    expect(notify).toHaveBeenCalledTimes(1);
  });
});

describe('setupExposureMonitoring', () => {
  it('creates the daily alarm once and runs the monitor when it fires', async () => {
    const server = createServer([LOAN_2019]);
    await saveSettings({ endpoint: ENDPOINT, pinnedKey: server.publicKey });
    vi.stubGlobal('fetch', (url: string, init?: RequestInit) => server.fetch(url, init));
    const shared = getDb();
    await shared.watches.clear();
    const result = await checkExposure({
      e164: MUM,
      endpoint: ENDPOINT,
      pinnedKey: server.publicKey,
      fetch: server.fetch,
    });
    if (result.status === 'error') throw new Error(result.code);
    await addWatch(shared, { e164: MUM, label: 'Mum', result });

    setupExposureMonitoring();
    await vi.waitFor(async () => expect(await fakeBrowser.alarms.get(EXPOSURE_ALARM_NAME)).toBeDefined());
    expect(await fakeBrowser.alarms.get(EXPOSURE_ALARM_NAME)).toMatchObject({
      periodInMinutes: EXPOSURE_ALARM_PERIOD_MINUTES,
    });

    server.rebuild([LOAN_2019, COLLECTOR_2024]);
    server.requests.length = 0;
    await fakeBrowser.alarms.onAlarm.trigger({
      name: EXPOSURE_ALARM_NAME,
      scheduledTime: Date.now(),
      persistAcrossSessions: false,
    });
    // The alarm started a run; joining it waits for that same run to finish.
    await runExposureMonitor();
    expect(server.requests).toContain('POST /v1/evaluate');
    const created = Object.values(fakeBrowser.notifications.getAllCreateOptions());
    expect(created).toHaveLength(1);
    expect(created[0]?.message).toContain('Mum');

    // Other alarms are not ours.
    server.requests.length = 0;
    await fakeBrowser.alarms.onAlarm.trigger({
      name: 'something-else',
      scheduledTime: Date.now(),
      persistAcrossSessions: false,
    });
    // Had the listener started a run, this call would join it; otherwise it runs on an empty database.
    await runExposureMonitor({ db, fetch: server.fetch, force: true });
    expect(server.requests).toEqual([]);
    await shared.watches.clear();
  });

  it('keeps an existing alarm rather than resetting its schedule', async () => {
    await fakeBrowser.alarms.create(EXPOSURE_ALARM_NAME, { when: 42, periodInMinutes: EXPOSURE_ALARM_PERIOD_MINUTES });
    setupExposureMonitoring();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await fakeBrowser.alarms.getAll()).toHaveLength(1);
    expect((await fakeBrowser.alarms.get(EXPOSURE_ALARM_NAME))?.scheduledTime).toBe(42);
  });
});
