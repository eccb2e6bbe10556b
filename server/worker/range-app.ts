import type { Hono } from 'hono';
import { decodeBase64Url } from '@/utils/exposure/protocol';
import { createRangeApp, DEFAULT_RATE_LIMIT_PER_MINUTE } from '../app';
import { parseKey } from '../key-format';
import { createObjectStore, createR2Source, DEFAULT_MANIFEST_TTL_MS } from '../object-store';
import { isValidSecretKey } from '../voprf';
import type { RangeWorkerEnv } from './env';
import { createDurableRateLimiter } from './rate-limiter';

/**
 * The range app wired to Worker bindings. Imported lazily by the entry (server/worker/index.ts): libsodium
 * seeds its random generator while it initialises, and Workers allow random numbers only inside a handler.
 */

/** A configuration mistake: the Worker answers 500 `internal` and logs this message (never the secret). */
export class WorkerConfigError extends Error {
  override name = 'WorkerConfigError';
}

/** The secret holds either a whole key file from range:keygen or just its base64url scalar. */
export function parseWorkerSecretKey(text: string | undefined): Uint8Array {
  const value = text?.trim();
  if (!value) throw new WorkerConfigError('RANGE_SECRET_KEY is not set (wrangler secret put RANGE_SECRET_KEY)');
  if (value.startsWith('{')) {
    try {
      return parseKey(value, 'RANGE_SECRET_KEY').secretKey;
    } catch (error) {
      throw new WorkerConfigError((error as Error).message);
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64Url(value);
  } catch {
    throw new WorkerConfigError('RANGE_SECRET_KEY is neither a key file nor a base64url scalar');
  }
  if (!isValidSecretKey(bytes)) throw new WorkerConfigError('RANGE_SECRET_KEY is not a valid ristretto255 scalar');
  return bytes;
}

function readInteger(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    throw new WorkerConfigError(`${name} must be a whole number >= ${min} (got "${value}")`);
  }
  return Number(value);
}

export function createWorkerApp(env: RangeWorkerEnv): Hono {
  const secretKey = parseWorkerSecretKey(env.RANGE_SECRET_KEY);
  if (!env.RANGE_DATA) throw new WorkerConfigError('the RANGE_DATA R2 binding is missing');
  if (!env.RATE_LIMITER) throw new WorkerConfigError('the RATE_LIMITER Durable Object binding is missing');
  const limit = readInteger(env.RATE_LIMIT_PER_MINUTE, 'RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMIT_PER_MINUTE, 1);
  const ttlSeconds = readInteger(env.MANIFEST_TTL_SECONDS, 'MANIFEST_TTL_SECONDS', DEFAULT_MANIFEST_TTL_MS / 1000, 0);
  return createRangeApp({
    store: createObjectStore(createR2Source(env.RANGE_DATA), { manifestTtlMs: ttlSeconds * 1000 }),
    secretKey,
    rateLimiter: createDurableRateLimiter(env.RATE_LIMITER, { limit, secretKey }),
    clientAddressHeader: env.ADDRESS_HEADER?.trim() || 'cf-connecting-ip',
    log: env.LOG_REQUESTS === 'false' ? undefined : (line) => console.log(line),
  });
}
