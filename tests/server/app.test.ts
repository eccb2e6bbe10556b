import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { createRangeApp } from '@/server/app';
import { getClientKey } from '@/server/rate-limit';
import { createMemoryStore } from '@/server/store';
import { createTestRangeService } from '@/server/testing';
import { generateKeyPair } from '@/server/voprf';
import { parseManifest } from '@/utils/exposure/manifest';
import { decodeBase64Url, ENTRY_SIZE, FIELD_NAMES, getBucketPrefix, getFieldBits } from '@/utils/exposure/protocol';
import { blindedElement, checkNumber, fromAddress } from './helpers';

const DATASETS = [
  {
    id: 'cn-loan-2019',
    title: { en: 'Loan app 2019', 'zh-CN': '借贷 App 2019' },
    published: '2019-06-05',
    fields: ['name', 'id_number', 'loan_amount'],
    numbers: ['+8613800138000', '+8613900139000', '+8615000000001'],
  },
  {
    id: 'intl-2021',
    title: { en: 'Intl 2021', 'zh-CN': '海外 2021' },
    published: '2021-03-15',
    fields: ['email'],
    numbers: ['+8613800138000', '+12015550123'],
  },
];

function createService(options: { rateLimitPerMinute?: number; log?: (line: string) => void } = {}) {
  return createTestRangeService({ datasets: DATASETS, ...options });
}

function evaluate(app: ReturnType<typeof createService>['app'], body: unknown, init: RequestInit = {}, env?: unknown) {
  return app.request(
    '/v1/evaluate',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    },
    env,
  );
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  const body = (await response.json()) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
}

describe('GET /v1/manifest', () => {
  it('serves the manifest with the contract headers', async () => {
    const service = createService();
    const response = await service.app.request('/v1/manifest');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('max-age=300');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('set-cookie')).toBeNull();
    const manifest = parseManifest(await response.json());
    expect(manifest).toEqual(service.manifest);
    expect(manifest.publicKey).toBe(service.publicKey);
    expect(manifest.fields).toEqual([...FIELD_NAMES]);
    expect(manifest.records).toBe(4);
    expect(manifest.datasets.map((d) => [d.bit, d.id, d.records])).toEqual([
      [0, 'cn-loan-2019', 3],
      [1, 'intl-2021', 2],
    ]);
    expect(manifest.prefixBits).toBe(8);
    expect(manifest.bucketSize).toBe(64);
  });

  it('is 503 when no data is built and when the key does not match the data', async () => {
    const empty = createRangeApp({ store: createMemoryStore(null, new Map()), secretKey: generateKeyPair().secretKey });
    await expectError(await empty.request('/v1/manifest'), 503, 'no_data');
    const service = createService();
    const wrongKey = createRangeApp({ store: service.store, secretKey: generateKeyPair().secretKey });
    await expectError(await wrongKey.request('/v1/manifest'), 503, 'key_mismatch');
  });
});

