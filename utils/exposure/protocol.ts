import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64urlnopad } from '@scure/base';

/**
 * phone-exposure-v1: the pieces of the wire contract that client, server and builder share.
 * See docs/PROTOCOL.md (restated from ../shared/docs/range-protocol.md).
 */
export const PROTOCOL_ID = 'phone-exposure-v1';
export const SUITE = 'ristretto255-SHA512';
export const MODE = 'voprf';

/** Bucket entry: tag(8) || meta(8) XOR output[8..16]. */
export const ENTRY_SIZE = 16;
export const TAG_SIZE = 8;
export const MIN_PREFIX_BITS = 8;
export const MAX_PREFIX_BITS = 24;
export const MAX_BLINDED_PER_REQUEST = 16;
export const MAX_EVALUATE_BODY_BYTES = 4096;

/** Field names in bit order: bit i of the field bitmask means FIELD_NAMES[i] leaked. */
export const FIELD_NAMES = [
  'name',
  'phone',
  'id_number',
  'loan_amount',
  'loan_status',
  'address',
  'contacts',
  'photos',
  'email',
  'employer',
  'bank_card',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export function encodeBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Throws on anything that is not unpadded base64url. */
export function decodeBase64Url(text: string): Uint8Array {
  return base64urlnopad.decode(text);
}

export function isValidPrefixBits(bits: unknown): bits is number {
  return (
    typeof bits === 'number' &&
    Number.isInteger(bits) &&
    bits % 4 === 0 &&
    bits >= MIN_PREFIX_BITS &&
    bits <= MAX_PREFIX_BITS
  );
}

/** The bucket a number falls in: first `prefixBits` bits of SHA-256(PROTOCOL_ID || 0x00 || e164), lowercase hex. */
export function getBucketPrefix(e164: string, prefixBits: number): string {
  if (!isValidPrefixBits(prefixBits)) throw new RangeError(`prefixBits must be a multiple of 4 in 8..24`);
  const input = new Uint8Array([...utf8ToBytes(PROTOCOL_ID), 0, ...utf8ToBytes(e164)]);
  return bytesToHex(sha256(input)).slice(0, prefixBits / 4);
}

/** Bytewise comparison of a bucket entry's tag (at `offset`) with `tag`. */
function compareTag(bucket: Uint8Array, offset: number, tag: Uint8Array): number {
  for (let i = 0; i < TAG_SIZE; i++) {
    const diff = (bucket[offset + i] as number) - (tag[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Binary search of a sorted bucket for the entry whose first 8 bytes equal `tag`; -1 if absent. */
export function findEntryIndex(bucket: Uint8Array, tag: Uint8Array): number {
  let low = 0;
  let high = Math.floor(bucket.length / ENTRY_SIZE) - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const cmp = compareTag(bucket, mid * ENTRY_SIZE, tag);
    if (cmp === 0) return mid;
    if (cmp < 0) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

export interface EntryMeta {
  datasetBits: number;
  fieldBits: number;
}

/** Builder side: the 16-byte entry for an OPRF output and its metadata. */
export function encodeEntry(output: Uint8Array, meta: EntryMeta): Uint8Array {
  const entry = new Uint8Array(ENTRY_SIZE);
  entry.set(output.subarray(0, TAG_SIZE), 0);
  const view = new DataView(entry.buffer);
  view.setUint32(8, meta.datasetBits >>> 0);
  view.setUint32(12, meta.fieldBits >>> 0);
  for (let i = 8; i < ENTRY_SIZE; i++) entry[i] = (entry[i] as number) ^ (output[i] as number);
  return entry;
}

/** Client side: metadata of a found entry, unmasked with the OPRF output only its owner can compute. */
export function decodeEntryMeta(entry: Uint8Array, output: Uint8Array): EntryMeta {
  const plain = new Uint8Array(8);
  for (let i = 0; i < 8; i++) plain[i] = (entry[TAG_SIZE + i] as number) ^ (output[TAG_SIZE + i] as number);
  const view = new DataView(plain.buffer);
  return { datasetBits: view.getUint32(0), fieldBits: view.getUint32(4) };
}

/** Names of the bits set in a field bitmask, in FIELD_NAMES order; unknown bits are ignored. */
export function getFieldNames(fieldBits: number): FieldName[] {
  return FIELD_NAMES.filter((_, bit) => (fieldBits >>> bit) & 1);
}

export function getFieldBits(fields: readonly string[]): number {
  let bits = 0;
  for (const field of fields) {
    const bit = FIELD_NAMES.indexOf(field as FieldName);
    if (bit >= 0) bits |= 1 << bit;
  }
  return bits >>> 0;
}
