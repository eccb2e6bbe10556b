import type { ExposureGuardDB, WatchRecord } from '@/utils/db';
import type { ExposureResult } from './client';

/** Longest label kept; labels are names like "Mum", not notes. */
export const MAX_WATCH_LABEL_LENGTH = 40;

/**
 * How a check result changes a watch. An error changes only the status, keeping the old version so
 * the next run checks again and the last real answer's dataset bits stay the baseline.
 */
export function getWatchUpdate(result: ExposureResult, now: number): Partial<WatchRecord> {
  if (result.status === 'error') return { lastStatus: 'error', lastCheckedAt: now };
  return {
    lastStatus: result.status,
    lastDatasetBits: result.status === 'found' ? result.datasetBits >>> 0 : 0,
    lastCheckedVersion: result.manifest.version,
    lastCheckedAt: now,
  };
}

export type AddWatchResult = { added: true; watch: WatchRecord } | { added: false; watch: WatchRecord };

/**
 * Starts watching a number the user just checked, seeded with that check's answer so the monitor
 * only notifies about leaks the user has not seen yet. A number already watched keeps its record.
 */
export async function addWatch(
  db: ExposureGuardDB,
  input: { e164: string; label: string; result: Extract<ExposureResult, { status: 'found' | 'not-found' }> },
  now = Date.now(),
): Promise<AddWatchResult> {
  const label = input.label.trim().slice(0, MAX_WATCH_LABEL_LENGTH);
  return db.transaction('rw', db.watches, async () => {
    const existing = await db.watches.where('e164').equals(input.e164).first();
    if (existing) return { added: false, watch: existing };
    const watch: WatchRecord = {
      e164: input.e164,
      label,
      createdAt: now,
      lastCheckedVersion: null,
      lastStatus: null,
      lastDatasetBits: 0,
      lastCheckedAt: null,
      ...getWatchUpdate(input.result, now),
    };
    watch.id = await db.watches.add(watch);
    return { added: true, watch };
  });
}

export async function removeWatch(db: ExposureGuardDB, id: number): Promise<void> {
  await db.watches.delete(id);
}

/** Watched numbers, oldest first. */
export async function getWatches(db: ExposureGuardDB): Promise<WatchRecord[]> {
  const watches = await db.watches.toArray();
  return watches.sort((a, b) => a.createdAt - b.createdAt);
}
