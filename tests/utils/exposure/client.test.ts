import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64, base64urlnopad } from '@scure/base';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createRangeApp } from '@/server/app';
import { buildInMemory, createTestRangeService, type TestRangeService } from '@/server/testing';
import {
  blindInput,
  checkExposure,
  createExposureChecker,
  type ExposureResult,
  type FetchLike,
  getVerifiedManifest,
} from '@/utils/exposure';
import { getManifestLifetimeMs, MAX_MANIFEST_LIFETIME_MS, warmUpProofCheck } from '@/utils/exposure/client';
import { ENTRY_SIZE, getBucketPrefix } from '@/utils/exposure/protocol';

const ENDPOINT = 'http://range.test';
const LOAN = '+8613800138000';
const BOTH = '+8613912345678';
const CLEAN = '+8613700001111';
const US = '+14155552671';

const DATASETS = [
  {
    id: 'loan-app-2019',
    title: { en: 'Loan app 2019', 'zh-CN': '借贷 App 2019' },
    published: '2019-06-05',
    fields: ['name', 'id_number', 'loan_amount'],
    numbers: [LOAN, BOTH, '+8615000000001'],
  },
  {
    id: 'collector-2021',
    title: { en: 'Collector 2021', 'zh-CN': '催收 2021' },
    published: '2021-03-01',
    fields: ['contacts', 'address'],
    numbers: [BOTH, US],
  },
];

let service: TestRangeService;
let other: TestRangeService;

beforeAll(() => {
  service = createTestRangeService({ prefixBits: 8, datasets: DATASETS });
  other = createTestRangeService({ prefixBits: 8, datasets: DATASETS });
});

interface Recorded {
  url: string;
  method: string;
  body: string;
}

/** The service's app as the client's fetch, recording each request; `rewrite` may replace answers. */
function createFetch(
  target: () => TestRangeService = () => service,
  rewrite?: (url: URL, response: Response, init?: RequestInit) => Promise<Response> | Response,
): FetchLike & { requests: Recorded[] } {
  const requests: Recorded[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    requests.push({ url, method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? init.body : '' });
    const response = await target().app.request(url, init);
    return rewrite ? rewrite(new URL(url), response, init) : response;
  };
  return Object.assign(fetch, { requests });
}

function check(e164: string, overrides: Partial<Parameters<typeof checkExposure>[0]> = {}) {
  return checkExposure({
    e164,
    endpoint: ENDPOINT,
    pinnedKey: service.publicKey,
    fetch: createFetch(),
    retryDelayMs: 0,
    ...overrides,
  });
}

function expectError(result: ExposureResult, code: string) {
  expect(result.status).toBe('error');
  if (result.status === 'error') expect(result.code).toBe(code);
}

function flipByte(text: string, index = 0): string {
  const bytes = base64urlnopad.decode(text);
  bytes[index] = (bytes[index] as number) ^ 0x01;
  return base64urlnopad.encode(bytes);
}

