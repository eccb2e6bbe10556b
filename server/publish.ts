import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import { type Manifest, parseManifest } from '@/utils/exposure/manifest';
import { ENTRY_SIZE } from '@/utils/exposure/protocol';
import {
  CACHE_CONTROL,
  CHECKSUM_FILE,
  getBucketFileName,
  MANIFEST_FILE,
  OBJECT_KEYS,
  parseChecksums,
  StoreIntegrityError,
} from './store-core';

/**
 * Publishing a built folder to an object store (R2 for the Workers build, or any S3-compatible store
 * behind a CDN). The plan is checked against SHA256SUMS before anything is uploaded, and its order is the
 * point: every bucket first, then the version's checksum list and manifest, and `v1/manifest` last, so no
 * client ever reads a manifest whose buckets are not all there. Objects are never deleted: clients
 * holding the previous manifest keep working until they refetch it.
 */

export class PublishError extends Error {
  override name = 'PublishError';
}

export interface PublishObject {
  key: string;
  /** Absolute path of the file uploaded as this object. */
  file: string;
  size: number;
  /** Hex SHA-256 of the file, checked again just before it is uploaded. */
  sha256: string;
  contentType: string;
  cacheControl: string;
}

export interface PublishPlan {
  dataDir: string;
  manifest: Manifest;
  /** In upload order; the last object is `v1/manifest`. */
  objects: PublishObject[];
  /** How many leading objects are buckets (uploaded concurrently; the rest one by one, in order). */
  bucketCount: number;
}

const CONTENT_TYPES = {
  bucket: 'application/octet-stream',
  manifest: 'application/json; charset=utf-8',
  checksums: 'text/plain; charset=utf-8',
} as const;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readRequired(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new PublishError(`${what} is missing: ${path}`);
    throw new PublishError(`cannot read ${path}: ${code ?? String(error)}`);
  }
}

/** Every prefix of a build, in order ("00".."ff" for 8 bits). */
export function listPrefixes(prefixBits: number): string[] {
  const digits = prefixBits / 4;
  return Array.from({ length: 2 ** prefixBits }, (_, i) => i.toString(16).padStart(digits, '0'));
}

/**
 * Reads and verifies a folder written by `npm run range:build` and lists what to upload, in order.
 * Refuses a folder with a missing, extra, wrongly sized or damaged bucket.
 */
export async function createPublishPlan(dataDir: string): Promise<PublishPlan> {
  const manifestPath = join(dataDir, MANIFEST_FILE);
  const manifestBytes = await readRequired(manifestPath, MANIFEST_FILE).catch((error: unknown) => {
    if (error instanceof PublishError && error.message.includes('is missing')) {
      throw new PublishError(`${dataDir} holds no ${MANIFEST_FILE}; build it with npm run range:build`);
    }
    throw error;
  });
  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(manifestBytes.toString('utf8')));
  } catch (error) {
    throw new PublishError(`${manifestPath} is not a valid manifest: ${(error as Error).message}`);
  }
  const checksumPath = join(dataDir, CHECKSUM_FILE);
  const checksumBytes = await readRequired(checksumPath, CHECKSUM_FILE);
  let sums: Map<string, string>;
  try {
    sums = parseChecksums(checksumBytes.toString('utf8'));
  } catch (error) {
    if (error instanceof StoreIntegrityError) throw new PublishError(`${checksumPath}: ${error.message}`);
    throw error;
  }
  const prefixes = listPrefixes(manifest.prefixBits);
  if (sums.size !== prefixes.length) {
    throw new PublishError(
      `${CHECKSUM_FILE} lists ${sums.size} files, but prefixBits ${manifest.prefixBits} needs ${prefixes.length} buckets`,
    );
  }
  const { version } = manifest;
  const bucketBytes = manifest.bucketSize * ENTRY_SIZE;
  const objects: PublishObject[] = [];
  for (const prefix of prefixes) {
    const name = getBucketFileName(prefix);
    const expected = sums.get(name);
    if (!expected) throw new PublishError(`${CHECKSUM_FILE} has no line for ${name}`);
    const file = join(dataDir, name);
    const bytes = await readRequired(file, `bucket ${name}`);
    if (bytes.length !== bucketBytes) {
      throw new PublishError(`${name} is ${bytes.length} bytes, expected ${bucketBytes} (bucketSize x 16)`);
    }
    if (sha256Hex(bytes) !== expected) throw new PublishError(`${name} does not match its SHA-256 in ${CHECKSUM_FILE}`);
    objects.push({
      key: OBJECT_KEYS.bucket(version, prefix),
      file,
      size: bytes.length,
      sha256: expected,
      contentType: CONTENT_TYPES.bucket,
      cacheControl: CACHE_CONTROL.bucket,
    });
  }
  const bucketCount = objects.length;
  const manifestSha = sha256Hex(manifestBytes);
  objects.push(
    {
      key: OBJECT_KEYS.checksums(version),
      file: checksumPath,
      size: checksumBytes.length,
      sha256: sha256Hex(checksumBytes),
      contentType: CONTENT_TYPES.checksums,
      cacheControl: CACHE_CONTROL.bucket,
    },
    {
      key: OBJECT_KEYS.versionManifest(version),
      file: manifestPath,
      size: manifestBytes.length,
      sha256: manifestSha,
      contentType: CONTENT_TYPES.manifest,
      cacheControl: CACHE_CONTROL.bucket,
    },
    {
      key: OBJECT_KEYS.manifest,
      file: manifestPath,
      size: manifestBytes.length,
      sha256: manifestSha,
      contentType: CONTENT_TYPES.manifest,
      cacheControl: CACHE_CONTROL.manifest,
    },
  );
  return { dataDir, manifest, objects, bucketCount };
}

