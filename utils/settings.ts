import { storage } from 'wxt/utils/storage';

export type LanguageChoice = 'auto' | 'en' | 'zh_CN' | 'zh_TW';
export const LANGUAGE_CHOICES: readonly LanguageChoice[] = ['auto', 'zh_CN', 'zh_TW', 'en'];

export interface Settings {
  language: LanguageChoice;
  /** ISO 3166 region for numbers typed without "+"; empty means "from the browser locale". */
  defaultCountry: string;
  /** Base URL of the range API, e.g. http://127.0.0.1:8787 */
  endpoint: string;
  /** base64url ristretto255 public key the server must prove its answers with. */
  pinnedKey: string;
  /** Shown next to the key so a demo key is never mistaken for a real service. */
  keyLabel: string;
  largeText: boolean;
}

// A demo build (npm start) bakes the local range server and its key in, labelled "demo".
export const DEFAULT_SETTINGS: Settings = {
  language: 'auto',
  defaultCountry: '',
  endpoint: import.meta.env.WXT_DEMO_ENDPOINT ?? '',
  pinnedKey: import.meta.env.WXT_DEMO_PUBLIC_KEY ?? '',
  keyLabel: import.meta.env.WXT_DEMO_PUBLIC_KEY ? 'demo' : '',
  largeText: false,
};

export const settingsItem = storage.defineItem<Settings>('local:settings', {
  fallback: DEFAULT_SETTINGS,
  version: 1,
});

export async function getSettings(): Promise<Settings> {
  // Merge so that settings saved by an older version gain new fields' defaults.
  return { ...DEFAULT_SETTINGS, ...(await settingsItem.getValue()) };
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = { ...(await getSettings()), ...patch };
  await settingsItem.setValue(next);
  return next;
}

export function watchSettings(onChange: (settings: Settings) => void): () => void {
  return settingsItem.watch((value) => onChange({ ...DEFAULT_SETTINGS, ...value }));
}
