/**
 * The range server as a Cloudflare Worker: the same Hono app as `range:serve`, reading published builds
 * from R2 and counting evaluations in a Durable Object. Built by server/worker/bundle.ts (which also hands
 * workerd libsodium's WebAssembly as a precompiled module); deployed with wrangler.toml (docs/DEPLOY.md).
 */
import type { Hono } from 'hono';
import type { ExecutionContextLike, RangeWorkerEnv } from './env';

export { RateLimiterObject } from './rate-limiter';

let app: Promise<Hono> | undefined;

function internalError(): Response {
  return new Response(JSON.stringify({ error: 'internal', message: 'Internal server error.' }), {
    status: 500,
    headers: {
      'Access-Control-Allow-Origin': '*',
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

/** Bucket responses are immutable: keep a copy in the location's cache, keyed by path only. */
async function fetchBucketCached(
  request: Request,
  ctx: ExecutionContextLike,
  answer: () => Promise<Response>,
): Promise<Response> {
  const url = new URL(request.url);
  // Dropping the query keeps `?anything` from filling the cache with copies (and from bypassing it).
  const key = new Request(`${url.origin}${url.pathname}`, { method: 'GET' });
  const cache = (globalThis.caches as unknown as { default: Cache }).default;
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await answer();
  if (response.status === 200) ctx.waitUntil(cache.put(key, response.clone()));
  return response;
}

/**
 * workerd (locally; on Cloudflare the edge holds the client's connection) closes a keep-alive connection
 * without a word when a response leaves part of the request body unread, so a client that reuses it for
 * its next request sees "other side closed". Error responses (404, 405, 413, 415) often skip the body:
 * read what is left, up to a bound, before answering.
 */
const DRAIN_LIMIT_BYTES = 1 << 20;

async function drainBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return;
  const reader = request.body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.length;
      if (size > DRAIN_LIMIT_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away; nothing to keep alive.
  }
}

export default {
  async fetch(request: Request, env: RangeWorkerEnv, ctx: ExecutionContextLike): Promise<Response> {
    app ??= import('./range-app').then(({ createWorkerApp }) => createWorkerApp(env));
    let ready: Hono;
    try {
      ready = await app;
    } catch (error) {
      app = undefined; // a fixed secret or binding is picked up by the next request
      console.error(`range worker not configured: ${error instanceof Error ? error.message : String(error)}`);
      await drainBody(request);
      return internalError();
    }
    const answer = () => Promise.resolve(ready.fetch(request, env, ctx as never));
    const cacheable =
      request.method === 'GET' &&
      env.CACHE_BUCKETS !== 'false' &&
      new URL(request.url).pathname.startsWith('/v1/range/');
    const response = await (cacheable ? fetchBucketCached(request, ctx, answer) : answer());
    await drainBody(request);
    return response;
  },
};
