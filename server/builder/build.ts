import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Manifest } from '@/utils/exposure/manifest';
import { BUCKET_DIR, CHECKSUM_FILE, getBucketFileName, MANIFEST_FILE } from '../store';
import { createSodiumVoprf, type VoprfServer } from '../voprf';
import type { BuildConfig, DatasetConfig } from './config';
import {
  assembleBucket,
  COUNT_BITS,
  chooseBucketSize,
  choosePrefixBits,
  createManifest,
  createVersion,
  formatPrefix,
  getLargestBucket,
  getPrefix24,
} from './core';
import { InputError, readInput } from './inputs';
import { type BadRowReason, normalizePhoneNumber } from './normalize';
import {
  BINARY_RECORD,
  evaluatePartition,
  PARTITION_BITS,
  PARTITIONS,
  type PartitionResult,
  PREFIXES_PER_PARTITION,
} from './partition';

/**
 * The streaming range builder. Memory stays bounded whatever the input size:
 *  1. read every input row by row, normalise, and append (e164, dataset, fields) to one of 256 partition
 *     files chosen by the first 8 bits of the bucket hash;
 *  2. per partition: de-duplicate (bits OR-ed), evaluate the OPRF, append (prefix24, entry) to a binary
 *     file and count entries per 24-bit prefix;
 *  3. choose prefixBits and bucketSize from the counts, then per partition write its padded, sorted buckets.
 * Buckets never straddle partitions because prefixBits >= 8. Everything is written to a temporary folder
 * that replaces the output folder by rename only at the end.
 */

const SPILL_BYTES = 16 * 1024 * 1024;

