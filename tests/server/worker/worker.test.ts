import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { parseTOML } from 'confbox';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRange } from '@/server/builder/build';
import { parseBuildConfig } from '@/server/builder/config';
import { serializeKey } from '@/server/keys';
import { createPublishPlan, createR2BindingSink, executePublishPlan } from '@/server/publish';
import { OBJECT_KEYS } from '@/server/store-core';
import { createNobleVoprf, generateKeyPair } from '@/server/voprf';
import {
  bundleWorker,
  COMPATIBILITY_DATE,
  COMPATIBILITY_FLAGS,
  DEFAULT_BUNDLE_DIR,
  LIBSODIUM_WASM,
  WORKER_MAIN,
  type WorkerBundle,
  writeWorkerBundle,
} from '@/server/worker/bundle';
import {
  getLocalBucket,
  type LocalWorker,
  R2_BINDING,
  RATE_LIMITER_BINDING,
  startLocalWorker,
} from '@/server/worker/local';
import { getLimiterName } from '@/server/worker/rate-limiter';
import { decodeBase64Url, encodeBase64Url } from '@/utils/exposure/protocol';
import { blindedElement } from '../helpers';
import { createRangeData, type RangeData } from '../targets';

let data: RangeData;
let bundle: WorkerBundle;
let worker: LocalWorker;
const logs: string[] = [];

beforeAll(async () => {
  [data, bundle] = await Promise.all([createRangeData(), bundleWorker()]);
  const keyText = serializeKey(data.secretKey);
  worker = await startLocalWorker({
    bundle,
    workers: [
      { name: 'main', secretKey: keyText, rateLimitPerMinute: 1000, manifestTtlSeconds: 0 },
      // The secret may also be just the base64url scalar.
      { name: 'raw-key', secretKey: encodeBase64Url(data.secretKey), bucket: 'range-test-raw' },
      { name: 'no-secret', secretKey: '' },
      { name: 'bad-limit', secretKey: keyText, rateLimitPerMinute: 0 },
    ],
    onOutput: (line) => logs.push(line),
  });
  const plan = await createPublishPlan(data.dataDir);
  await executePublishPlan(plan, createR2BindingSink(await getLocalBucket(worker, 'main')));
  await executePublishPlan(plan, createR2BindingSink(await getLocalBucket(worker, 'raw-key')));
});
afterAll(async () => {
  await worker?.dispose();
  if (data) await rm(data.dir, { recursive: true, force: true });
});

function request(name: string, path: string, init: RequestInit = {}): Promise<Response> {
  return worker.miniflare.dispatchFetch(`http://${worker.getHost(name)}${path}`, init as never) as never;
}

function evaluate(name: string, blinded: string[], address = '192.0.2.10'): Promise<Response> {
  return request(name, '/v1/evaluate', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': address },
    body: JSON.stringify({ blinded }),
  });
}

