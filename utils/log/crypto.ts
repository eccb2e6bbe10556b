import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { LogError } from './errors';

/**
 * The log's cryptography: scrypt (from @noble/hashes, audited, no native code) turns a passphrase into a
 * key-encryption key; WebCrypto AES-256-GCM encrypts everything. A random data key encrypts the records
 * and is itself wrapped by the passphrase key, so changing the passphrase re-wraps 32 bytes instead of
 * re-encrypting the log. An X25519 "inbox" key pair lets the popup add entries to a locked log without the
 * passphrase: it can seal to the public key, only an unlocked log page can open them.
 */

export interface KdfParams {
  name: 'scrypt';
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
  /** base64, 16 random bytes. */
  salt: string;
}

/**
 * scrypt N=2^17, r=8, p=1 (128 MiB): about 0.5 s in Node 20 and 0.5–1 s in a current browser on a
 * mid-range laptop (docs/BENCHMARKS.md); each wrong guess costs an attacker the same.
 */
export const DEFAULT_KDF_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Bounds on KDF parameters read from files, so a hostile file cannot ask for gigabytes or days. */
const MAX_KDF_N = 2 ** 20;
const MIN_KDF_N = 2 ** 10;
export const MIN_PASSPHRASE_LENGTH = 8;

export interface SealedBytes {
  /** 12-byte AES-GCM nonce. */
  iv: Uint8Array;
  data: Uint8Array;
}

function getSubtle(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new LogError('crypto-unavailable');
  return subtle;
}

/** A copy backed by a plain ArrayBuffer, the only form WebCrypto's types accept. */
function toBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

export function getRandomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function createKdfParams(cost: { N: number; r: number; p: number } = DEFAULT_KDF_COST): KdfParams {
  return { name: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: base64.encode(getRandomBytes(16)) };
}

export function isValidKdfParams(params: KdfParams): boolean {
  const { N, r, p } = params;
  return (
    params.name === 'scrypt' &&
    Number.isInteger(N) &&
    N >= MIN_KDF_N &&
    N <= MAX_KDF_N &&
    (N & (N - 1)) === 0 &&
    r === 8 &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= 4 &&
    typeof params.salt === 'string'
  );
}

export function checkPassphrase(passphrase: string): void {
  if (!passphrase) throw new LogError('passphrase-required');
  if ([...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_LENGTH) {
    throw new LogError('passphrase-too-short', { limit: MIN_PASSPHRASE_LENGTH });
  }
}

/**
 * The AES-GCM key for a passphrase. NFC first, so the same passphrase typed on another system (composed
 * or decomposed accents) gives the same key.
 */
export async function derivePassphraseKey(
  passphrase: string,
  params: KdfParams,
  onProgress?: (fraction: number) => void,
): Promise<CryptoKey> {
  if (!passphrase) throw new LogError('passphrase-required');
  if (!isValidKdfParams(params)) throw new LogError('wrong-format', { path: 'kdf' });
  let salt: Uint8Array;
  try {
    salt = base64.decode(params.salt);
  } catch (error) {
    throw new LogError('wrong-format', { path: 'kdf.salt', cause: error });
  }
  const raw = await scryptAsync(passphrase.normalize('NFC'), salt, {
    N: params.N,
    r: params.r,
    p: params.p,
    dkLen: 32,
    onProgress,
  });
  try {
    return await importAesKey(raw, false);
  } finally {
    raw.fill(0);
  }
}

export function importAesKey(raw: Uint8Array, extractable: boolean): Promise<CryptoKey> {
  return getSubtle().importKey('raw', toBuffer(raw), { name: 'AES-GCM' }, extractable, ['encrypt', 'decrypt']);
}

export async function encryptBytes(key: CryptoKey, plaintext: Uint8Array, aad?: Uint8Array): Promise<SealedBytes> {
  const iv = getRandomBytes(12);
  const data = await getSubtle().encrypt(
    { name: 'AES-GCM', iv: toBuffer(iv), ...(aad ? { additionalData: toBuffer(aad) } : {}) },
    key,
    toBuffer(plaintext),
  );
  return { iv, data: new Uint8Array(data) };
}

/** Decrypts, or returns null when the key is wrong or the bytes were altered (GCM's tag does not match). */
export async function decryptBytes(key: CryptoKey, sealed: SealedBytes, aad?: Uint8Array): Promise<Uint8Array | null> {
  try {
    const plain = await getSubtle().decrypt(
      { name: 'AES-GCM', iv: toBuffer(sealed.iv), ...(aad ? { additionalData: toBuffer(aad) } : {}) },
      key,
      toBuffer(sealed.data),
    );
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}

export async function encryptJson(key: CryptoKey, value: unknown, aad?: string): Promise<SealedBytes> {
  return encryptBytes(key, encodeUtf8(JSON.stringify(value)), aad ? encodeUtf8(aad) : undefined);
}

export async function decryptJson<T>(key: CryptoKey, sealed: SealedBytes, aad?: string): Promise<T | null> {
  const plain = await decryptBytes(key, sealed, aad ? encodeUtf8(aad) : undefined);
  return plain ? (JSON.parse(decodeUtf8(plain)) as T) : null;
}

/** A sealed value as base64 text, for JSON files and settings. */
export interface SealedText {
  iv: string;
  data: string;
}

export function sealedToText(sealed: SealedBytes): SealedText {
  return { iv: base64.encode(sealed.iv), data: base64.encode(sealed.data) };
}

export function sealedFromText(sealed: SealedText): SealedBytes {
  return { iv: base64.decode(sealed.iv), data: base64.decode(sealed.data) };
}

// ---- Inbox: sealing to a public key (X25519 + HKDF-SHA256 + AES-GCM) ----

const INBOX_INFO = encodeUtf8('exposure-guard log inbox v1');

export interface InboxKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function createInboxKeyPair(): InboxKeyPair {
  const { secretKey, publicKey } = x25519.keygen();
  return { secretKey, publicKey };
}

function deriveInboxKey(shared: Uint8Array, ephemeralPublic: Uint8Array, recipient: Uint8Array): Promise<CryptoKey> {
  const salt = new Uint8Array(64);
  salt.set(ephemeralPublic, 0);
  salt.set(recipient, 32);
  const raw = hkdf(sha256, shared, salt, INBOX_INFO, 32);
  return importAesKey(raw, false);
}

export interface InboxSealed extends SealedBytes {
  /** The sender's one-time public key. */
  epk: Uint8Array;
}

export async function sealToPublicKey(recipient: Uint8Array, plaintext: Uint8Array): Promise<InboxSealed> {
  const ephemeral = x25519.keygen();
  const shared = x25519.getSharedSecret(ephemeral.secretKey, recipient);
  const key = await deriveInboxKey(shared, ephemeral.publicKey, recipient);
  ephemeral.secretKey.fill(0);
  const sealed = await encryptBytes(key, plaintext);
  return { ...sealed, epk: ephemeral.publicKey };
}

export async function openFromPublicKey(pair: InboxKeyPair, sealed: InboxSealed): Promise<Uint8Array | null> {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(pair.secretKey, sealed.epk);
  } catch {
    return null;
  }
  const key = await deriveInboxKey(shared, sealed.epk, pair.publicKey);
  return decryptBytes(key, sealed);
}
