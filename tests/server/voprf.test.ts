import { existsSync } from 'node:fs';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWasmRistrettoOps,
  getFastestRistretto,
  loadNativeRistrettoOps,
  type RistrettoOps,
  selfTestRistretto,
} from '@/server/ristretto';
import {
  createNobleVoprf,
  createRistrettoOps,
  createSodiumVoprf,
  createVoprf,
  createWasmVoprf,
  deriveKeyPair,
  generateKeyPair,
  InvalidElementError,
  isValidElement,
  listVoprfImplementations,
  randomScalar,
  type VoprfImplementation,
  type VoprfServer,
} from '@/server/voprf';
import { VOPRF_KEY_VECTOR, VOPRF_VECTORS } from './rfc9497-vectors';

const voprf = ristretto255_oprf.voprf;
const skSm = hexToBytes(VOPRF_KEY_VECTOR.skSm);
const native = loadNativeRistrettoOps();
// Debian's libsodium23 (1.0.18, which has ristretto255) is on the dev and CI machines: there the native
// build must load, so a broken loader fails here instead of quietly falling back to WebAssembly.
const NATIVE_EXPECTED = [
  '/usr/lib/x86_64-linux-gnu/libsodium.so.23',
  '/usr/lib/aarch64-linux-gnu/libsodium.so.23',
].some((path) => existsSync(path));

/** Every libsodium-based implementation this machine runs, beside the noble reference. */
type Create = (secretKey: Uint8Array) => VoprfServer;
const IMPLEMENTATIONS: [VoprfImplementation, Create][] = [
  ['libsodium-wasm', createWasmVoprf],
  ['noble', createNobleVoprf],
];
if (native.ops) IMPLEMENTATIONS.unshift(['libsodium-native', (k) => createVoprf(k, 'libsodium-native')]);

describe('RFC 9497 ristretto255-SHA512 VOPRF vectors', () => {
  it('DeriveKeyPair gives the RFC key pair', () => {
    const { secretKey, publicKey } = deriveKeyPair(
      hexToBytes(VOPRF_KEY_VECTOR.seed),
      hexToBytes(VOPRF_KEY_VECTOR.keyInfo),
    );
    expect(bytesToHex(secretKey)).toBe(VOPRF_KEY_VECTOR.skSm);
    expect(bytesToHex(publicKey)).toBe(VOPRF_KEY_VECTOR.pkSm);
  });

  for (const [label, create] of IMPLEMENTATIONS) {
    describe(label, () => {
      const server: VoprfServer = create(skSm);
      it('has the RFC public key', () => {
        expect(bytesToHex(server.publicKey)).toBe(VOPRF_KEY_VECTOR.pkSm);
      });
      for (const vector of VOPRF_VECTORS) {
        it(`${vector.name}: evaluated elements, proof and Evaluate output`, () => {
          const result = server.blindEvaluateBatch(vector.blindedElements.map(hexToBytes), {
            proofRandomScalar: hexToBytes(vector.proofRandomScalar),
          });
          expect(result.evaluated.map(bytesToHex)).toEqual(vector.evaluationElements);
          expect(bytesToHex(result.proof)).toBe(vector.proof);
          expect(vector.inputs.map((input) => bytesToHex(server.evaluate(hexToBytes(input))))).toEqual(vector.outputs);
        });
      }
    });
  }

  for (const vector of VOPRF_VECTORS) {
    it(`${vector.name}: the client (noble) blinds to the RFC elements and finalizes to the RFC outputs`, () => {
      const items = vector.inputs.map((input, i) => {
        const blind = hexToBytes(vector.blinds[i] as string);
        // noble's RandomScalar maps rng bytes b to (LE(b) mod (n-1)) + 1, so feed it blind - 1.
        const rng = () => {
          const out = new Uint8Array(48);
          let v = BigInt(`0x${bytesToHex(Uint8Array.from(blind).reverse())}`) - 1n;
          for (let j = 0; j < 48; j++) {
            out[j] = Number(v & 0xffn);
            v >>= 8n;
          }
          return out;
        };
        const blinded = voprf.blind(hexToBytes(input), rng);
        expect(bytesToHex(blinded.blinded)).toBe(vector.blindedElements[i]);
        return {
          input: hexToBytes(input),
          blind,
          blinded: blinded.blinded,
          evaluated: hexToBytes(vector.evaluationElements[i] as string),
        };
      });
      const outputs = voprf.finalizeBatch(items, hexToBytes(VOPRF_KEY_VECTOR.pkSm), hexToBytes(vector.proof));
      expect(outputs.map(bytesToHex)).toEqual(vector.outputs);
    });
  }
});

