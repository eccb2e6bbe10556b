import sodium from 'libsodium-wrappers-sumo';

/**
 * ristretto255 group and scalar operations from libsodium, in two builds behind one interface:
 *
 * - `libsodium-native`: the machine's own libsodium shared library (>= 1.0.18, e.g. Debian's libsodium23),
 *   called through the koffi FFI. About 37 us per variable-base scalar multiplication on the dev machine.
 * - `libsodium-wasm`: libsodium-wrappers-sumo's WebAssembly build, always available in Node. About 95 us.
 *
 * Node addons that bundle libsodium were checked first: sodium-native 4.x and 5.x expose only the ed25519
 * group functions (which reject points outside the prime-order subgroup, so they cannot stand in for
 * ristretto255), not crypto_core_ristretto255_* or crypto_scalarmult_ristretto255.
 *
 * Cloudflare Workers and other runtimes without FFI simply never get the native build: loading it is
 * attempted only through Node's `process.getBuiltinModule`, and every failure means "not available".
 */

export type RistrettoImplementation = 'libsodium-native' | 'libsodium-wasm';

export interface RistrettoOps {
  readonly implementation: RistrettoImplementation;
  /** Human-readable origin, e.g. "libsodium 1.0.18 (libsodium.so.23) via koffi". */
  readonly description: string;
  /** n * P; throws if the result is the identity (libsodium refuses it). */
  scalarMult(n: Uint8Array, p: Uint8Array): Uint8Array;
  /** n * G with libsodium's precomputed fixed-base table (about 3x faster than scalarMult). */
  scalarMultBase(n: Uint8Array): Uint8Array;
  /** The RFC 9380 / RFC 9496 one-way map from 64 uniform bytes to an element. */
  fromHash(r: Uint8Array): Uint8Array;
  add(p: Uint8Array, q: Uint8Array): Uint8Array;
  /** A canonical encoding of a group element (the identity included; callers reject it themselves). */
  isValidPoint(p: Uint8Array): boolean;
  /** 64 bytes little-endian, reduced mod the group order. */
  scalarReduce(wide: Uint8Array): Uint8Array;
  scalarMul(a: Uint8Array, b: Uint8Array): Uint8Array;
  scalarSub(a: Uint8Array, b: Uint8Array): Uint8Array;
}

// libsodium's WebAssembly module initialises asynchronously; awaiting it here keeps every API below sync.
await sodium.ready;

/** The raw WebAssembly exports that libsodium-wrappers publishes as `libsodium`. */
interface RawSodium {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _crypto_scalarmult_ristretto255(q: number, n: number, p: number): number;
  _crypto_scalarmult_ristretto255_base(q: number, n: number): number;
  _crypto_core_ristretto255_from_hash(p: number, r: number): number;
}

function checkLengths(n: Uint8Array, nLength: number, p?: Uint8Array): void {
  if (n.length !== nLength || (p !== undefined && p.length !== 32)) {
    throw new RangeError(`expected a ${nLength}-byte input${p === undefined ? '' : ' and a 32-byte element'}`);
  }
}

/**
 * The WebAssembly build. Its hot path calls the exports directly with one scratch area instead of the
 * wrappers' malloc/copy/free per call (about 7 us of each 100 us multiplication); it falls back to the
 * wrappers if a libsodium release stops exposing them. The RFC vector tests cover both ways.
 */
export function createWasmRistrettoOps(options: { useRawExports?: boolean } = {}): RistrettoOps {
  const common = {
    implementation: 'libsodium-wasm' as const,
    description: `libsodium ${sodium.sodium_version_string()} (libsodium-wrappers-sumo, WebAssembly)`,
    add: (p: Uint8Array, q: Uint8Array) => sodium.crypto_core_ristretto255_add(p, q),
    isValidPoint: (p: Uint8Array) => p.length === 32 && sodium.crypto_core_ristretto255_is_valid_point(p) === true,
    scalarReduce: (wide: Uint8Array) => sodium.crypto_core_ristretto255_scalar_reduce(wide),
    scalarMul: (a: Uint8Array, b: Uint8Array) => sodium.crypto_core_ristretto255_scalar_mul(a, b),
    scalarSub: (a: Uint8Array, b: Uint8Array) => sodium.crypto_core_ristretto255_scalar_sub(a, b),
  };
  const raw = (sodium as unknown as { libsodium?: Partial<RawSodium> }).libsodium;
  if (
    options.useRawExports === false ||
    !raw ||
    typeof raw._malloc !== 'function' ||
    typeof raw._crypto_scalarmult_ristretto255 !== 'function' ||
    typeof raw._crypto_scalarmult_ristretto255_base !== 'function' ||
    typeof raw._crypto_core_ristretto255_from_hash !== 'function' ||
    !(raw.HEAPU8 instanceof Uint8Array)
  ) {
    return {
      ...common,
      scalarMult: (n, p) => sodium.crypto_scalarmult_ristretto255(n, p),
      scalarMultBase: (n) => sodium.crypto_scalarmult_ristretto255_base(n),
      fromHash: (r) => sodium.crypto_core_ristretto255_from_hash(r),
    };
  }
  const wasm = raw as RawSodium;
  const scratch = wasm._malloc(160);
  const Q = scratch;
  const N = scratch + 32;
  const P = scratch + 64;
  const R = scratch + 96;
  const result = (rc: number) => {
    if (rc !== 0) throw new Error('result is identity element');
    return wasm.HEAPU8.slice(Q, Q + 32);
  };
  return {
    ...common,
    scalarMult(n, p) {
      checkLengths(n, 32, p);
      const heap = wasm.HEAPU8; // re-read: the view is replaced when WebAssembly memory grows
      heap.set(n, N);
      heap.set(p, P);
      return result(wasm._crypto_scalarmult_ristretto255(Q, N, P));
    },
    scalarMultBase(n) {
      checkLengths(n, 32);
      wasm.HEAPU8.set(n, N);
      return result(wasm._crypto_scalarmult_ristretto255_base(Q, N));
    },
    fromHash(r) {
      checkLengths(r, 64);
      wasm.HEAPU8.set(r, R);
      wasm._crypto_core_ristretto255_from_hash(Q, R);
      return wasm.HEAPU8.slice(Q, Q + 32);
    },
  };
}