describe('checkExposure: answers', () => {
  it('finds a number and decodes its dataset and fields', async () => {
    const result = await check(LOAN);
    expect(result.status).toBe('found');
    if (result.status !== 'found') return;
    expect(result.datasets).toEqual([
      { id: 'loan-app-2019', title: DATASETS[0]?.title, published: '2019-06-05', records: 3 },
    ]);
    // The builder always adds 'phone'; fields come back in the manifest's bit order.
    const expected = service.manifest.fields.filter((f) => ['name', 'id_number', 'loan_amount', 'phone'].includes(f));
    expect(result.fields).toEqual(expected);
    expect(result.fields).toContain('loan_amount');
    expect(result.fields).not.toContain('contacts');
    expect(result.datasetBits).toBe(0b01);
    expect(result.manifest.version).toBe(service.manifest.version);
  });

  it('reports every dataset a number is in and the union of their fields', async () => {
    const result = await check(BOTH);
    expect(result.status).toBe('found');
    if (result.status !== 'found') return;
    expect(result.datasets.map((d) => d.id)).toEqual(['loan-app-2019', 'collector-2021']);
    expect(result.datasetBits).toBe(0b11);
    expect(new Set(result.fields)).toEqual(
      new Set(['name', 'phone', 'id_number', 'loan_amount', 'contacts', 'address']),
    );
  });

  it('finds a number from the second dataset only', async () => {
    const result = await check(US);
    expect(result).toMatchObject({ status: 'found', datasetBits: 0b10 });
  });

  it('says not found for a number in no dataset, with the manifest for the caveat', async () => {
    const result = await check(CLEAN);
    expect(result.status).toBe('not-found');
    if (result.status === 'not-found') expect(result.manifest.datasets.map((d) => d.id)).toHaveLength(2);
  });

  it('fetches the bucket and the evaluation in parallel', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let release: () => void = () => undefined;
    const bothStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetch: FetchLike = async (url, init) => {
      if (url.endsWith('/v1/manifest')) return service.app.request(url, init);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight === 2) release();
      await bothStarted;
      const response = await service.app.request(url, init);
      inFlight--;
      return response;
    };
    const result = await check(LOAN, { fetch, timeoutMs: 5_000 });
    expect(result.status).toBe('found');
    expect(maxInFlight).toBe(2);
  });

  it('skips the manifest request when given an already verified manifest', async () => {
    const fetch = createFetch();
    const result = await check(LOAN, { fetch, manifest: service.manifest });
    expect(result.status).toBe('found');
    expect(fetch.requests.map((r) => new URL(r.url).pathname)).not.toContain('/v1/manifest');
  });
});

describe('checkExposure: a manifest cached from before a rebuild', () => {
  it('asks for a fresh manifest once when the range no longer knows the version', async () => {
    // Same key, new build: the server now serves only the new version.
    const rebuilt = buildInMemory({ secretKey: service.secretKey, prefixBits: 8, datasets: DATASETS });
    const app = createRangeApp({ store: rebuilt.store, secretKey: service.secretKey, rateLimitPerMinute: 1_000_000 });
    const manifestCaches: (RequestCache | undefined)[] = [];
    const fetch: FetchLike = async (url, init) => {
      if (url.endsWith('/v1/manifest')) {
        manifestCaches.push(init?.cache);
        // What a browser cache (max-age=300) would hand back unless asked to revalidate.
        if (init?.cache !== 'no-cache') return Response.json(service.manifest);
      }
      return app.request(url, init);
    };
    const result = await check(LOAN, { fetch });
    expect(result.status).toBe('found');
    if (result.status === 'found') expect(result.manifest.version).toBe(rebuilt.manifest.version);
    expect(manifestCaches).toEqual([undefined, 'no-cache']);
  });

  it('does not loop when the fresh manifest names the same version', async () => {
    const fetch = createFetch(undefined, (url, response) =>
      url.pathname.startsWith('/v1/range/') ? Response.json({ error: 'not_found' }, { status: 404 }) : response,
    );
    expectError(await check(LOAN, { fetch }), 'malformed');
    expect(fetch.requests.filter((r) => r.url.endsWith('/v1/manifest'))).toHaveLength(2);
  });
});

