import { useEffect, useState } from 'preact/hooks';
import { getUiLanguage, isTraditionalChinese } from '@/utils/i18n';
import type { LocalisedText } from '@/utils/scam';

/**
 * The scam catalogue's texts (explanations, advice) in the UI language. The catalogue is written
 * in zh-CN and en; a Traditional Chinese UI gets the zh-CN text converted (./traditional, loaded
 * on demand so other languages never download its dictionary).
 */
let toTraditional: ((text: string) => string) | null = null;
let loading: Promise<void> | null = null;
const converted = new Map<string, string>();

/** Loads the Traditional converter if `lang` needs it; resolves at once otherwise. */
export function loadCatalogueText(lang = getUiLanguage()): Promise<void> {
  if (toTraditional || !isTraditionalChinese(lang)) return Promise.resolve();
  loading ??= import('./traditional').then((module) => {
    toTraditional = module.toTaiwanTraditional;
  });
  return loading;
}

/** True when catalogue texts can be shown in `lang` now (false only while Traditional is loading). */
export function isCatalogueTextReady(lang = getUiLanguage()): boolean {
  return toTraditional !== null || !isTraditionalChinese(lang);
}

export function pickLocalised(text: LocalisedText, lang = getUiLanguage()): string {
  if (!lang.toLowerCase().startsWith('zh')) return text.en;
  const simplified = text['zh-CN'];
  if (!isTraditionalChinese(lang) || !toTraditional) return simplified;
  let traditional = converted.get(simplified);
  if (traditional === undefined) {
    traditional = toTraditional(simplified);
    converted.set(simplified, traditional);
  }
  return traditional;
}

/**
 * For components that show catalogue texts: false until they can be shown in the UI language
 * (a Traditional Chinese UI waits a moment for the converter), then true.
 */
export function useCatalogueText(): boolean {
  const [ready, setReady] = useState(isCatalogueTextReady);
  useEffect(() => {
    if (ready) return;
    let live = true;
    loadCatalogueText().then(
      () => live && setReady(true),
      () => live && setReady(true), // the zh-CN text is shown rather than nothing
    );
    return () => {
      live = false;
    };
  }, [ready]);
  return ready;
}
