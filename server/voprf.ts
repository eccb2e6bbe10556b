import { createHash, randomBytes } from 'node:crypto';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import sodium from 'libsodium-wrappers-sumo';
import { SUITE } from '@/utils/exposure/protocol';

/**
 * RFC 9497 VOPRF (mode 0x01, ristretto255-SHA512), server side.
 *
 * Two implementations of one interface: `createSodiumVoprf` does the group arithmetic with libsodium's
 * ristretto255 (WebAssembly, several times faster than pure-JS bigint arithmetic) and is what the server
 * and builder use; `createNobleVoprf` wraps @noble/curves, the reference the client also uses. Tests prove
 * both equal on the RFC vectors and on random inputs.
 */

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

/**
 * The hot path calls the WebAssembly exports directly with one scratch area, instead of the wrappers'
 * malloc/copy/free per call (about 7 us of each 100 us multiplication). Falls back to the wrappers if a
 * libsodium release stops exposing them; the RFC vector tests cover both ways.
 */
export function createRistrettoOps(options: { useRawExports?: boolean } = {}) {
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
      scalarMult: (n: Uint8Array, p: Uint8Array) => sodium.crypto_scalarmult_ristretto255(n, p),
      scalarMultBase: (n: Uint8Array) => sodium.crypto_scalarmult_ristretto255_base(n),
      fromHash: (r: Uint8Array) => sodium.crypto_core_ristretto255_from_hash(r),
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
    scalarMult(n: Uint8Array, p: Uint8Array): Uint8Array {
      if (n.length !== 32 || p.length !== 32) throw new RangeError('expected 32-byte scalar and element');
      const heap = wasm.HEAPU8; // re-read: the view is replaced when WebAssembly memory grows
      heap.set(n, N);
      heap.set(p, P);
      return result(wasm._crypto_scalarmult_ristretto255(Q, N, P));
    },
    scalarMultBase(n: Uint8Array): Uint8Array {
      if (n.length !== 32) throw new RangeError('expected a 32-byte scalar');
      wasm.HEAPU8.set(n, N);
      return result(wasm._crypto_scalarmult_ristretto255_base(Q, N));
    },
    fromHash(r: Uint8Array): Uint8Array {
      if (r.length !== 64) throw new RangeError('expected 64 bytes');
      wasm.HEAPU8.set(r, R);
      wasm._crypto_core_ristretto255_from_hash(Q, R);
      return wasm.HEAPU8.slice(Q, Q + 32);
    },
  };
}
const ristretto = createRistrettoOps();

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
function hashToScalar(msg: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_scalar_reduce(expandMessageXmdSha512(msg, DST_HASH_TO_SCALAR, 64));
}

function hashToGroup(input: Uint8Array): Uint8Array {
  return ristretto.fromHash(expandMessageXmdSha512(input, DST_HASH_TO_GROUP, 64));
}

function isZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const byte of bytes) acc |= byte;
  return acc === 0;
}

/** A canonical ristretto255 encoding that is not the identity (RFC 9497 §3.3 requires rejecting it). */
export function isValidElement(bytes: Uint8Array): boolean {
  return (
    bytes.length === ELEMENT_SIZE && !isZero(bytes) && sodium.crypto_core_ristretto255_is_valid_point(bytes) === true
  );
}

/** A canonical (reduced) non-zero scalar. */
export function isValidSecretKey(bytes: Uint8Array): boolean {
  if (bytes.length !== SCALAR_SIZE || isZero(bytes)) return false;
  // Reducing a canonical scalar leaves it unchanged.
  const wide = new Uint8Array(64);
  wide.set(bytes);
  return sodium.memcmp(sodium.crypto_core_ristretto255_scalar_reduce(wide), bytes);
}

export function getPublicKey(secretKey: Uint8Array): Uint8Array {
  if (!isValidSecretKey(secretKey)) throw new RangeError('secret key is not a canonical non-zero scalar');
  return sodium.crypto_scalarmult_ristretto255_base(secretKey);
}

/**
 * RFC 9497 RandomScalar: 64 random bytes reduced mod the group order (bias < 2^-250), never zero.
 * (libsodium's own scalar_random pulls its entropy through JS 4 bytes at a time and costs as much as a
 * scalar multiplication.)
 */
export function randomScalar(): Uint8Array {
  for (;;) {
    const scalar = sodium.crypto_core_ristretto255_scalar_reduce(randomBytes(64));
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

export function createSodiumVoprf(secretKey: Uint8Array): VoprfServer {
  const k = Uint8Array.from(secretKey);
  const publicKey = getPublicKey(k);
  const encodedPublicKey = lengthPrefixed(publicKey);
  const seed = sha512(encodedPublicKey, lengthPrefixed(SEED_LABEL));
  const encodedSeed = lengthPrefixed(seed);

  function blindEvaluateBatch(blinded: readonly Uint8Array[], options: EvaluateOptions = {}): BlindEvaluation {
    if (blinded.length === 0 || blinded.length > 0xffff) throw new RangeError('expected 1..65535 blinded elements');
    for (const element of blinded) {
      if (!isValidElement(element)) throw new InvalidElementError('blinded element is not a valid ristretto255 point');
    }
    const evaluated = blinded.map((element) => ristretto.scalarMult(k, element));
    // ComputeCompositesFast (RFC 9497 §2.2.1): M = sum d_i * C_i and Z = k * M.
    let M: Uint8Array | undefined;
    for (let i = 0; i < blinded.length; i++) {
      const d = hashToScalar(
        concat(
          encodedSeed,
          u16(i),
          lengthPrefixed(blinded[i] as Uint8Array),
          lengthPrefixed(evaluated[i] as Uint8Array),
          LABEL_COMPOSITE,
        ),
      );
      const term = ristretto.scalarMult(d, blinded[i] as Uint8Array);
      M = M === undefined ? term : sodium.crypto_core_ristretto255_add(M, term);
    }
    const composite = M as Uint8Array;
    const Z = ristretto.scalarMult(k, composite);
    const r = options.proofRandomScalar ?? randomScalar();
    const t2 = ristretto.scalarMultBase(r);
    const t3 = ristretto.scalarMult(r, composite);
    const c = hashToScalar(
      concat(
        encodedPublicKey,
        lengthPrefixed(composite),
        lengthPrefixed(Z),
        lengthPrefixed(t2),
        lengthPrefixed(t3),
        LABEL_CHALLENGE,
      ),
    );
    const s = sodium.crypto_core_ristretto255_scalar_sub(r, sodium.crypto_core_ristretto255_scalar_mul(c, k));
    return { evaluated, proof: concat(c, s) };
  }

  function evaluate(input: Uint8Array): Uint8Array {
    if (input.length > 0xffff) throw new RangeError('input longer than 65535 bytes');
    const unblinded = ristretto.scalarMult(k, hashToGroup(input));
    return sha512(lengthPrefixed(input), lengthPrefixed(unblinded), LABEL_FINALIZE);
  }

  return { publicKey, blindEvaluateBatch, evaluate };
}

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

/** The plain @noble/curves implementation: the baseline for benchmarks and the reference in tests. */
export function createNobleVoprf(secretKey: Uint8Array): VoprfServer {
  const k = Uint8Array.from(secretKey);
  const publicKey = getPublicKey(k);
  const voprf = ristretto255_oprf.voprf as typeof ristretto255_oprf.voprf & {
    evaluate(secretKey: Uint8Array, input: Uint8Array): Uint8Array;
  };
  return {
    publicKey,
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
