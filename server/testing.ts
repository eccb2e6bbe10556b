import type { Hono } from 'hono';
import type { Manifest } from '@/utils/exposure/manifest';
import { encodeBase64Url, getFieldBits } from '@/utils/exposure/protocol';
import { createRangeApp } from './app';
import {
  assembleBucket,
  COUNT_BITS,
  chooseBucketSize,
  choosePrefixBits,
  createEntry,
  createManifest,
  createVersion,
  formatPrefix,
  getLargestBucket,
  getPrefix24,
} from './builder/core';
import { createMemoryStore, type RangeStore } from './store';
import { createSodiumVoprf, generateKeyPair } from './voprf';

export interface InMemoryDataset {
  id: string;
  title: { en: string; 'zh-CN': string };
  published: string;
  /** Field names (FIELD_NAMES); 'phone' is always added. */
  fields: string[];
  /** E.164 numbers, e.g. '+8613800138000'. */
  numbers: string[];
}

export interface InMemoryBuild {
  manifest: Manifest;
  /** Non-empty buckets by prefix; the store serves deterministic padding-only buckets for the rest. */
  buckets: Map<string, Uint8Array>;
  store: RangeStore;
}

const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/** Builds range data in memory with the builder's own functions (no files, no streaming). */
export function buildInMemory(options: {
  secretKey: Uint8Array;
  prefixBits?: number;
  datasets: InMemoryDataset[];
}): InMemoryBuild {
  const voprf = createSodiumVoprf(options.secretKey);
  const merged = new Map<string, { datasetBits: number; fieldBits: number }>();
  const datasetRecords: number[] = [];
  options.datasets.forEach((dataset, bit) => {
    if (bit > 31) throw new RangeError('at most 32 datasets');
    const fieldBits = getFieldBits([...dataset.fields, 'phone']);
    const distinct = new Set<string>();
    for (const number of dataset.numbers) {
      if (!E164_PATTERN.test(number)) throw new RangeError(`not an E.164 number: ${number}`);
      distinct.add(number);
      const previous = merged.get(number) ?? { datasetBits: 0, fieldBits: 0 };
      merged.set(number, {
        datasetBits: (previous.datasetBits | (1 << bit)) >>> 0,
        fieldBits: (previous.fieldBits | fieldBits) >>> 0,
      });
    }
    datasetRecords.push(distinct.size);
  });

  const counts24 = new Uint32Array(1 << COUNT_BITS);
  const prefixes = new Map<string, number>();
  for (const number of merged.keys()) {
    const prefix24 = getPrefix24(number);
    prefixes.set(number, prefix24);
    counts24[prefix24] = (counts24[prefix24] as number) + 1;
  }
  const prefixBits = options.prefixBits ?? choosePrefixBits(counts24);
  const bucketSize = chooseBucketSize(getLargestBucket(counts24, prefixBits));
  const grouped = new Map<string, Uint8Array[]>();
  for (const [number, meta] of merged) {
    const prefix = formatPrefix(prefixes.get(number) as number, prefixBits);
    const entries = grouped.get(prefix) ?? [];
    entries.push(createEntry(voprf, number, meta.datasetBits, meta.fieldBits));
    grouped.set(prefix, entries);
  }
  const buckets = new Map<string, Uint8Array>();
  for (const [prefix, entries] of grouped) buckets.set(prefix, assembleBucket(entries, bucketSize));

  const manifest = createManifest({
    publicKey: voprf.publicKey,
    version: createVersion(),
    prefixBits,
    bucketSize,
    records: merged.size,
    datasets: options.datasets.map((d, i) => ({
      id: d.id,
      title: d.title,
      published: d.published,
      records: datasetRecords[i] as number,
    })),
  });
  const padded = new Map(buckets);
  const base = createMemoryStore(manifest, padded);
  const store: RangeStore = {
    getManifest: () => base.getManifest(),
    async getBucket(version, prefixHex) {
      if (version !== manifest.version || !/^[0-9a-f]+$/.test(prefixHex) || prefixHex.length * 4 !== prefixBits) {
        return null;
      }
      // Every prefix has a bucket; empty ones are all padding, made once so repeated reads agree.
      if (!padded.has(prefixHex)) padded.set(prefixHex, assembleBucket([], bucketSize));
      return base.getBucket(version, prefixHex);
    },
  };
  return { manifest, buckets, store };
}

export interface TestRangeServiceOptions {
  prefixBits?: number;
  datasets: InMemoryDataset[];
  rateLimitPerMinute?: number;
  log?: (line: string) => void;
}

export interface TestRangeService {
  app: Hono;
  /** base64url of the 32-byte public key (what the client pins). */
  publicKey: string;
  secretKey: Uint8Array;
  manifest: Manifest;
  store: RangeStore;
}

/**
 * A complete in-process range service with a fresh key, for round-trip tests:
 * `await service.app.request('/v1/manifest')`, or pass `service.app.fetch` as the client's fetch.
 */
export function createTestRangeService(options: TestRangeServiceOptions): TestRangeService {
  const { secretKey, publicKey } = generateKeyPair();
  const { manifest, store } = buildInMemory({ secretKey, prefixBits: options.prefixBits, datasets: options.datasets });
  const app = createRangeApp({
    store,
    secretKey,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 1_000_000,
    log: options.log,
  });
  return { app, publicKey: encodeBase64Url(publicKey), secretKey, manifest, store };
}
