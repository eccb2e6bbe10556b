import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Miniflare, type MiniflareOptions, type WorkerOptions } from 'miniflare';
import type { R2BucketLike } from '../object-store';
import type { R2PutBucket } from '../publish';
import { bundleWorker, COMPATIBILITY_DATE, COMPATIBILITY_FLAGS, type WorkerBundle } from './bundle';

/**
 * The Worker build run locally in workerd through Miniflare: the same bundle wrangler deploys, with a local
 * R2 bucket (in memory, or persisted in a folder), the rate-limiter Durable Object, and the secret key as
 * a binding. Used by `npm run range:serve:worker`, `range:publish --local`, the tests and the load bench.
 */

export const R2_BINDING = 'RANGE_DATA';
export const RATE_LIMITER_BINDING = 'RATE_LIMITER';
export const DEFAULT_BUCKET_NAME = 'exposure-range';

export interface LocalWorkerSpec {
  /** Worker name; workers after the first are reached through dispatchFetch on `http://<name>.range.test`. */
  name: string;
  /** The key file's text (or a base64url scalar), given to the Worker as its RANGE_SECRET_KEY secret. */
  secretKey: string;
  rateLimitPerMinute?: number;
  /** R2 bucket name (default exposure-range); workers naming the same bucket share it. */
  bucket?: string;
  addressHeader?: string;
  /** Seconds a manifest read is trusted (the Worker's default is 10). */
  manifestTtlSeconds?: number;
  cacheBuckets?: boolean;
  logRequests?: boolean;
}

export interface StartLocalWorkerOptions {
  workers: LocalWorkerSpec[];
  port?: number;
  host?: string;
  /** Folder for R2 data (`range:publish --local` writes there); default in memory. */
  r2Persist?: string;
  /** Each line the Worker prints (its request log and errors). Default: dropped. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** A bundle made earlier (tests start several instances from one). */
  bundle?: WorkerBundle;
  /** Chrome DevTools protocol for the Workers (debugging, heap figures); on loopback. */
  inspectorPort?: number;
}

export interface LocalWorker {
  url: URL;
  miniflare: Miniflare;
  /** Host name that routes a dispatchFetch to the named worker. */
  getHost(name: string): string;
  dispose(): Promise<void>;
}

/** The R2 binding methods the publisher and tests use, as Miniflare's proxy provides them. */
export type LocalR2Bucket = R2PutBucket &
  R2BucketLike & {
    delete(key: string): Promise<void>;
    list(options?: { prefix?: string }): Promise<{ objects: { key: string; size: number }[]; truncated: boolean }>;
    head(key: string): Promise<{ httpMetadata?: { contentType?: string; cacheControl?: string } } | null>;
  };

/** A worker's R2 bucket through Miniflare (tests corrupt or remove objects with it). */
export async function getLocalBucket(worker: LocalWorker, workerName?: string): Promise<LocalR2Bucket> {
  return (await worker.miniflare.getR2Bucket(R2_BINDING, workerName)) as unknown as LocalR2Bucket;
}

export function getWorkerHost(name: string): string {
  return `${name}.range.test`;
}

function toWorkerOptions(spec: LocalWorkerSpec, bundle: WorkerBundle, index: number): WorkerOptions {
  const bindings: Record<string, string> = { RANGE_SECRET_KEY: spec.secretKey };
  if (spec.rateLimitPerMinute !== undefined) bindings.RATE_LIMIT_PER_MINUTE = String(spec.rateLimitPerMinute);
  if (spec.addressHeader !== undefined) bindings.ADDRESS_HEADER = spec.addressHeader;
  if (spec.manifestTtlSeconds !== undefined) bindings.MANIFEST_TTL_SECONDS = String(spec.manifestTtlSeconds);
  if (spec.cacheBuckets === false) bindings.CACHE_BUCKETS = 'false';
  if (spec.logRequests === false) bindings.LOG_REQUESTS = 'false';
  return {
    name: spec.name,
    // Each worker's modules live under their own root so identical paths do not collide.
    modulesRoot: `/${spec.name}`,
    modules: bundle.modules.map((module) => ({
      type: module.type,
      path: `/${spec.name}/${module.path}`,
      contents: module.contents,
    })),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    bindings,
    r2Buckets: { [R2_BINDING]: spec.bucket ?? DEFAULT_BUCKET_NAME },
    durableObjects: { [RATE_LIMITER_BINDING]: 'RateLimiterObject' },
    // The first worker answers everything else, as a Worker on a custom domain would.
    routes: index === 0 ? undefined : [`${getWorkerHost(spec.name)}/*`],
  };
}

function pipeLines(stream: Readable, name: 'stdout' | 'stderr', onOutput: StartLocalWorkerOptions['onOutput']) {
  const lines = createInterface({ input: stream });
  lines.on('line', (line) => onOutput?.(line, name));
}

export async function startLocalWorker(options: StartLocalWorkerOptions): Promise<LocalWorker> {
  if (options.workers.length === 0) throw new RangeError('at least one worker');
  const bundle = options.bundle ?? (await bundleWorker());
  const shared: MiniflareOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    r2Persist: options.r2Persist ?? false,
    durableObjectsPersist: false,
    cachePersist: false,
    inspectorPort: options.inspectorPort,
    handleRuntimeStdio(stdout, stderr) {
      pipeLines(stdout, 'stdout', options.onOutput);
      pipeLines(stderr, 'stderr', options.onOutput);
    },
    workers: options.workers.map((spec, index) => toWorkerOptions(spec, bundle, index)),
  } as MiniflareOptions;
  const miniflare = new Miniflare(shared);
  let url: URL;
  try {
    url = await miniflare.ready;
  } catch (error) {
    await miniflare.dispose().catch(() => {});
    throw error;
  }
  return {
    url,
    miniflare,
    getHost: getWorkerHost,
    dispose: () => miniflare.dispose(),
  };
}

/**
 * An R2 bucket in a Miniflare persistence folder, without the range Worker: what `range:publish --local`
 * writes into and `range:serve:worker --r2-dir` later serves.
 */
export async function openLocalBucket(options: { r2Persist: string; bucket?: string }) {
  const miniflare = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null, { status: 404 }); } }',
    compatibilityDate: COMPATIBILITY_DATE,
    r2Buckets: { [R2_BINDING]: options.bucket ?? DEFAULT_BUCKET_NAME },
    r2Persist: options.r2Persist,
  });
  try {
    // Miniflare types bindings with @cloudflare/workers-types, which this project does not install.
    const bucket = (await miniflare.getR2Bucket(R2_BINDING)) as unknown as LocalR2Bucket;
    return { bucket, dispose: () => miniflare.dispose() };
  } catch (error) {
    await miniflare.dispose().catch(() => {});
    throw error;
  }
}
