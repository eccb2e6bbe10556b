import { type Context, Hono } from 'hono';
import type { Manifest } from '@/utils/exposure/manifest';
import { MANIFEST_VERSION_PATTERN } from '@/utils/exposure/manifest';
import {
  decodeBase64Url,
  encodeBase64Url,
  MAX_BLINDED_PER_REQUEST,
  MAX_EVALUATE_BODY_BYTES,
} from '@/utils/exposure/protocol';
import { createRateLimiter, getClientKey, type RateLimitDecision } from './rate-limit';
import { type RangeStore, StoreIntegrityError } from './store-core';
import { createSodiumVoprf, InvalidElementError, isValidElement, type VoprfServer } from './voprf';

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 60;

export interface RangeAppOptions {
  store: RangeStore;
  /** 32-byte ristretto255 scalar; must match the manifest's publicKey. */
  secretKey: Uint8Array;
  /** Blinded elements evaluated per client address per minute (default 60). */
  rateLimitPerMinute?: number;
  /**
   * Where the per-address counters live (default: this process's memory, with `rateLimitPerMinute` and
   * `now`). The Workers build counts in a Durable Object, since its isolates share no memory.
   */
  rateLimiter?: { take(key: string, cost: number): RateLimitDecision | Promise<RateLimitDecision> };
  /**
   * One line per request: method, route pattern, status, time. Never an address, a prefix, a version or
   * an element, so nothing logged links a person to a bucket.
   */
  log?: (line: string) => void;
  /** Clock for the rate limiter (tests). */
  now?: () => number;
  /** Which address a request counts against (default: the socket's remote address from @hono/node-server). */
  getClientAddress?: (c: Context) => string | undefined;
  /**
   * Behind a reverse proxy every request comes from the proxy: name the header it sets to the client's
   * address (e.g. x-forwarded-for, whose last entry is the one our proxy appended, or cf-connecting-ip).
   * Only set this when a proxy always sets the header, or clients could pick their own address.
   */
  clientAddressHeader?: string;
  /** The VOPRF implementation (default libsodium); tests and benchmarks may swap in the noble one. */
  voprf?: VoprfServer;
}

type Route = 'manifest' | 'range' | 'evaluate';
const ROUTE_METHODS: Record<Route, string> = { manifest: 'GET, HEAD', range: 'GET, HEAD', evaluate: 'POST' };

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: code, message });
}

function jsonError(status: number, code: string, message: string, extra: Record<string, string> = {}): Response {
  return new Response(errorBody(code, message), {
    status,
    headers: {
      ...CORS_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...extra,
    },
  });
}

