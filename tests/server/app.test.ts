import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRangeApp } from '@/server/app';
import { getClientKey } from '@/server/rate-limit';
import { createTestRangeService } from '@/server/testing';
import { parseManifest } from '@/utils/exposure/manifest';
import { decodeBase64Url, ENTRY_SIZE, FIELD_NAMES, getBucketPrefix, getFieldBits } from '@/utils/exposure/protocol';
import { blindedElement, checkNumber, fromAddress } from './helpers';
import {
  BUILDS,
  createRangeData,
  DATASETS,
  type RangeData,
  type RangeTarget,
  type RequestOptions,
  type ServiceName,
  startTarget,
} from './targets';

let data: RangeData;
beforeAll(async () => {
  data = await createRangeData();
});
afterAll(async () => {
  const { rm } = await import('node:fs/promises');
  await rm(data.dir, { recursive: true, force: true });
});

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  const body = (await response.json()) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
}

let addressCounter = 0;
/** A fresh client address per use, so rate-limit state never leaks between tests. */
function newAddress(): string {
  addressCounter++;
  return `198.51.${100 + Math.floor(addressCounter / 250)}.${addressCounter % 250}`;
}

/** Waits out the last seconds of a minute, so a sequence of requests falls in one rate-limit window. */
async function awaitFreshWindow(seconds = 8): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < seconds * 1000) await new Promise((done) => setTimeout(done, left + 50));
}

