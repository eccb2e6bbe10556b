import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRangeApp } from '@/server/app';
import { buildRange } from '@/server/builder/build';
import { parseBuildConfig } from '@/server/builder/config';
import { CHECKSUM_FILE, createFsStore, MANIFEST_FILE, parseChecksums, StoreIntegrityError } from '@/server/store';
import { generateKeyPair } from '@/server/voprf';
import { parseManifest } from '@/utils/exposure/manifest';

let dir: string;
let version: string;
const { secretKey } = generateKeyPair();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eg-store-'));
  await writeFile(join(dir, 'leak.txt'), '13800138000\n13900139000\n');
  const config = parseBuildConfig(
    {
      key: 'k.key',
      out: 'data',
      datasets: [
        {
          id: 'a',
          title: { en: 'A', 'zh-CN': '甲' },
          published: '2019-01-01',
          defaultCountry: 'CN',
          inputs: ['leak.txt'],
        },
      ],
    },
    dir,
  );
  version = (await buildRange(config, { secretKey })).manifest.version;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFsStore', () => {
  it('serves buckets of the current version only, after checking their SHA-256', async () => {
    const store = createFsStore(join(dir, 'data'));
    expect((await store.getManifest())?.version).toBe(version);
    expect(await store.getBucket(version, '00')).toHaveLength(64 * 16);
    expect(await store.getBucket('other', '00')).toBeNull();
    expect(await store.getBucket(version, '000')).toBeNull();

    const bucketPath = join(dir, 'data', 'buckets', '01.bin');
    const original = await readFile(bucketPath);
    const tampered = Buffer.from(original);
    tampered[0] = (tampered[0] as number) ^ 1;
    await writeFile(bucketPath, tampered);
    await expect(store.getBucket(version, '01')).rejects.toThrow(StoreIntegrityError);
    const lines: string[] = [];
    const app = createRangeApp({ store, secretKey, log: (line) => lines.push(line) });
    const response = await app.request(`/v1/range/${version}/01`);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: 'data_corrupt' });
    expect(lines.join('\n')).not.toContain('01.bin');
    // Without verification the tampered bytes would go out; with it they never do.
    expect(await createFsStore(join(dir, 'data'), { verifyChecksums: false }).getBucket(version, '01')).toEqual(
      new Uint8Array(tampered),
    );
    await writeFile(bucketPath, original);
    expect(await store.getBucket(version, '01')).toEqual(new Uint8Array(original));
  });

  it('picks up a changed manifest and reports a missing folder as no data', async () => {
    const store = createFsStore(join(dir, 'data'));
    const path = join(dir, 'data', MANIFEST_FILE);
    const original = await readFile(path, 'utf8');
    const changed = { ...parseManifest(JSON.parse(original)), version: 'changed-version' };
    await writeFile(path, JSON.stringify(changed));
    expect((await store.getManifest())?.version).toBe('changed-version');
    await writeFile(path, original);
    expect((await store.getManifest())?.version).toBe(version);
    expect(await createFsStore(join(dir, 'nothing-here')).getManifest()).toBeNull();
  });

  it('rejects a malformed manifest and checksum list', async () => {
    const path = join(dir, 'data', MANIFEST_FILE);
    const original = await readFile(path, 'utf8');
    await writeFile(path, JSON.stringify({ ...JSON.parse(original), prefixBits: 10 }));
    await expect(createFsStore(join(dir, 'data')).getManifest()).rejects.toThrow(/prefixBits/);
    await writeFile(path, original);
    expect(() => parseChecksums('abc  buckets/00.bin\n')).toThrow(StoreIntegrityError);
    expect(parseChecksums(await readFile(join(dir, 'data', CHECKSUM_FILE), 'utf8')).size).toBe(256);
  });
});
