import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENTRY_SIZE } from '@/utils/exposure/protocol';
import type { VoprfServer } from '../voprf';
import { COUNT_BITS, createEntry, getPrefix24 } from './core';

/** Partitions are cut by the first 8 bits of the bucket hash; each covers 2^16 of the 24-bit prefixes. */
export const PARTITION_BITS = 8;
export const PARTITIONS = 1 << PARTITION_BITS;
export const PREFIXES_PER_PARTITION = 1 << (COUNT_BITS - PARTITION_BITS);
/** A pass-2 record: prefix24 (3 bytes) || entry (16 bytes). */
export const BINARY_RECORD = 3 + ENTRY_SIZE;

export interface PartitionResult {
  partition: number;
  /** Distinct numbers in the partition. */
  records: number;
  /** Entries per 24-bit prefix, for the prefixes of this partition (index = prefix24 & 0xffff). */
  counts: Uint32Array;
  /** Distinct numbers per dataset bit. */
  datasetRecords: number[];
}

/**
 * Pass 2 for one partition: merge repeated numbers (dataset bits and field bits OR-ed), evaluate the OPRF
 * for each distinct number, write `<p>.bin` and delete `<p>.txt`. Runs on the main thread or in a worker.
 */
export async function evaluatePartition(
  workDir: string,
  partition: number,
  voprf: VoprfServer,
  datasetCount: number,
): Promise<PartitionResult> {
  const textPath = join(workDir, `${partition}.txt`);
  const text = await readFile(textPath, 'utf8');
  const merged = new Map<string, [number, number]>();
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end);
    start = end + 1;
    const [e164, bitText, fieldText] = line.split('\t') as [string, string, string];
    const datasetBit = 1 << Number(bitText);
    const fieldBits = Number(fieldText);
    const previous = merged.get(e164);
    if (previous) {
      previous[0] |= datasetBit;
      previous[1] |= fieldBits;
    } else merged.set(e164, [datasetBit, fieldBits]);
  }
  const counts = new Uint32Array(PREFIXES_PER_PARTITION);
  const datasetRecords = new Array<number>(datasetCount).fill(0);
  const binary = Buffer.alloc(merged.size * BINARY_RECORD);
  let offset = 0;
  for (const [e164, [datasetBits, fieldBits]] of merged) {
    const prefix24 = getPrefix24(e164);
    const local = prefix24 & (PREFIXES_PER_PARTITION - 1);
    counts[local] = (counts[local] as number) + 1;
    binary.writeUIntBE(prefix24, offset, 3);
    binary.set(createEntry(voprf, e164, datasetBits >>> 0, fieldBits >>> 0), offset + 3);
    offset += BINARY_RECORD;
    for (let bit = 0; bit < datasetCount; bit++) {
      if ((datasetBits >>> bit) & 1) datasetRecords[bit] = (datasetRecords[bit] as number) + 1;
    }
  }
  await writeFile(join(workDir, `${partition}.bin`), binary);
  await rm(textPath);
  return { partition, records: merged.size, counts, datasetRecords };
}
