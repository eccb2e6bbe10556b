import { createHash, randomBytes } from 'node:crypto';
import { ristretto255, ristretto255_oprf } from '@noble/curves/ed25519.js';
import { SUITE } from '@/utils/exposure/protocol';
import {
  createWasmRistrettoOps,
  getFastestRistretto,
  loadNativeRistrettoOps,
  type RistrettoOps,
  selfTestRistretto,
} from './ristretto';

/**
 * RFC 9497 VOPRF (mode 0x01, ristretto255-SHA512), server side.
 *
 * One implementation of the protocol over libsodium's ristretto255 (`createLibsodiumVoprf`), run on either
 * libsodium build (server/ristretto.ts: the machine's native library through FFI, or WebAssembly), and the
 * plain @noble/curves one (`createNobleVoprf`), which the client also uses: the reference in tests, the
 * baseline in benchmarks and the last resort. `createVoprf` picks the fastest that works, once per process.
 * Tests prove every implementation equal to noble on the RFC vectors and on random inputs.
 */

export type VoprfImplementation = RistrettoOps['implementation'] | 'noble';

/** The libsodium WebAssembly operations (kept under its old name; see server/ristretto.ts). */
export const createRistrettoOps = createWasmRistrettoOps;

export const ELEMENT_SIZE = 32;
export const SCALAR_SIZE = 32;
export const PROOF_SIZE = 64;
export const OUTPUT_SIZE = 64;

const encoder = new TextEncoder();
const CONTEXT = concat(encoder.encode('OPRFV1-'), Uint8Array.of(0x01), encoder.encode(`-${SUITE}`));
const DST_HASH_TO_GROUP = concat(encoder.encode('HashToGroup-'), CONTEXT);
const DST_HASH_TO_SCALAR = concat(encoder.encode('HashToScalar-'), CONTEXT);
const SEED_LABEL = concat(encoder.encode('Seed-'), CONTEXT);
const LABEL_COMPOSITE = encoder.encode('Composite');
const LABEL_CHALLENGE = encoder.encode('Challenge');
const LABEL_FINALIZE = encoder.encode('Finalize');

export interface BlindEvaluation {
  evaluated: Uint8Array[];
  proof: Uint8Array;
}

export interface EvaluateOptions {
  /**
   * The proof's random scalar (32 bytes, little-endian, reduced, non-zero). Only tests inject it, to
   * reproduce the RFC vectors; a repeated scalar across two proofs reveals the secret key.
   */
  proofRandomScalar?: Uint8Array;
}

export interface VoprfServer {
  readonly publicKey: Uint8Array;
  /** Which implementation does the arithmetic, and from where (for logs and benchmarks). */
  readonly implementation?: VoprfImplementation;
  readonly description?: string;
  /** RFC 9497 BlindEvaluateBatch: one evaluated element per blinded element and one DLEQ proof for all. */
  blindEvaluateBatch(blinded: readonly Uint8Array[], options?: EvaluateOptions): BlindEvaluation;
  /** RFC 9497 Evaluate: the PRF output for an input the server knows (the builder's path). */
  evaluate(input: Uint8Array): Uint8Array;
}

export class InvalidElementError extends Error {
  override name = 'InvalidElementError';
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

/** I2OSP(len, 2) || bytes, the RFC's length-prefixed encoding. */
function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concat(u16(bytes.length), bytes);
}

function sha512(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest().buffer);
}

