import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import type { LanguageChoice } from './settings';

type Messages = Record<string, { message: string }>;
type Substitution = string | number;

/** The language the user picked in options overrides the browser's; null follows the browser. */
let override: Messages | null = null;

// browser.i18n cannot switch language at run time, so a chosen language is read from the
// same generated _locales/<lang>/messages.json the browser itself uses.
export async function loadLanguage(choice: LanguageChoice): Promise<void> {
  if (choice === 'auto') {
    override = null;
    return;
  }
  const url = browser.runtime.getURL(`/_locales/${choice}/messages.json` as '/');
  const response = await fetch(url);
  override = (await response.json()) as Messages;
}

function substitute(message: string, subs: readonly Substitution[]): string {
  return message.replace(/\$(\$|[1-9])/g, (_, which: string) =>
    which === '$' ? '$' : String(subs[Number(which) - 1] ?? ''),
  );
}

export function t(key: string, subs: readonly Substitution[] = []): string {
  if (override) {
    const entry = override[key.replaceAll('.', '_')];
    if (entry) return substitute(entry.message, subs);
  }
  const strings = subs.map(String);
  return (i18n.t as (key: string, subs?: string[]) => string)(key, strings.length ? strings : undefined);
}

/**
 * BCP 47 tag of the language now shown, for <html lang> and Intl formatting. Read from the
 * messages themselves: the browser may report a UI language it has no extension strings for.
 */
export function getUiLanguage(): string {
  return t('meta.lang');
}

/** True when Chinese script should be Traditional (zh-TW, zh-HK, zh-Hant…). */
export function isTraditionalChinese(lang = getUiLanguage()): boolean {
  return /^zh-(tw|hk|mo|hant)/i.test(lang);
}
