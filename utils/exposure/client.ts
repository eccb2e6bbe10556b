import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { type Manifest, type ManifestDataset, parseManifest } from './manifest';
import {
  decodeBase64Url,
  decodeEntryMeta,
  ENTRY_SIZE,
  encodeBase64Url,
  findEntryIndex,
  getBucketPrefix,
  TAG_SIZE,
} from './protocol';

/**
 * The client half of phone-exposure-v1 (docs/PROTOCOL.md). Only two things about the number leave
 * this module: the bucket prefix (in the range URL) and the blinded element (in the evaluate body).
 */

export type ExposureErrorCode =
  | 'not-configured'
  | 'unreachable'
  | 'key-changed'
  | 'proof-invalid'
  | 'malformed'
  | 'rate-limited'
  | 'server-error';

export const EXPOSURE_ERROR_CODES: readonly ExposureErrorCode[] = [
  'not-configured',
  'unreachable',
  'key-changed',
  'proof-invalid',
  'malformed',
  'rate-limited',
  'server-error',
];

export interface ExposedDataset {
  id: string;
  /** Titles by language tag, as the manifest gives them. */
  title: ManifestDataset['title'];
  /** ISO date the leak was published. */
  published: string;
  records: number;
}

export type ExposureError = {
  status: 'error';
  code: ExposureErrorCode;
  /** Technical detail for logs and the "details" line; never contains the number. */
  detail?: string;
  /** Seconds the server asked us to wait (rate-limited only). */
  retryAfter?: number;
};

export type ExposureResult =
  | {
      status: 'found';
      datasets: ExposedDataset[];
      /** Leaked field names, in the manifest's bit order. */
      fields: string[];
      datasetBits: number;
      fieldBits: number;
      manifest: Manifest;
    }
  | { status: 'not-found'; manifest: Manifest }
  | ExposureError;

/** The subset of fetch the client uses, so tests can pass a Hono app's `request`. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface ExposureServerOptions {
  /** Base URL of the range API, e.g. http://127.0.0.1:8787 */
  endpoint: string;
  /** base64url public key pinned in settings; the manifest must carry exactly this key. */
  pinnedKey: string;
  fetch?: FetchLike;
  /** Per attempt; each request is tried at most twice. */
  timeoutMs?: number;
  /** Pause before the one retry. */
  retryDelayMs?: number;
  /** Aborting rejects the check with the signal's reason. */
  signal?: AbortSignal;
}

export interface CheckExposureOptions extends ExposureServerOptions {
  /** E.164 from normalizePhone. */
  e164: string;
  /** A manifest already fetched and key-checked with getVerifiedManifest (the monitor checks many numbers). */
  manifest?: Manifest;
  /** `e164` blinded ahead of time with blindInput (ignored if made for another number); use it once. */
  blinded?: BlindedInput;
}

/**
 * A number blinded ahead of its check (RFC 9497 Blind): local work only, nothing is sent. A blinded
 * element must go to the server at most once (two requests with one element are linkable), so a
 * BlindedInput serves one check and is then dropped.
 */
export interface BlindedInput {
  e164: string;
  blind: Uint8Array;
  blinded: Uint8Array;
}

/** RFC 9497 A.1.2 (ristretto255-SHA512, VOPRF), Test Vector 1: a known-good proof to verify ahead. */
const WARM_UP_VECTOR = {
  input: '00',
  blind: '64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706',
  blinded: '863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945',
  evaluated: 'aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e',
  publicKey: 'c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e',
  proof:
    'ddef93772692e535d1a53903db24367355cc2cc78de93b3be5a8ffcc6985dd066d4346421d17bf5117a2a1ff0fcb2a759f58a539dfbe857a40bce4cf49ec600d',
  output:
    'b58cfbe118e0cb94d79b5fd6a6dafb98764dff49c14e1770b566e42402da1a7da4d8527693914139caee5bd03903af43a491351d23b430948dd50cde10d32b3c',
};

let warmedUp: boolean | undefined;