describe('checkExposure: privacy', () => {
  it('sends only the bucket prefix and the blinded element', async () => {
    const fetch = createFetch();
    await check(BOTH, { fetch });
    await check(CLEAN, { fetch });
    expect(fetch.requests).toHaveLength(6);

    for (const e164 of [BOTH, CLEAN]) {
      const digits = e164.slice(1);
      const national = digits.slice(2);
      const forbidden = [e164, digits, national, encodeURIComponent(e164)];
      for (const hash of [sha256, sha1, md5]) {
        for (const form of [e164, digits, national]) {
          const bytes = hash(utf8ToBytes(form));
          forbidden.push(bytesToHex(bytes), base64.encode(bytes), base64urlnopad.encode(bytes));
        }
      }
      const sent = fetch.requests
        .map((r) => `${r.url}\n${r.body}`)
        .join('\n')
        .toLowerCase();
      for (const value of forbidden) expect(sent).not.toContain(value.toLowerCase());
    }

    const range = fetch.requests.filter((r) => r.url.includes('/v1/range/'));
    expect(range.map((r) => r.url)).toEqual([
      `${ENDPOINT}/v1/range/${service.manifest.version}/${getBucketPrefix(BOTH, 8)}`,
      `${ENDPOINT}/v1/range/${service.manifest.version}/${getBucketPrefix(CLEAN, 8)}`,
    ]);
    for (const request of fetch.requests.filter((r) => r.method === 'POST')) {
      const body = JSON.parse(request.body) as { blinded: string[] };
      expect(Object.keys(body)).toEqual(['blinded']);
      expect(body.blinded).toHaveLength(1);
      expect(base64urlnopad.decode(body.blinded[0] as string)).toHaveLength(32);
    }
  });

  it('blinds afresh each time, so two checks of one number send different elements', async () => {
    const fetch = createFetch();
    await check(LOAN, { fetch });
    await check(LOAN, { fetch });
    const bodies = fetch.requests.filter((r) => r.method === 'POST').map((r) => r.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).not.toBe(bodies[1]);
  });
});

describe('checkExposure: the pinned key', () => {
  it('refuses a server whose key differs from the pinned one, before sending anything about the number', async () => {
    const fetch = createFetch();
    const result = await check(LOAN, { pinnedKey: other.publicKey, fetch });
    expectError(result, 'key-changed');
    expect(fetch.requests.map((r) => new URL(r.url).pathname)).toEqual(['/v1/manifest']);
  });

  it('getVerifiedManifest applies the same check', async () => {
    const ok = await getVerifiedManifest({ endpoint: ENDPOINT, pinnedKey: service.publicKey, fetch: createFetch() });
    expect(ok).toMatchObject({ status: 'ok', manifest: { version: service.manifest.version } });
    const changed = await getVerifiedManifest({ endpoint: ENDPOINT, pinnedKey: other.publicKey, fetch: createFetch() });
    expectError(changed as ExposureResult, 'key-changed');
  });
});

describe('checkExposure: unproven answers are never "not found"', () => {
  const tamper = (field: 'evaluated' | 'proof', index: number) =>
    createFetch(undefined, async (url, response) => {
      if (url.pathname !== '/v1/evaluate') return response;
      const body = (await response.json()) as { evaluated: string[]; proof: string };
      if (field === 'proof') body.proof = flipByte(body.proof, index);
      else body.evaluated = [flipByte(body.evaluated[0] as string, index)];
      return Response.json(body);
    });

  it.each([0, 31, 63])('rejects a proof with byte %i changed', async (index) => {
    expectError(await check(LOAN, { fetch: tamper('proof', index) }), 'proof-invalid');
    expectError(await check(CLEAN, { fetch: tamper('proof', index) }), 'proof-invalid');
  });

  it.each([0, 17])('rejects an evaluated element with byte %i changed', async (index) => {
    expectError(await check(LOAN, { fetch: tamper('evaluated', index) }), 'proof-invalid');
  });

  it('rejects an evaluation made with another key behind the pinned manifest', async () => {
    // Manifest and buckets from `service`, evaluation from `other`: a server answering with a key it does not publish.
    const fetch: FetchLike = async (url, init) =>
      url.endsWith('/v1/evaluate') ? other.app.request(url, init) : service.app.request(url, init);
    expectError(await check(LOAN, { fetch }), 'proof-invalid');
    expectError(await check(CLEAN, { fetch }), 'proof-invalid');
  });

  it('rejects a valid, proven evaluation of some other element', async () => {
    const fetch = createFetch(undefined, async (url, response) => {
      if (url.pathname !== '/v1/evaluate') return response;
      // The server evaluates an element of its own choosing (say, a number it wants to test) instead of ours.
      const substitute = ristretto255_oprf.voprf.blind(utf8ToBytes('+8613900000000')).blinded;
      return service.app.request(url.href, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ blinded: [base64urlnopad.encode(substitute)] }),
      });
    });
    expectError(await check(LOAN, { fetch }), 'proof-invalid');
  });
});

