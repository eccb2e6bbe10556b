/**
 * The contact log end to end in a real browser with the built extension: quick add from the popup,
 * search, edit, delete and undo, export, re-import into a fresh profile, persistence across reloads,
 * and the passphrase lock. Selectors are the log's stable ids; assertions avoid UI wording so the
 * tests hold in every UI language.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionSession, type ExtPage, launchExtension } from './harness';

const FORMATS = ['138-0013-8000', '+86 138 0013 8000', '008613800138000'];
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

describe('contact log', () => {
  let session: ExtensionSession;
  let exported = '';

  beforeAll(async () => {
    session = await launchExtension();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('@log three quick adds in different formats make one contact with three events', async () => {
    await quickAdd(session, FORMATS[0]!, '您的网贷已逾期，今天不还就通知通讯录');
    await quickAdd(session, FORMATS[1]!, '最后通牒，马上转账', 'sms');
    await quickAdd(session, FORMATS[2]!, '我是95555客服');
    const log = await openLog(session);
    await waitForRows(log, 1);
    await log.click('#log-list [data-contact-id] .log-row-open');
    await log.waitFor('#contact-timeline');
    expect(await log.text('#contact-count')).toBe('3');
    expect(await log.text('#contact-number')).toBe('+8613800138000');
    expect(await log.count('#contact-timeline [data-event-id]')).toBe(3);
    const timeline = await log.text('#contact-timeline');
    for (const format of FORMATS) expect(timeline).toContain(format);
    await log.close();
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
    expect(await log.text('#log-list')).toContain('+85291234567');
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

  it('@log exports JSON, CSV and a printable report', async () => {
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
    exported = json.text;

    await log.click('#export-csv');
    const csv = await lastDownload(log);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text).toContain('假快递客服');
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(3);

    await log.click('#export-report');
    await log.waitFor('#log-report');
    const report = await log.text('#log-report');
    expect(report).toContain('+8613800138000');
    expect(report).toContain('马上转账');
    expect(await log.count('#log-report section[data-contact-id]')).toBe(2);
    await log.click('#report-close');
    await log.waitFor('#tab-transfer');
    await log.close();
  });

  it('@log re-imports the backup into a fresh profile, refusing a broken file first', async () => {
    expect(exported).not.toBe('');
    const fresh = await launchExtension();
    try {
      const log = await openLog(fresh);
      await log.click('#tab-transfer');
      await chooseImportFile(log, exported.slice(0, exported.length / 2));
      await log.click('#import-submit');
      await log.waitFor('#import-file-error');
      await log.click('#tab-list');
      await waitForRows(log, 0);

      await log.click('#tab-transfer');
      await chooseImportFile(log, exported);
      await log.click('#import-submit');
      await log.waitFor('#import-result');
      await log.click('#tab-list');
      await waitForRows(log, 2);
      await search(log, '0013 8000');
      await waitForRows(log, 1);
      await log.click('#log-list [data-contact-id] .log-row-open');
      expect(await log.text('#contact-count')).toBe('3');
      await log.close();
    } finally {
      await fresh.close();
    }
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
      await log.click('#lock-understand');
      await log.click('#lock-enable');
      await log.waitFor('#lock-message', 30_000);
      await log.click('#log-lock-now');
      await log.waitFor('#unlock-passphrase');

      expect(await quickAdd(locked, '139 0013 9000', 'while locked')).toMatch(/\S/);

      await log.fill('#unlock-passphrase', 'not the passphrase');
      await log.click('#unlock-submit');
      await log.waitFor('#unlock-passphrase-error', 30_000);
      await log.fill('#unlock-passphrase', PASSPHRASE);
      await log.click('#unlock-submit');
      await log.waitFor('#log-search', 30_000);
      await waitForRows(log, 1);
      await log.click('#log-list [data-contact-id] .log-row-open');
      expect(await log.text('#contact-count')).toBe('2');
      await log.close();

      // Nothing readable is left on disk: a browser restart opens on the unlock form.
      await locked.close();
      locked = await launchExtension({ profileDir });
      log = await openLog(locked);
      await log.waitFor('#unlock-passphrase');
      expect(await log.count('#log-search')).toBe(0);
      await log.fill('#unlock-passphrase', PASSPHRASE);
      await log.click('#unlock-submit');
      await log.waitFor('#log-search', 30_000);
      await search(log, 'while locked');
      await waitForRows(log, 1);
      await log.close();
    } finally {
      await locked.close();
      rmSync(profileDir, { recursive: true, force: true });
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