/** RFC 9380 expand_message_xmd with SHA-512 (b_in_bytes 64, s_in_bytes 128), for outputs <= 255 * 64 bytes. */
export function expandMessageXmdSha512(msg: Uint8Array, dst: Uint8Array, length: number): Uint8Array {
  if (dst.length > 255) throw new RangeError('DST too long');
  const ell = Math.ceil(length / 64);
  if (ell > 255) throw new RangeError('output too long');
  const dstPrime = concat(dst, Uint8Array.of(dst.length));
  const b0 = sha512(new Uint8Array(128), msg, u16(length), Uint8Array.of(0), dstPrime);
  const out = new Uint8Array(ell * 64);
  let previous = sha512(b0, Uint8Array.of(1), dstPrime);
  out.set(previous, 0);
  for (let i = 2; i <= ell; i++) {
    const mixed = new Uint8Array(64);
    for (let j = 0; j < 64; j++) mixed[j] = (b0[j] as number) ^ (previous[j] as number);
    previous = sha512(mixed, Uint8Array.of(i), dstPrime);
    out.set(previous, (i - 1) * 64);
  }
  return out.subarray(0, length);
}

/** RFC 9497 HashToScalar for ristretto255: 64 uniform bytes read little-endian, reduced mod the group order. */
function hashToScalar(ops: RistrettoOps, msg: Uint8Array): Uint8Array {
  return ops.scalarReduce(expandMessageXmdSha512(msg, DST_HASH_TO_SCALAR, 64));
}

function hashToGroup(ops: RistrettoOps, input: Uint8Array): Uint8Array {
  return ops.fromHash(expandMessageXmdSha512(input, DST_HASH_TO_GROUP, 64));
}

function isZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const byte of bytes) acc |= byte;
  return acc === 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= (a[i] as number) ^ (b[i] as number);
  return acc === 0;
}

const defaultOps = (): RistrettoOps => getFastestRistretto().ops;

/** A canonical ristretto255 encoding that is not the identity (RFC 9497 §3.3 requires rejecting it). */
export function isValidElement(bytes: Uint8Array, ops: RistrettoOps = defaultOps()): boolean {
  return bytes.length === ELEMENT_SIZE && !isZero(bytes) && ops.isValidPoint(bytes);
}

/** A canonical (reduced) non-zero scalar. */
export function isValidSecretKey(bytes: Uint8Array, ops: RistrettoOps = defaultOps()): boolean {
  if (bytes.length !== SCALAR_SIZE || isZero(bytes)) return false;
  // Reducing a canonical scalar leaves it unchanged.
  const wide = new Uint8Array(64);
  wide.set(bytes);
  return equalBytes(ops.scalarReduce(wide), bytes);
}

export function getPublicKey(secretKey: Uint8Array, ops: RistrettoOps = defaultOps()): Uint8Array {
  if (!isValidSecretKey(secretKey, ops)) throw new RangeError('secret key is not a canonical non-zero scalar');
  return ops.scalarMultBase(secretKey);
}

/**
 * RFC 9497 RandomScalar: 64 random bytes reduced mod the group order (bias < 2^-250), never zero.
 * (libsodium-wrappers' own scalar_random pulls its entropy through JS 4 bytes at a time and costs as much
 * as a scalar multiplication.)
 */
export function randomScalar(ops: RistrettoOps = defaultOps()): Uint8Array {
  for (;;) {
    const scalar = ops.scalarReduce(randomBytes(64));
    if (!isZero(scalar)) return scalar;
  }
}

/** A new random key pair. */
export function generateKeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = randomScalar();
  return { secretKey, publicKey: getPublicKey(secretKey) };
}

/** RFC 9497 DeriveKeyPair in VOPRF mode (used for the deterministic demo key and the RFC vectors). */
export function deriveKeyPair(seed: Uint8Array, info: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const { secretKey, publicKey } = ristretto255_oprf.voprf.deriveKeyPair(seed, info);
  return { secretKey: Uint8Array.from(secretKey), publicKey: Uint8Array.from(publicKey) };
}