describe('checkExposure: malformed answers', () => {
  const replace = (path: string, make: () => Response) =>
    createFetch(undefined, (url, response) => (url.pathname.startsWith(path) ? make() : response));

  it.each([
    ['manifest that is not JSON', '/v1/manifest', () => new Response('<html>', { status: 200 })],
    ['manifest of another protocol', '/v1/manifest', () => Response.json({ ...service.manifest, protocol: 'x' })],
    ['manifest without datasets', '/v1/manifest', () => Response.json({ ...service.manifest, datasets: undefined })],
    ['manifest with bad prefixBits', '/v1/manifest', () => Response.json({ ...service.manifest, prefixBits: 7 })],
    ['manifest at 404', '/v1/manifest', () => new Response('not here', { status: 404 })],
    [
      'bucket one entry short',
      '/v1/range/',
      () => new Response(new Uint8Array((service.manifest.bucketSize - 1) * 16)),
    ],
    ['bucket that is empty', '/v1/range/', () => new Response(new Uint8Array(0))],
    ['bucket at 404', '/v1/range/', () => Response.json({ error: 'not_found' }, { status: 404 })],
    ['evaluation that is not JSON', '/v1/evaluate', () => new Response('oops')],
    ['evaluation without proof', '/v1/evaluate', () => Response.json({ evaluated: ['AAAA'] })],
    ['evaluation with two elements', '/v1/evaluate', () => Response.json({ evaluated: ['a', 'b'], proof: 'c' })],
    [
      'evaluation with bad base64url',
      '/v1/evaluate',
      () => Response.json({ evaluated: ['@@@@'], proof: base64urlnopad.encode(new Uint8Array(64)) }),
    ],
    [
      'evaluation with a short proof',
      '/v1/evaluate',
      () =>
        Response.json({
          evaluated: [base64urlnopad.encode(new Uint8Array(32))],
          proof: base64urlnopad.encode(new Uint8Array(63)),
        }),
    ],
    ['evaluate at 400', '/v1/evaluate', () => Response.json({ error: 'bad_element' }, { status: 400 })],
  ])('%s → malformed', async (_, path, make) => {
    expectError(await check(LOAN, { fetch: replace(path, make) }), 'malformed');
  });

  it('refuses an unsorted bucket (binary search would silently miss)', async () => {
    const fetch = createFetch(undefined, async (url, response) => {
      if (!url.pathname.startsWith('/v1/range/')) return response;
      const bucket = new Uint8Array(await response.arrayBuffer());
      const reversed = new Uint8Array(bucket.length);
      const count = bucket.length / ENTRY_SIZE;
      for (let i = 0; i < count; i++) {
        reversed.set(bucket.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE), (count - 1 - i) * ENTRY_SIZE);
      }
      return new Response(reversed);
    });
    expectError(await check(LOAN, { fetch }), 'malformed');
  });
});