/** The plan as `--dry-run` prints it: one line per upload, in order. */
export function formatPublishPlan(plan: PublishPlan, target: string): string {
  const { manifest, objects } = plan;
  const lines = [
    `publish version ${manifest.version} (${manifest.records} numbers, prefixBits ${manifest.prefixBits}, ` +
      `bucketSize ${manifest.bucketSize}, public key ${manifest.publicKey}) to ${target}: ${objects.length} objects`,
  ];
  objects.forEach((object, i) => {
    const step = i < plan.bucketCount ? 'bucket' : i === objects.length - 1 ? 'current manifest, last' : 'version';
    lines.push(
      `${String(i + 1).padStart(String(objects.length).length)} PUT ${object.key} ${object.size} B ` +
        `sha256=${object.sha256} content-type="${object.contentType}" cache-control="${object.cacheControl}" (${step})`,
    );
  });
  return lines.join('\n');
}

export interface ObjectMetadata {
  contentType: string;
  cacheControl: string;
  sha256: string;
}

/** Where objects go: an R2 binding (Miniflare, a Worker) or the S3 API. */
export interface ObjectSink {
  put(key: string, body: Uint8Array, metadata: ObjectMetadata): Promise<void>;
}

/** The part of an R2 bucket binding (or Miniflare's getR2Bucket) a sink needs. */
export interface R2PutBucket {
  put(
    key: string,
    value: Uint8Array,
    options: { httpMetadata: { contentType: string; cacheControl: string }; sha256?: string },
  ): Promise<unknown>;
}

export function createR2BindingSink(bucket: R2PutBucket): ObjectSink {
  return {
    async put(key, body, { contentType, cacheControl, sha256 }) {
      // A plain copy: Miniflare's binding proxy refuses Node Buffers that are views into a shared pool.
      // R2 checks the SHA-256 itself and refuses the object if the bytes differ.
      await bucket.put(key, new Uint8Array(body), { httpMetadata: { contentType, cacheControl }, sha256 });
    },
  };
}

export interface S3SinkOptions {
  /** e.g. https://<account id>.r2.cloudflarestorage.com, or any S3-compatible endpoint. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** R2 uses "auto". */
  region?: string;
}

/** Uploads over the S3 API (path-style, SigV4 over the payload's SHA-256, retried on 5xx and network errors). */
export function createS3Sink(options: S3SinkOptions): ObjectSink {
  const client = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    service: 's3',
    region: options.region ?? 'auto',
    retries: 4,
  });
  const base = `${options.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(options.bucket)}`;
  return {
    async put(key, body, { contentType, cacheControl, sha256 }) {
      const path = key.split('/').map(encodeURIComponent).join('/');
      const response = await client.fetch(`${base}/${path}`, {
        method: 'PUT',
        body: body as Uint8Array<ArrayBuffer>,
        // A signed payload hash (aws4fetch would send UNSIGNED-PAYLOAD): the store refuses altered bytes.
        headers: { 'content-type': contentType, 'cache-control': cacheControl, 'x-amz-content-sha256': sha256 },
      });
      if (!response.ok) {
        const detail = (await response.text().catch(() => '')).slice(0, 200);
        throw new PublishError(`PUT ${key} failed: HTTP ${response.status} ${detail}`);
      }
    },
  };
}

export interface ExecuteOptions {
  /** Bucket uploads in flight at once (default 8). */
  concurrency?: number;
  onProgress?: (done: number, total: number, key: string) => void;
}

async function readVerified(object: PublishObject): Promise<Uint8Array> {
  const bytes = await readRequired(object.file, object.key);
  if (sha256Hex(bytes) !== object.sha256) {
    throw new PublishError(`${object.file} changed after the plan was made; nothing after it was published`);
  }
  return bytes;
}

/** Uploads the plan in its order; the current manifest goes only after everything else succeeded. */
export async function executePublishPlan(
  plan: PublishPlan,
  sink: ObjectSink,
  options: ExecuteOptions = {},
): Promise<void> {
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const total = plan.objects.length;
  let done = 0;
  const upload = async (object: PublishObject) => {
    const body = await readVerified(object);
    await sink.put(object.key, body, {
      contentType: object.contentType,
      cacheControl: object.cacheControl,
      sha256: object.sha256,
    });
    done++;
    options.onProgress?.(done, total, object.key);
  };
  const buckets = plan.objects.slice(0, plan.bucketCount);
  let next = 0;
  let failed: unknown;
  const runners = Array.from({ length: Math.min(concurrency, buckets.length) }, async () => {
    while (next < buckets.length && failed === undefined) {
      const object = buckets[next++] as PublishObject;
      try {
        await upload(object);
      } catch (error) {
        failed ??= error;
      }
    }
  });
  await Promise.all(runners);
  if (failed !== undefined) throw failed;
  for (const object of plan.objects.slice(plan.bucketCount)) await upload(object);
}
