/**
 * The contact log end to end in a real browser with the built extension: the "done when" (three
 * calls in three formats, a report, a backup re-imported into a wiped profile), search, edit, delete and
 * undo, export, persistence across reloads and extension updates, the passphrase lock, and saving a scam
 * check. Selectors are the log's stable ids and data attributes; assertions avoid UI wording so the tests
 * hold in every UI language.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExtensionBuild, type ExtensionSession, type ExtPage, launchExtension } from './harness';

/** One caller, three calls, each time the number written another way. */
const CALLS = [
  { number: '138 0013 8000', channel: 'call', said: '您的网贷已逾期，今天不还就通知你通讯录里的所有人' },
  { number: '+86 138-0013-8000', channel: 'sms', said: '最后通牒：今天下午5点前还款，否则上门' },
  { number: '008613800138000', channel: 'call', said: '我是平台法务，再不还款就起诉你' },
];
const DEMANDED = '今天下午5点前转账3000元到指定账户';
/** A collector's text message as pasted into the popup's scam check. */
const SCAM_SMS =
  '【平台客服】您的借款已严重逾期，今天不还款将通知您通讯录所有联系人，并上门催收。请马上转账到指定账户。';
const PASSPHRASE = '家里人都知道的一句话 2025';

async function quickAdd(session: ExtensionSession, number: string, said: string, channel = 'call') {
  const popup = await session.openPage('popup.html', '[role="tab"]');
  await popup.click('#tab-log');
  await popup.waitFor('#quick-add-number');
  await popup.fill('#quick-add-number', number);
  await popup.select('#quick-add-channel', channel);
  await popup.fill('#quick-add-said', said);
  await popup.click('#quick-add-save');
  await popup.waitFor('#quick-add-status');
  const status = await popup.text('#quick-add-status');
  await popup.close();
  return status;
}

async function openLog(session: ExtensionSession): Promise<ExtPage> {
  return session.openPage('log.html', '#log-search, #unlock-passphrase');
}

/** Records every Blob the page turns into a download link, so a test can read exported files. */
async function captureDownloads(page: ExtPage): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __downloads: Blob[] };
    w.__downloads = [];
    const original = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      if (blob instanceof Blob) w.__downloads.push(blob);
      return original(blob);
    };
  });
}

async function lastDownload(page: ExtPage): Promise<{ text: string; type: string; count: number }> {
  return page.evaluate(async () => {
    const list = (window as unknown as { __downloads: Blob[] }).__downloads;
    const blob = list[list.length - 1] as Blob;
    const bytes = new Uint8Array(await blob.arrayBuffer());
    // Keep a leading BOM visible to the test (TextDecoder would strip it).
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    return { text, type: blob.type, count: list.length };
  });
}

