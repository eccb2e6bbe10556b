/**
 * npx tsx tests/tools/range-scaling.ts — the bucket layout the builder would choose for leaks of 10^6 to
 * 7 x 10^9 distinct numbers (docs/SCALING.md), with the builder's own functions (choosePrefixBits,
 * getLargestBucket, chooseBucketSize) on simulated per-24-bit-prefix counts. SHA-256 spreads distinct
 * numbers uniformly, so each of the 2^24 counts is Poisson(n / 2^24), drawn from a seeded generator: exactly
 * (Knuth's method) for means under 50, as a rounded normal above (10^9 numbers give a mean of 60).
 */
import { COUNT_BITS, chooseBucketSize, choosePrefixBits, getLargestBucket } from '@/server/builder/core';
import { ENTRY_SIZE, MAX_PREFIX_BITS, MIN_PREFIX_BITS } from '@/utils/exposure/protocol';

const CN_MOBILE_SPACE = 7e9; // 1[3-9]xxxxxxxxx, as the contract puts it

function createPoisson(seed: number, mean: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  if (mean < 50) {
    const limit = Math.exp(-mean);
    return () => {
      let k = 0;
      for (let p = uniform(); p > limit; p *= uniform()) k++;
      return k;
    };
  }
  return () =>
    Math.max(
      0,
      Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())),
    );
}

function simulateCounts(records: number, seed: number): Uint32Array {
  const cells = 1 << COUNT_BITS;
  const draw = createPoisson(seed, records / cells);
  const counts = new Uint32Array(cells);
  for (let i = 0; i < cells; i++) counts[i] = draw();
  return counts;
}

const rows: string[] = [];
for (const records of [1e6, 9_665_224, 1e8, 1e9, 7e9]) {
  const counts = simulateCounts(records, 2026);
  const bits = choosePrefixBits(counts);
  const bucketSize = chooseBucketSize(getLargestBucket(counts, bits));
  const capped = Math.min(bits, 16);
  const cappedSize = chooseBucketSize(getLargestBucket(counts, capped));
  const buckets = 2 ** bits;
  const bytes = bucketSize * ENTRY_SIZE;
  rows.push(
    `| ${records.toLocaleString('en')} | ${bits} | ${bucketSize.toLocaleString('en')} | ` +
      `${(bytes / 1024).toFixed(1)} KiB | ${buckets.toLocaleString('en')} | ${((buckets * bytes) / 2 ** 30).toFixed(2)} GiB | ` +
      `${Math.round(CN_MOBILE_SPACE / buckets).toLocaleString('en')} | ${capped} / ${cappedSize.toLocaleString('en')} ` +
      `(${((cappedSize * ENTRY_SIZE) / 1024).toFixed(0)} KiB, ${Math.round(CN_MOBILE_SPACE / 2 ** capped).toLocaleString('en')}) |`,
  );
}
console.log(`prefixBits ${MIN_PREFIX_BITS}..${MAX_PREFIX_BITS}, simulated with seed 2026\n`);
console.log(
  '| distinct numbers | prefixBits | bucketSize | bucket file | buckets | total | CN mobile numbers per prefix | capped at 16 bits: bucketSize (file, numbers per prefix) |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const row of rows) console.log(row);
