/**
 * The private exposure check end to end, in a real browser with the built extension, against a
 * range server running in this process on a loopback port. Also the privacy test: nothing the
 * extension sends during a check holds the number, in any format or as a plain hash.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64, base64urlnopad } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRangeService, type TestRangeService } from '../../server/testing';
import { normalizePhone } from '../../utils/phone';
import { type ExtensionSession, type ExtPage, launchExtension } from './harness';

const EXPOSED = { typed: '138 0013 8000', e164: '+8613800138000', national: '13800138000' };
const CLEAN = { typed: '139-1234-5678', e164: '+8613912345678', national: '13912345678' };
// Checked only in the privacy test, so its bucket is not in the browser cache and must reach the server.
const FRESH = { typed: '+86 137 1111 2222', e164: '+8613711112222', national: '13711112222' };

interface ServerRequest {
  method: string;
  url: string;
  body: string;
}

interface RunningServer {
  url: string;
  requests: ServerRequest[];
  close(): Promise<void>;
}

/** Serves the app on a free loopback port, recording every request it receives (URL and body). */
function startServer(service: TestRangeService): Promise<RunningServer> {
  const requests: ServerRequest[] = [];
  return new Promise((resolve) => {
    const server = serve(
      {
        hostname: '127.0.0.1',
        port: 0,
        fetch: async (request, env) => {
          requests.push({ method: request.method, url: request.url, body: await request.clone().text() });
          return service.app.fetch(request, env);
        },
      },
      (info: AddressInfo) =>
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          requests,
          close: () =>
            new Promise<void>((done) => {
              // Browsers keep connections alive; drop them so close() returns and the port refuses.
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
              server.close(() => done());
            }),
        }),
    );
  });
}

/** Every way the number could leak: its digits as typed or formatted, its E.164, and plain hashes of them. */
function getForbiddenForms(number: { typed: string; e164: string; national: string }): string[] {
  const digits = number.e164.slice(1);
  const formatted = normalizePhone(number.e164, 'CN');
  if (!formatted.ok) throw new Error(`not a valid test number: ${number.e164}`);
  const texts = [
    number.typed,
    number.e164,
    digits,
    number.national,
    `00${digits}`,
    formatted.national,
    formatted.international,
    formatted.national.replaceAll(' ', '-'),
  ];
  const forms = new Set<string>();
  for (const text of texts) {
    forms.add(text);
    forms.add(encodeURIComponent(text));
    for (const hash of [sha256, sha1, md5]) {
      const bytes = hash(utf8ToBytes(text));
      forms.add(bytesToHex(bytes));
      forms.add(bytesToHex(bytes).toUpperCase());
      forms.add(base64.encode(bytes));
      forms.add(base64urlnopad.encode(bytes));
    }
  }
  return [...forms];
}

function expectNoTrace(label: string, sent: { url: string; body: string }[], number: typeof EXPOSED) {
  const forbidden = getForbiddenForms(number);
  for (const request of sent) {
    const text = `${request.url}\n${request.body}`;
    for (const form of forbidden) expect(text, `${label}: ${request.url}`).not.toContain(form);
    // Digits in any format at all: strip everything else and the national number must still be absent.
    expect(text.replace(/\D/g, ''), `${label}: ${request.url}`).not.toContain(number.national);
  }
}