describe('every implementation equals @noble/curves', () => {
  it.each(IMPLEMENTATIONS.filter(([name]) => name !== 'noble'))(
    '%s: on random keys, inputs, batch sizes and proof scalars',
    (_name, create) => {
      for (let round = 0; round < 12; round++) {
        const { secretKey } = generateKeyPair();
        const fast = create(secretKey);
        const reference = createNobleVoprf(secretKey);
        expect(bytesToHex(fast.publicKey)).toBe(bytesToHex(reference.publicKey));
        const inputs = Array.from({ length: 1 + (round % 4) }, () => randomBytes(1 + ((round * 7) % 40)));
        const blinds = inputs.map((input) => voprf.blind(input));
        const r = generateKeyPair().secretKey; // any canonical non-zero scalar serves as the proof's random scalar
        const a = fast.blindEvaluateBatch(
          blinds.map((b) => b.blinded),
          { proofRandomScalar: r },
        );
        const b = reference.blindEvaluateBatch(
          blinds.map((b) => b.blinded),
          { proofRandomScalar: r },
        );
        expect(a.evaluated.map(bytesToHex)).toEqual(b.evaluated.map(bytesToHex));
        expect(bytesToHex(a.proof)).toBe(bytesToHex(b.proof));
        // The client's verification accepts the fast path's proof (with its own random scalar too).
        const fresh = fast.blindEvaluateBatch(blinds.map((b) => b.blinded));
        const outputs = voprf.finalizeBatch(
          inputs.map((input, i) => ({
            input,
            blind: blinds[i]!.blind,
            blinded: blinds[i]!.blinded,
            evaluated: fresh.evaluated[i]!,
          })),
          fast.publicKey,
          fresh.proof,
        );
        // Evaluate (the builder's path) equals what the client finalizes to.
        expect(outputs.map(bytesToHex)).toEqual(inputs.map((input) => bytesToHex(fast.evaluate(input))));
        expect(inputs.map((input) => bytesToHex(fast.evaluate(input)))).toEqual(
          inputs.map((input) => bytesToHex(reference.evaluate(input))),
        );
      }
    },
  );

  it('the direct WebAssembly calls equal the libsodium wrappers', () => {
    const direct = createRistrettoOps();
    const wrapped = createRistrettoOps({ useRawExports: false });
    for (let i = 0; i < 20; i++) {
      const scalar = randomScalar();
      const point = wrapped.fromHash(randomBytes(64));
      expect(bytesToHex(direct.fromHash(randomBytes(64).fill(i)))).toBe(
        bytesToHex(wrapped.fromHash(randomBytes(64).fill(i))),
      );
      expect(bytesToHex(direct.scalarMult(scalar, point))).toBe(bytesToHex(wrapped.scalarMult(scalar, point)));
      expect(bytesToHex(direct.scalarMultBase(scalar))).toBe(bytesToHex(wrapped.scalarMultBase(scalar)));
    }
    expect(() => direct.scalarMult(new Uint8Array(32), wrapped.fromHash(randomBytes(64)))).toThrow(/identity/);
  });

  it('a proof made with another key does not verify', () => {
    const one = createSodiumVoprf(generateKeyPair().secretKey);
    const other = createSodiumVoprf(generateKeyPair().secretKey);
    const input = new TextEncoder().encode('+8613800138000');
    const blinded = voprf.blind(input);
    const result = other.blindEvaluateBatch([blinded.blinded]);
    expect(() =>
      voprf.finalize(input, blinded.blind, result.evaluated[0]!, blinded.blinded, one.publicKey, result.proof),
    ).toThrow();
  });

  it.each(IMPLEMENTATIONS.filter(([name]) => name !== 'noble'))(
    '%s: rejects the identity, non-canonical and short encodings',
    (_name, create) => {
      const server = create(generateKeyPair().secretKey);
      const identity = new Uint8Array(32);
      const nonCanonical = new Uint8Array(32).fill(0xff);
      expect(isValidElement(identity)).toBe(false);
      expect(isValidElement(nonCanonical)).toBe(false);
      expect(isValidElement(new Uint8Array(31))).toBe(false);
      expect(() => server.blindEvaluateBatch([identity])).toThrow(InvalidElementError);
      expect(() => server.blindEvaluateBatch([nonCanonical])).toThrow(InvalidElementError);
      expect(() => server.blindEvaluateBatch([])).toThrow(RangeError);
    },
  );
});