/**
 * Verifies the RFC 9497 test vector's proof once per page, so the code that checks the server's proof is
 * compiled and its tables built before the user's own check needs it (in a new popup that first run
 * costs as much again as a warm one). Local work only. True if the vector verified.
 */
export function warmUpProofCheck(): boolean {
  if (warmedUp === undefined) {
    const v = WARM_UP_VECTOR;
    try {
      const output = voprf.finalize(
        hexToBytes(v.input),
        hexToBytes(v.blind),
        hexToBytes(v.evaluated),
        hexToBytes(v.blinded),
        hexToBytes(v.publicKey),
        hexToBytes(v.proof),
      );
      warmedUp = bytesToHex(output) === v.output;
    } catch {
      warmedUp = false;
    }
  }
  return warmedUp;
}

export function blindInput(e164: string): BlindedInput {
  const { blind, blinded } = voprf.blind(utf8ToBytes(e164));
  return { e164, blind, blinded };
}

export const DEFAULT_TIMEOUT_MS = 8_000;
export const DEFAULT_RETRY_DELAY_MS = 250;
const PUBLIC_KEY_SIZE = 32;
const ELEMENT_SIZE = 32;
const PROOF_SIZE = 64;

const voprf = ristretto255_oprf.voprf;

/** Thrown inside the flow and turned into an ExposureError at the edge. */
class ExposureFailure extends Error {
  constructor(
    readonly code: ExposureErrorCode,
    readonly detail?: string,
    readonly retryAfter?: number,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}

/** The range answered 404: most likely our manifest names a build the server has replaced. */
class StaleVersionFailure extends ExposureFailure {
  constructor() {
    super('malformed', 'range: HTTP 404 (unknown build version)');
  }
}

function toError(failure: ExposureFailure): ExposureError {
  return {
    status: 'error',
    code: failure.code,
    ...(failure.detail ? { detail: failure.detail } : {}),
    ...(failure.retryAfter !== undefined ? { retryAfter: failure.retryAfter } : {}),
  };
}

function getBaseUrl(endpoint: string): string {
  const text = endpoint.trim();
  if (!text) throw new ExposureFailure('not-configured', 'no endpoint');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ExposureFailure('not-configured', 'endpoint is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ExposureFailure('not-configured', 'endpoint is not http(s)');
  }
  return text.replace(/\/+$/, '');
}

function getPinnedKeyBytes(pinnedKey: string): Uint8Array {
  if (!pinnedKey.trim()) throw new ExposureFailure('not-configured', 'no pinned key');
  try {
    const bytes = decodeBase64Url(pinnedKey.trim());
    if (bytes.length === PUBLIC_KEY_SIZE) return bytes;
  } catch {
    // fall through
  }
  throw new ExposureFailure('not-configured', 'pinned key is not 32 bytes of base64url');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

interface RequestContext {
  fetch: FetchLike;
  timeoutMs: number;
  retryDelayMs: number;
  signal?: AbortSignal;
}

/** A response read to its end, so the body too falls under the attempt's timeout. */
interface FetchedResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/**
 * One attempt with its own timeout, covering headers and body. Races the fetch against the timer as
 * well as aborting it, so a fetch that ignores its signal still cannot hang the check.
 */
async function fetchOnce(context: RequestContext, url: string, init: RequestInit): Promise<FetchedResponse> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(context.signal?.reason);
  context.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ExposureFailure('unreachable', `timed out after ${context.timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, context.timeoutMs);
  });
  const attempt = (async () => {
    const response = await context.fetch(url, { ...init, signal: controller.signal });
    return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', onOuterAbort);
    // The loser of the race must not surface as an unhandled rejection.
    attempt.catch(() => undefined);
  }
}

/** A network failure, a timeout or a 5xx is tried once more; anything else is final. */
async function fetchWithRetry(context: RequestContext, url: string, init: RequestInit): Promise<FetchedResponse> {
  let lastFailure: ExposureFailure | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await sleep(context.retryDelayMs, context.signal);
    if (context.signal?.aborted) throw context.signal.reason;
    try {
      const response = await fetchOnce(context, url, init);
      if (response.status < 500 || attempt === 1) return response;
      lastFailure = new ExposureFailure('server-error', `HTTP ${response.status}`);
    } catch (error) {
      if (context.signal?.aborted) throw context.signal.reason;
      lastFailure =
        error instanceof ExposureFailure
          ? error
          : new ExposureFailure('unreachable', error instanceof Error ? error.message : String(error));
    }
  }
  throw lastFailure ?? new ExposureFailure('unreachable');
}

/** 429 and 5xx mean something to the user; any other non-2xx is not the answer the contract promises. */
function requireOk(response: FetchedResponse, what: string): FetchedResponse {
  if (response.status >= 200 && response.status < 300) return response;
  if (response.status === 429) {
    throw new ExposureFailure(
      'rate-limited',
      `${what}: HTTP 429`,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  if (response.status >= 500) throw new ExposureFailure('server-error', `${what}: HTTP ${response.status}`);
  throw new ExposureFailure('malformed', `${what}: HTTP ${response.status}`);
}

function readJson(response: FetchedResponse, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(response.body));
  } catch {
    throw new ExposureFailure('malformed', `${what}: not JSON`);
  }
}

function createContext(options: ExposureServerOptions): RequestContext {
  return {
    fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retryDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    signal: options.signal,
  };
}

/** `revalidate` bypasses a cached copy (max-age=300) that may name a build the server no longer serves. */
async function fetchVerifiedManifest(
  options: ExposureServerOptions,
  context: RequestContext,
  revalidate = false,
): Promise<Manifest> {
  return (await fetchVerifiedManifestWithLifetime(options, context, revalidate)).manifest;
}

/** The longest a client keeps a manifest, whatever the server says (the contract's max-age=300). */
export const MAX_MANIFEST_LIFETIME_MS = 300_000;

/** Cache-Control max-age in ms, capped; 0 (do not reuse) when absent or with no-store/no-cache. */
export function getManifestLifetimeMs(cacheControl: string | null): number {
  if (!cacheControl || /\bno-(store|cache)\b/i.test(cacheControl)) return 0;
  const match = /\bmax-age\s*=\s*(\d+)/i.exec(cacheControl);
  return match ? Math.min(Number(match[1]) * 1000, MAX_MANIFEST_LIFETIME_MS) : 0;
}

async function fetchVerifiedManifestWithLifetime(
  options: ExposureServerOptions,
  context: RequestContext,
  revalidate = false,
): Promise<{ manifest: Manifest; lifetimeMs: number }> {
  const base = getBaseUrl(options.endpoint);
  const pinned = getPinnedKeyBytes(options.pinnedKey);
  const init: RequestInit = { method: 'GET', credentials: 'omit', ...(revalidate ? { cache: 'no-cache' } : {}) };
  const response = requireOk(await fetchWithRetry(context, `${base}/v1/manifest`, init), 'manifest');
  let manifest: Manifest;
  try {
    manifest = parseManifest(readJson(response, 'manifest'));
  } catch (error) {
    if (error instanceof ExposureFailure) throw error;
    throw new ExposureFailure('malformed', `manifest: ${error instanceof Error ? error.message : String(error)}`);
  }
  assertPinnedKey(manifest, pinned);
  return { manifest, lifetimeMs: getManifestLifetimeMs(response.headers.get('cache-control')) };
}

/** A key other than the pinned one is an error the user must see: we never re-pin. */
function assertPinnedKey(manifest: Manifest, pinned: Uint8Array): void {
  let served: Uint8Array;
  try {
    served = decodeBase64Url(manifest.publicKey);
  } catch {
    throw new ExposureFailure('malformed', 'manifest: publicKey is not base64url');
  }
  if (served.length !== pinned.length || served.some((byte, i) => byte !== pinned[i])) {
    throw new ExposureFailure('key-changed', 'the server key differs from the pinned key');
  }
}

/**
 * The server's manifest, checked against the contract and the pinned key. The monitor uses this to
 * see whether a new build was published before re-checking watched numbers.
 */
export async function getVerifiedManifest(
  options: ExposureServerOptions,
): Promise<{ status: 'ok'; manifest: Manifest } | ExposureError> {
  try {
    return { status: 'ok', manifest: await fetchVerifiedManifest(options, createContext(options)) };
  } catch (error) {
    if (error instanceof ExposureFailure) return toError(error);
    throw error;
  }
}

async function fetchBucket(context: RequestContext, base: string, manifest: Manifest, prefix: string) {
  const url = `${base}/v1/range/${encodeURIComponent(manifest.version)}/${prefix}`;
  const response = await fetchWithRetry(context, url, { method: 'GET', credentials: 'omit' });
  if (response.status === 404) throw new StaleVersionFailure();
  const bucket = requireOk(response, 'range').body;
  if (bucket.length !== manifest.bucketSize * ENTRY_SIZE) {
    throw new ExposureFailure(
      'malformed',
      `range: ${bucket.length} bytes, expected ${manifest.bucketSize * ENTRY_SIZE}`,
    );
  }
  // Binary search is only sound on a sorted bucket.
  for (let offset = ENTRY_SIZE; offset < bucket.length; offset += ENTRY_SIZE) {
    if (compareEntries(bucket, offset - ENTRY_SIZE, offset) > 0)
      throw new ExposureFailure('malformed', 'range: not sorted');
  }
  return bucket;
}

function compareEntries(bucket: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < ENTRY_SIZE; i++) {
    const diff = (bucket[a + i] as number) - (bucket[b + i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

async function fetchEvaluation(context: RequestContext, base: string, blinded: Uint8Array) {
  const response = requireOk(
    await fetchWithRetry(context, `${base}/v1/evaluate`, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blinded: [encodeBase64Url(blinded)] }),
    }),
    'evaluate',
  );
  const body = readJson(response, 'evaluate');
  const { evaluated, proof } = (body ?? {}) as { evaluated?: unknown; proof?: unknown };
  if (!Array.isArray(evaluated) || evaluated.length !== 1 || typeof evaluated[0] !== 'string') {
    throw new ExposureFailure('malformed', 'evaluate: expected one evaluated element');
  }
  if (typeof proof !== 'string') throw new ExposureFailure('malformed', 'evaluate: no proof');
  const element = decodeField(evaluated[0], ELEMENT_SIZE, 'evaluated element');
  const proofBytes = decodeField(proof, PROOF_SIZE, 'proof');
  return { evaluated: element, proof: proofBytes };
}

function decodeField(text: string, size: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64Url(text);
  } catch {
    throw new ExposureFailure('malformed', `evaluate: ${what} is not base64url`);
  }
  if (bytes.length !== size) throw new ExposureFailure('malformed', `evaluate: ${what} is ${bytes.length} bytes`);
  return bytes;
}

/** Both requests at once; the first failure cancels the other. */
async function fetchBoth<A, B>(
  context: RequestContext,
  first: (context: RequestContext) => Promise<A>,
  second: (context: RequestContext) => Promise<B>,
): Promise<[A, B]> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(context.signal?.reason);
  context.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const shared = { ...context, signal: controller.signal };
  const cancelOnFailure = <T>(promise: Promise<T>) =>
    promise.catch((error: unknown) => {
      controller.abort(error);
      throw error;
    });
  try {
    return await Promise.all([cancelOnFailure(first(shared)), cancelOnFailure(second(shared))]);
  } finally {
    context.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function getDatasets(manifest: Manifest, datasetBits: number): ExposedDataset[] {
  return manifest.datasets
    .filter((dataset) => dataset.bit < 32 && (datasetBits >>> dataset.bit) & 1)
    .map(({ id, title, published, records }) => ({ id, title, published, records }));
}

function getFields(manifest: Manifest, fieldBits: number): string[] {
  return manifest.fields.filter((_, bit) => bit < 32 && (fieldBits >>> bit) & 1);
}

/**
 * Is this number in the server's leak data? Never throws for server trouble: every failure is an
 * error result the UI can explain. Rejects only when `signal` aborts.
 */
export async function checkExposure(options: CheckExposureOptions): Promise<ExposureResult> {
  const context = createContext(options);
  try {
    const base = getBaseUrl(options.endpoint);
    if (options.manifest) {
      assertPinnedKey(options.manifest, getPinnedKeyBytes(options.pinnedKey));
      return await checkWithManifest(options, context, base, options.manifest);
    }
    const manifest = await fetchVerifiedManifest(options, context);
    return await checkWithFreshRetry(options, context, base, manifest);
  } catch (error) {
    if (error instanceof ExposureFailure) return toError(error);
    throw error;
  }
}

/**
 * Checks against `manifest`; if the range no longer knows its version (the data was rebuilt since the
 * manifest was fetched), asks for a fresh manifest once and checks again. `onFresh` sees that manifest.
 */
async function checkWithFreshRetry(
  options: CheckExposureOptions,
  context: RequestContext,
  base: string,
  manifest: Manifest,
  onFresh?: (fresh: { manifest: Manifest; lifetimeMs: number }) => void,
): Promise<ExposureResult> {
  try {
    return await checkWithManifest(options, context, base, manifest);
  } catch (error) {
    if (!(error instanceof StaleVersionFailure)) throw error;
    const fresh = await fetchVerifiedManifestWithLifetime(options, context, true);
    onFresh?.(fresh);
    if (fresh.manifest.version === manifest.version) throw error;
    // The prepared blinded element may already have reached the server: blind afresh.
    return await checkWithManifest({ ...options, blinded: undefined }, context, base, fresh.manifest);
  }
}

export interface ExposureChecker {
  /**
   * Starts fetching and verifying the manifest now (e.g. when the number field gets focus), so the check
   * does not wait for it. Sends nothing about any number; never rejects.
   */
  prefetchManifest(): void;
  /**
   * Blinds `e164` now (local work), so the check skips it; kept for the next check of that number only.
   * Also warms up the proof check (warmUpProofCheck). Returns what the check will send.
   */
  prepare(e164: string): BlindedInput;
  check(e164: string, signal?: AbortSignal): Promise<ExposureResult>;
}

/**
 * checkExposure for a page that runs several checks against one server (the popup): the verified manifest
 * is fetched once (or ahead, with prefetchManifest) and reused for the lifetime its Cache-Control gives
 * (at most 5 minutes, what the browser's HTTP cache would keep it anyway), and a number can be blinded
 * while the user is still on the page. The pinned key is still enforced: a reused manifest was checked
 * against it, a server that changed its key is caught when the manifest is next fetched, and a proof that
 * fails while a reused manifest is in play makes the checker fetch the manifest again at once, so a key
 * change reads as "key changed" rather than as a bad proof.
 */
export function createExposureChecker(
  server: ExposureServerOptions,
  options: { now?: () => number } = {},
): ExposureChecker {
  const now = options.now ?? (() => Date.now());
  type Entry = { manifest: Manifest; lifetimeMs: number; fetchedAt: number };
  let cached: { promise: Promise<Entry>; entry?: Entry; failed?: boolean } | undefined;
  let prepared: BlindedInput | undefined;
  const isFresh = (entry: Entry) => now() - entry.fetchedAt < entry.lifetimeMs;

  const remember = (fresh: { manifest: Manifest; lifetimeMs: number }) => {
    const entry = { ...fresh, fetchedAt: now() };
    cached = { promise: Promise.resolve(entry), entry };
    return entry;
  };

  const fetchManifest = (context: RequestContext, revalidate = false) => {
    const state: NonNullable<typeof cached> = {
      promise: fetchVerifiedManifestWithLifetime(server, context, revalidate).then(
        (fresh) => {
          const entry = { ...fresh, fetchedAt: now() };
          state.entry = entry;
          return entry;
        },
        (error: unknown) => {
          state.failed = true;
          throw error;
        },
      ),
    };
    state.promise.catch(() => undefined); // a failed prefetch is retried by the check that needs it
    cached = state;
    return state.promise;
  };

  /** The cached manifest if it is still within its lifetime, else a new fetch. */
  async function getManifest(context: RequestContext): Promise<{ manifest: Manifest; reused: boolean }> {
    const pending = cached;
    if (pending) {
      try {
        const entry = await raceAbort(pending.promise, context.signal);
        if (isFresh(entry)) return { manifest: entry.manifest, reused: true };
      } catch (error) {
        if (context.signal?.aborted) throw error;
        // The prefetch failed: this check asks again and reports its own outcome.
      }
    }
    const fresh = await fetchManifest(context);
    return { manifest: fresh.manifest, reused: false };
  }

  return {
    prefetchManifest() {
      // In flight, or fetched and still fresh: nothing to do.
      if (cached && !cached.failed && (!cached.entry || isFresh(cached.entry))) return;
      try {
        getBaseUrl(server.endpoint);
        getPinnedKeyBytes(server.pinnedKey);
      } catch {
        return; // not configured: the check says so
      }
      void fetchManifest(createContext({ ...server, signal: undefined }));
    },
    prepare(e164) {
      if (prepared?.e164 !== e164) prepared = blindInput(e164);
      warmUpProofCheck();
      return prepared;
    },
    async check(e164, signal) {
      const context = createContext({ ...server, signal });
      const blinded = prepared?.e164 === e164 ? prepared : undefined;
      prepared = undefined;
      const checkOptions: CheckExposureOptions = { ...server, signal, e164, blinded };
      try {
        const base = getBaseUrl(server.endpoint);
        getPinnedKeyBytes(server.pinnedKey);
        const { manifest, reused } = await getManifest(context);
        try {
          return await checkWithFreshRetry(checkOptions, context, base, manifest, remember);
        } catch (error) {
          if (!(reused && error instanceof ExposureFailure && error.code === 'proof-invalid')) throw error;
          // A server that now has another key is "key changed"; otherwise the proof really is bad.
          const changed = await fetchManifest(context, true).then(
            () => undefined,
            (failure: unknown) =>
              failure instanceof ExposureFailure && failure.code === 'key-changed' ? failure : undefined,
          );
          throw changed ?? error;
        }
      } catch (error) {
        if (error instanceof ExposureFailure) return toError(error);
        throw error;
      }
    },
  };
}

function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function checkWithManifest(
  options: CheckExposureOptions,
  context: RequestContext,
  base: string,
  manifest: Manifest,
): Promise<ExposureResult> {
  const publicKey = decodeBase64Url(manifest.publicKey);

  const input = utf8ToBytes(options.e164);
  const prefix = getBucketPrefix(options.e164, manifest.prefixBits);
  const { blind, blinded } = options.blinded?.e164 === options.e164 ? options.blinded : voprf.blind(input);

  const [bucket, evaluation] = await fetchBoth(
    context,
    (shared) => fetchBucket(shared, base, manifest, prefix),
    (shared) => fetchEvaluation(shared, base, blinded),
  );

  let output: Uint8Array;
  try {
    output = voprf.finalize(input, blind, evaluation.evaluated, blinded, publicKey, evaluation.proof);
  } catch (error) {
    // Includes an evaluated element that is not a group element: the answer is unproven either way.
    throw new ExposureFailure('proof-invalid', error instanceof Error ? error.message : String(error));
  }

  const index = findEntryIndex(bucket, output.subarray(0, TAG_SIZE));
  if (index < 0) return { status: 'not-found', manifest };
  const entry = bucket.subarray(index * ENTRY_SIZE, (index + 1) * ENTRY_SIZE);
  const { datasetBits, fieldBits } = decodeEntryMeta(entry, output);
  return {
    status: 'found',
    datasets: getDatasets(manifest, datasetBits),
    fields: getFields(manifest, fieldBits),
    datasetBits,
    fieldBits,
    manifest,
  };
}
