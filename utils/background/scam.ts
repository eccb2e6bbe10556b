import { browser } from 'wxt/browser';
import { getUiLanguage, loadLanguage, t } from '@/utils/i18n';
import type { MessageContract } from '@/utils/messaging';
import {
  createScamMatcher,
  type PageCheckAnswer,
  type ScamBatchResult,
  type ScamMatcher,
  splitBatchText,
} from '@/utils/scam';
import { getSettings, type LanguageChoice } from '@/utils/settings';
import { SCAM_SCAN_SCRIPT_FILE, SCAM_SCAN_STYLE_FILE } from './scam-scan-files';

export { SCAM_SCAN_SCRIPT_FILE, SCAM_SCAN_STYLE_FILE };

/**
 * Background side of the scam-script features:
 * - the "Check for scam scripts" context menu on selected text, answered in a small window;
 * - page scanning: the content script is registered at run time for exactly the origins the
 *   user granted (optional host permissions are the one source of truth), and its text is
 *   checked here, off the page's main thread.
 */
export const SCAM_MENU_ID = 'exposure-guard-scam-check';
export const SCAM_SCAN_SCRIPT_ID = 'exposure-guard-scam-scan';
/** storage.session key prefix for text handed to the check window. */
export const SCAM_SELECTION_KEY = 'scamSelection:';
/** Longest selection handed to the check window. */
export const MAX_SELECTION_CHARS = 20_000;
/** Most text one page-scan batch may carry. */
export const MAX_BATCH_CHARS = 200_000;
/** A page text longer than this is checked in overlapping windows. */
export const PAGE_WINDOW_CHARS = 20_000;
const PAGE_WINDOW_OVERLAP = 200;

let matcher: ScamMatcher | null = null;

/**
 * Checks page-scan texts (joined by joinBatchTexts) in the background and answers only those
 * that are not safe, so the page's thread unpacks a few answers instead of one per block.
 * Explanations stay out of the reply (the page shows highlights only).
 */
export function checkScamBatch(request: { text: string }): PageCheckAnswer[] {
  const answers: PageCheckAnswer[] = [];
  let budget = MAX_BATCH_CHARS;
  splitBatchText(request.text).forEach((text, index) => {
    if (budget <= 0) return;
    const slice = text.slice(0, budget);
    budget -= slice.length;
    const result = checkPageText(slice);
    if (result.verdict !== 'safe') answers.push({ index, ...result });
  });
  return answers;
}

/**
 * One page text; a long one in overlapping windows (evidence must co-occur within a window, as
 * in a message, not anywhere in a whole page), merged: the strongest verdict, every match.
 */
export function checkPageText(text: string): ScamBatchResult {
  matcher ??= createScamMatcher();
  if (text.length <= PAGE_WINDOW_CHARS) {
    const { verdict, score, scripts, matches } = matcher.checkText(text);
    return { verdict, score, scripts, matches };
  }
  const merged: ScamBatchResult = { verdict: 'safe', score: 0, scripts: [], matches: [] };
  const seen = new Set<string>();
  for (let from = 0; ; from += PAGE_WINDOW_CHARS - PAGE_WINDOW_OVERLAP) {
    const part = matcher.checkText(text.slice(from, from + PAGE_WINDOW_CHARS));
    if (part.verdict === 'scam' || (part.verdict === 'suspicious' && merged.verdict === 'safe'))
      merged.verdict = part.verdict;
    merged.score = Math.max(merged.score, part.score);
    for (const id of part.scripts) if (!merged.scripts.includes(id)) merged.scripts.push(id);
    for (const m of part.matches) {
      const key = `${m.start + from}:${m.end + from}:${m.script}`;
      if (seen.has(key)) continue; // the overlap is checked twice
      seen.add(key);
      merged.matches.push({ ...m, start: m.start + from, end: m.end + from });
    }
    if (from + PAGE_WINDOW_CHARS >= text.length) break;
  }
  merged.matches.sort((a, b) => a.start - b.start || a.end - b.end);
  return merged;
}

let loadedLanguage: LanguageChoice | null = null;

/**
 * The page-scan banner's strings in the language chosen in Options (content scripts only have
 * the browser's language), and whether large text is on. `count` keeps "$1" for the number.
 */
export async function getScamPageText(): Promise<MessageContract['scam.pageText']['response']> {
  const settings = await getSettings();
  if (settings.language !== loadedLanguage) {
    await loadLanguage(settings.language).catch(() => undefined);
    loadedLanguage = settings.language;
  }
  return {
    lang: getUiLanguage(),
    largeText: settings.largeText,
    title: t('scam.scan.bannerTitle'),
    count: t('scam.scan.bannerCount', ['$1']),
    advice: t('scam.scan.bannerAdvice'),
    dismiss: t('scam.scan.bannerDismiss'),
  };
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
    css: [SCAM_SCAN_STYLE_FILE],
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
