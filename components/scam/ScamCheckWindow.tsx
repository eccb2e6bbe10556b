import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { t } from '@/utils/i18n';
import { ScamChecker } from './ScamChecker';

/** storage.session key prefix the background uses for text picked from the context menu. */
const SELECTION_KEY = 'scamSelection:';

/**
 * The small window opened by the "Check for scam scripts" context menu. The selected text
 * waits in storage.session (never in the URL or on disk) and is removed once read.
 */
export function ScamCheckWindow() {
  const [text, setText] = useState<string | null | undefined>(undefined);

  useEffect(() => {
    const id = new URLSearchParams(location.search).get('id');
    if (!id) {
      setText(null);
      return;
    }
    const key = `${SELECTION_KEY}${id}`;
    void browser.storage.session.get(key).then(async (stored) => {
      const value = stored[key];
      setText(typeof value === 'string' ? value : null);
      await browser.storage.session.remove(key);
    });
  }, []);

  return (
    <main class="page">
      <header class="page-header">
        <h1>{t('scam.windowTitle')}</h1>
      </header>
      {text === undefined && <p role="status">{t('common.loading')}</p>}
      {text === null && <p class="notice notice-warn">{t('scam.windowMissing')}</p>}
      {text !== undefined && <ScamChecker initialText={text ?? undefined} />}
    </main>
  );
}