describe('native libsodium (koffi) and start-up choice', () => {
  const savedEnv = process.env.EG_VOPRF;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.EG_VOPRF;
    else process.env.EG_VOPRF = savedEnv;
  });

  it('loads where the shared library is installed, and passes its self-test', () => {
    if (!NATIVE_EXPECTED) {
      expect(native.reason).toMatch(/libsodium|koffi/);
      return;
    }
    expect(native.reason).toBeUndefined();
    expect(native.ops?.description).toMatch(/^libsodium 1\.0\.\d+ \(libsodium\.so\.\d+\) via koffi$/);
    expect(selfTestRistretto(native.ops as RistrettoOps)).toBeUndefined();
  });

  it.runIf(native.ops)('every operation equals the WebAssembly build on random inputs', () => {
    const a = native.ops as RistrettoOps;
    const b = createWasmRistrettoOps();
    for (let i = 0; i < 50; i++) {
      const n = b.scalarReduce(randomBytes(64));
      const m = b.scalarReduce(randomBytes(64));
      const p = b.fromHash(randomBytes(64));
      const q = b.fromHash(randomBytes(64));
      const wide = randomBytes(64);
      const uniform = randomBytes(64);
      expect(bytesToHex(a.scalarReduce(wide))).toBe(bytesToHex(b.scalarReduce(wide)));
      expect(bytesToHex(a.fromHash(uniform))).toBe(bytesToHex(b.fromHash(uniform)));
      expect(bytesToHex(a.scalarMult(n, p))).toBe(bytesToHex(b.scalarMult(n, p)));
      expect(bytesToHex(a.scalarMultBase(n))).toBe(bytesToHex(b.scalarMultBase(n)));
      expect(bytesToHex(a.add(p, q))).toBe(bytesToHex(b.add(p, q)));
      expect(bytesToHex(a.scalarMul(n, m))).toBe(bytesToHex(b.scalarMul(n, m)));
      expect(bytesToHex(a.scalarSub(n, m))).toBe(bytesToHex(b.scalarSub(n, m)));
      for (const junk of [randomBytes(32), Uint8Array.from(randomBytes(32), (x, j) => (j === 31 ? x & 0x7f : x))]) {
        expect(a.isValidPoint(junk)).toBe(b.isValidPoint(junk));
      }
      expect(a.isValidPoint(p)).toBe(true);
    }
    // The same refusals: identity results, invalid and short inputs, and encodings with the top bit set
    // (which the system's libsodium 1.0.18 would decode by ignoring that bit).
    const point = b.fromHash(randomBytes(64));
    const topBit = Uint8Array.from(point);
    topBit[31] = (topBit[31] as number) | 0x80;
    expect(a.isValidPoint(topBit)).toBe(false);
    expect(isValidElement(topBit, a)).toBe(false);
    expect(() => a.scalarMult(randomScalar(), topBit)).toThrow(/invalid/);
    expect(() => a.add(topBit, point)).toThrow(/invalid/);
    expect(() => a.scalarMult(new Uint8Array(32), point)).toThrow(/identity/);
    expect(() => a.scalarMultBase(new Uint8Array(32))).toThrow(/identity/);
    expect(() => a.add(new Uint8Array(32).fill(0xff), point)).toThrow();
    expect(() => a.scalarMult(new Uint8Array(31), point)).toThrow(RangeError);
    expect(a.isValidPoint(new Uint8Array(32).fill(0xff))).toBe(false);
    expect(a.isValidPoint(new Uint8Array(31))).toBe(false);
  });

  it('the self-test catches an implementation that computes something else', () => {
    const good = createWasmRistrettoOps();
    const wrongBase: RistrettoOps = {
      ...good,
      scalarMultBase: (n) => good.scalarMult(n, good.fromHash(new Uint8Array(64).fill(1))),
    };
    expect(selfTestRistretto(wrongBase)).toMatch(/2\*G/);
    const wrongMult: RistrettoOps = { ...good, scalarMult: (n, p) => good.add(good.scalarMult(n, p), p) };
    expect(selfTestRistretto(wrongMult)).toMatch(/scalarMult/);
    // libsodium 1.0.18 without our top-bit check: it decodes 2^255 + s as s.
    const lax: RistrettoOps = {
      ...good,
      isValidPoint: (p) => {
        const cleared = Uint8Array.from(p);
        cleared[31] = (cleared[31] as number) & 0x7f;
        return good.isValidPoint(cleared);
      },
    };
    expect(selfTestRistretto(lax)).toMatch(/non-canonical/);
  });

  it('the server runs the fastest implementation that loads, and EG_VOPRF can name another', () => {
    const { secretKey } = generateKeyPair();
    const fastest = native.ops ? 'libsodium-native' : 'libsodium-wasm';
    expect(getFastestRistretto().ops.implementation).toBe(fastest);
    delete process.env.EG_VOPRF;
    expect(createVoprf(secretKey).implementation).toBe(fastest);
    // The name the server, builder and test service call.
    expect(createSodiumVoprf(secretKey).implementation).toBe(fastest);
    expect(listVoprfImplementations().map((i) => i.implementation)).toEqual(
      native.ops ? ['libsodium-native', 'libsodium-wasm', 'noble'] : ['libsodium-wasm', 'noble'],
    );
    process.env.EG_VOPRF = 'wasm';
    expect(createVoprf(secretKey).implementation).toBe('libsodium-wasm');
    process.env.EG_VOPRF = 'noble';
    expect(createVoprf(secretKey).implementation).toBe('noble');
    process.env.EG_VOPRF = 'fast';
    expect(() => createVoprf(secretKey)).toThrow(/EG_VOPRF/);
    // An explicit choice wins over the environment.
    expect(createVoprf(secretKey, 'libsodium-wasm').implementation).toBe('libsodium-wasm');
  });
});