/** RFC 9497 VOPRF over libsodium's ristretto255, on the given build of libsodium. */
export function createLibsodiumVoprf(secretKey: Uint8Array, ops: RistrettoOps): VoprfServer {
  const k = Uint8Array.from(secretKey);
  const publicKey = getPublicKey(k, ops);
  const encodedPublicKey = lengthPrefixed(publicKey);
  const seed = sha512(encodedPublicKey, lengthPrefixed(SEED_LABEL));
  const encodedSeed = lengthPrefixed(seed);

  function blindEvaluateBatch(blinded: readonly Uint8Array[], options: EvaluateOptions = {}): BlindEvaluation {
    if (blinded.length === 0 || blinded.length > 0xffff) throw new RangeError('expected 1..65535 blinded elements');
    for (const element of blinded) {
      if (!isValidElement(element, ops)) {
        throw new InvalidElementError('blinded element is not a valid ristretto255 point');
      }
    }
    const evaluated = blinded.map((element) => ops.scalarMult(k, element));
    // ComputeCompositesFast (RFC 9497 §2.2.1): M = sum d_i * C_i and Z = k * M. Four variable-base
    // multiplications (k*C, d*C, k*M, r*M) and one fixed-base one (r*G) is the least libsodium's public
    // API allows: every point the proof hashes is a distinct multiple of C, and no multi-scalar or shared-
    // table multiplication is exposed.
    let M: Uint8Array | undefined;
    for (let i = 0; i < blinded.length; i++) {
      const d = hashToScalar(
        ops,
        concat(
          encodedSeed,
          u16(i),
          lengthPrefixed(blinded[i] as Uint8Array),
          lengthPrefixed(evaluated[i] as Uint8Array),
          LABEL_COMPOSITE,
        ),
      );
      const term = ops.scalarMult(d, blinded[i] as Uint8Array);
      M = M === undefined ? term : ops.add(M, term);
    }
    const composite = M as Uint8Array;
    const Z = ops.scalarMult(k, composite);
    const r = options.proofRandomScalar ?? randomScalar(ops);
    const t2 = ops.scalarMultBase(r);
    const t3 = ops.scalarMult(r, composite);
    const c = hashToScalar(
      ops,
      concat(
        encodedPublicKey,
        lengthPrefixed(composite),
        lengthPrefixed(Z),
        lengthPrefixed(t2),
        lengthPrefixed(t3),
        LABEL_CHALLENGE,
      ),
    );
    const s = ops.scalarSub(r, ops.scalarMul(c, k));
    return { evaluated, proof: concat(c, s) };
  }

  function evaluate(input: Uint8Array): Uint8Array {
    if (input.length > 0xffff) throw new RangeError('input longer than 65535 bytes');
    const unblinded = ops.scalarMult(k, hashToGroup(ops, input));
    return sha512(lengthPrefixed(input), lengthPrefixed(unblinded), LABEL_FINALIZE);
  }

  return { publicKey, implementation: ops.implementation, description: ops.description, blindEvaluateBatch, evaluate };
}

/**
 * What the server and builder run: libsodium on its fastest build that loads and passes its self-test here
 * (the machine's native library, else WebAssembly); see `createVoprf` to name one.
 */
export function createSodiumVoprf(secretKey: Uint8Array): VoprfServer {
  return createVoprf(secretKey);
}

let wasmOps: RistrettoOps | undefined;

/** libsodium's WebAssembly build, whatever else is available (tests and benchmarks). */
export function createWasmVoprf(secretKey: Uint8Array): VoprfServer {
  wasmOps ??= createWasmRistrettoOps();
  return createLibsodiumVoprf(secretKey, wasmOps);
}

const NOBLE_DESCRIPTION = '@noble/curves ristretto255_oprf (pure JavaScript)';

