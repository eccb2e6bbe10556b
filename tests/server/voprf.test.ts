import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  createNobleVoprf,
  createRistrettoOps,
  createSodiumVoprf,
  deriveKeyPair,
  generateKeyPair,
  InvalidElementError,
  isValidElement,
  randomScalar,
  type VoprfServer,
} from '@/server/voprf';
import { VOPRF_KEY_VECTOR, VOPRF_VECTORS } from './rfc9497-vectors';

const voprf = ristretto255_oprf.voprf;
const skSm = hexToBytes(VOPRF_KEY_VECTOR.skSm);

describe('RFC 9497 ristretto255-SHA512 VOPRF vectors', () => {
  it('DeriveKeyPair gives the RFC key pair', () => {
    const { secretKey, publicKey } = deriveKeyPair(
      hexToBytes(VOPRF_KEY_VECTOR.seed),
      hexToBytes(VOPRF_KEY_VECTOR.keyInfo),
    );
    expect(bytesToHex(secretKey)).toBe(VOPRF_KEY_VECTOR.skSm);
    expect(bytesToHex(publicKey)).toBe(VOPRF_KEY_VECTOR.pkSm);
  });

  for (const [label, create] of [
    ['libsodium', createSodiumVoprf],
    ['noble', createNobleVoprf],
  ] as const) {
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

describe('libsodium fast path equals @noble/curves', () => {
  it('on random keys, inputs, batch sizes and proof scalars', () => {
    for (let round = 0; round < 12; round++) {
      const { secretKey } = generateKeyPair();
      const fast = createSodiumVoprf(secretKey);
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
  });

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

  it('rejects the identity, non-canonical and short encodings', () => {
    const server = createSodiumVoprf(generateKeyPair().secretKey);
    const identity = new Uint8Array(32);
    const nonCanonical = new Uint8Array(32).fill(0xff);
    expect(isValidElement(identity)).toBe(false);
    expect(isValidElement(nonCanonical)).toBe(false);
    expect(isValidElement(new Uint8Array(31))).toBe(false);
    expect(() => server.blindEvaluateBatch([identity])).toThrow(InvalidElementError);
    expect(() => server.blindEvaluateBatch([nonCanonical])).toThrow(InvalidElementError);
    expect(() => server.blindEvaluateBatch([])).toThrow(RangeError);
  });
});