describe('private exposure check', () => {
  let session: ExtensionSession;
  let service: TestRangeService;
  let server: RunningServer;

  beforeAll(async () => {
    service = createTestRangeService({
      prefixBits: 8,
      datasets: [
        {
          id: 'sample-loan-app-2019',
          title: { en: 'Sample loan app (2019)', 'zh-CN': '示例借贷 App（2019）' },
          published: '2019-06-05',
          fields: ['name', 'id_number', 'loan_amount', 'contacts'],
          numbers: [EXPOSED.e164, '+8615000000001', '+14155552671'],
        },
      ],
    });
    server = await startServer(service);
    session = await launchExtension();
    await configure({ endpoint: server.url, pinnedKey: service.publicKey });
  });

  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  /** Settings through the options page, as a user would enter them. */
  async function configure(values: { endpoint: string; pinnedKey: string }) {
    const options = await session.openPage('options.html', '#save-server');
    await options.select('#language', 'zh_CN');
    await options.waitForAttribute('html', 'lang', 'zh-CN');
    await options.select('#country', 'CN');
    await options.fill('#endpoint', values.endpoint);
    await options.fill('#pinned-key', values.pinnedKey);
    await options.click('#save-server');
    await options.waitForText('#options-status', /\S/);
    expect(await options.count('#endpoint-error')).toBe(0);
    expect(await options.count('#pinned-key-error')).toBe(0);
    await options.close();
  }

  async function check(typed: string): Promise<ExtPage> {
    const popup = await session.openPage('popup.html', '#phone-input');
    await popup.fill('#phone-input', typed);
    await popup.click('#check-exposure');
    await popup.waitFor('#exposure-result:not([data-status="checking"])', 20_000);
    return popup;
  }

  it('finds an exposed number and says what leaked and what to do', async () => {
    const popup = await check(EXPOSED.typed);
    expect(await popup.attribute('#exposure-result', 'data-status')).toBe('found');
    const text = await popup.text('#exposure-result');
    expect(text).toContain('示例借贷 App（2019）');
    expect(text).toContain('身份证号');
    expect(text).toContain('借款金额');
    expect(text).toContain('96110');
    expect(await popup.count('#exposure-result [data-dataset="sample-loan-app-2019"]')).toBe(1);
    const violations = await popup.getSeriousAxeViolations();
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await popup.close();
  });

  it('does not find a clean number and lists the datasets it was checked against', async () => {
    const popup = await check(CLEAN.typed);
    expect(await popup.attribute('#exposure-result', 'data-status')).toBe('not-found');
    expect(await popup.count('#exposure-result [data-dataset="sample-loan-app-2019"]')).toBe(1);
    await popup.close();
  });

  it('explains an invalid number inline and sends nothing', async () => {
    session.clearRequests();
    const before = server.requests.length;
    const popup = await check('12345');
    expect(await popup.attribute('#exposure-result', 'data-status')).toBe('invalid');
    expect(await popup.attribute('#exposure-result', 'data-code')).toBe('too-short');
    expect(await popup.text('#phone-input-error')).toMatch(/\S/);
    expect(await popup.attribute('#phone-input', 'aria-invalid')).toBe('true');
    await popup.close();
    expect(server.requests.length).toBe(before);
    expect(session.requests.filter((request) => request.url.startsWith(server.url))).toEqual([]);
  });

  it('sends only the bucket prefix and a blinded element (privacy)', async () => {
    session.clearRequests();
    server.requests.length = 0;
    for (const number of [EXPOSED, CLEAN, FRESH]) {
      const popup = await check(number.typed);
      expect(await popup.attribute('#exposure-result', 'data-status')).toMatch(/^(found|not-found)$/);
      await popup.close();
    }

    // What the browser saw leave the extension (pages and, where the browser reports it, the worker)…
    const browserSeen = session.requests;
    const browserEvaluations = browserSeen.filter(
      (request) => request.method === 'POST' && request.url === `${server.url}/v1/evaluate`,
    );
    // At least one record per check (the Firefox recorder may list a request twice).
    expect(browserEvaluations.length).toBeGreaterThanOrEqual(3);
    // The recorder does see bodies, so the body checks below are not vacuous.
    for (const request of browserEvaluations) expect(request.body).toContain('"blinded"');
    // …and what arrived at the server, bodies included, whichever context sent it.
    const evaluations = server.requests.filter((request) => request.method === 'POST');
    expect(evaluations).toHaveLength(3);
    for (const request of evaluations) {
      const body = JSON.parse(request.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['blinded']);
      expect((body.blinded as string[]).map((element) => base64urlnopad.decode(element).length)).toEqual([32]);
    }
    // Buckets are immutable, so earlier checks' buckets may come from the browser cache.
    const ranges = server.requests.filter((request) => new URL(request.url).pathname.startsWith('/v1/range/'));
    expect(ranges.length).toBeGreaterThanOrEqual(1);
    for (const request of ranges) {
      expect(new URL(request.url).pathname).toMatch(new RegExp(`^/v1/range/${service.manifest.version}/[0-9a-f]{2}$`));
    }

    for (const number of [EXPOSED, CLEAN, FRESH]) {
      expectNoTrace('browser', browserSeen, number);
      expectNoTrace('server', server.requests, number);
    }
  });

  it('watches a number on request and re-checks it from the background', async () => {
    const popup = await check(EXPOSED.typed);
    expect(await popup.attribute('#exposure-result', 'data-status')).toBe('found');
    await popup.fill('#watch-label', '妈妈');
    await popup.click('#watch-number');
    await popup.waitForText('#watch-status', /妈妈/);
    await popup.waitForText('#watch-list .watch-label', /妈妈/);

    server.requests.length = 0;
    await popup.click('#recheck-watches');
    // Done message: "已查询 1 个关注的号码，其中 0 个新出现在泄露数据中。"
    await popup.waitForText('#recheck-status', /1\D+0/, 20_000);
    // The background made the check itself (service worker / event page), and it too sent nothing about the number.
    expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    expectNoTrace('background', server.requests, EXPOSED);

    await popup.click('#watch-list .watch-remove');
    // The list follows IndexedDB live; wait until it has caught up with the removal.
    await popup.evaluate(
      () =>
        new Promise<void>((done) => {
          const check = () => (document.querySelector('#watch-list .watch-item') ? setTimeout(check, 50) : done());
          check();
        }),
    );
    expect(await popup.count('#watch-list .watch-item')).toBe(0);
    await popup.close();
  });

  it('refuses a server whose key is not the pinned one', async () => {
    const otherKey = createTestRangeService({ datasets: [] }).publicKey;
    await configure({ endpoint: server.url, pinnedKey: otherKey });
    const popup = await check(EXPOSED.typed);
    expect(await popup.attribute('#exposure-result', 'data-status')).toBe('error');
    expect(await popup.attribute('#exposure-result', 'data-code')).toBe('key-changed');
    expect(await popup.count('#exposure-result .exposure-settings-link')).toBe(1);
    await popup.close();
    await configure({ endpoint: server.url, pinnedKey: service.publicKey });
  });

  it('says the server is unreachable when it is stopped, not "not found"', async () => {
    await server.close();
    const popup = await check(CLEAN.typed);
    expect(await popup.attribute('#exposure-result', 'data-status')).toBe('error');
    expect(await popup.attribute('#exposure-result', 'data-code')).toBe('unreachable');
    const violations = await popup.getSeriousAxeViolations();
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await popup.close();
  });
});
