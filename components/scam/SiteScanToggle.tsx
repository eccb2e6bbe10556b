import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { SCAM_SCAN_SCRIPT_FILE, SCAM_SCAN_STYLE_FILE } from '@/utils/background/scam-scan-files';
import { t } from '@/utils/i18n';

type State =
  | { kind: 'loading' }
  | { kind: 'unavailable' }
  | { kind: 'ready'; origin: string; tabId: number; enabled: boolean; message?: string; error?: string };

/**
 * Opt-in page scanning for the current tab's site. The host permission is requested here, on
 * the click (browsers require a user gesture); the background registers the content script for
 * every granted origin, and we start it on the open page at once.
 */
export function SiteScanToggle() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    void (async () => {
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      const url = tab?.url ? new URL(tab.url) : null;
      if (!tab?.id || !url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        setState({ kind: 'unavailable' });
        return;
      }
      const enabled = await browser.permissions.contains({ origins: [`${url.origin}/*`] });
      setState({ kind: 'ready', origin: url.origin, tabId: tab.id, enabled });
    })().catch(() => setState({ kind: 'unavailable' }));
  }, []);

  if (state.kind === 'loading') return null;
  if (state.kind === 'unavailable')
    return (
      <section class="scam-scan" aria-labelledby="scan-title">
        <h2 id="scan-title">{t('scam.scan.title')}</h2>
        <p class="muted">{t('scam.scan.unavailable')}</p>
      </section>
    );

  const host = new URL(state.origin).host;
  const pattern = `${state.origin}/*`;

  function enable() {
    if (state.kind !== 'ready') return;
    // Called straight from the click: no await before the request, or the gesture is lost.
    browser.permissions.request({ origins: [pattern] }).then(
      async (granted) => {
        if (!granted) {
          setState({ ...state, enabled: false, error: t('scam.scan.denied'), message: undefined });
          return;
        }
        // A reload brings the registered script and style; the open page gets them now.
        await browser.scripting.insertCSS({ target: { tabId: state.tabId }, files: [`/${SCAM_SCAN_STYLE_FILE}`] });
        await browser.scripting.executeScript({ target: { tabId: state.tabId }, files: [`/${SCAM_SCAN_SCRIPT_FILE}`] });
        setState({ ...state, enabled: true, message: t('scam.scan.enabled', [host]), error: undefined });
      },
      (failure: unknown) => setState({ ...state, error: t('scam.scan.failed', [String(failure)]), message: undefined }),
    );
  }

  async function disable() {
    if (state.kind !== 'ready') return;
    try {
      await browser.permissions.remove({ origins: [pattern] });
      setState({ ...state, enabled: false, message: t('scam.scan.disabled', [host]), error: undefined });
    } catch (failure) {
      setState({ ...state, error: t('scam.scan.failed', [String(failure)]), message: undefined });
    }
  }

  return (
    <section class="scam-scan" aria-labelledby="scan-title">
      <h2 id="scan-title">{t('scam.scan.title')}</h2>
      <p class="muted" id="scan-hint">
        {t('scam.scan.hint')}
      </p>
      <button
        type="button"
        class="secondary"
        id="scam-scan-toggle"
        aria-describedby="scan-hint"
        aria-pressed={state.enabled}
        onClick={() => (state.enabled ? void disable() : enable())}
      >
        {state.enabled ? t('scam.scan.disable', [host]) : t('scam.scan.enable', [host])}
      </button>
      <p role="status">{state.message}</p>
      {state.error && (
        <p class="notice notice-warn" role="alert">
          {state.error}
        </p>
      )}
    </section>
  );
}