describe('checkExposure: network trouble', () => {
  it('is unreachable when fetch rejects, after one retry', async () => {
    let calls = 0;
    const fetch: FetchLike = async () => {
      calls++;
      throw new TypeError('Failed to fetch');
    };
    const result = await check(LOAN, { fetch });
    expectError(result, 'unreachable');
    expect(calls).toBe(2);
  });

  it('retries a timed-out request once and succeeds', async () => {
    const seen = new Map<string, number>();
    const fetch: FetchLike = async (url, init) => {
      const path = new URL(url).pathname;
      seen.set(path, (seen.get(path) ?? 0) + 1);
      // The first evaluate hangs forever (and ignores its abort signal).
      if (path === '/v1/evaluate' && seen.get(path) === 1) return new Promise<Response>(() => undefined);
      return service.app.request(url, init);
    };
    const result = await check(LOAN, { fetch, timeoutMs: 100 });
    expect(result.status).toBe('found');
    expect(seen.get('/v1/evaluate')).toBe(2);
    expect(seen.get('/v1/manifest')).toBe(1);
  });

  it('is unreachable when both attempts time out', async () => {
    const fetch: FetchLike = () => new Promise<Response>(() => undefined);
    const result = await check(LOAN, { fetch, timeoutMs: 30 });
    expectError(result, 'unreachable');
    if (result.status === 'error') expect(result.detail).toMatch(/timed out/);
  });

  it('times out a body that never ends', async () => {
    let calls = 0;
    const fetch: FetchLike = async (url, init) => {
      if (!url.endsWith('/v1/manifest')) return service.app.request(url, init);
      calls++;
      const stalled = new ReadableStream({ start: (controller) => controller.enqueue(new Uint8Array([123])) });
      return new Response(stalled, { headers: { 'content-type': 'application/json' } });
    };
    expectError(await check(LOAN, { fetch, timeoutMs: 50 }), 'unreachable');
    expect(calls).toBe(2);
  });

  it('retries a 5xx once and succeeds', async () => {
    let failures = 1;
    const fetch = createFetch(undefined, (url, response) => {
      if (url.pathname.startsWith('/v1/range/') && failures > 0) {
        failures--;
        return new Response('busy', { status: 503 });
      }
      return response;
    });
    expect((await check(LOAN, { fetch })).status).toBe('found');
    expect(fetch.requests.filter((r) => r.url.includes('/v1/range/'))).toHaveLength(2);
  });

  it('reports a server error when the retry fails too', async () => {
    const fetch = createFetch(undefined, (url, response) =>
      url.pathname === '/v1/evaluate' ? Response.json({ error: 'internal' }, { status: 500 }) : response,
    );
    expectError(await check(LOAN, { fetch }), 'server-error');
    expect(fetch.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('reports rate limiting with the server’s Retry-After, without retrying', async () => {
    const limited = createTestRangeService({ prefixBits: 8, datasets: DATASETS, rateLimitPerMinute: 1 });
    const fetch = createFetch(() => limited);
    const first = await check(LOAN, { fetch, pinnedKey: limited.publicKey });
    expect(first.status).toBe('found');
    const second = await check(LOAN, { fetch, pinnedKey: limited.publicKey });
    expectError(second, 'rate-limited');
    if (second.status === 'error') expect(second.retryAfter).toBeGreaterThan(0);
    expect(fetch.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('rejects when the caller aborts', async () => {
    const controller = new AbortController();
    const fetch: FetchLike = (_url, init) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const pending = check(LOAN, { fetch, signal: controller.signal, timeoutMs: 5_000 });
    controller.abort(new Error('closed'));
    await expect(pending).rejects.toThrow('closed');
  });
});

describe('checkExposure: not configured', () => {
  it.each([
    ['no endpoint', { endpoint: '' }],
    ['an endpoint that is not a URL', { endpoint: 'range server' }],
    ['an endpoint that is not http', { endpoint: 'ftp://range.test' }],
    ['no pinned key', { pinnedKey: '' }],
    ['a pinned key that is not base64url', { pinnedKey: 'not a key!' }],
    ['a pinned key of the wrong length', { pinnedKey: base64urlnopad.encode(new Uint8Array(31)) }],
  ])('%s → not-configured, nothing sent', async (_, overrides) => {
    const fetch = createFetch();
    expectError(await check(LOAN, { fetch, ...overrides }), 'not-configured');
    expect(fetch.requests).toHaveLength(0);
  });
});

describe("createExposureChecker: the popup's checks", () => {
  function createChecker(fetch: FetchLike, overrides: { pinnedKey?: string; endpoint?: string } = {}) {
    let clock = 1_000_000;
    const checker = createExposureChecker(
      { endpoint: ENDPOINT, pinnedKey: service.publicKey, fetch, retryDelayMs: 0, ...overrides },
      { now: () => clock },
    );
    return { checker, advance: (ms: number) => (clock += ms) };
  }
  const paths = (fetch: { requests: Recorded[] }) =>
    fetch.requests.map((r) => new URL(r.url).pathname.replace(/\/v1\/range\/.*/, '/v1/range'));

  it('reads Cache-Control max-age as the manifest lifetime, capped at 5 minutes', () => {
    expect(getManifestLifetimeMs('max-age=300')).toBe(300_000);
    expect(getManifestLifetimeMs('public, max-age=60')).toBe(60_000);
    expect(getManifestLifetimeMs('max-age=86400')).toBe(MAX_MANIFEST_LIFETIME_MS);
    expect(getManifestLifetimeMs('no-store')).toBe(0);
    expect(getManifestLifetimeMs('max-age=300, no-cache')).toBe(0);
    expect(getManifestLifetimeMs(null)).toBe(0);
  });

  it('reuses the verified manifest within its lifetime and fetches it again after', async () => {
    const fetch = createFetch();
    const { checker, advance } = createChecker(fetch);
    expect((await checker.check(LOAN)).status).toBe('found');
    advance(299_000);
    expect((await checker.check(CLEAN)).status).toBe('not-found');
    expect(paths(fetch).filter((p) => p === '/v1/manifest')).toHaveLength(1);
    advance(2_000);
    expect((await checker.check(BOTH)).status).toBe('found');
    expect(paths(fetch).filter((p) => p === '/v1/manifest')).toHaveLength(2);
  });

  it('does not reuse a manifest served without a cache lifetime', async () => {
    const fetch = createFetch(undefined, (url, response) =>
      url.pathname === '/v1/manifest' ? Response.json(service.manifest) : response,
    );
    const { checker } = createChecker(fetch);
    await checker.check(LOAN);
    await checker.check(CLEAN);
    expect(paths(fetch).filter((p) => p === '/v1/manifest')).toHaveLength(2);
  });

  it('prefetches the manifest without sending anything about a number, and the check uses it', async () => {
    const fetch = createFetch();
    const { checker } = createChecker(fetch);
    checker.prefetchManifest();
    checker.prefetchManifest(); // in flight: not asked twice
    await vi.waitFor(() => expect(paths(fetch)).toEqual(['/v1/manifest']));
    expect((await checker.check(LOAN)).status).toBe('found');
    expect(paths(fetch).sort()).toEqual(['/v1/evaluate', '/v1/manifest', '/v1/range']);
  });

  it('does not prefetch when not configured, and says so on check', async () => {
    const fetch = createFetch();
    const { checker } = createChecker(fetch, { pinnedKey: '' });
    checker.prefetchManifest();
    expectError(await checker.check(LOAN), 'not-configured');
    expect(fetch.requests).toHaveLength(0);
  });

  it('after a failed prefetch the check asks again and reports its own outcome', async () => {
    let down = true;
    const fetch = createFetch(undefined, (_url, response) => {
      if (down) throw new TypeError('connection refused');
      return response;
    });
    const { checker } = createChecker(fetch);
    checker.prefetchManifest();
    await vi.waitFor(() => expect(fetch.requests).toHaveLength(2)); // the prefetch and its one retry
    down = false;
    expect((await checker.check(LOAN)).status).toBe('found');
  });

  it('sends the element blinded ahead, once: the next check of the number blinds afresh', async () => {
    const fetch = createFetch();
    const { checker } = createChecker(fetch);
    const ahead = checker.prepare(LOAN);
    expect(checker.prepare(LOAN)).toBe(ahead); // the same number again: nothing new to do
    expect(fetch.requests).toHaveLength(0); // blinding is local
    expect((await checker.check(LOAN)).status).toBe('found');
    expect((await checker.check(LOAN)).status).toBe('found');
    const bodies = fetch.requests.filter((r) => r.method === 'POST').map((r) => r.body);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBe(JSON.stringify({ blinded: [base64urlnopad.encode(ahead.blinded)] }));
    expect(bodies[1]).not.toBe(bodies[0]);
  });

  it('warms up the proof check on the RFC 9497 vector, which verifies', () => {
    expect(warmUpProofCheck()).toBe(true);
  });

  it('does not use an element blinded for another number', async () => {
    const fetch = createFetch();
    const { checker } = createChecker(fetch);
    const ahead = checker.prepare(LOAN);
    expect((await checker.check(CLEAN)).status).toBe('not-found');
    expect((await checker.check(LOAN)).status).toBe('found'); // dropped after the other check: blinds afresh
    const bodies = fetch.requests.filter((r) => r.method === 'POST').map((r) => r.body);
    expect(bodies).not.toContain(JSON.stringify({ blinded: [base64urlnopad.encode(ahead.blinded)] }));
  });

  it('checkExposure uses a given blinded input for its number only', async () => {
    const ahead = blindInput(LOAN);
    const fetch = createFetch();
    expect((await check(LOAN, { fetch, blinded: ahead })).status).toBe('found');
    expect((await check(CLEAN, { fetch, blinded: ahead })).status).toBe('not-found');
    const bodies = fetch.requests.filter((r) => r.method === 'POST').map((r) => r.body);
    expect(bodies[0]).toBe(JSON.stringify({ blinded: [base64urlnopad.encode(ahead.blinded)] }));
    expect(bodies[1]).not.toBe(bodies[0]);
  });

  it('a server that changes its key while a manifest is reused is "key changed", not a bad proof', async () => {
    // Same version and buckets, but evaluations (and, once asked again, the manifest) under another key.
    let rotated = false;
    const fetch = createFetch(undefined, async (url, response, init) => {
      if (!rotated) return response;
      if (url.pathname === '/v1/evaluate') return other.app.request(url.href, init);
      if (url.pathname === '/v1/manifest') return Response.json({ ...service.manifest, publicKey: other.publicKey });
      return response;
    });
    const { checker } = createChecker(fetch);
    expect((await checker.check(LOAN)).status).toBe('found');
    rotated = true;
    expectError(await checker.check(CLEAN), 'key-changed');
    // The manifest was asked again, past the browser cache, right after the failed proof.
    const manifests = fetch.requests.filter((r) => r.url.endsWith('/v1/manifest'));
    expect(manifests).toHaveLength(2);
  });

  it('a bad proof with an unchanged key stays "proof did not verify"', async () => {
    let tampering = false;
    const fetch = createFetch(undefined, async (url, response) => {
      if (!tampering || url.pathname !== '/v1/evaluate') return response;
      const body = (await response.json()) as { evaluated: string[]; proof: string };
      return Response.json({ ...body, proof: flipByte(body.proof, 5) });
    });
    const { checker } = createChecker(fetch);
    await checker.check(LOAN);
    tampering = true;
    expectError(await checker.check(LOAN), 'proof-invalid');
  });

  it('follows a rebuild: a stale reused manifest is replaced, and the new one is kept', async () => {
    const rebuilt = buildInMemory({ secretKey: service.secretKey, prefixBits: 8, datasets: DATASETS });
    const app = createRangeApp({ store: rebuilt.store, secretKey: service.secretKey, rateLimitPerMinute: 1_000_000 });
    let current = service.app;
    const fetch = createFetch(undefined, (url, _response, init) => current.request(url.href, init));
    const { checker } = createChecker(fetch);
    await checker.check(LOAN);
    current = app;
    const result = await checker.check(BOTH);
    expect(result.status).toBe('found');
    if (result.status === 'found') expect(result.manifest.version).toBe(rebuilt.manifest.version);
    await checker.check(CLEAN);
    expect(fetch.requests.filter((r) => r.url.endsWith('/v1/manifest'))).toHaveLength(2);
  });

  it('an aborted check rejects even while waiting for a prefetch', async () => {
    const fetch: FetchLike = async (url, init) =>
      url.endsWith('/v1/manifest')
        ? new Promise<Response>(() => undefined) // never answers
        : service.app.request(url, init);
    const { checker } = createChecker(fetch);
    checker.prefetchManifest();
    const controller = new AbortController();
    const pending = checker.check(LOAN, controller.signal);
    controller.abort(new Error('closed'));
    await expect(pending).rejects.toThrow('closed');
  });
});
