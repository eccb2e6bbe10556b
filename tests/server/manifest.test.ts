import { describe, expect, it } from 'vitest';
import { type Manifest, parseManifest } from '@/utils/exposure/manifest';

const VALID: Manifest = {
  protocol: 'phone-exposure-v1',
  suite: 'ristretto255-SHA512',
  mode: 'voprf',
  publicKey: 'FAQMzT5nQFwfcLbdbhQLnuFoTjMuzdeZlqqE9mE3YhY',
  version: '20261125T170757Z-9Ru_Gmeg',
  prefixBits: 12,
  bucketSize: 64,
  records: 3,
  fields: ['name', 'phone'],
  datasets: [{ bit: 0, id: 'a', title: { en: 'A', 'zh-CN': '甲' }, published: '2019-06-05', records: 3 }],
  generated: '2026-11-25T17:07:57.756Z',
};

describe('parseManifest', () => {
  it('accepts a valid manifest and drops unknown members', () => {
    expect(parseManifest({ ...VALID, extra: 1 })).toEqual(VALID);
  });

  it.each([
    ['protocol', { protocol: 'phone-exposure-v2' }],
    ['suite', { suite: 'P256-SHA256' }],
    ['mode', { mode: 'oprf' }],
    ['publicKey', { publicKey: 'abc' }],
    ['publicKey', { publicKey: `${VALID.publicKey}=` }],
    ['version', { version: 'has space' }],
    ['version', { version: '' }],
    ['prefixBits', { prefixBits: 10 }],
    ['prefixBits', { prefixBits: 28 }],
    ['bucketSize', { bucketSize: 0 }],
    ['records', { records: -1 }],
    ['fields', { fields: 'name' }],
    ['datasets', { datasets: [{ ...VALID.datasets[0], bit: 32 }] }],
    ['datasets', { datasets: [VALID.datasets[0], VALID.datasets[0]] }],
    ['datasets', { datasets: [{ ...VALID.datasets[0], title: { en: 'A' } }] }],
    ['datasets', { datasets: [{ ...VALID.datasets[0], published: '2019' }] }],
    ['generated', { generated: 'yesterday' }],
  ])('rejects a bad %s', (_name, patch) => {
    expect(() => parseManifest({ ...VALID, ...patch })).toThrow(/malformed manifest/);
  });

  it('rejects non-objects', () => {
    for (const value of [null, [], 'x', 1]) expect(() => parseManifest(value)).toThrow(/malformed manifest/);
  });
});