describe.each(BUILDS)('%s build', (build) => {
  let target: RangeTarget;
  beforeAll(async () => {
    target = await startTarget(build, data);
  });
  afterAll(async () => {
    await target?.close();
  });

  const get = (path: string, init?: RequestOptions, service: ServiceName = 'main') =>
    target.request(service, path, init);
  const evaluate = (body: unknown, init: RequestOptions = {}, service: ServiceName = 'main') =>
    target.request(service, '/v1/evaluate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });

  describe('GET /v1/manifest', () => {
    it('serves the manifest with the contract headers', async () => {
      const response = await get('/v1/manifest');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('cache-control')).toBe('max-age=300');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('set-cookie')).toBeNull();
      const manifest = parseManifest(await response.json());
      expect(manifest).toEqual(data.manifest);
      expect(manifest.publicKey).toBe(data.publicKey);
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
      await expectError(await get('/v1/manifest', {}, 'no-data'), 503, 'no_data');
      await expectError(await get('/v1/manifest', {}, 'wrong-key'), 503, 'key_mismatch');
      await expectError(await get(`/v1/range/${data.manifest.version}/00`, {}, 'no-data'), 503, 'no_data');
    });
  });

  describe('GET /v1/range/{version}/{prefix}', () => {
    it('serves a full, sorted, immutable bucket for every prefix', async () => {
      const { version, bucketSize } = data.manifest;
      for (const prefix of ['00', '7f', 'ff', getBucketPrefix('+8613800138000', 8)]) {
        const response = await get(`/v1/range/${version}/${prefix}`);
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
        const again = new Uint8Array(await (await get(`/v1/range/${version}/${prefix}`)).arrayBuffer());
        expect(Buffer.from(again).equals(Buffer.from(bucket))).toBe(true);
      }
    });

    it('answers HEAD with the headers and no body', async () => {
      const response = await get(`/v1/range/${data.manifest.version}/01`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    });

    it('answers 404 for an unknown version and 400 for a bad prefix or version', async () => {
      const { version } = data.manifest;
      await expectError(await get('/v1/range/some-older-version/00'), 404, 'unknown_version');
      await expectError(await get(`/v1/range/${version}/000`), 400, 'bad_prefix');
      await expectError(await get(`/v1/range/${version}/0`), 400, 'bad_prefix');
      await expectError(await get(`/v1/range/${version}/AB`), 400, 'bad_prefix');
      await expectError(await get(`/v1/range/${version}/zz`), 400, 'bad_prefix');
      await expectError(await get(`/v1/range/${'v'.repeat(65)}/00`), 400, 'bad_version');
      await expectError(await get('/v1/range/bad.version/00'), 400, 'bad_version');
    });

    it('refuses a damaged or missing bucket with a JSON 500 and a log line, and never serves it', async () => {
      const { version } = data.manifest;
      // Prefixes no other test reads (the Worker caches buckets it has served).
      const [damaged, missing] = ['3c', '3d'];
      const original = new Uint8Array(await (await get(`/v1/range/${version}/3e`)).arrayBuffer());
      const tampered = Uint8Array.from(original);
      tampered[5] = (tampered[5] as number) ^ 0x40;
      const restoreDamaged = await target.damageBucket(damaged, tampered);
      const restoreMissing = await target.damageBucket(missing, null);
      try {
        const logged = target.logs.length;
        for (const prefix of [damaged, missing]) {
          for (let attempt = 0; attempt < 2; attempt++) {
            const response = await get(`/v1/range/${version}/${prefix}`);
            await expectError(response, 500, 'data_corrupt');
            expect(response.headers.get('cache-control')).toBe('no-store');
          }
        }
        await expect.poll(() => target.logs.slice(logged).join('\n')).toMatch(/store integrity error: bucket checksum/);
        await expect
          .poll(() => target.logs.slice(logged).join('\n'))
          .toMatch(/store integrity error: bucket .*missing/);
        // The log names neither the prefix nor the file.
        expect(target.logs.slice(logged).join('\n')).not.toMatch(/3c|3d\b|\.bin/);
      } finally {
        await restoreDamaged();
        await restoreMissing();
      }
      // Repaired, the bucket is served again.
      expect((await get(`/v1/range/${version}/${damaged}`)).status).toBe(200);
    });
  });

  describe('POST /v1/evaluate', () => {
    it('evaluates 1 to 16 elements with one proof the client verifies', async () => {
      const inputs = Array.from({ length: 16 }, (_, i) => new TextEncoder().encode(`+86138000000${10 + i}`));
      const blinds = inputs.map((input) => ristretto255_oprf.voprf.blind(input));
      const response = await evaluate({ blinded: blinds.map((b) => Buffer.from(b.blinded).toString('base64url')) });
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
        decodeBase64Url(data.publicKey),
        decodeBase64Url(body.proof),
      );
      expect(outputs).toHaveLength(16);
    });

    it('accepts a JSON content type with parameters', async () => {
      const response = await evaluate(
        { blinded: [blindedElement()] },
        { headers: { 'content-type': 'application/json; charset=utf-8' } },
      );
      expect(response.status).toBe(200);
    });

    it('rejects every malformed request with the contract status and a JSON body', async () => {
      const valid = blindedElement();
      await expectError(await evaluate('{"blinded": ['), 400, 'malformed_json');
      await expectError(await evaluate('"just a string"'), 400, 'malformed_request');
      await expectError(await evaluate({ blinded: valid }), 400, 'malformed_request');
      await expectError(await evaluate({ blinded: [] }), 400, 'bad_element_count');
      await expectError(await evaluate({ blinded: Array(17).fill(valid) }), 400, 'bad_element_count');
      await expectError(await evaluate({ blinded: ['not base64url!'] }), 400, 'bad_base64');
      await expectError(await evaluate({ blinded: [`${valid}=`] }), 400, 'bad_base64');
      await expectError(await evaluate({ blinded: [42] }), 400, 'bad_base64');
      // The identity element, a non-canonical encoding and a short one.
      await expectError(await evaluate({ blinded: ['A'.repeat(43)] }), 400, 'bad_element');
      await expectError(await evaluate({ blinded: [`${'_'.repeat(42)}w`] }), 400, 'bad_element');
      await expectError(await evaluate({ blinded: ['AAAA'] }), 400, 'bad_element');
      await expectError(
        await evaluate({ blinded: [valid] }, { headers: { 'content-type': 'text/plain' } }),
        415,
        'unsupported_media_type',
      );
      await expectError(await evaluate({ blinded: [valid] }, { headers: {} }), 415, 'unsupported_media_type');
      const big = JSON.stringify({ blinded: [valid], padding: 'x'.repeat(5000) });
      await expectError(await evaluate(big), 413, 'body_too_large');
    });

    it('enforces the body limit on a streamed body without Content-Length', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 8) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const response = await get('/v1/evaluate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestOptions);
      await expectError(response, 413, 'body_too_large');
    });
  });

  describe('methods, preflights and unknown paths', () => {
    it('answers CORS preflights with the endpoint method', async () => {
      for (const [path, method] of [
        ['/v1/evaluate', 'POST'],
        ['/v1/manifest', 'GET'],
        [`/v1/range/${data.manifest.version}/00`, 'GET'],
      ] as const) {
        const response = await get(path, {
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
      for (const [path, method, allow] of [
        ['/v1/evaluate', 'GET', 'POST'],
        ['/v1/evaluate', 'PUT', 'POST'],
        ['/v1/manifest', 'POST', 'GET'],
        ['/v1/manifest', 'DELETE', 'GET'],
        [`/v1/range/${data.manifest.version}/00`, 'POST', 'GET'],
      ] as const) {
        const response = await get(path, { method });
        await expectError(response, 405, 'method_not_allowed');
        expect(response.headers.get('allow')).toContain(allow);
      }
    });

    it('answers 404 JSON for unknown paths', async () => {
      await expectError(await get('/'), 404, 'not_found');
      await expectError(await get('/v1/range'), 404, 'not_found');
      await expectError(await get('/v2/manifest'), 404, 'not_found');
      await expectError(await get('/v1/evaluate/extra', { method: 'POST' }), 404, 'not_found');
    });
  });

  describe('rate limiting', () => {
    it('counts elements per address per minute and says when to retry', async () => {
      await awaitFreshWindow();
      const a = newAddress();
      const b = newAddress();
      const limited = (n: number, address: string) =>
        evaluate({ blinded: Array(n).fill(blindedElement()) }, { address }, 'limit-5');
      expect((await limited(4, a)).status).toBe(200);
      // 4 used; 2 more would exceed 5, and nothing is taken.
      const refused = await limited(2, a);
      const secondsLeft = Math.ceil((60_000 - (Date.now() % 60_000)) / 1000);
      await expectError(refused, 429, 'rate_limited');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(Math.max(1, secondsLeft - 1));
      expect(retryAfter).toBeLessThanOrEqual(secondsLeft + 1);
      expect((await limited(1, a)).status).toBe(200);
      await expectError(await limited(1, a), 429, 'rate_limited');
      // Another address has its own budget.
      expect((await limited(1, b)).status).toBe(200);
      // Manifest and buckets are not limited.
      expect((await get('/v1/manifest', { address: a }, 'limit-5')).status).toBe(200);
      expect((await get(`/v1/range/${data.manifest.version}/00`, { address: a }, 'limit-5')).status).toBe(200);
    });

    it('defaults to 60 per minute', async () => {
      await awaitFreshWindow();
      const address = newAddress();
      const send = (n: number) => evaluate({ blinded: Array(n).fill(blindedElement()) }, { address }, 'default-limit');
      for (let i = 0; i < 3; i++) expect((await send(16)).status).toBe(200);
      expect((await send(12)).status).toBe(200);
      await expectError(await send(1), 429, 'rate_limited');
    });

    it('counts IPv6 clients per /64', async () => {
      await awaitFreshWindow();
      const send = (address: string) => evaluate({ blinded: Array(3).fill(blindedElement()) }, { address }, 'limit-5');
      const net = `2001:db8:${addressCounter++}:7`;
      expect((await send(`${net}::1`)).status).toBe(200);
      await expectError(await send(`${net}:ffff::2`), 429, 'rate_limited');
      expect((await send(`2001:db8:${addressCounter++}:8::1`)).status).toBe(200);
    });
  });

  describe('privacy of logs', () => {
    it('never logs blinded or evaluated elements, prefixes, versions or addresses', async () => {
      await awaitFreshWindow();
      const logged = target.logs.length;
      const address = newAddress();
      const blinded = blindedElement('+8613800138000');
      const send = (body: unknown) => evaluate(body, { address }, 'logged');
      const response = await send({ blinded: [blinded] });
      const { evaluated, proof } = (await response.json()) as { evaluated: string[]; proof: string };
      const prefix = getBucketPrefix('+8613800138000', data.manifest.prefixBits);
      const { version } = data.manifest;
      await get(`/v1/range/${version}/${prefix}`, { address }, 'logged');
      await get(`/v1/range/${version}/${prefix}0`, { address }, 'logged');
      await get(`/v1/range/unknown-version/${prefix}`, { address }, 'logged');
      await send({ blinded: [blinded, blinded] }); // rate limited
      await send({ blinded: ['A'.repeat(43)] });
      await expect.poll(() => target.logs.slice(logged).join('\n')).toContain('POST /v1/evaluate 429');
      const log = target.logs.slice(logged).join('\n');
      expect(log).toContain('POST /v1/evaluate 200');
      expect(log).toContain('GET /v1/range 200');
      expect(log).toContain('GET /v1/range 400');
      for (const secret of [blinded, evaluated[0]!, proof, address, version, `/${prefix}`, 'A'.repeat(43)]) {
        expect(log).not.toContain(secret);
      }
    });
  });

  describe('round trip with the protocol client', () => {
    it('finds exposed numbers with their datasets and fields, and not clean ones', async () => {
      const request = (path: string, init?: RequestInit) => get(path, init);
      expect(await checkNumber(request, '+8613800138000')).toEqual({
        found: true,
        datasetBits: 0b11,
        fieldBits: getFieldBits(['name', 'phone', 'id_number', 'loan_amount', 'email']),
      });
      expect(await checkNumber(request, '+12015550123')).toEqual({
        found: true,
        datasetBits: 0b10,
        fieldBits: getFieldBits(['phone', 'email']),
      });
      expect(await checkNumber(request, '+8613700137000')).toEqual({ found: false });
      for (const number of DATASETS[0]!.numbers) expect((await checkNumber(request, number)).found).toBe(true);
    });
  });
});

describe('node build only: the limiter clock and the proxy header', () => {
  it('starts a fresh budget when the minute rolls over', async () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 15);
    const service = createTestRangeService({ datasets: DATASETS });
    const app = createRangeApp({
      store: service.store,
      secretKey: service.secretKey,
      rateLimitPerMinute: 5,
      now: () => now,
    });
    const send = (n: number) =>
      app.request(
        '/v1/evaluate',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ blinded: Array(n).fill(blindedElement()) }),
        },
        fromAddress('198.51.100.7'),
      );
    expect((await send(4)).status).toBe(200);
    const limited = await send(2);
    await expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('45');
    now += 45_000;
    expect((await send(5)).status).toBe(200);
  });

  it('counts by a proxy header only when configured, using the address the proxy appended', async () => {
    const service = createTestRangeService({ datasets: DATASETS });
    const evaluate = (app: ReturnType<typeof createRangeApp>, xff: string) =>
      app.request(
        '/v1/evaluate',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
          body: JSON.stringify({ blinded: [blindedElement()] }),
        },
        fromAddress('10.0.0.1'),
      );
    const proxied = createRangeApp({
      store: service.store,
      secretKey: service.secretKey,
      rateLimitPerMinute: 1,
      clientAddressHeader: 'X-Forwarded-For',
      now: () => 0,
    });
    expect((await evaluate(proxied, '1.1.1.1, 198.51.100.1')).status).toBe(200);
    // Same client (last hop), a spoofed first entry: still limited.
    await expectError(await evaluate(proxied, '2.2.2.2, 198.51.100.1'), 429, 'rate_limited');
    expect((await evaluate(proxied, '198.51.100.2')).status).toBe(200);
    // Without the option the header is ignored: everything counts against the socket address.
    const direct = createRangeApp({
      store: service.store,
      secretKey: service.secretKey,
      rateLimitPerMinute: 1,
      now: () => 0,
    });
    expect((await evaluate(direct, '198.51.100.3')).status).toBe(200);
    await expectError(await evaluate(direct, '198.51.100.4'), 429, 'rate_limited');
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
