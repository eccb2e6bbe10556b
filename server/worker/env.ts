import type { R2BucketLike } from '../object-store';

/**
 * What the Worker is given (wrangler.toml, `wrangler secret put`, or Miniflare locally). Structural types
 * for the few binding methods used, so the code needs no Workers type package.
 */
export interface RangeWorkerEnv {
  /** R2 bucket holding published builds (OBJECT_KEYS layout, written by `npm run range:publish`). */
  RANGE_DATA: R2BucketLike;
  /** Durable Object namespace of RateLimiterObject. */
  RATE_LIMITER: DurableObjectNamespaceLike;
  /** Secret: the key file from range:keygen (its JSON text) or just its base64url secret scalar. */
  RANGE_SECRET_KEY?: string;
  /** Blinded elements per client address per minute (default 60). */
  RATE_LIMIT_PER_MINUTE?: string;
  /** Header carrying the client address (default cf-connecting-ip, which Cloudflare always sets). */
  ADDRESS_HEADER?: string;
  /** Seconds one manifest read is trusted (default 10). */
  MANIFEST_TTL_SECONDS?: string;
  /** "false" turns off the per-colo Cache API copy of buckets. */
  CACHE_BUCKETS?: string;
  /** "false" turns off the one-line request log. */
  LOG_REQUESTS?: string;
}

export interface DurableObjectStubLike {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): DurableObjectStubLike;
}

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}