describe('GET /v1/range/{version}/{prefix}', () => {
  it('serves a full, sorted, immutable bucket for every prefix', async () => {
    const service = createService();
    const { version, bucketSize } = service.manifest;
    for (const prefix of ['00', '7f', 'ff', getBucketPrefix('+8613800138000', 8)]) {
      const response = await service.app.request(`/v1/range/${version}/${prefix}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const bucket = new Uint8Array(await response.arrayBuffer());
      expect(bucket.length).toBe(bucketSize * ENTRY_SIZE);
      for (let i = 1; i < bucketSize; i++) {
        const previous = Buffer.from(bucket.subarray((i - 1) * ENTRY_SIZE, i * ENTRY_SIZE));
        const current = Buffer.from(bucket.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE));
        expect(Buffer.compare(previous, current)).toBeLessThanOrEqual(0);
      }
      // Immutable means the same bytes on every read.
      const again = new Uint8Array(await (await service.app.request(`/v1/range/${version}/${prefix}`)).arrayBuffer());
      expect(Buffer.from(again).equals(Buffer.from(bucket))).toBe(true);
    }
  });

  it('answers 404 for an unknown version and 400 for a bad prefix or version', async () => {
    const service = createService();
    const { version } = service.manifest;
    await expectError(await service.app.request('/v1/range/some-older-version/00'), 404, 'unknown_version');
    await expectError(await service.app.request(`/v1/range/${version}/000`), 400, 'bad_prefix');
    await expectError(await service.app.request(`/v1/range/${version}/0`), 400, 'bad_prefix');
    await expectError(await service.app.request(`/v1/range/${version}/AB`), 400, 'bad_prefix');
    await expectError(await service.app.request(`/v1/range/${version}/zz`), 400, 'bad_prefix');
    await expectError(await service.app.request(`/v1/range/${'v'.repeat(65)}/00`), 400, 'bad_version');
    await expectError(await service.app.request('/v1/range/bad.version/00'), 400, 'bad_version');
  });
});

describe('POST /v1/evaluate', () => {
  it('evaluates 1 to 16 elements with one proof the client verifies', async () => {
    const service = createService();
    const inputs = Array.from({ length: 16 }, (_, i) => new TextEncoder().encode(`+86138000000${10 + i}`));
    const blinds = inputs.map((input) => ristretto255_oprf.voprf.blind(input));
    const response = await evaluate(service.app, {
      blinded: blinds.map((b) => Buffer.from(b.blinded).toString('base64url')),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await response.json()) as { evaluated: string[]; proof: string };
    expect(body.evaluated).toHaveLength(16);
    expect(body.proof).toMatch(/^[A-Za-z0-9_-]{86}$/);
    const outputs = ristretto255_oprf.voprf.finalizeBatch(
      inputs.map((input, i) => ({
        input,
        blind: blinds[i]!.blind,
        blinded: blinds[i]!.blinded,
        evaluated: decodeBase64Url(body.evaluated[i]!),
      })),
      decodeBase64Url(service.publicKey),
      decodeBase64Url(body.proof),
    );
    expect(outputs).toHaveLength(16);
  });

  it('accepts a JSON content type with parameters', async () => {
    const service = createService();
    const response = await evaluate(
      service.app,
      { blinded: [blindedElement()] },
      { headers: { 'content-type': 'application/json; charset=utf-8' } },
    );
    expect(response.status).toBe(200);
  });

  it('rejects every malformed request with the contract status and a JSON body', async () => {
    const { app } = createService();
    const valid = blindedElement();
    await expectError(await evaluate(app, '{"blinded": ['), 400, 'malformed_json');
    await expectError(await evaluate(app, '"just a string"'), 400, 'malformed_request');
    await expectError(await evaluate(app, { blinded: valid }), 400, 'malformed_request');
    await expectError(await evaluate(app, { blinded: [] }), 400, 'bad_element_count');
    await expectError(await evaluate(app, { blinded: Array(17).fill(valid) }), 400, 'bad_element_count');
    await expectError(await evaluate(app, { blinded: ['not base64url!'] }), 400, 'bad_base64');
    await expectError(await evaluate(app, { blinded: [`${valid}=`] }), 400, 'bad_base64');
    await expectError(await evaluate(app, { blinded: [42] }), 400, 'bad_base64');
    // The identity element, a non-canonical encoding and a short one.
    await expectError(await evaluate(app, { blinded: ['A'.repeat(43)] }), 400, 'bad_element');
    await expectError(await evaluate(app, { blinded: [`${'_'.repeat(42)}w`] }), 400, 'bad_element');
    await expectError(await evaluate(app, { blinded: ['AAAA'] }), 400, 'bad_element');
    await expectError(
      await evaluate(app, { blinded: [valid] }, { headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
    );
    await expectError(await evaluate(app, { blinded: [valid] }, { headers: {} }), 415, 'unsupported_media_type');
    const big = JSON.stringify({ blinded: [valid], padding: 'x'.repeat(5000) });
    await expectError(await evaluate(app, big), 413, 'body_too_large');
  });

  it('enforces the body limit on a streamed body without Content-Length', async () => {
    const { app } = createService();
    const chunk = new TextEncoder().encode(' '.repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await app.request('/v1/evaluate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectError(response, 413, 'body_too_large');
  });
});

describe('methods, preflights and unknown paths', () => {
  it('answers CORS preflights with the endpoint method', async () => {
    const { app, manifest } = createService();
    for (const [path, method] of [
      ['/v1/evaluate', 'POST'],
      ['/v1/manifest', 'GET'],
      [`/v1/range/${manifest.version}/00`, 'GET'],
    ] as const) {
      const response = await app.request(path, {
        method: 'OPTIONS',
        headers: { origin: 'chrome-extension://abc', 'access-control-request-method': method },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-methods')).toContain(method);
      expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('answers 405 with Allow for other methods', async () => {
    const { app, manifest } = createService();
    for (const [path, method, allow] of [
      ['/v1/evaluate', 'GET', 'POST'],
      ['/v1/evaluate', 'PUT', 'POST'],
      ['/v1/manifest', 'POST', 'GET'],
      ['/v1/manifest', 'DELETE', 'GET'],
      [`/v1/range/${manifest.version}/00`, 'POST', 'GET'],
    ] as const) {
      const response = await app.request(path, { method });
      await expectError(response, 405, 'method_not_allowed');
      expect(response.headers.get('allow')).toContain(allow);
    }
  });

  it('answers 404 JSON for unknown paths', async () => {
    const { app } = createService();
    await expectError(await app.request('/'), 404, 'not_found');
    await expectError(await app.request('/v1/range'), 404, 'not_found');
    await expectError(await app.request('/v2/manifest'), 404, 'not_found');
    await expectError(await app.request('/v1/evaluate/extra', { method: 'POST' }), 404, 'not_found');
  });
});

describe('rate limiting', () => {
  it('counts elements per address per minute and says when to retry', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 15);
    const service = createTestRangeService({ datasets: DATASETS });
    const app = createRangeApp({
      store: service.store,
      secretKey: service.secretKey,
      rateLimitPerMinute: 5,
      now: () => now,
    });
    const a = fromAddress('198.51.100.7');
    const b = fromAddress('203.0.113.9');
    expect((await evaluate(app, { blinded: Array(4).fill(blindedElement()) }, {}, a)).status).toBe(200);
    // 4 used; 2 more would exceed 5.
    const limited = await evaluate(app, { blinded: Array(2).fill(blindedElement()) }, {}, a);
    await expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('45');
    expect((await evaluate(app, { blinded: [blindedElement()] }, {}, a)).status).toBe(200);
    await expectError(await evaluate(app, { blinded: [blindedElement()] }, {}, a), 429, 'rate_limited');
    // Another address has its own budget.
    expect((await evaluate(app, { blinded: [blindedElement()] }, {}, b)).status).toBe(200);
    // Manifest and buckets are not limited.
    expect((await app.request('/v1/manifest', {}, a)).status).toBe(200);
    // The next minute starts afresh.
    now += 45_000;
    expect((await evaluate(app, { blinded: [blindedElement()] }, {}, a)).status).toBe(200);
  });

  it('counts by a proxy header only when configured, using the address the proxy appended', async () => {
    const service = createTestRangeService({ datasets: DATASETS });
    const proxied = createRangeApp({
      store: service.store,
      secretKey: service.secretKey,
      rateLimitPerMinute: 1,
      clientAddressHeader: 'X-Forwarded-For',
      now: () => 0,
    });
    const proxy = fromAddress('10.0.0.1');
    const from = (xff: string) => ({ headers: { 'content-type': 'application/json', 'x-forwarded-for': xff } });
    expect(
      (await evaluate(proxied, { blinded: [blindedElement()] }, from('1.1.1.1, 198.51.100.1'), proxy)).status,
    ).toBe(200);
    // Same client (last hop), a spoofed first entry: still limited.
    await expectError(
      await evaluate(proxied, { blinded: [blindedElement()] }, from('2.2.2.2, 198.51.100.1'), proxy),
      429,
      'rate_limited',
    );
    expect((await evaluate(proxied, { blinded: [blindedElement()] }, from('198.51.100.2'), proxy)).status).toBe(200);
    // Without the option the header is ignored: everything counts against the socket address.
    const direct = createRangeApp({
      store: service.store,
      secretKey: service.secretKey,
      rateLimitPerMinute: 1,
      now: () => 0,
    });
    expect((await evaluate(direct, { blinded: [blindedElement()] }, from('198.51.100.3'), proxy)).status).toBe(200);
    await expectError(
      await evaluate(direct, { blinded: [blindedElement()] }, from('198.51.100.4'), proxy),
      429,
      'rate_limited',
    );
  });

  it('defaults to 60 per minute', async () => {
    const service = createTestRangeService({ datasets: DATASETS });
    const app = createRangeApp({ store: service.store, secretKey: service.secretKey, now: () => 0 });
    const env = fromAddress('192.0.2.1');
    for (let i = 0; i < 3; i++) {
      expect((await evaluate(app, { blinded: Array(16).fill(blindedElement()) }, {}, env)).status).toBe(200);
    }
    expect((await evaluate(app, { blinded: Array(12).fill(blindedElement()) }, {}, env)).status).toBe(200);
    await expectError(await evaluate(app, { blinded: [blindedElement()] }, {}, env), 429, 'rate_limited');
  });

  it('groups IPv6 addresses by /64 and IPv4-mapped addresses by their IPv4', () => {
    expect(getClientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(getClientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(getClientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(getClientKey('::ffff:192.0.2.5')).toBe('192.0.2.5');
    expect(getClientKey('192.0.2.5')).toBe('192.0.2.5');
    expect(getClientKey(undefined)).toBe('unknown');
  });
});

describe('privacy of logs', () => {
  it('never logs blinded or evaluated elements, prefixes, versions or addresses', async () => {
    const lines: string[] = [];
    const service = createService({ log: (line) => lines.push(line), rateLimitPerMinute: 2 });
    const address = '198.51.100.23';
    const env = fromAddress(address);
    const blinded = blindedElement('+8613800138000');
    const response = await evaluate(service.app, { blinded: [blinded] }, {}, env);
    const { evaluated, proof } = (await response.json()) as { evaluated: string[]; proof: string };
    const prefix = getBucketPrefix('+8613800138000', service.manifest.prefixBits);
    await service.app.request(`/v1/range/${service.manifest.version}/${prefix}`, {}, env);
    await service.app.request(`/v1/range/${service.manifest.version}/${prefix}0`, {}, env);
    await service.app.request(`/v1/range/unknown-version/${prefix}`, {}, env);
    await evaluate(service.app, { blinded: [blinded, blinded] }, {}, env); // rate limited
    await evaluate(service.app, { blinded: ['A'.repeat(43)] }, {}, env);
    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(6);
    expect(log).toContain('POST /v1/evaluate 200');
    expect(log).toContain('GET /v1/range 200');
    expect(log).toContain('POST /v1/evaluate 429');
    for (const secret of [
      blinded,
      evaluated[0]!,
      proof,
      address,
      service.manifest.version,
      `/${prefix}`,
      'A'.repeat(43),
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('round trip with the protocol client', () => {
  it('finds exposed numbers with their datasets and fields, and not clean ones', async () => {
    const { app } = createService();
    const both = await checkNumber(app, '+8613800138000');
    expect(both).toEqual({
      found: true,
      datasetBits: 0b11,
      fieldBits: getFieldBits(['name', 'phone', 'id_number', 'loan_amount', 'email']),
    });
    expect(await checkNumber(app, '+12015550123')).toEqual({
      found: true,
      datasetBits: 0b10,
      fieldBits: getFieldBits(['phone', 'email']),
    });
    expect(await checkNumber(app, '+8613700137000')).toEqual({ found: false });
  });
});
