import { readFileSync } from 'node:fs';
import { parseYAML } from 'confbox';
import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

/** Messages of one locale file, keyed as the browser keys them (dots become underscores). */
export function readMessages(locale: 'en' | 'zh-CN'): Map<string, string> {
  const flat = new Map<string, string>();
  const walk = (tree: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(tree)) {
      if (typeof value === 'string') flat.set(`${prefix}${key}`, value);
      else walk(value as Record<string, unknown>, `${prefix}${key}_`);
    }
  };
  walk(parseYAML(readFileSync(`locales/${locale}.yml`, 'utf8')) as Record<string, unknown>, '');
  return flat;
}

/**
 * The fake browser has no i18n: answer getMessage from a real locale file, substituting $1..$9 as
 * the browser does, so tests see the text users see. Call in beforeEach (after fakeBrowser.reset()).
 */
export function useLocaleMessages(locale: 'en' | 'zh-CN' = 'en'): void {
  const messages = readMessages(locale);
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key, subs) => {
    const list = (subs === undefined ? [] : Array.isArray(subs) ? subs : [subs]).map(String);
    return (messages.get(key) ?? '').replace(/\$([1-9])/g, (_, n: string) => list[Number(n) - 1] ?? '');
  });
  vi.spyOn(fakeBrowser.i18n, 'getUILanguage').mockReturnValue(locale);
}
