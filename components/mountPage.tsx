import { type ComponentType, render } from 'preact';
import { getUiLanguage, loadLanguage, t } from '@/utils/i18n';
import { getSettings, type Settings, watchSettings } from '@/utils/settings';
import { primeSettings } from './useSettings';
import '@/components/theme.css';

function applyDocumentSettings(settings: Settings, titleKey: string): void {
  const root = document.documentElement;
  root.lang = getUiLanguage();
  root.classList.toggle('large-text', settings.largeText);
  document.title = t(titleKey);
}

/**
 * Shared start-up of every extension page: load the chosen language, apply large text,
 * then render. A language change re-renders the whole page so every string follows.
 */
export async function mountPage(App: ComponentType, titleKey: string): Promise<void> {
  const container = document.getElementById('app');
  if (!container) throw new Error('#app missing');
  let settings = await getSettings();
  await loadLanguage(settings.language);
  primeSettings(settings);
  applyDocumentSettings(settings, titleKey);
  render(<App />, container);
  watchSettings(async (next) => {
    const languageChanged = next.language !== settings.language;
    settings = next;
    primeSettings(next);
    if (languageChanged) {
      await loadLanguage(next.language);
      render(null, container);
      render(<App />, container);
    }
    // After the (synchronous) re-render, so <html lang> changing means the new page is complete.
    applyDocumentSettings(next, titleKey);
  });
}
