import { useEffect, useState } from 'preact/hooks';
import { getUiLanguage } from '@/utils/i18n';
import { createLogStore, type LogState, type LogStore } from '@/utils/log';
import { type CountryCode, getDefaultCountry } from '@/utils/phone';
import { getSettings } from '@/utils/settings';

export interface LogStoreHandle {
  store: LogStore | null;
  state: LogState | 'loading';
  /** Bumped on every change of the log (here or in another page), to re-render. */
  version: number;
  defaultCountry: CountryCode;
  /** Set when the log could not be opened (IndexedDB unavailable, e.g. private mode restrictions). */
  failure: unknown;
}

/** Opens the log for this page and re-renders whenever it changes, here or in another page. */
export function useLogStore(): LogStoreHandle {
  const [handle, setHandle] = useState<LogStoreHandle>({
    store: null,
    state: 'loading',
    version: 0,
    defaultCountry: 'CN',
    failure: null,
  });
  useEffect(() => {
    let stop: (() => void) | undefined;
    let live = true;
    (async () => {
      const settings = await getSettings();
      const defaultCountry = getDefaultCountry(settings.defaultCountry, navigator.language);
      const store = createLogStore({ defaultCountry, language: getUiLanguage() });
      const state = await store.open();
      if (!live) return;
      setHandle({ store, state, version: 0, defaultCountry, failure: null });
      stop = store.subscribe(() =>
        setHandle((current) => ({ ...current, state: store.getState(), version: current.version + 1 })),
      );
    })().catch((failure: unknown) => live && setHandle((current) => ({ ...current, failure })));
    return () => {
      live = false;
      stop?.();
    };
  }, []);
  return handle;
}
