import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createObjectStore, type ObjectSource } from '@/server/object-store';
import { getBucketFileName, OBJECT_KEYS, StoreIntegrityError } from '@/server/store-core';
import { createTestRangeService } from '@/server/testing';

const DATASET = {
  id: 'a',
  title: { en: 'A', 'zh-CN': '甲' },
  published: '2019-01-01',
  fields: ['name'],
  numbers: ['+8613800138000', '+8613900139000'],
};

/** A published build in a Map, counting reads, as R2 would hold it. */
async function createPublished() {
  const service = createTestRangeService({ datasets: [DATASET] });
  const { manifest } = service;
  const objects = new Map<string, Uint8Array>();
  const sums: string[] = [];
  for (let i = 0; i < 256; i++) {
    const prefix = i.toString(16).padStart(2, '0');
    const bytes = (await service.store.getBucket(manifest.version, prefix)) as Uint8Array;
    objects.set(OBJECT_KEYS.bucket(manifest.version, prefix), bytes);
    sums.push(`${createHash('sha256').update(bytes).digest('hex')}  ${getBucketFileName(prefix)}\n`);
  }
  objects.set(OBJECT_KEYS.checksums(manifest.version), new TextEncoder().encode(sums.join('')));
  objects.set(OBJECT_KEYS.manifest, new TextEncoder().encode(JSON.stringify(manifest)));
  const reads: string[] = [];
  const source: ObjectSource = {
    async get(key) {
      reads.push(key);
      return objects.get(key) ?? null;
    },
  };
  return { manifest, objects, reads, source };
}

describe('createObjectStore', () => {
  it('serves verified buckets of the current version from the OBJECT_KEYS layout', async () => {
    const { manifest, source, objects } = await createPublished();
    const store = createObjectStore(source);
    expect(await store.getManifest()).toEqual(manifest);
    const bucket = await store.getBucket(manifest.version, '7f');
    expect(bucket).toEqual(objects.get(OBJECT_KEYS.bucket(manifest.version, '7f')));
    expect(await store.getBucket('older-version', '7f')).toBeNull();
    expect(await store.getBucket(manifest.version, '7f0')).toBeNull();
    expect(await store.getBucket(manifest.version, 'zz')).toBeNull();
  });

  it('refuses a damaged or missing bucket and a missing checksum list', async () => {
    const { manifest, source, objects } = await createPublished();
    const key = OBJECT_KEYS.bucket(manifest.version, '10');
    const damaged = Uint8Array.from(objects.get(key) as Uint8Array);
    damaged[0] = (damaged[0] as number) ^ 1;
    objects.set(key, damaged);
    objects.delete(OBJECT_KEYS.bucket(manifest.version, '11'));
    const store = createObjectStore(source);
    await expect(store.getBucket(manifest.version, '10')).rejects.toThrow(/checksum mismatch/);
    await expect(store.getBucket(manifest.version, '11')).rejects.toThrow(StoreIntegrityError);
    // Unverified, the damaged bytes would go out.
    expect(await createObjectStore(source, { verifyChecksums: false }).getBucket(manifest.version, '10')).toEqual(
      damaged,
    );
    objects.delete(OBJECT_KEYS.checksums(manifest.version));
    await expect(createObjectStore(source).getBucket(manifest.version, '12')).rejects.toThrow(/checksum list missing/);
  });

  it('reads the manifest once per TTL, shares concurrent reads, and caches checksums per version', async () => {
    const { manifest, source, reads, objects } = await createPublished();
    let now = 1_000;
    const store = createObjectStore(source, { manifestTtlMs: 10_000, now: () => now });
    await Promise.all([store.getManifest(), store.getManifest(), store.getBucket(manifest.version, '00')]);
    await store.getBucket(manifest.version, '01');
    expect(reads.filter((key) => key === OBJECT_KEYS.manifest)).toHaveLength(1);
    expect(reads.filter((key) => key === OBJECT_KEYS.checksums(manifest.version))).toHaveLength(1);
    // A new build is noticed after the TTL, and the old version is no longer served.
    objects.set(OBJECT_KEYS.manifest, new TextEncoder().encode(JSON.stringify({ ...manifest, version: 'v2' })));
    now += 9_999;
    expect((await store.getManifest())?.version).toBe(manifest.version);
    now += 1;
    expect((await store.getManifest())?.version).toBe('v2');
    expect(await store.getBucket(manifest.version, '00')).toBeNull();
    expect(reads.filter((key) => key === OBJECT_KEYS.manifest)).toHaveLength(2);
  });

  it('reports no data before anything is published and retries a failed read', async () => {
    let fail = true;
    const store = createObjectStore(
      {
        async get() {
          if (fail) throw new Error('R2 unavailable');
          return null;
        },
      },
      { manifestTtlMs: 60_000 },
    );
    await expect(store.getManifest()).rejects.toThrow('R2 unavailable');
    fail = false;
    expect(await store.getManifest()).toBeNull();
  });
});
