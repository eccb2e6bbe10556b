import { useEffect, useState } from 'preact/hooks';
import { getSettings, type Settings, saveSettings, watchSettings } from '@/utils/settings';

/** Current settings, kept live across pages; null until the first read. */
export function useSettings(): [Settings | null, (patch: Partial<Settings>) => Promise<Settings>] {
  const [settings, setSettings] = useState<Settings | null>(null);
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
