import { parentPort, workerData } from 'node:worker_threads';
import { createSodiumVoprf } from '../voprf';
import { evaluatePartition } from './partition';

/** Worker for the builder's pass 2: evaluates the partitions the main thread sends, one at a time. */
const { workDir, secretKey, datasetCount } = workerData as {
  workDir: string;
  secretKey: Uint8Array;
  datasetCount: number;
};
const voprf = createSodiumVoprf(secretKey);
parentPort?.on('message', async (partition: number) => {
  try {
    const result = await evaluatePartition(workDir, partition, voprf, datasetCount);
    parentPort?.postMessage({ ok: true, result }, [result.counts.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
