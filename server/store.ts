import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Manifest, parseManifest } from '@/utils/exposure/manifest';
import {
  CHECKSUM_FILE,
  getBucketFileName,
  MANIFEST_FILE,
  parseChecksums,
  type RangeStore,
  StoreIntegrityError,
} from './store-core';

export {
  BUCKET_DIR,
  CHECKSUM_FILE,
  getBucketFileName,
  MANIFEST_FILE,
  parseChecksums,
  type RangeStore,
  StoreIntegrityError,
} from './store-core';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export interface FsStoreOptions {
  /** Check each bucket's SHA-256 against SHA256SUMS before serving it (default true). */
  verifyChecksums?: boolean;
}

interface FsSnapshot {
  key: string;
  manifest: Manifest;
  checksums: Map<string, string> | null;
}

/**
 * Reads a folder written by `npm run range:build`. The builder swaps folders by rename, so the manifest is
 * re-read whenever its file changes, and buckets are looked up for the manifest's version only.
 */
export function createFsStore(dir: string, options: FsStoreOptions = {}): RangeStore {
  const verify = options.verifyChecksums ?? true;
  let snapshot: FsSnapshot | null = null;

  async function load(): Promise<FsSnapshot | null> {
    // Two tries: a rebuild renames the old folder away just before the new one lands.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const info = await stat(join(dir, MANIFEST_FILE));
        const key = `${info.ino}:${info.mtimeMs}:${info.size}`;
        if (snapshot?.key === key) return snapshot;
        const manifest = parseManifest(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')));
        let checksums: Map<string, string> | null = null;
        if (verify) checksums = parseChecksums(await readFile(join(dir, CHECKSUM_FILE), 'utf8'));
        snapshot = { key, manifest, checksums };
        return snapshot;
      } catch (error) {
        if (!isMissing(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    snapshot = null;
    return null;
  }

  return {
    async getManifest() {
      return (await load())?.manifest ?? null;
    },
    async getBucket(version, prefixHex) {
      const current = await load();
      if (!current || current.manifest.version !== version) return null;
      if (!/^[0-9a-f]+$/.test(prefixHex) || prefixHex.length * 4 !== current.manifest.prefixBits) return null;
      const name = getBucketFileName(prefixHex);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(join(dir, name)));
      } catch (error) {
        if (isMissing(error)) throw new StoreIntegrityError(`bucket file missing in version ${version}`);
        throw error;
      }
      if (current.checksums) {
        const expected = current.checksums.get(name);
        const actual = createHash('sha256').update(bytes).digest('hex');
        if (expected !== actual) throw new StoreIntegrityError(`bucket checksum mismatch in version ${version}`);
      }
      return bytes;
    },
  };
}

/** An in-memory store: tests, the test helper, and anything that builds data on the fly. */
export function createMemoryStore(manifest: Manifest | null, buckets: ReadonlyMap<string, Uint8Array>): RangeStore {
  return {
    async getManifest() {
      return manifest;
    },
    async getBucket(version, prefixHex) {
      if (!manifest || manifest.version !== version) return null;
      return buckets.get(prefixHex) ?? null;
    },
  };
}