/** Shared-library names to try, newest soname first; EG_LIBSODIUM_PATH puts a chosen file first. */
const NATIVE_LIBRARY_NAMES = [
  'libsodium.so.26', // libsodium 1.0.19+
  'libsodium.so.23', // 1.0.18 (Debian 11-13)
  'libsodium.so',
  'libsodium.dylib',
  'libsodium.26.dylib',
  'libsodium.23.dylib',
  'libsodium.dll',
];

interface KoffiLike {
  load(path: string): { func(definition: string): (...args: unknown[]) => unknown };
}

/** The result of trying to load the native build: the ops, or why not. */
export type NativeLoadResult = { ops: RistrettoOps; reason?: undefined } | { ops?: undefined; reason: string };

let nativeResult: NativeLoadResult | undefined;

/**
 * Loads the machine's libsodium through koffi, once per process (thread). Never throws: a missing piece
 * gives a reason instead.
 */
export function loadNativeRistrettoOps(): NativeLoadResult {
  nativeResult ??= tryLoadNative();
  return nativeResult;
}

function tryLoadNative(): NativeLoadResult {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  if (typeof getBuiltin !== 'function') return { reason: 'not running in Node (no process.getBuiltinModule)' };
  let koffi: KoffiLike;
  try {
    const { createRequire } = getBuiltin('node:module') as typeof import('node:module');
    koffi = createRequire(import.meta.url)('koffi') as KoffiLike;
  } catch (error) {
    return { reason: `the koffi FFI package cannot be loaded: ${(error as Error).message}` };
  }
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const names = env.EG_LIBSODIUM_PATH ? [env.EG_LIBSODIUM_PATH, ...NATIVE_LIBRARY_NAMES] : NATIVE_LIBRARY_NAMES;
  const failures: string[] = [];
  for (const name of names) {
    let lib: ReturnType<KoffiLike['load']>;
    try {
      lib = koffi.load(name);
    } catch {
      failures.push(name);
      continue;
    }
    try {
      return { ops: bindNative(lib, name) };
    } catch (error) {
      return { reason: `${name} lacks ristretto255 (libsodium >= 1.0.18 needed): ${(error as Error).message}` };
    }
  }
  return { reason: `no libsodium shared library found (tried ${failures.join(', ')})` };
}

/**
 * libsodium 1.0.18 (Debian 11-13) ignores the top bit of a ristretto255 encoding when decoding, so it
 * accepts 2^255 + s as s; RFC 9496 (and libsodium >= 1.0.19, noble, the WebAssembly build) reject it.
 * Every element the native build decodes goes through this check first.
 */
function hasTopBit(p: Uint8Array): boolean {
  return ((p[31] as number) & 0x80) !== 0;
}

