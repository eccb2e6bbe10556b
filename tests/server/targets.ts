import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createRangeApp } from '@/server/app';
import { buildRange } from '@/server/builder/build';
import { parseBuildConfig } from '@/server/builder/config';
import { serializeKey } from '@/server/keys';
import { createPublishPlan, createR2BindingSink, executePublishPlan } from '@/server/publish';
import { createFsStore } from '@/server/store';
import { getBucketFileName, OBJECT_KEYS } from '@/server/store-core';
import { generateKeyPair } from '@/server/voprf';
import { getLocalBucket, type LocalWorker, type LocalWorkerSpec, startLocalWorker } from '@/server/worker/local';
import { type Manifest, parseManifest } from '@/utils/exposure/manifest';
import { encodeBase64Url } from '@/utils/exposure/protocol';
import { fromAddress } from './helpers';

/**
 * The server suite runs against both builds of the range service:
 * - `node`: the Hono app in process over the file store (what `range:serve` runs under @hono/node-server);
 * - `worker`: the Workers bundle in local workerd (Miniflare), reading the same build from R2.
 * Both serve one real build (server/builder) of the datasets below. Each build offers the same named
 * services (configurations); a worker target runs them all in one Miniflare instance.
 */

export const BUILDS = ['node', 'worker'] as const;
export type BuildName = (typeof BUILDS)[number];

export const DATASETS = [
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

interface ServiceSpec {
  rateLimitPerMinute?: number;
  /** No build published at all. */
  empty?: boolean;
  /** A key other than the one the data was built with. */
  wrongKey?: boolean;
}

export const SERVICES = {
  main: { rateLimitPerMinute: 1_000_000 },
  'no-data': { empty: true },
  'wrong-key': { wrongKey: true },
  'limit-5': { rateLimitPerMinute: 5 },
  'default-limit': {},
  logged: { rateLimitPerMinute: 2 },
} satisfies Record<string, ServiceSpec>;
export type ServiceName = keyof typeof SERVICES;

export interface RangeData {
  dir: string;
  dataDir: string;
  secretKey: Uint8Array;
  publicKey: string;
  manifest: Manifest;
}

/** Builds DATASETS with the real builder into a temporary folder. */
export async function createRangeData(): Promise<RangeData> {
  const dir = await mkdtemp(join(tmpdir(), 'eg-targets-'));
  const { secretKey, publicKey } = generateKeyPair();
  const datasets = DATASETS.map((dataset, i) => ({
    id: dataset.id,
    title: dataset.title,
    published: dataset.published,
    defaultCountry: 'CN',
    inputs: [`leak-${i}.txt`],
    fields: dataset.fields,
  }));
  for (const [i, dataset] of DATASETS.entries()) {
    await writeFile(join(dir, `leak-${i}.txt`), `${dataset.numbers.join('\n')}\n`);
  }
  const config = parseBuildConfig({ key: 'unused.key', out: 'data', datasets }, dir);
  await buildRange(config, { secretKey, threads: 1 });
  const dataDir = join(dir, 'data');
  const manifest = parseManifest(JSON.parse(await readFile(join(dataDir, 'manifest.json'), 'utf8')));
  return { dir, dataDir, secretKey, publicKey: encodeBase64Url(publicKey), manifest };
}

export interface RequestOptions extends RequestInit {
  /** The client address the request comes from (default 127.0.0.1). */
  address?: string;
}

export interface RangeTarget {
  build: BuildName;
  request(service: ServiceName, path: string, init?: RequestOptions): Promise<Response>;
  /** Every line the services logged so far. */
  logs: string[];
  /** Replaces a bucket's stored bytes (null removes it) in this build's store; returns a restore function. */
  damageBucket(prefix: string, bytes: Uint8Array | null): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

async function startNodeTarget(data: RangeData): Promise<RangeTarget> {
  const logs: string[] = [];
  const wrongKey = generateKeyPair().secretKey;
  const emptyDir = join(data.dir, 'empty');
  await mkdir(emptyDir, { recursive: true });
  const apps = new Map<ServiceName, Hono>();
  for (const [name, spec] of Object.entries(SERVICES) as [ServiceName, ServiceSpec][]) {
    apps.set(
      name,
      createRangeApp({
        store: createFsStore(spec.empty ? emptyDir : data.dataDir),
        secretKey: spec.wrongKey ? wrongKey : data.secretKey,
        rateLimitPerMinute: spec.rateLimitPerMinute,
        log: (line) => logs.push(line),
      }),
    );
  }
  return {
    build: 'node',
    logs,
    async request(service, path, init = {}) {
      const { address = '127.0.0.1', ...rest } = init;
      return (apps.get(service) as Hono).request(path, rest, fromAddress(address));
    },
    async damageBucket(prefix, bytes) {
      const path = join(data.dataDir, getBucketFileName(prefix));
      const original = await readFile(path);
      if (bytes) await writeFile(path, bytes);
      else await rm(path);
      return () => writeFile(path, original);
    },
    close: async () => {},
  };
}

async function startWorkerTarget(data: RangeData): Promise<RangeTarget> {
  const logs: string[] = [];
  const keyText = serializeKey(data.secretKey);
  const wrongKeyText = serializeKey(generateKeyPair().secretKey);
  const specs: LocalWorkerSpec[] = (Object.entries(SERVICES) as [ServiceName, ServiceSpec][]).map(([name, spec]) => ({
    name,
    secretKey: spec.wrongKey ? wrongKeyText : keyText,
    rateLimitPerMinute: spec.rateLimitPerMinute,
    bucket: spec.empty ? 'empty-bucket' : 'range-test',
  }));
  const worker: LocalWorker = await startLocalWorker({ workers: specs, onOutput: (line) => logs.push(line) });
  const bucket = await getLocalBucket(worker, 'main');
  await executePublishPlan(await createPublishPlan(data.dataDir), createR2BindingSink(bucket));
  return {
    build: 'worker',
    logs,
    async request(service, path, init = {}) {
      const { address = '127.0.0.1', headers, ...rest } = init;
      const merged = new Headers(headers);
      // What Cloudflare's edge sets to the connecting address; locally, workerd keeps what it is given.
      merged.set('cf-connecting-ip', address);
      const response = await worker.miniflare.dispatchFetch(`http://${worker.getHost(service)}${path}`, {
        ...rest,
        headers: merged,
      } as never);
      return response as unknown as Response;
    },
    async damageBucket(prefix, bytes) {
      const key = OBJECT_KEYS.bucket(data.manifest.version, prefix);
      const original = await readFile(join(data.dataDir, getBucketFileName(prefix)));
      const httpMetadata = { contentType: 'application/octet-stream', cacheControl: 'no-store' };
      if (bytes) await bucket.put(key, new Uint8Array(bytes), { httpMetadata });
      else await bucket.delete(key);
      return async () => {
        await bucket.put(key, new Uint8Array(original), { httpMetadata });
      };
    },
    close: () => worker.dispose(),
  };
}

export function startTarget(build: BuildName, data: RangeData): Promise<RangeTarget> {
  return build === 'node' ? startNodeTarget(data) : startWorkerTarget(data);
}
