import { browser } from 'wxt/browser';
import { type ExposureGuardDB, getDb, type WatchRecord } from '@/utils/db';
import { getUiLanguage, loadLanguage, t } from '@/utils/i18n';
import { getSettings } from '@/utils/settings';
import {
  checkExposure,
  type ExposedDataset,
  type ExposureErrorCode,
  type FetchLike,
  getVerifiedManifest,
} from './client';
import { getDatasetTitle } from './display';
import { getWatches, getWatchUpdate } from './watches';

/** Name of the daily alarm that re-checks watched numbers when the server publishes a new build. */
export const EXPOSURE_ALARM_NAME = 'exposure-monitor';
export const EXPOSURE_ALARM_PERIOD_MINUTES = 24 * 60;
/** Notification ids start with this, so a click can be routed back to the exposure panel. */
export const EXPOSURE_NOTIFICATION_PREFIX = 'exposure-watch-';

export interface MonitorSummary {
  /** Watches that got an answer (found or not found) in this run. */
  checked: number;
  /** Watches that appeared in a dataset they were not in before; each got a notification. */
  newlyFound: number;
  /** Watches whose check failed; they are retried on the next run. */
  failed: number;
  /** Why the run stopped early (manifest unavailable, key changed, rate limited…). */
  error?: ExposureErrorCode;
}

export interface MonitorOptions {
  /** Re-check every watch even if the server's build has not changed ("check now"). */
  force?: boolean;
  db?: ExposureGuardDB;
  fetch?: FetchLike;
  timeoutMs?: number;
  retryDelayMs?: number;
  now?: () => number;
  notify?: (watch: WatchRecord, datasets: ExposedDataset[]) => Promise<void>;
}

/** The notification for a watched number found in new datasets; it names the label, not the number. */
export async function notifyNewlyFound(watch: WatchRecord, datasets: ExposedDataset[]): Promise<void> {
  // The background has no page to pick the user's language for it, so load it here.
  await loadLanguage((await getSettings()).language).catch(() => undefined);
  const lang = getUiLanguage();
  const titles = new Intl.ListFormat(lang, { type: 'conjunction' }).format(
    datasets.map((dataset) => getDatasetTitle(dataset.title, lang)),
  );
  await browser.notifications.create(`${EXPOSURE_NOTIFICATION_PREFIX}${watch.id}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: t('exposure.notifyTitle'),
    message: t('exposure.notifyMessage', [watch.label, titles]),
  });
}

let running: Promise<MonitorSummary> | undefined;

/**
 * One monitoring run: fetch the manifest and re-check every watch whose last check was against an
 * older build (or all of them with `force`). Runs one at a time; a second call while one is running
 * gets the same result, so the alarm and "check now" never double-notify.
 */
export function runExposureMonitor(options: MonitorOptions = {}): Promise<MonitorSummary> {
  running ??= monitorOnce(options).finally(() => {
    running = undefined;
  });
  return running;
}

async function monitorOnce(options: MonitorOptions): Promise<MonitorSummary> {
  const db = options.db ?? getDb();
  const now = options.now ?? Date.now;
  const notify = options.notify ?? notifyNewlyFound;
  const summary: MonitorSummary = { checked: 0, newlyFound: 0, failed: 0 };

  // No watches, no network: monitoring costs nothing until the user asks for it.
  const watches = await getWatches(db);
  if (watches.length === 0) return summary;

  const settings = await getSettings();
  const server = {
    endpoint: settings.endpoint,
    pinnedKey: settings.pinnedKey,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    retryDelayMs: options.retryDelayMs,
  };
  const manifestResult = await getVerifiedManifest(server);
  if (manifestResult.status === 'error') return { ...summary, error: manifestResult.code };
  const { manifest } = manifestResult;

  for (const watch of watches) {
    if (!options.force && watch.lastCheckedVersion === manifest.version) continue;
    const result = await checkExposure({ ...server, e164: watch.e164, manifest });
    // The watch may have been removed while we were checking; never resurrect it.
    const update = getWatchUpdate(result, now());
    const stillWatched = await db.watches.update(watch.id as number, update);
    if (result.status === 'error') {
      summary.failed++;
      // The same failure would repeat for every other number; leave them for the next run.
      if (result.code === 'rate-limited' || result.code === 'unreachable' || result.code === 'key-changed') {
        return { ...summary, error: result.code };
      }
      continue;
    }
    summary.checked++;
    if (result.status !== 'found' || !stillWatched) continue;
    const newBits = (result.datasetBits & ~watch.lastDatasetBits) >>> 0;
    if (newBits === 0) continue;
    const newDatasets = manifest.datasets.filter((dataset) => (newBits >>> dataset.bit) & 1);
    summary.newlyFound++;
    await notify({ ...watch, ...update }, newDatasets);
  }
  return summary;
}

/** Creates the daily alarm unless it exists (browsers may drop alarms on restart or update). */
export async function ensureExposureAlarm(): Promise<void> {
  const existing = await browser.alarms.get(EXPOSURE_ALARM_NAME);
  if (existing) return;
  await browser.alarms.create(EXPOSURE_ALARM_NAME, {
    delayInMinutes: 1,
    periodInMinutes: EXPOSURE_ALARM_PERIOD_MINUTES,
  });
}

/** Background wiring: the daily alarm, and a click on a notification opens the exposure panel. */
export function setupExposureMonitoring(): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === EXPOSURE_ALARM_NAME) void runExposureMonitor().catch(() => undefined);
  });
  browser.notifications.onClicked.addListener((id) => {
    if (!id.startsWith(EXPOSURE_NOTIFICATION_PREFIX)) return;
    void browser.tabs.create({ url: browser.runtime.getURL('/popup.html') });
    void browser.notifications.clear(id);
  });
  void ensureExposureAlarm();
}
