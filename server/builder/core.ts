import { createHash, randomBytes } from 'node:crypto';
import type { Manifest, ManifestDataset } from '@/utils/exposure/manifest';
import {
  ENTRY_SIZE,
  encodeBase64Url,
  encodeEntry,
  FIELD_NAMES,
  MAX_PREFIX_BITS,
  MIN_PREFIX_BITS,
  MODE,
  PROTOCOL_ID,
  SUITE,
} from '@/utils/exposure/protocol';
import type { VoprfServer } from '../voprf';

/**
 * The pieces of a range build shared by the streaming file builder (server/builder/build.ts) and the
 * in-memory one (server/testing.ts), so both produce the same layout.
 */

/** The contract's default ceiling on real entries per bucket. */
export const MAX_REAL_ENTRIES_PER_BUCKET = 8192;
export const BUCKET_SIZE_STEP = 64;
/** Counts are kept per 24-bit prefix (the finest the contract allows) and summed up for coarser ones. */
export const COUNT_BITS = MAX_PREFIX_BITS;

const PREFIX_INPUT_HEAD = Buffer.from(`${PROTOCOL_ID}\0`, 'utf8');

/** First 24 bits of SHA-256(PROTOCOL_ID || 0x00 || e164), as an integer (same hash as getBucketPrefix). */
export function getPrefix24(e164: string): number {
  const digest = createHash('sha256').update(PREFIX_INPUT_HEAD).update(e164, 'utf8').digest();
  return ((digest[0] as number) << 16) | ((digest[1] as number) << 8) | (digest[2] as number);
}

/** Lowercase hex of the first `prefixBits` bits of a 24-bit prefix. */
export function formatPrefix(prefix24: number, prefixBits: number): string {
  return (prefix24 >>> (COUNT_BITS - prefixBits)).toString(16).padStart(prefixBits / 4, '0');
}

/** Largest bucket if buckets were cut at `prefixBits`, from per-24-bit-prefix counts. */
export function getLargestBucket(counts24: Uint32Array, prefixBits: number): number {
  const group = 1 << (COUNT_BITS - prefixBits);
  let largest = 0;
  for (let start = 0; start < counts24.length; start += group) {
    let sum = 0;
    for (let i = start; i < start + group; i++) sum += counts24[i] as number;
    if (sum > largest) largest = sum;
  }
  return largest;
}

/** The contract's default: the smallest multiple of 4 (8..24) that keeps every bucket at or under 8,192. */
export function choosePrefixBits(counts24: Uint32Array, maxEntries = MAX_REAL_ENTRIES_PER_BUCKET): number {
  for (let bits = MIN_PREFIX_BITS; bits <= MAX_PREFIX_BITS; bits += 4) {
    if (getLargestBucket(counts24, bits) <= maxEntries) return bits;
  }
  return MAX_PREFIX_BITS;
}

/** The largest real bucket rounded up to a multiple of 64 (at least 64). */
export function chooseBucketSize(largestBucket: number): number {
  return Math.max(BUCKET_SIZE_STEP, Math.ceil(largestBucket / BUCKET_SIZE_STEP) * BUCKET_SIZE_STEP);
}

/** A fresh manifest version: UTC time plus randomness, so two builds in one second still differ. */
export function createVersion(date = new Date()): string {
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${encodeBase64Url(randomBytes(6))}`;
}

function compareEntries(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * One bucket's bytes: its real entries plus random padding up to `bucketSize`, sorted bytewise, so every
 * bucket has the same length and padding cannot be told from data.
 */
export function assembleBucket(
  realEntries: Uint8Array[],
  bucketSize: number,
  random: (size: number) => Uint8Array = randomBytes,
): Uint8Array {
  if (realEntries.length > bucketSize) throw new RangeError('more real entries than bucketSize');
  const padding = random((bucketSize - realEntries.length) * ENTRY_SIZE);
  const entries: Uint8Array[] = [...realEntries];
  for (let offset = 0; offset < padding.length; offset += ENTRY_SIZE) {
    entries.push(padding.subarray(offset, offset + ENTRY_SIZE));
  }
  entries.sort(compareEntries);
  const bucket = new Uint8Array(bucketSize * ENTRY_SIZE);
  entries.forEach((entry, i) => {
    bucket.set(entry, i * ENTRY_SIZE);
  });
  return bucket;
}

/** The 16-byte entry for one number: tag || meta XOR mask, from the OPRF output only the key holder can compute. */
export function createEntry(voprf: VoprfServer, e164: string, datasetBits: number, fieldBits: number): Uint8Array {
  const output = voprf.evaluate(new TextEncoder().encode(e164));
  return encodeEntry(output, { datasetBits, fieldBits });
}

export interface DatasetSummary {
  id: string;
  title: { en: string; 'zh-CN': string };
  published: string;
  /** Distinct valid numbers in this dataset. */
  records: number;
}

export function createManifest(options: {
  publicKey: Uint8Array;
  version: string;
  prefixBits: number;
  bucketSize: number;
  records: number;
  datasets: DatasetSummary[];
  generated?: Date;
}): Manifest {
  const datasets: ManifestDataset[] = options.datasets.map((d, bit) => ({
    bit,
    id: d.id,
    title: { en: d.title.en, 'zh-CN': d.title['zh-CN'] },
    published: d.published,
    records: d.records,
  }));
  return {
    protocol: PROTOCOL_ID,
    suite: SUITE,
    mode: MODE,
    publicKey: encodeBase64Url(options.publicKey),
    version: options.version,
    prefixBits: options.prefixBits,
    bucketSize: options.bucketSize,
    records: options.records,
    fields: [...FIELD_NAMES],
    datasets,
    generated: (options.generated ?? new Date()).toISOString(),
  };
}
