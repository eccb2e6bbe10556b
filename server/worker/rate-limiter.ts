import { createRateLimiter, type RateLimitDecision, type RateLimiter } from '../rate-limit';
import type { DurableObjectNamespaceLike } from './env';

/**
 * Rate limiting in the Workers build: one Durable Object per client key (address or IPv6 /64).
 *
 * Why a Durable Object and not Workers' rate-limiting binding: the binding counts one unit per call in
 * each Cloudflare location separately and only approximately, while the contract counts blinded elements
 * (a batch of 16 is 16 guesses) per address, exactly, and answers with Retry-After. A Durable Object is a
 * single instance worldwide per name, so its count is exact and it runs the same fixed-window code as the
 * Node server (server/rate-limit.ts). It is also what behaves like production under local workerd.
 *
 * The counter lives in the object's memory only, for the current window (no storage writes, no history).
 * An object is evicted only after it has been idle for longer than a window, so eviction loses nothing
 * that still counts; a deploy or crash resets the current window's counts at most once.
 */

const WINDOW_MS = 60_000;

interface TakeRequest {
  cost: number;
  limit: number;
  /** Only tests pass a clock (through Miniflare's binding API); the Worker never does. */
  now?: number;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

export class RateLimiterObject {
  #limiter: { limit: number; limiter: RateLimiter } | null = null;
  #now = 0;

  async fetch(request: Request): Promise<Response> {
    let body: Partial<TakeRequest>;
    try {
      body = (await request.json()) as Partial<TakeRequest>;
    } catch {
      return new Response('bad request', { status: 400 });
    }
    const { cost, limit, now } = body;
    if (!isPositiveInteger(cost) || !isPositiveInteger(limit) || (now !== undefined && typeof now !== 'number')) {
      return new Response('bad request', { status: 400 });
    }
    this.#now = now ?? Date.now();
    if (this.#limiter?.limit !== limit) {
      this.#limiter = {
        limit,
        limiter: createRateLimiter({ limit, windowMs: WINDOW_MS, now: () => this.#now }),
      };
    }
    const decision: RateLimitDecision = this.#limiter.limiter.take('client', cost);
    return Response.json(decision);
  }
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The name of a client's Durable Object: a hash of the client key salted with the server's secret, so
 * object names say nothing about addresses even to someone who can list them (an unsalted hash of an
 * IPv4 address is reversed by trying all 2^32).
 */
export async function getLimiterName(secretKey: Uint8Array, clientKey: string): Promise<string> {
  const label = new TextEncoder().encode('exposure-guard rate-limit v1\0');
  const key = new TextEncoder().encode(clientKey);
  const input = new Uint8Array(label.length + secretKey.length + key.length);
  input.set(label);
  input.set(secretKey, label.length);
  input.set(key, label.length + secretKey.length);
  return toHex(await crypto.subtle.digest('SHA-256', input));
}

/** The app's rate limiter, backed by one RateLimiterObject per client key. */
export function createDurableRateLimiter(
  namespace: DurableObjectNamespaceLike,
  options: { limit: number; secretKey: Uint8Array },
) {
  return {
    async take(clientKey: string, cost: number): Promise<RateLimitDecision> {
      const name = await getLimiterName(options.secretKey, clientKey);
      const stub = namespace.get(namespace.idFromName(name) as never);
      const response = await stub.fetch('https://rate-limiter/take', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cost, limit: options.limit } satisfies TakeRequest),
      });
      if (!response.ok) throw new Error(`rate limiter answered HTTP ${response.status}`);
      return (await response.json()) as RateLimitDecision;
    },
  };
}
