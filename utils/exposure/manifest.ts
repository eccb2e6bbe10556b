import { decodeBase64Url, isValidPrefixBits, MODE, PROTOCOL_ID, SUITE } from './protocol';

/**
 * The range server's manifest (GET /v1/manifest), shared by client and server so both validate it
 * the same way. See docs/PROTOCOL.md.
 */
export interface ManifestDataset {
  /** Bit of the dataset bitmask (0..31) that marks this dataset. */
  bit: number;
  id: string;
  title: { en: string; 'zh-CN': string };
  /** ISO date (YYYY-MM-DD) the leak became public. */
  published: string;
  records: number;
}

export interface Manifest {
  protocol: typeof PROTOCOL_ID;
  suite: typeof SUITE;
  mode: typeof MODE;
  /** base64url (no padding) of the 32-byte ristretto255 public key. */
  publicKey: string;
  version: string;
  prefixBits: number;
  bucketSize: number;
  records: number;
  /** Field names in bit order: bit i of an entry's field bitmask means fields[i] leaked. */
  fields: string[];
  datasets: ManifestDataset[];
  generated: string;
}

export const MANIFEST_VERSION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** Upper bound on bucket entries; the contract caps real entries per bucket at 8,192 by default. */
export const MAX_BUCKET_SIZE = 65536;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

function fail(message: string): never {
  throw new ManifestError(`malformed manifest: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseDataset(value: unknown, index: number): ManifestDataset {
  if (!isRecord(value)) fail(`datasets[${index}] is not an object`);
  const { bit, id, title, published, records } = value;
  if (typeof bit !== 'number' || !Number.isInteger(bit) || bit < 0 || bit > 31) fail(`datasets[${index}].bit`);
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) fail(`datasets[${index}].id`);
  if (!isRecord(title) || typeof title.en !== 'string' || typeof title['zh-CN'] !== 'string') {
    fail(`datasets[${index}].title needs en and zh-CN strings`);
  }
  if (typeof published !== 'string' || !ISO_DATE_PATTERN.test(published)) fail(`datasets[${index}].published`);
  if (!isCount(records)) fail(`datasets[${index}].records`);
  return { bit, id, title: { en: title.en, 'zh-CN': title['zh-CN'] }, published, records };
}

/** Validates a parsed manifest JSON value; throws ManifestError on anything the contract does not allow. */
export function parseManifest(json: unknown): Manifest {
  if (!isRecord(json)) fail('not an object');
  if (json.protocol !== PROTOCOL_ID) fail(`protocol is not ${PROTOCOL_ID}`);
  if (json.suite !== SUITE) fail(`suite is not ${SUITE}`);
  if (json.mode !== MODE) fail(`mode is not ${MODE}`);
  const { publicKey, version, prefixBits, bucketSize, records, fields, datasets, generated } = json;
  if (typeof publicKey !== 'string') fail('publicKey');
  let keyBytes: Uint8Array;
  try {
    keyBytes = decodeBase64Url(publicKey);
  } catch {
    fail('publicKey is not base64url');
  }
  if (keyBytes.length !== 32) fail('publicKey is not 32 bytes');
  if (typeof version !== 'string' || !MANIFEST_VERSION_PATTERN.test(version)) fail('version');
  if (!isValidPrefixBits(prefixBits)) fail('prefixBits must be a multiple of 4 in 8..24');
  if (!isCount(bucketSize) || bucketSize < 1 || bucketSize > MAX_BUCKET_SIZE) fail('bucketSize');
  if (!isCount(records)) fail('records');
  if (!Array.isArray(fields) || fields.length > 32 || !fields.every((f) => typeof f === 'string')) {
    fail('fields must be at most 32 strings');
  }
  if (!Array.isArray(datasets) || datasets.length > 32) fail('datasets must be an array of at most 32');
  const parsedDatasets = datasets.map(parseDataset);
  const bits = new Set(parsedDatasets.map((d) => d.bit));
  if (bits.size !== parsedDatasets.length) fail('two datasets share a bit');
  if (typeof generated !== 'string' || Number.isNaN(Date.parse(generated))) fail('generated');
  return {
    protocol: PROTOCOL_ID,
    suite: SUITE,
    mode: MODE,
    publicKey,
    version,
    prefixBits,
    bucketSize,
    records,
    fields: [...fields],
    datasets: parsedDatasets,
    generated,
  };
}