/** Runs pass 2 on `threads` worker threads (each with its own libsodium instance), partitions handed out in turn. */
async function evaluateOnWorkers(
  workDir: string,
  secretKey: Uint8Array,
  datasetCount: number,
  threads: number,
  collect: (result: PartitionResult) => void,
): Promise<void> {
  const workers = Array.from(
    { length: threads },
    () =>
      new Worker(new URL('./partition-worker.mjs', import.meta.url), {
        workerData: { workDir, secretKey, datasetCount },
      }),
  );
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((done, fail) => {
            const send = () => {
              if (next >= PARTITIONS) return done();
              worker.postMessage(next++);
            };
            worker.on('message', (message: { ok: true; result: PartitionResult } | { ok: false; message: string }) => {
              if (!message.ok) return fail(new BuildError(`evaluation failed: ${message.message}`));
              collect(message.result);
              send();
            });
            worker.on('error', fail);
            worker.on('exit', (code) => {
              if (code !== 0) fail(new BuildError(`an evaluation thread stopped (exit code ${code})`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

export class BuildError extends Error {
  override name = 'BuildError';
}

export interface DatasetReport {
  id: string;
  inputs: { path: string; rows: number }[];
  rows: number;
  valid: number;
  /** Distinct valid numbers. */
  records: number;
  /** Rows whose number appeared earlier in the same dataset (not bad, but not new). */
  duplicates: number;
  bad: Partial<Record<BadRowReason, number>>;
}

export interface BuildReport {
  out: string;
  manifest: Manifest;
  datasets: DatasetReport[];
  rows: number;
  records: number;
  buckets: number;
  largestBucket: number;
  seconds: { read: number; evaluate: number; write: number; total: number };
  /** Input rows per second of wall time. */
  rowsPerSecond: number;
}

export interface BuildOptions {
  secretKey: Uint8Array;
  onProgress?: (message: string) => void;
  /** Folder for partition files (default: beside the output folder). */
  workDir?: string;
  /** For tests: the VOPRF implementation (main thread only). */
  voprf?: VoprfServer;
  /** Worker threads for the OPRF evaluation (default 1: everything on the main thread). */
  threads?: number;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** Refuses outputs that would swallow the key or replace a folder that is not a previous build. */
async function checkOutput(config: BuildConfig): Promise<void> {
  if (isInside(config.key, config.out)) {
    throw new BuildError(`the key file ${config.key} is inside the output folder ${config.out}; keep it outside`);
  }
  for (const dataset of config.datasets) {
    for (const input of dataset.inputs) {
      if (isInside(input, config.out)) throw new BuildError(`input ${input} is inside the output folder ${config.out}`);
    }
  }
  const info = await stat(config.out).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) throw new BuildError(`output ${config.out} exists and is not a folder`);
  const entries = await readdir(config.out);
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new BuildError(
      `output folder ${config.out} is not empty and holds no previous build; refusing to replace it`,
    );
  }
}

class PartitionWriter {
  private readonly fds: number[] = [];
  private readonly buffers: string[][] = [];
  private buffered = 0;
  constructor(dir: string) {
    for (let p = 0; p < PARTITIONS; p++) {
      this.fds.push(openSync(join(dir, `${p}.txt`), 'w'));
      this.buffers.push([]);
    }
  }
  add(partition: number, line: string): void {
    (this.buffers[partition] as string[]).push(line);
    this.buffered += line.length;
    if (this.buffered >= SPILL_BYTES) this.flush();
  }
  flush(): void {
    for (let p = 0; p < PARTITIONS; p++) {
      const lines = this.buffers[p] as string[];
      if (lines.length === 0) continue;
      writeSync(this.fds[p] as number, lines.join(''));
      this.buffers[p] = [];
    }
    this.buffered = 0;
  }
  close(): void {
    this.flush();
    for (const fd of this.fds) closeSync(fd);
  }
}

async function readDataset(
  dataset: DatasetConfig,
  bit: number,
  writer: PartitionWriter,
  report: DatasetReport,
  progress: (message: string) => void,
): Promise<void> {
  const bad = report.bad;
  const countBad = (reason: BadRowReason) => {
    bad[reason] = (bad[reason] ?? 0) + 1;
  };
  for (const path of dataset.inputs) {
    let rows = 0;
    try {
      for await (const record of readInput(path, {
        phoneColumn: dataset.phoneColumn,
        fields: dataset.fields,
        onMalformedRow: () => {
          rows++;
          countBad('malformed_row');
        },
      })) {
        rows++;
        const result = normalizePhoneNumber(record.phone, dataset.defaultCountry);
        if (!result.ok) {
          countBad(result.reason);
          continue;
        }
        report.valid++;
        const prefix24 = getPrefix24(result.e164);
        writer.add(prefix24 >>> (COUNT_BITS - PARTITION_BITS), `${result.e164}\t${bit}\t${record.fieldBits}\n`);
        if (rows % 500_000 === 0) progress(`  ${basename(path)}: ${rows.toLocaleString('en')} rows read`);
      }
    } catch (error) {
      if (error instanceof InputError) throw new BuildError(`${path}: ${error.message}`);
      const code = (error as NodeJS.ErrnoException).code;
      if (code) throw new BuildError(`${path}: cannot read (${code})`);
      if (error instanceof Error && /xlsx|zip|central directory|end of data/i.test(error.message)) {
        throw new BuildError(`${path}: not a readable XLSX file (${error.message})`);
      }
      throw error;
    }
    report.inputs.push({ path, rows });
    report.rows += rows;
  }
}

/** Runs the whole build; returns the report. The previous output stays in place if anything throws. */
export async function buildRange(config: BuildConfig, options: BuildOptions): Promise<BuildReport> {
  const progress = options.onProgress ?? (() => {});
  const started = performance.now();
  await checkOutput(config);
  const voprf = options.voprf ?? createSodiumVoprf(options.secretKey);
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const outParent = dirname(config.out);
  await mkdir(outParent, { recursive: true });
  const tmpOut = join(outParent, `.${basename(config.out)}.tmp-${token}`);
  const workDir = options.workDir ? resolve(options.workDir, `range-work-${token}`) : `${tmpOut}.work`;
  const cleanup = async () => {
    await rm(workDir, { recursive: true, force: true });
    await rm(tmpOut, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // Leave the previous output serving and no half-written folders behind.
    void cleanup().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await mkdir(workDir, { recursive: true });
    await mkdir(join(tmpOut, BUCKET_DIR), { recursive: true });

    // Pass 1: read and partition.
    const writer = new PartitionWriter(workDir);
    const reports: DatasetReport[] = [];
    try {
      for (const [bit, dataset] of config.datasets.entries()) {
        progress(`reading dataset ${dataset.id}`);
        const report: DatasetReport = {
          id: dataset.id,
          inputs: [],
          rows: 0,
          valid: 0,
          records: 0,
          duplicates: 0,
          bad: {},
        };
        reports.push(report);
        await readDataset(dataset, bit, writer, report, progress);
      }
    } finally {
      writer.close();
    }
    const readDone = performance.now();

    // Pass 2: merge duplicates, evaluate, count.
    progress(`evaluating${threads > 1 ? ` on ${threads} threads` : ''}`);
    const counts24 = new Uint32Array(1 << COUNT_BITS);
    let records = 0;
    let finished = 0;
    const collect = (result: PartitionResult) => {
      counts24.set(result.counts, result.partition * PREFIXES_PER_PARTITION);
      records += result.records;
      result.datasetRecords.forEach((n, bit) => {
        (reports[bit] as DatasetReport).records += n;
      });
      finished++;
      if (finished % 32 === 0)
        progress(`  evaluated ${records.toLocaleString('en')} numbers (${finished}/${PARTITIONS})`);
    };
    if (threads > 1) {
      await evaluateOnWorkers(workDir, options.secretKey, reports.length, threads, collect);
    } else {
      for (let p = 0; p < PARTITIONS; p++) collect(await evaluatePartition(workDir, p, voprf, reports.length));
    }
    for (const report of reports) report.duplicates = report.valid - report.records;
    const evaluateDone = performance.now();

    // Pass 3: bucket layout, padded sorted buckets, checksums, manifest.
    const prefixBits = config.prefixBits ?? choosePrefixBits(counts24);
    const largestBucket = getLargestBucket(counts24, prefixBits);
    const bucketSize = chooseBucketSize(largestBucket);
    if (bucketSize > 65536) {
      throw new BuildError(`prefixBits ${prefixBits} gives buckets of ${largestBucket} entries; use more prefix bits`);
    }
    progress(`writing ${2 ** prefixBits} buckets of ${bucketSize} entries (prefixBits ${prefixBits})`);
    const checksumLines: string[] = [];
    const perPartition = 1 << (prefixBits - PARTITION_BITS);
    for (let p = 0; p < PARTITIONS; p++) {
      const binary = await readFile(join(workDir, `${p}.bin`));
      const groups: Uint8Array[][] = Array.from({ length: perPartition }, () => []);
      for (let offset = 0; offset < binary.length; offset += BINARY_RECORD) {
        const prefix24 = binary.readUIntBE(offset, 3);
        const local = (prefix24 >>> (COUNT_BITS - prefixBits)) & (perPartition - 1);
        (groups[local] as Uint8Array[]).push(binary.subarray(offset + 3, offset + BINARY_RECORD));
      }
      for (let local = 0; local < perPartition; local++) {
        const prefix = formatPrefix(((p * perPartition + local) << (COUNT_BITS - prefixBits)) >>> 0, prefixBits);
        const bucket = assembleBucket(groups[local] as Uint8Array[], bucketSize);
        const name = getBucketFileName(prefix);
        await writeFile(join(tmpOut, name), bucket);
        checksumLines.push(`${createHash('sha256').update(bucket).digest('hex')}  ${name}\n`);
      }
      await rm(join(workDir, `${p}.bin`));
    }
    const manifest = createManifest({
      publicKey: voprf.publicKey,
      version: createVersion(),
      prefixBits,
      bucketSize,
      records,
      datasets: config.datasets.map((d, i) => ({
        id: d.id,
        title: d.title,
        published: d.published,
        records: (reports[i] as DatasetReport).records,
      })),
    });
    await writeFile(join(tmpOut, CHECKSUM_FILE), checksumLines.join(''));
    // The manifest goes last: a folder with a manifest is a complete build.
    await writeFile(join(tmpOut, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(workDir, { recursive: true, force: true });

    // Swap: the old folder moves aside, the new one takes its name, the old one goes.
    const old = join(outParent, `.${basename(config.out)}.old-${token}`);
    const hadPrevious = await stat(config.out).then(
      () => true,
      () => false,
    );
    if (hadPrevious) await rename(config.out, old);
    await rename(tmpOut, config.out);
    if (hadPrevious) await rm(old, { recursive: true, force: true });
    const done = performance.now();
    const rows = reports.reduce((sum, r) => sum + r.rows, 0);
    return {
      out: config.out,
      manifest,
      datasets: reports,
      rows,
      records,
      buckets: 2 ** prefixBits,
      largestBucket,
      seconds: {
        read: (readDone - started) / 1000,
        evaluate: (evaluateDone - readDone) / 1000,
        write: (done - evaluateDone) / 1000,
        total: (done - started) / 1000,
      },
      rowsPerSecond: rows / ((done - started) / 1000),
    };
  } catch (error) {
    await cleanup();
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A human-readable summary of a build report. */
export function formatBuildReport(report: BuildReport): string {
  const lines: string[] = [];
  for (const d of report.datasets) {
    const bad = Object.entries(d.bad)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    lines.push(
      `dataset ${d.id}: ${d.rows} rows, ${d.valid} valid, ${d.records} distinct numbers` +
        `${d.duplicates ? `, ${d.duplicates} repeated` : ''}; bad rows: ${bad || 'none'}`,
    );
  }
  const m = report.manifest;
  lines.push(
    `built ${report.records} numbers into ${report.buckets} buckets of ${m.bucketSize} entries ` +
      `(prefixBits ${m.prefixBits}, largest real bucket ${report.largestBucket})`,
    `version ${m.version}, public key ${m.publicKey}`,
    `time: read ${report.seconds.read.toFixed(1)} s, evaluate ${report.seconds.evaluate.toFixed(1)} s, ` +
      `write ${report.seconds.write.toFixed(1)} s; ${Math.round(report.rowsPerSecond)} rows/s`,
    `output: ${report.out}`,
  );
  return lines.join('\n');
}