describe('libsodium in workerd', () => {
  it('workerd refuses to compile WebAssembly from bytes, which is why the bundle ships it precompiled', async () => {
    const probe = new Miniflare({
      modules: true,
      compatibilityDate: COMPATIBILITY_DATE,
      script: `export default { async fetch() {
        try { await WebAssembly.instantiate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); return new Response('compiled'); }
        catch (error) { return new Response(String(error)); } } }`,
    });
    try {
      const text = await (await probe.dispatchFetch('http://probe/')).text();
      expect(text).toMatch(/Wasm code generation disallowed by embedder/);
    } finally {
      await probe.dispose();
    }
    const wasm = bundle.modules.find((module) => module.path === LIBSODIUM_WASM);
    expect(wasm?.type).toBe('CompiledWasm');
    expect(WebAssembly.validate(wasm?.contents as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it('evaluates exactly what @noble/curves computes with the same key', async () => {
    const noble = createNobleVoprf(data.secretKey);
    const inputs = Array.from({ length: 12 }, (_, i) => `+86139${String(i * 7919).padStart(8, '0')}`);
    const blinded = inputs.map((input) => ristretto255_oprf.voprf.blind(new TextEncoder().encode(input)).blinded);
    for (const name of ['main', 'raw-key']) {
      const response = await evaluate(name, blinded.map(encodeBase64Url));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { evaluated: string[]; proof: string };
      const expected = noble.blindEvaluateBatch(blinded).evaluated.map(encodeBase64Url);
      expect(body.evaluated).toEqual(expected);
      expect(decodeBase64Url(body.proof)).toHaveLength(64);
    }
  });
});

describe('the deployable bundle', () => {
  it('is written as wrangler.toml expects it, with the bindings and class the Worker uses', async () => {
    const out = await mkdtemp(join(tmpdir(), 'eg-bundle-'));
    try {
      const written = await writeWorkerBundle(out);
      expect(written.map((path) => path.slice(out.length + 1))).toEqual([WORKER_MAIN, LIBSODIUM_WASM]);
      const script = await readFile(join(out, WORKER_MAIN), 'utf8');
      expect(script).toContain(`from "./${LIBSODIUM_WASM}"`);
      expect(script).toMatch(/export\s*\{[^}]*RateLimiterObject/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    const config = parseTOML<{
      main: string;
      no_bundle: boolean;
      compatibility_date: string;
      compatibility_flags: string[];
      r2_buckets: { binding: string }[];
      durable_objects: { bindings: { name: string; class_name: string }[] };
      migrations: { new_sqlite_classes?: string[] }[];
      vars: Record<string, string>;
    }>(await readFile(resolve(__dirname, '../../../wrangler.toml'), 'utf8'));
    expect(config.main).toBe(`${DEFAULT_BUNDLE_DIR}/${WORKER_MAIN}`);
    expect(config.no_bundle).toBe(true);
    expect(config.compatibility_date).toBe(COMPATIBILITY_DATE);
    expect(config.compatibility_flags).toEqual(COMPATIBILITY_FLAGS);
    expect(config.r2_buckets.map((bucket) => bucket.binding)).toEqual([R2_BINDING]);
    expect(config.durable_objects.bindings).toEqual([{ name: RATE_LIMITER_BINDING, class_name: 'RateLimiterObject' }]);
    expect(config.migrations.flatMap((migration) => migration.new_sqlite_classes ?? [])).toContain('RateLimiterObject');
    expect(config.vars).not.toHaveProperty('RANGE_SECRET_KEY');
  });
});

describe('configuration', () => {
  it('answers a JSON 500 and logs the cause when the secret or a var is wrong, never the secret', async () => {
    const logged = logs.length;
    for (const name of ['no-secret', 'bad-limit']) {
      const response = await request(name, '/v1/manifest');
      expect(response.status).toBe(500);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual({ error: 'internal', message: 'Internal server error.' });
    }
    await expect.poll(() => logs.slice(logged).join('\n')).toMatch(/RANGE_SECRET_KEY is not set/);
    await expect.poll(() => logs.slice(logged).join('\n')).toMatch(/RATE_LIMIT_PER_MINUTE must be a whole number/);
    expect(logs.join('\n')).not.toContain(encodeBase64Url(data.secretKey));
  });
});

describe('the rate-limiter Durable Object', () => {
  it('counts per window, refuses without taking, and starts afresh when the minute rolls over', async () => {
    const namespace = (await worker.miniflare.getDurableObjectNamespace(RATE_LIMITER_BINDING, 'main')) as unknown as {
      idFromName(name: string): unknown;
      get(id: unknown): { fetch(url: string, init: RequestInit): Promise<Response> };
    };
    const stub = namespace.get(namespace.idFromName('test-window'));
    const start = Date.UTC(2026, 0, 1, 12, 0, 15);
    const take = async (cost: number, now: number) =>
      (
        await stub.fetch('https://rate-limiter/take', {
          method: 'POST',
          body: JSON.stringify({ cost, limit: 5, now }),
        })
      ).json();
    expect(await take(4, start)).toEqual({ allowed: true });
    expect(await take(2, start + 1)).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(await take(1, start + 2)).toEqual({ allowed: true });
    expect(await take(1, start + 3)).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(await take(5, start + 45_000)).toEqual({ allowed: true });
    const bad = await stub.fetch('https://rate-limiter/take', { method: 'POST', body: '{"cost": 0, "limit": 5}' });
    expect(bad.status).toBe(400);
  });

  it('names objects by a salted hash of the client, never the address itself', async () => {
    const name = await getLimiterName(data.secretKey, '198.51.100.7');
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(name).not.toBe(await getLimiterName(generateKeyPair().secretKey, '198.51.100.7'));
    expect(name).not.toBe(await getLimiterName(data.secretKey, '198.51.100.8'));
  });
});

describe('publishing a new version', () => {
  it('switches to the new manifest and keeps serving immutable buckets from the location cache', async () => {
    const { version } = data.manifest;
    const bucketPath = `/v1/range/${version}/42`;
    const first = new Uint8Array(await (await request('main', bucketPath)).arrayBuffer());
    expect(first.length).toBe(64 * 16);

    // Rebuild the same datasets: a new version with new buckets, published into the same R2 bucket.
    const config = parseBuildConfig(
      {
        key: 'unused.key',
        out: 'data2',
        datasets: [
          {
            id: 'a',
            title: { en: 'A', 'zh-CN': '甲' },
            published: '2020-01-01',
            defaultCountry: 'CN',
            inputs: ['leak-0.txt'],
          },
        ],
      },
      data.dir,
    );
    const report = await buildRange(config, { secretKey: data.secretKey, threads: 1 });
    const bucket = await getLocalBucket(worker, 'main');
    await executePublishPlan(await createPublishPlan(join(data.dir, 'data2')), createR2BindingSink(bucket));
    const manifest = (await (await request('main', '/v1/manifest')).json()) as { version: string };
    expect(manifest.version).toBe(report.manifest.version);
    expect((await request('main', `/v1/range/${manifest.version}/42`)).status).toBe(200);

    // The old version is gone from the API, except for what the cache already holds: a cached bucket is the
    // same immutable bytes, even after its object is removed, and a query string does not bypass the cache.
    const cached = await request('main', `${bucketPath}?x=1`);
    expect(cached.status).toBe(200);
    expect(new Uint8Array(await cached.arrayBuffer())).toEqual(first);
    await bucket.delete(OBJECT_KEYS.bucket(version, '42'));
    expect(new Uint8Array(await (await request('main', bucketPath)).arrayBuffer())).toEqual(first);
    const uncached = await request('main', `/v1/range/${version}/43`);
    expect(uncached.status).toBe(404);
    expect(((await uncached.json()) as { error: string }).error).toBe('unknown_version');
  });

  it('evaluations still pass their proof against the key the client pins', async () => {
    const response = await evaluate('main', [blindedElement()]);
    expect(response.status).toBe(200);
  });
});