/** Little-endian bytes of (scalar - 1), padded to 48 bytes: what noble's RandomScalar maps back to `scalar`. */
function nobleRngFor(scalar: Uint8Array): (length?: number) => Uint8Array {
  let value = 0n;
  for (let i = scalar.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(scalar[i] as number);
  value -= 1n;
  return (length = 48) => {
    const out = new Uint8Array(length);
    let v = value;
    for (let i = 0; i < length; i++) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  };
}

/**
 * The plain @noble/curves implementation: the reference in tests and the baseline in benchmarks. It uses no
 * libsodium at all (its public key too), so it stays an independent check.
 */
export function createNobleVoprf(secretKey: Uint8Array): VoprfServer {
  const k = Uint8Array.from(secretKey);
  const { Fn } = ristretto255.Point;
  // Fn.fromBytes rejects non-canonical scalars; zero is refused by hand.
  let scalar: bigint;
  try {
    scalar = Fn.fromBytes(k);
  } catch {
    throw new RangeError('secret key is not a canonical non-zero scalar');
  }
  if (scalar === 0n) throw new RangeError('secret key is not a canonical non-zero scalar');
  const publicKey = ristretto255.Point.BASE.multiply(scalar).toBytes();
  const voprf = ristretto255_oprf.voprf as typeof ristretto255_oprf.voprf & {
    evaluate(secretKey: Uint8Array, input: Uint8Array): Uint8Array;
  };
  return {
    publicKey,
    implementation: 'noble',
    description: NOBLE_DESCRIPTION,
    blindEvaluateBatch(blinded, options = {}) {
      const rng = options.proofRandomScalar ? nobleRngFor(options.proofRandomScalar) : undefined;
      const result = voprf.blindEvaluateBatch(k, publicKey, [...blinded], rng);
      return { evaluated: result.evaluated.map((e) => Uint8Array.from(e)), proof: Uint8Array.from(result.proof) };
    },
    evaluate(input) {
      return Uint8Array.from(voprf.evaluate(k, input));
    },
  };
}

/** Every implementation this process can run, fastest first (noble last: the slow reference). */
export function listVoprfImplementations(): { implementation: VoprfImplementation; description: string }[] {
  const list: { implementation: VoprfImplementation; description: string }[] = [];
  const native = loadNativeRistrettoOps();
  if (native.ops && selfTestRistretto(native.ops) === undefined) {
    list.push({ implementation: 'libsodium-native', description: native.ops.description });
  }
  wasmOps ??= createWasmRistrettoOps();
  list.push({ implementation: 'libsodium-wasm', description: wasmOps.description });
  list.push({ implementation: 'noble', description: NOBLE_DESCRIPTION });
  return list;
}

/**
 * The VOPRF the server and builder run: the fastest implementation that loads and passes its self-test
 * (native libsodium, else libsodium WebAssembly), unless `implementation` (or EG_VOPRF=native|wasm|noble)
 * names one. Naming one that cannot load throws rather than silently running another.
 */
export function createVoprf(secretKey: Uint8Array, implementation?: VoprfImplementation): VoprfServer {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const fromEnv = env.EG_VOPRF ? VOPRF_ENV_NAMES[env.EG_VOPRF] : undefined;
  if (!implementation && env.EG_VOPRF && !fromEnv) {
    throw new RangeError(`EG_VOPRF must be native, wasm or noble, not ${env.EG_VOPRF}`);
  }
  const chosen = implementation ?? fromEnv;
  if (chosen === 'noble') return createNobleVoprf(secretKey);
  if (chosen === 'libsodium-wasm') return createWasmVoprf(secretKey);
  if (chosen === 'libsodium-native') {
    const native = loadNativeRistrettoOps();
    if (!native.ops) throw new Error(`native libsodium is not available: ${native.reason}`);
    const failure = selfTestRistretto(native.ops);
    if (failure) throw new Error(`native libsodium failed its self-test: ${failure}`);
    return createLibsodiumVoprf(secretKey, native.ops);
  }
  return createLibsodiumVoprf(secretKey, defaultOps());
}

const VOPRF_ENV_NAMES: Record<string, VoprfImplementation> = {
  native: 'libsodium-native',
  wasm: 'libsodium-wasm',
  noble: 'noble',
};

/** Why the fastest build was not chosen, if it was not (for start-up logs). */
export function getVoprfNotes(): string[] {
  return getFastestRistretto().notes;
}
