import { browser } from 'wxt/browser';
import { checkScamBatch, getScamPageText } from '@/utils/background/scam';
import { runExposureMonitor } from '@/utils/exposure/monitor';
import { registerMessageHandlers } from '@/utils/messaging';

const startedAt = Date.now();

export function registerBackgroundHandlers(): void {
  registerMessageHandlers({
    ping: () => ({ version: browser.runtime.getManifest().version, startedAt }),
    'exposure.recheckNow': () => runExposureMonitor({ force: true }),
    'scam.checkBatch': checkScamBatch,
    'scam.pageText': getScamPageText,
  });
}
