import type { Manifest } from '@/utils/exposure/manifest';

/**
 * The runtime-neutral half of the range stores: the interface, the built folder's layout, its object-store
 * twin and the checksum list. No `node:` imports, so the Workers bundle can use it.
 */

/**
 * Where the range server reads built data from. An interface so the Node server (files), tests (memory)
 * and the Workers build (R2, or any object store) share one app.
 */
export interface RangeStore {
  /** The current manifest, or null when no data is built yet. */
  getManifest(): Promise<Manifest | null>;
  /** The bucket file for a prefix of the given version, or null when that version or prefix is unknown. */
  getBucket(version: string, prefixHex: string): Promise<Uint8Array | null>;
}

/** Layout of a built folder (see docs/PROTOCOL.md). */
export const MANIFEST_FILE = 'manifest.json';
export const CHECKSUM_FILE = 'SHA256SUMS';
export const BUCKET_DIR = 'buckets';
export function getBucketFileName(prefixHex: string): string {
  return `${BUCKET_DIR}/${prefixHex}.bin`;
}

/**
 * Keys of a published build in an object store (R2, S3, a CDN origin). They are the API's own URL paths,
 * so the immutable buckets (and the manifest) can be served straight from any static host; only
 * /v1/evaluate needs code. Each version keeps its checksum list and manifest beside its buckets, and
 * `v1/manifest` (written last) says which version is current.
 */
export const OBJECT_KEYS = {
  manifest: 'v1/manifest',
  bucket: (version: string, prefixHex: string) => `v1/range/${version}/${prefixHex}`,
  checksums: (version: string) => `v1/range/${version}/${CHECKSUM_FILE}`,
  versionManifest: (version: string) => `v1/range/${version}/${MANIFEST_FILE}`,
} as const;

/** Cache-Control of published objects: the contract's headers, so a CDN in front behaves like the API. */
export const CACHE_CONTROL = {
  bucket: 'public, max-age=31536000, immutable',
  manifest: 'max-age=300',
} as const;

export class StoreIntegrityError extends Error {
  override name = 'StoreIntegrityError';
}

/** Parses a `sha256sum`-style list: `<64 hex>  <relative path>` per line. */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) throw new StoreIntegrityError(`bad line in ${CHECKSUM_FILE}`);
    sums.set(match[2] as string, match[1] as string);
  }
  return sums;
}
