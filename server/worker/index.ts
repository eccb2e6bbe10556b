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

export default {
  async fetch(request: Request, env: RangeWorkerEnv, ctx: ExecutionContextLike): Promise<Response> {
    app ??= import('./range-app').then(({ createWorkerApp }) => createWorkerApp(env));
    let ready: Hono;
    try {
      ready = await app;
    } catch (error) {
      app = undefined; // a fixed secret or binding is picked up by the next request
      console.error(`range worker not configured: ${error instanceof Error ? error.message : String(error)}`);
      return internalError();
    }
    const answer = () => Promise.resolve(ready.fetch(request, env, ctx as never));
    if (
      request.method === 'GET' &&
      env.CACHE_BUCKETS !== 'false' &&
      new URL(request.url).pathname.startsWith('/v1/range/')
    ) {
      return fetchBucketCached(request, ctx, answer);
    }
    return answer();
  },
};
