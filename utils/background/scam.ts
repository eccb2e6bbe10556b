import { browser } from 'wxt/browser';
import { t } from '@/utils/i18n';
import { createScamMatcher, type ScamBatchResult, type ScamMatcher } from '@/utils/scam';

/**
 * Background side of the scam-script features:
 * - the "Check for scam scripts" context menu on selected text, answered in a small window;
 * - page scanning: the content script is registered at run time for exactly the origins the
 *   user granted (optional host permissions are the one source of truth), and its text is
 *   checked here, off the page's main thread.
 */
export const SCAM_MENU_ID = 'exposure-guard-scam-check';
export const SCAM_SCAN_SCRIPT_ID = 'exposure-guard-scam-scan';
export const SCAM_SCAN_SCRIPT_FILE = 'content-scripts/scam-scan.js';
/** storage.session key prefix for text handed to the check window. */
export const SCAM_SELECTION_KEY = 'scamSelection:';
/** Longest selection handed to the check window. */
export const MAX_SELECTION_CHARS = 20_000;
/** Most text one page-scan batch may carry. */
export const MAX_BATCH_CHARS = 200_000;

let matcher: ScamMatcher | null = null;

/** Checks page-scan texts in the background; explanations stay out of the reply (the page shows ids only). */
export function checkScamBatch(request: { texts: string[] }): ScamBatchResult[] {
  matcher ??= createScamMatcher();
  let budget = MAX_BATCH_CHARS;
  return request.texts.map((text) => {
    const slice = text.slice(0, Math.max(0, budget));
    budget -= slice.length;
    const { verdict, score, scripts, matches } = matcher!.checkText(slice);
    return { verdict, score, scripts, matches };
  });
}

/** Match patterns for every http(s) origin the user has granted. */
export async function getScanMatches(): Promise<string[]> {
  const { origins = [] } = await browser.permissions.getAll();
  return origins.filter((pattern) => /^https?:\/\/[^*/]+\/\*?$/.test(pattern)).sort();
}

/** Make the registered content script cover exactly the granted origins (none → unregistered). */
export async function syncScamScanRegistration(): Promise<string[]> {
  const matches = await getScanMatches();
  const registered = await browser.scripting.getRegisteredContentScripts({ ids: [SCAM_SCAN_SCRIPT_ID] });
  if (matches.length === 0) {
    if (registered.length > 0) await browser.scripting.unregisterContentScripts({ ids: [SCAM_SCAN_SCRIPT_ID] });
    return matches;
  }
  const script = {
    id: SCAM_SCAN_SCRIPT_ID,
    js: [SCAM_SCAN_SCRIPT_FILE],
    matches,
    runAt: 'document_idle' as const,
    persistAcrossSessions: true,
  };
  if (registered.length > 0) await browser.scripting.updateContentScripts([script]);
  else await browser.scripting.registerContentScripts([script]);
  return matches;
}

async function openCheckWindow(text: string): Promise<void> {
  const id = crypto.randomUUID();
  await browser.storage.session.set({ [`${SCAM_SELECTION_KEY}${id}`]: text.slice(0, MAX_SELECTION_CHARS) });
  const url = browser.runtime.getURL(`/scam-check.html?id=${id}` as '/scam-check.html');
  await browser.windows.create({ url, type: 'popup', width: 480, height: 640 });
}

/** Context menu, permission listeners and the first registration sync. Call from the background's main(). */
export function setupScamFeatures(): void {
  browser.runtime.onInstalled.addListener(() => {
    browser.contextMenus.create({ id: SCAM_MENU_ID, title: t('scam.contextMenu'), contexts: ['selection'] });
  });
  browser.contextMenus.onClicked.addListener((info) => {
    if (info.menuItemId !== SCAM_MENU_ID || !info.selectionText) return;
    void openCheckWindow(info.selectionText);
  });
  const sync = () => {
    syncScamScanRegistration().catch((error: unknown) => console.error('scam scan registration', error));
  };
  browser.permissions.onAdded.addListener(sync);
  browser.permissions.onRemoved.addListener(sync);
  sync();
}
