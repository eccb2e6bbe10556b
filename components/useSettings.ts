import { useEffect, useState } from 'preact/hooks';
import { getSettings, type Settings, saveSettings, watchSettings } from '@/utils/settings';

/** Settings the page already read before rendering (mountPage), so components start complete. */
let primed: Settings | null = null;

export function primeSettings(settings: Settings): void {
  primed = settings;
}

/** Current settings, kept live across pages; null until the first read unless primed. */
export function useSettings(): [Settings | null, (patch: Partial<Settings>) => Promise<Settings>] {
  const [settings, setSettings] = useState<Settings | null>(primed);
  useEffect(() => {
    let live = true;
    void getSettings().then((value) => live && setSettings(value));
    const unwatch = watchSettings(setSettings);
    return () => {
      live = false;
      unwatch();
    };
  }, []);
  return [settings, saveSettings];
}
