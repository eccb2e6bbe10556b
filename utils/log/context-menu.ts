import { browser } from 'wxt/browser';
import { t } from '@/utils/i18n';
import { getDefaultCountry, normalizePhone } from '@/utils/phone';
import { getSettings } from '@/utils/settings';
import { isLogError } from './errors';
import { getDigits } from './number';
import { addLogEntry } from './store';

export const LOG_MENU_ID = 'log-add-selected-number';
const NOTIFICATION_ID = 'log-added';

/**
 * Whether a page selection is a phone number worth logging: one that normalises, or a short service
 * number (5–8 digits, e.g. 95555) — never free text, which would make a nonsense contact.
 */
export function getLoggableNumber(
  selection: string,
  defaultCountry: Parameters<typeof normalizePhone>[1],
): string | null {
  const text = selection.normalize('NFKC').trim();
  if (!text || text.length > 40) return null;
  if (normalizePhone(text, defaultCountry).ok) return text;
  return /^[\d\s\-().+]+$/.test(text) && /^\d{5,8}$/.test(getDigits(text)) ? text : null;
}

async function notify(message: string): Promise<void> {
  await browser.notifications.create(NOTIFICATION_ID, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: t('log.title'),
    message,
  });
}

/** Logs a number selected in a page (from the context menu); the answer comes as a notification. */
export async function logSelectedNumber(selection: string): Promise<void> {
  const settings = await getSettings();
  const defaultCountry = getDefaultCountry(settings.defaultCountry, browser.i18n.getUILanguage());
  const number = getLoggableNumber(selection, defaultCountry);
  if (!number) {
    await notify(t('log.contextMenu.notANumber'));
    return;
  }
  try {
    const result = await addLogEntry({ number, channel: 'other', source: 'context-menu' }, { defaultCountry });
    await notify(
      result.queued
        ? t('log.contextMenu.queued', [number])
        : result.merged
          ? t('log.contextMenu.merged', [number])
          : t('log.contextMenu.added', [number]),
    );
  } catch (error) {
    console.error('log context menu', isLogError(error) ? error.code : error);
    await notify(t('log.contextMenu.failed', [number]));
  }
}

/** The "Add to the suspicious contact log" item on selected text. Call from the background's main(). */
export function setupLogContextMenu(): void {
  browser.runtime.onInstalled.addListener(() => {
    browser.contextMenus.create({ id: LOG_MENU_ID, title: t('log.contextMenu.title'), contexts: ['selection'] });
  });
  browser.contextMenus.onClicked.addListener((info) => {
    if (info.menuItemId !== LOG_MENU_ID || !info.selectionText) return;
    void logSelectedNumber(info.selectionText);
  });
}