async function chooseImportFile(page: ExtPage, text: string, name = 'backup.json'): Promise<void> {
  await page.evaluate(
    ({ text, name }) => {
      const input = document.querySelector('#import-file') as HTMLInputElement;
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type: 'application/json' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { text, name },
  );
}

/** Types into the search box; an empty query is set directly (an empty fill sends no input event everywhere). */
async function search(page: ExtPage, text: string): Promise<void> {
  if (text) {
    await page.fill('#log-search', text);
    return;
  }
  await page.evaluate(() => {
    const input = document.querySelector('#log-search') as HTMLInputElement;
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function waitForRows(page: ExtPage, expected: number): Promise<void> {
  await page.evaluate(
    (n) =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          if (document.querySelectorAll('#log-list [data-contact-id]').length === n) resolve();
          else if (Date.now() - started > 15_000) {
            const shown = document.querySelectorAll('#log-list [data-contact-id]').length;
            const query = (document.querySelector('#log-search') as HTMLInputElement | null)?.value;
            reject(new Error(`expected ${n} rows, found ${shown} for the search "${query}"`));
          } else setTimeout(tick, 50);
        };
        tick();
      }),
    expected,
  );
}

/** Opens the one contact the list shows. */
async function openOnlyContact(page: ExtPage): Promise<void> {
  await waitForRows(page, 1);
  await page.click('#log-list [data-contact-id] .log-row-open');
  await page.waitFor('#contact-timeline');
}

/** Everything the detail view shows about the open contact, to compare before and after a round trip. */
function readOpenContact(page: ExtPage) {
  return page.evaluate(() => {
    const text = (selector: string) => document.querySelector(selector)?.textContent ?? '';
    return {
      facts: text('#log-detail .log-facts'),
      status: document.querySelector('#contact-status')?.getAttribute('data-status') ?? '',
      scripts: [...document.querySelectorAll('#contact-scripts [data-script]')].map((el) =>
        el.getAttribute('data-script'),
      ),
      events: [...document.querySelectorAll('#contact-timeline [data-event-id]')].map((li) => ({
        id: li.getAttribute('data-event-id'),
        text: li.textContent ?? '',
      })),
    };
  });
}

/** The version in the running extension's manifest. */
function getRunningVersion(page: ExtPage): Promise<string> {
  return page.evaluate(
    () =>
      (
        globalThis as unknown as { chrome: { runtime: { getManifest(): { version: string } } } }
      ).chrome.runtime.getManifest().version,
  );
}

/** Turns the passphrase lock on from the log page's lock tab (acknowledging the warning). */
async function enableLock(log: ExtPage): Promise<void> {
  await log.click('#tab-lock');
  await log.waitFor('#lock-warning');
  await log.fill('#lock-passphrase', PASSPHRASE);
  await log.fill('#lock-passphrase-confirm', PASSPHRASE);
  await log.click('#lock-understand');
  await log.click('#lock-enable');
  await log.waitFor('#lock-message', 30_000);
}

async function unlock(log: ExtPage): Promise<void> {
  await log.fill('#unlock-passphrase', PASSPHRASE);
  await log.click('#unlock-submit');
  await log.waitFor('#log-search', 30_000);
}

/** A watched number as v1 of the extension stored it (before the contact log existed). */
const V1_WATCH = {
  e164: '+8613900139000',
  label: '妈妈',
  createdAt: Date.UTC(2025, 0, 1),
  lastCheckedVersion: '2025.1',
  lastStatus: 'not-found',
  lastDatasetBits: 0,
  lastCheckedAt: Date.UTC(2025, 0, 2),
};

/**
 * Runs in an extension page: writes the database exactly as schema v1 (SCHEMA_V1_WATCHES, Dexie's
 * version 1 = IndexedDB version 10) left it, with one watch. Refuses if the database already exists.
 */
function seedSchemaV1(watch: typeof V1_WATCH): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('exposure-guard', 10);
    request.onupgradeneeded = (event) => {
      if (event.oldVersion !== 0) {
        request.transaction?.abort();
        return;
      }
      const store = request.result.createObjectStore('watches', { keyPath: 'id', autoIncrement: true });
      store.createIndex('e164', 'e164', { unique: true });
      store.add(watch);
    };
    request.onsuccess = () => {
      request.result.close();
      resolve();
    };
    request.onerror = () => reject(new Error(`could not write a v1 database: ${request.error?.message}`));
  });
}

/** Runs in an extension page: the database's IndexedDB version and tables, and the watches in it. */
function readDatabase(): Promise<{ version: number; tables: string[]; watches: unknown[] }> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('exposure-guard');
    request.onsuccess = () => {
      const db = request.result;
      const read = db.transaction('watches').objectStore('watches').getAll();
      read.onsuccess = () => {
        resolve({ version: db.version, tables: [...db.objectStoreNames].sort(), watches: read.result });
        db.close();
      };
      read.onerror = () => reject(read.error);
    };
    request.onerror = () => reject(request.error);
  });
}