function json(body: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { ...CORS_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

/** The client went away (or broke the framing) before its body arrived. */
class BodyReadError extends Error {
  override name = 'BodyReadError';
}

/** Reads at most `limit` bytes of the body; null when it is longer (413). */
async function readBodyLimited(request: Request, limit: number): Promise<Uint8Array | null> {
  try {
    return await readBody(request, limit);
  } catch (error) {
    throw new BodyReadError(error instanceof Error ? error.message : String(error));
  }
}

async function readBody(request: Request, limit: number): Promise<Uint8Array | null> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return null;
  if (!request.body) return new Uint8Array(0);
  if (declared !== null && /^\d+$/.test(declared) && !request.headers.has('transfer-encoding')) {
    // The length is declared and within the limit; the HTTP layer enforces it, so read in one go.
    const body = new Uint8Array(await request.arrayBuffer());
    return body.length > limit ? null : body;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const [type] = value.split(';');
  return type?.trim().toLowerCase() === 'application/json';
}

/**
 * The phone-exposure-v1 range API as one Hono app (see docs/PROTOCOL.md): GET /v1/manifest,
 * GET /v1/range/{version}/{prefixHex}, POST /v1/evaluate, CORS preflights and JSON errors.
 */
export function createRangeApp(options: RangeAppOptions): Hono {
  const { store, log } = options;
  const voprf = options.voprf ?? createSodiumVoprf(options.secretKey);
  const publicKey = encodeBase64Url(voprf.publicKey);
  const limiter =
    options.rateLimiter ??
    createRateLimiter({
      limit: options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
      windowMs: 60_000,
      now: options.now,
    });
  const addressHeader = options.clientAddressHeader?.toLowerCase();
  const getAddress =
    options.getClientAddress ??
    ((c: Context) => {
      if (addressHeader) {
        const value = c.req.header(addressHeader);
        // X-Forwarded-For lists every hop; the proxy appends the address it saw last.
        const last = value?.split(',').pop()?.trim();
        if (last) return last;
      }
      const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
      return env?.incoming?.socket?.remoteAddress;
    });

  const app = new Hono();

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    if (log) {
      const route = (c.get('route' as never) as string | undefined) ?? 'other';
      log(`${c.req.method} ${route} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`);
    }
  });

  function tag(c: Context, route: string): void {
    c.set('route' as never, route as never);
  }

  async function getServableManifest(): Promise<Manifest | Response> {
    const manifest = await store.getManifest();
    if (!manifest) return jsonError(503, 'no_data', 'No range data has been built yet.');
    if (manifest.publicKey !== publicKey) {
      return jsonError(503, 'key_mismatch', "The server's key does not match the published data.");
    }
    return manifest;
  }

  function preflight(route: Route): Response {
    return new Response(null, {
      status: 204,
      headers: {
        ...CORS_HEADERS,
        'Access-Control-Allow-Methods': ROUTE_METHODS[route],
        'Access-Control-Allow-Headers': 'content-type',
        'Access-Control-Max-Age': '86400',
      },
    });
  }

  function methodNotAllowed(route: Route, method: string): Response {
    return jsonError(405, 'method_not_allowed', `${method} is not allowed here; use ${ROUTE_METHODS[route]}.`, {
      Allow: `${ROUTE_METHODS[route]}, OPTIONS`,
    });
  }

  // --- GET /v1/manifest
  app.on(['GET', 'HEAD'], '/v1/manifest', async (c) => {
    tag(c, '/v1/manifest');
    const manifest = await getServableManifest();
    if (manifest instanceof Response) return manifest;
    return json(manifest, { 'Cache-Control': 'max-age=300' });
  });

  // --- GET /v1/range/{version}/{prefixHex}
  app.on(['GET', 'HEAD'], '/v1/range/:version/:prefix', async (c) => {
    tag(c, '/v1/range');
    const version = c.req.param('version');
    const prefix = c.req.param('prefix');
    if (!MANIFEST_VERSION_PATTERN.test(version)) {
      return jsonError(400, 'bad_version', 'The version must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -.');
    }
    if (!/^[0-9a-f]{2,6}$/.test(prefix)) {
      return jsonError(400, 'bad_prefix', 'The prefix must be 2 to 6 lowercase hexadecimal digits.');
    }
    const manifest = await getServableManifest();
    if (manifest instanceof Response) return manifest;
    if (version !== manifest.version) {
      return jsonError(404, 'unknown_version', 'That data version is not served (any more); fetch the manifest again.');
    }
    if (prefix.length * 4 !== manifest.prefixBits) {
      return jsonError(
        400,
        'bad_prefix',
        `The prefix must be ${manifest.prefixBits / 4} lowercase hexadecimal digits (${manifest.prefixBits} bits).`,
      );
    }
    const bucket = await store.getBucket(version, prefix);
    if (!bucket)
      return jsonError(404, 'unknown_version', 'That data version is not served (any more); fetch the manifest again.');
    return new Response(bucket as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: {
        ...CORS_HEADERS,
        'Content-Type': 'application/octet-stream',
        'Cache-Control': 'public, max-age=31536000, immutable',
      },
    });
  });

  // --- POST /v1/evaluate
  app.post('/v1/evaluate', async (c) => {
    tag(c, '/v1/evaluate');
    if (!isJsonContentType(c.req.header('content-type') ?? null)) {
      return jsonError(415, 'unsupported_media_type', 'Send the request as application/json.');
    }
    let body: Uint8Array | null;
    try {
      body = await readBodyLimited(c.req.raw, MAX_EVALUATE_BODY_BYTES);
    } catch (error) {
      // A truncated upload is a malformed request, not a server fault (and the client rarely sees this).
      if (error instanceof BodyReadError)
        return jsonError(400, 'malformed_json', 'The request body could not be read.');
      throw error;
    }
    if (!body)
      return jsonError(413, 'body_too_large', `The request body must be at most ${MAX_EVALUATE_BODY_BYTES} bytes.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      return jsonError(400, 'malformed_json', 'The request body is not valid JSON.');
    }
    const blindedText = (parsed as { blinded?: unknown } | null)?.blinded;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Array.isArray(blindedText)) {
      return jsonError(400, 'malformed_request', 'Expected {"blinded": ["<base64url>", ...]}.');
    }
    if (blindedText.length < 1 || blindedText.length > MAX_BLINDED_PER_REQUEST) {
      return jsonError(400, 'bad_element_count', `Send 1 to ${MAX_BLINDED_PER_REQUEST} blinded elements.`);
    }
    const blinded: Uint8Array[] = [];
    for (const text of blindedText) {
      let bytes: Uint8Array;
      try {
        if (typeof text !== 'string') throw new TypeError('not a string');
        bytes = decodeBase64Url(text);
      } catch {
        return jsonError(400, 'bad_base64', 'Each blinded element must be unpadded base64url.');
      }
      if (!isValidElement(bytes)) {
        return jsonError(400, 'bad_element', 'A blinded element is not a valid non-identity ristretto255 point.');
      }
      blinded.push(bytes);
    }
    // Each element is one guess against the oracle, so the limit counts elements, not requests.
    const decision = await limiter.take(getClientKey(getAddress(c)), blinded.length);
    if (!decision.allowed) {
      return jsonError(429, 'rate_limited', 'Too many checks from this address; try again later.', {
        'Retry-After': String(decision.retryAfterSeconds),
      });
    }
    let result: ReturnType<VoprfServer['blindEvaluateBatch']>;
    try {
      result = voprf.blindEvaluateBatch(blinded);
    } catch (error) {
      if (error instanceof InvalidElementError) {
        return jsonError(400, 'bad_element', 'A blinded element is not a valid non-identity ristretto255 point.');
      }
      throw error;
    }
    return json(
      { evaluated: result.evaluated.map(encodeBase64Url), proof: encodeBase64Url(result.proof) },
      { 'Cache-Control': 'no-store' },
    );
  });

  // --- Preflights and wrong methods on known endpoints
  const known: [string, Route][] = [
    ['/v1/manifest', 'manifest'],
    ['/v1/range/:version/:prefix', 'range'],
    ['/v1/evaluate', 'evaluate'],
  ];
  for (const [path, route] of known) {
    app.all(path, (c) => {
      tag(c, path.startsWith('/v1/range') ? '/v1/range' : path);
      if (c.req.method === 'OPTIONS') return preflight(route);
      return methodNotAllowed(route, c.req.method);
    });
  }

  app.notFound(() => {
    return jsonError(404, 'not_found', 'No such endpoint. See /v1/manifest.');
  });

  app.onError((error) => {
    if (error instanceof StoreIntegrityError) {
      log?.(`store integrity error: ${error.message}`);
      return jsonError(500, 'data_corrupt', 'The server could not read its data; try again later.');
    }
    log?.(`internal error: ${error instanceof Error ? error.name : 'unknown'}`);
    return jsonError(500, 'internal', 'Internal server error.');
  });

  return app;
}