function bindNative(lib: ReturnType<KoffiLike['load']>, name: string): RistrettoOps {
  const f = (definition: string) => lib.func(definition) as (...args: Uint8Array[]) => number;
  const init = lib.func('int sodium_init(void)') as () => number;
  const version = lib.func('const char *sodium_version_string(void)') as () => string;
  // Typed arrays are passed as pointers to their own memory, so outputs land in the array we pass.
  const scalarmult = f('int crypto_scalarmult_ristretto255(uint8_t *q, const uint8_t *n, const uint8_t *p)');
  const scalarmultBase = f('int crypto_scalarmult_ristretto255_base(uint8_t *q, const uint8_t *n)');
  const fromHash = f('int crypto_core_ristretto255_from_hash(uint8_t *p, const uint8_t *r)');
  const add = f('int crypto_core_ristretto255_add(uint8_t *r, const uint8_t *p, const uint8_t *q)');
  const isValidPoint = f('int crypto_core_ristretto255_is_valid_point(const uint8_t *p)');
  const scalarReduce = f('void crypto_core_ristretto255_scalar_reduce(uint8_t *r, const uint8_t *s)');
  const scalarMul = f('void crypto_core_ristretto255_scalar_mul(uint8_t *z, const uint8_t *x, const uint8_t *y)');
  const scalarSub = f('void crypto_core_ristretto255_scalar_sub(uint8_t *z, const uint8_t *x, const uint8_t *y)');
  if (init() < 0) throw new Error('sodium_init failed');
  return {
    implementation: 'libsodium-native',
    description: `libsodium ${version()} (${name}) via koffi`,
    scalarMult(n, p) {
      checkLengths(n, 32, p);
      if (hasTopBit(p)) throw new Error('invalid element');
      const q = new Uint8Array(32);
      if (scalarmult(q, n, p) !== 0) throw new Error('result is identity element');
      return q;
    },
    scalarMultBase(n) {
      checkLengths(n, 32);
      const q = new Uint8Array(32);
      if (scalarmultBase(q, n) !== 0) throw new Error('result is identity element');
      return q;
    },
    fromHash(r) {
      checkLengths(r, 64);
      const p = new Uint8Array(32);
      fromHash(p, r);
      return p;
    },
    add(p, q) {
      checkLengths(p, 32, q);
      const r = new Uint8Array(32);
      if (hasTopBit(p) || hasTopBit(q) || add(r, p, q) !== 0) throw new Error('invalid element');
      return r;
    },
    isValidPoint: (p) => p.length === 32 && !hasTopBit(p) && isValidPoint(p) === 1,
    scalarReduce(wide) {
      checkLengths(wide, 64);
      const r = new Uint8Array(32);
      scalarReduce(r, wide);
      return r;
    },
    scalarMul(a, b) {
      checkLengths(a, 32, b);
      const z = new Uint8Array(32);
      scalarMul(z, a, b);
      return z;
    },
    scalarSub(a, b) {
      checkLengths(a, 32, b);
      const z = new Uint8Array(32);
      scalarSub(z, a, b);
      return z;
    },
  };
}

/**
 * Checks an implementation against known answers before it is trusted: RFC 9496 A.1 (2 * G and the
 * small multiples of the generator) and one RFC 9497 key pair. Returns a reason on mismatch.
 */
export function selfTestRistretto(ops: RistrettoOps): string | undefined {
  const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const fromHex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
  const scalar = (n: number) => {
    const s = new Uint8Array(32);
    s[0] = n;
    return s;
  };
  try {
    const g = ops.scalarMultBase(scalar(1));
    const twoG = '6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919';
    if (hex(ops.scalarMultBase(scalar(2))) !== twoG) return 'scalarMultBase(2) is not RFC 9496 2*G';
    if (hex(ops.scalarMult(scalar(2), g)) !== twoG) return 'scalarMult(2, G) is not RFC 9496 2*G';
    if (hex(ops.add(g, g)) !== twoG) return 'G + G is not RFC 9496 2*G';
    const sk = fromHex('e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909');
    if (hex(ops.scalarMultBase(sk)) !== 'c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e') {
      return 'the RFC 9497 A.1.2 public key does not match';
    }
    const gWithTopBit = Uint8Array.from(g);
    gWithTopBit[31] = (gWithTopBit[31] as number) | 0x80;
    if (!ops.isValidPoint(g) || ops.isValidPoint(new Uint8Array(32).fill(0xff)) || ops.isValidPoint(gWithTopBit)) {
      return 'isValidPoint accepts a non-canonical encoding or rejects G';
    }
  } catch (error) {
    return `self-test threw: ${(error as Error).message}`;
  }
  return undefined;
}

let fastest: { ops: RistrettoOps; notes: string[] } | undefined;

/**
 * The fastest implementation that loads and passes its self-test, chosen once per process (thread):
 * native, else WebAssembly. `notes` says why the native build was skipped, for start-up logs.
 * EG_VOPRF=wasm (or noble, which has no group operations of its own here) skips the native build.
 */
export function getFastestRistretto(): { ops: RistrettoOps; notes: string[] } {
  if (fastest) return fastest;
  const notes: string[] = [];
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  if (env.EG_VOPRF === 'wasm' || env.EG_VOPRF === 'noble') {
    notes.push(`EG_VOPRF=${env.EG_VOPRF}: native libsodium not tried`);
  } else {
    const native = loadNativeRistrettoOps();
    const failure = native.ops ? selfTestRistretto(native.ops) : native.reason;
    if (native.ops && failure === undefined) {
      fastest = { ops: native.ops, notes };
      return fastest;
    }
    notes.push(`native libsodium not used: ${failure}`);
  }
  fastest = { ops: createWasmRistrettoOps(), notes };
  return fastest;
}