describe('contact log', () => {
  let session: ExtensionSession;

  beforeAll(async () => {
    session = await launchExtension();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('@log done when: three calls in three formats are one contact; report, backup, wiped profile, re-import', async () => {
    // A new user logs three calls from the same number, written three ways, from the popup.
    for (const call of CALLS) await quickAdd(session, call.number, call.said, call.channel);
    const log = await openLog(session);
    await openOnlyContact(log);
    expect(await log.text('#contact-count')).toBe('3');
    expect(await log.attribute('#contact-number', 'data-e164')).toBe('+8613800138000');
    expect(await log.count('#contact-timeline [data-event-id]')).toBe(3);
    const timeline = await log.text('#contact-timeline');
    for (const call of CALLS) {
      expect(timeline).toContain(call.number);
      expect(timeline).toContain(call.said);
    }
    // Then writes down what was demanded, marks it reported and tags it.
    await log.click('#contact-edit');
    await log.fill('#edit-demanded', DEMANDED);
    await log.select('#edit-status', 'reported');
    await log.fill('#edit-tags', '网贷, 催收');
    await log.click('#edit-save');
    await log.waitForAttribute('#contact-status', 'data-status', 'reported');
    const before = await readOpenContact(log);
    expect(before.scripts.length).toBeGreaterThan(0);
    expect(before.facts).toContain(DEMANDED);
    expect(await log.text('#contact-tags')).toMatch(/网贷.*催收/);

    // The printable report: the timeline, what was demanded and the matched scripts.
    await captureDownloads(log);
    await log.click('#tab-transfer');
    await log.click('#export-report');
    await log.waitFor('#log-report');
    expect(await log.count('#log-report section[data-contact-id]')).toBe(1);
    const report = await log.text('#log-report');
    expect(report).toContain('+86 138 0013 8000');
    expect(report).toContain(DEMANDED);
    expect(await log.count('#log-report tr[data-event-id]')).toBe(3);
    const rows = await log.text('#log-report tbody');
    for (const call of CALLS) {
      expect(rows).toContain(call.number);
      expect(rows).toContain(call.said);
    }
    const reportScripts = await log.evaluate(() =>
      [...document.querySelectorAll('#log-report li[data-script]')].map((li) => li.getAttribute('data-script')),
    );
    expect(reportScripts).toEqual(before.scripts);
    await log.click('#report-close');

    // The JSON backup.
    await log.click('#tab-transfer');
    await log.click('#export-json');
    await log.waitFor('#transfer-message');
    const backup = (await lastDownload(log)).text;
    const doc = JSON.parse(backup) as { format: string; version: number; contacts: { events: unknown[] }[] };
    expect([doc.format, doc.version]).toEqual(['exposure-guard-contact-log', 1]);
    expect(doc.contacts.map((contact) => contact.events.length)).toEqual([3]);
    await log.close();

    // A wiped profile: a broken file is refused and changes nothing, then the backup brings everything back.
    const fresh = await launchExtension();
    try {
      const restored = await openLog(fresh);
      await restored.click('#tab-transfer');
      await chooseImportFile(restored, backup.slice(0, backup.length / 2));
      await restored.click('#import-submit');
      await restored.waitFor('#import-file-error');
      await restored.click('#tab-list');
      await waitForRows(restored, 0);
      await restored.click('#tab-transfer');
      await chooseImportFile(restored, backup);
      await restored.click('#import-submit');
      await restored.waitFor('#import-result');
      await restored.click('#tab-list');
      await search(restored, '0013 8000');
      await openOnlyContact(restored);
      expect(await readOpenContact(restored)).toEqual(before);
      expect(await restored.text('#contact-count')).toBe('3');
      await restored.close();
    } finally {
      await fresh.close();
    }
  });

  it('@log searches as you type by number in another format, name and Chinese words', async () => {
    await quickAdd(session, '+852 9123 4567', '快递丢失，理赔请加微信');
    const log = await openLog(session);
    await waitForRows(log, 2);
    await search(log, '138 0013');
    await waitForRows(log, 1);
    await search(log, '通讯录');
    await waitForRows(log, 1);
    await search(log, '理赔');
    await waitForRows(log, 1);
    expect(await log.text('#log-list')).toContain('+852 9123 4567');
    await search(log, 'no such words 无此内容');
    await waitForRows(log, 0);
    await search(log, '');
    await waitForRows(log, 2);
    await log.close();
  });

  it('@log edits a contact, deletes it with confirmation and undoes the delete', async () => {
    const log = await openLog(session);
    await search(log, '9123');
    await waitForRows(log, 1);
    await log.click('#log-list [data-contact-id] .log-row-open');
    await log.click('#contact-edit');
    await log.fill('#edit-name', '假快递客服');
    await log.select('#edit-status', 'reported');
    await log.click('#edit-save');
    await log.waitForText('#contact-title', /假快递客服/);

    await log.click('#contact-delete');
    await log.waitFor('#confirm-dialog[open]');
    // Cancelling keeps it.
    await log.click('#confirm-no');
    expect(await log.text('#contact-title')).toBe('假快递客服');
    await log.click('#contact-delete');
    await log.click('#confirm-yes');
    await log.waitFor('#log-undo');
    await search(log, '');
    await waitForRows(log, 1);
    await log.click('#log-undo');
    await waitForRows(log, 2);
    expect(await log.text('#log-list')).toContain('假快递客服');
    await log.close();
  });

  it('@log keeps everything across a reload', async () => {
    const log = await openLog(session);
    await waitForRows(log, 2);
    await log.reload('#log-search');
    await waitForRows(log, 2);
    expect(await log.text('#log-list')).toContain('假快递客服');
    await log.close();
  });

  it('@log exports JSON and CSV of the whole log', async () => {
    const log = await openLog(session);
    await captureDownloads(log);
    await log.click('#tab-transfer');
    await log.click('#export-json');
    await log.waitFor('#transfer-message');
    const json = await lastDownload(log);
    const doc = JSON.parse(json.text) as { format: string; version: number; contacts: { count: number }[] };
    expect(doc.format).toBe('exposure-guard-contact-log');
    expect(doc.version).toBe(1);
    expect(doc.contacts.map((contact) => contact.count).sort()).toEqual([1, 3]);

    await log.click('#export-csv');
    const csv = await lastDownload(log);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text).toContain('假快递客服');
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(3);
    await log.close();
  });

  it('@log locks the log: wrong passphrase refused, popup adds while locked, unlock shows all', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'eg-log-lock-'));
    let locked = await launchExtension({ profileDir });
    try {
      await quickAdd(locked, '13900139000', 'before the lock');
      let log = await openLog(locked);
      await waitForRows(log, 1);
      await log.click('#tab-lock');
      await log.waitFor('#lock-warning');
      await log.fill('#lock-passphrase', PASSPHRASE);
      await log.fill('#lock-passphrase-confirm', PASSPHRASE);
      await log.click('#lock-enable');
      // Refused until the unrecoverable-passphrase warning is acknowledged.
      await log.waitFor('#lock-passphrase-error');
      await enableLock(log);
      await log.click('#log-lock-now');
      await log.waitFor('#unlock-passphrase');

      expect(await quickAdd(locked, '139 0013 9000', 'while locked')).toMatch(/\S/);

      await log.fill('#unlock-passphrase', 'not the passphrase');
      await log.click('#unlock-submit');
      await log.waitFor('#unlock-passphrase-error', 30_000);
      await unlock(log);
      await openOnlyContact(log);
      expect(await log.text('#contact-count')).toBe('2');
      await log.close();

      // Nothing readable is left on disk: a browser restart opens on the unlock form.
      await locked.close();
      locked = await launchExtension({ profileDir });
      log = await openLog(locked);
      await log.waitFor('#unlock-passphrase');
      expect(await log.count('#log-search')).toBe(0);
      await unlock(log);
      await search(log, 'while locked');
      await waitForRows(log, 1);
      await log.close();
    } finally {
      await locked.close();
      rmSync(profileDir, { recursive: true, force: true });
    }
  });

  it('@log saves a scam check with the caller number to the log, with its matched scripts', async () => {
    const popup = await session.openPage('popup.html', '[role="tab"]');
    await popup.click('#tab-scam');
    await popup.waitFor('#scam-text');
    await popup.fill('#scam-text', SCAM_SMS);
    await popup.fill('#scam-caller', '+86 171 2345 6789');
    await popup.click('#check-scam');
    await popup.waitForAttribute('#scam-result', 'data-verdict', 'scam');
    const matched = await popup.evaluate(() =>
      [...document.querySelectorAll('#scam-result [data-script]')].map((el) => el.getAttribute('data-script')),
    );
    expect(matched.length).toBeGreaterThan(0);
    await popup.click('#scam-save');
    await popup.waitForText('#scam-result [role="status"]', /\S/);
    await popup.close();

    const log = await openLog(session);
    await search(log, '171 2345');
    await openOnlyContact(log);
    expect(await log.attribute('#contact-number', 'data-e164')).toBe('+8617123456789');
    expect(await log.attribute('#contact-risk', 'data-risk')).toBe('high');
    const saved = await readOpenContact(log);
    expect(saved.scripts).toEqual(matched);
    expect(saved.events).toHaveLength(1);
    expect(saved.events[0]?.text).toContain(SCAM_SMS);
    // The timeline entry names its scripts as well.
    expect(await log.text('#contact-timeline')).toContain(await log.text('#contact-scripts [data-script]'));
    await log.close();
  });

  it('@log keeps the log, locked too, across an extension reload and an update to a newer version', async () => {
    const current = copyExtensionBuild();
    const newer = copyExtensionBuild({ bumpVersion: true });
    const updating = await launchExtension({ extensionDir: current.dir });
    try {
      for (const call of CALLS) await quickAdd(updating, call.number, call.said, call.channel);
      await quickAdd(updating, '+852 9123 4567', '快递丢失，理赔请加微信', 'chat');
      let log = await openLog(updating);
      await search(log, '0013 8000');
      await openOnlyContact(log);
      const before = await readOpenContact(log);
      expect(before.events).toHaveLength(3);
      await log.close();

      // The browser restarts the extension (runtime.reload, as after a crash or a developer's reload).
      await updating.reloadExtension();
      log = await openLog(updating);
      await waitForRows(log, 2);
      await search(log, '0013 8000');
      await openOnlyContact(log);
      expect(await readOpenContact(log)).toEqual(before);

      // Locked, with an entry waiting in the inbox, when the update arrives.
      await enableLock(log);
      await log.click('#log-lock-now');
      await log.waitFor('#unlock-passphrase');
      await log.close();
      await quickAdd(updating, '139 0013 9000', 'logged while locked, before the update');

      await updating.updateExtension(newer.dir);
      log = await openLog(updating);
      expect(await getRunningVersion(log)).toBe(newer.version);
      // Still locked: nothing is readable without the passphrase, and a wrong one changes nothing.
      await log.waitFor('#unlock-passphrase');
      expect(await log.count('#log-search')).toBe(0);
      await unlock(log);
      await waitForRows(log, 3);
      await search(log, 'before the update');
      await waitForRows(log, 1);
      await search(log, '0013 8000');
      await openOnlyContact(log);
      expect(await readOpenContact(log)).toEqual(before);
      await log.close();
    } finally {
      await updating.close();
      rmSync(current.dir, { recursive: true, force: true });
      rmSync(newer.dir, { recursive: true, force: true });
    }
  });

  it('@log an update upgrades a database from before the log (schema v1): watches kept, log works', async () => {
    const current = copyExtensionBuild();
    const newer = copyExtensionBuild({ bumpVersion: true });
    const upgrading = await launchExtension({ extensionDir: current.dir });
    try {
      // The Learn page never opens the database, so it does not exist yet: write it as v1 left it.
      const learn = await upgrading.openPage('learn.html');
      await learn.evaluate(seedSchemaV1, V1_WATCH);
      expect(await learn.evaluate(readDatabase)).toEqual({
        version: 10,
        tables: ['watches'],
        watches: [{ ...V1_WATCH, id: 1 }],
      });
      await learn.close();

      await upgrading.updateExtension(newer.dir);
      // The new version's Dexie runs the v1 -> v2 upgrade on first open: the watch is still there...
      const popup = await upgrading.openPage('popup.html', '[role="tab"]');
      expect(await popup.waitForText('#watch-list .watch-label', /妈妈/)).toBe('妈妈');
      const database = await popup.evaluate(readDatabase);
      expect(database.version).toBe(20);
      expect(database.tables).toEqual(['logAttachments', 'logContacts', 'logInbox', 'logMeta', 'logSealed', 'watches']);
      expect(database.watches).toEqual([{ ...V1_WATCH, id: 1 }]);
      await popup.close();
      // ...and the log's new tables work.
      await quickAdd(upgrading, CALLS[0]!.number, CALLS[0]!.said);
      const log = await openLog(upgrading);
      await openOnlyContact(log);
      expect(await log.attribute('#contact-number', 'data-e164')).toBe('+8613800138000');
      await log.close();
    } finally {
      await upgrading.close();
      rmSync(current.dir, { recursive: true, force: true });
      rmSync(newer.dir, { recursive: true, force: true });
    }
  });

  it('@log has no serious accessibility violations on the list, detail and lock views', async () => {
    const log = await openLog(session);
    expect(await log.getSeriousAxeViolations()).toEqual([]);
    await log.click('#log-list [data-contact-id] .log-row-open');
    await log.waitFor('#contact-timeline');
    expect(await log.getSeriousAxeViolations()).toEqual([]);
    await log.click('#tab-lock');
    expect(await log.getSeriousAxeViolations()).toEqual([]);
    await log.close();
  });
});
