import { type Manifest, parseManifest } from '@/utils/exposure/manifest';
import { getBucketFileName, OBJECT_KEYS, parseChecksums, type RangeStore, StoreIntegrityError } from './store-core';

/**
 * A RangeStore over a published build in an object store (R2 in the Workers build; the keys are in
 * OBJECT_KEYS). Runtime-neutral: WebCrypto for the checksums, no `node:` imports.
 */

/** Reads one object's bytes; null when it does not exist. */
export interface ObjectSource {
  get(key: string): Promise<Uint8Array | null>;
}

/** The part of a Workers R2 bucket binding this store uses. */
export interface R2BucketLike {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}

export function createR2Source(bucket: R2BucketLike): ObjectSource {
  return {
    async get(key) {
      const object = await bucket.get(key);
      return object ? new Uint8Array(await object.arrayBuffer()) : null;
    },
  };
}

export interface ObjectStoreOptions {
  /** Check each bucket's SHA-256 against the version's SHA256SUMS before serving it (default true). */
  verifyChecksums?: boolean;
  /**
   * How long one manifest read is trusted before the store asks the object store again (default 10 s).
   * Publishing writes `v1/manifest` last, so a new build shows up within this time.
   */
  manifestTtlMs?: number;
  now?: () => number;
}

export const DEFAULT_MANIFEST_TTL_MS = 10_000;

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function createObjectStore(source: ObjectSource, options: ObjectStoreOptions = {}): RangeStore {
  const verify = options.verifyChecksums ?? true;
  const ttl = options.manifestTtlMs ?? DEFAULT_MANIFEST_TTL_MS;
  const now = options.now ?? Date.now;
  let manifestRead: { at: number; promise: Promise<Manifest | null> } | null = null;
  // Checksums of the current version only: a version's list never changes, and old ones are not served.
  let checksums: { version: string; promise: Promise<Map<string, string>> } | null = null;

  function getManifest(): Promise<Manifest | null> {
    const time = now();
    if (manifestRead && time - manifestRead.at < ttl) return manifestRead.promise;
    // Concurrent requests share one read instead of each asking the object store.
    const promise = source.get(OBJECT_KEYS.manifest).then((bytes) => {
      if (!bytes) return null;
      return parseManifest(JSON.parse(new TextDecoder().decode(bytes)));
    });
    manifestRead = { at: time, promise };
    promise.catch(() => {
      if (manifestRead?.promise === promise) manifestRead = null;
    });
    return promise;
  }

  function getChecksums(version: string): Promise<Map<string, string>> {
    if (checksums?.version === version) return checksums.promise;
    const promise = source.get(OBJECT_KEYS.checksums(version)).then((bytes) => {
      if (!bytes) throw new StoreIntegrityError(`checksum list missing for version ${version}`);
      return parseChecksums(new TextDecoder().decode(bytes));
    });
    checksums = { version, promise };
    promise.catch(() => {
      if (checksums?.promise === promise) checksums = null;
    });
    return promise;
  }

  return {
    getManifest,
    async getBucket(version, prefixHex) {
      const manifest = await getManifest();
      if (!manifest || manifest.version !== version) return null;
      if (!/^[0-9a-f]+$/.test(prefixHex) || prefixHex.length * 4 !== manifest.prefixBits) return null;
      const [bytes, sums] = await Promise.all([
        source.get(OBJECT_KEYS.bucket(version, prefixHex)),
        verify ? getChecksums(version) : null,
      ]);
      // The manifest promises every prefix, so a missing object is damage, not "unknown".
      if (!bytes) throw new StoreIntegrityError(`bucket object missing in version ${version}`);
      if (sums) {
        const expected = sums.get(getBucketFileName(prefixHex));
        const actual = toHex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
        if (expected !== actual) throw new StoreIntegrityError(`bucket checksum mismatch in version ${version}`);
      }
      return bytes;
    },
  };
}
