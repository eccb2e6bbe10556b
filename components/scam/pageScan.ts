import type { MessageContract } from '@/utils/messaging';
import { type MessageRuntime, sendMessageVia } from '@/utils/messaging-wire';
import { createPageScanner, type PageFinding, type PageScanner } from '@/utils/scam';

/** The CSS highlight name; its ::highlight() style is entrypoints/scam-highlight.css. */
export const SCAM_HIGHLIGHT_NAME = 'exposure-guard-scam';
const BANNER_TAG = 'exposure-guard-scam-banner';
/** Set in the content scripts' own JS world (invisible to the page): the scan runs once per page. */
const STARTED = Symbol.for('exposure-guard.scam-scan');

type PageText = MessageContract['scam.pageText']['response'];

// The banner lives in a closed shadow root, so page styles cannot restyle or hide it.
const BANNER_CSS = `
.banner { box-sizing: border-box; max-width: min(24rem, calc(100vw - 32px)); background: #fdecea; color: #1a1a1a;
  border-left: 6px solid #b3261e; border-radius: 6px; box-shadow: 0 2px 12px rgba(0,0,0,.25); padding: 12px 14px;
  font: 14px/1.5 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; text-align: start; }
.banner:lang(zh-TW) { font-family: system-ui, -apple-system, "PingFang TC", "Microsoft JhengHei", "Noto Sans CJK TC", sans-serif; }
.banner.large { font-size: 18px; max-width: min(30rem, calc(100vw - 32px)); }
.title { display: block; font-weight: 700; margin: 0 0 4px; }
p { margin: 0 0 4px; }
mark { background: #ffe08a; color: inherit; padding: 0 2px; border-radius: 2px; }
button { margin-top: 6px; font: inherit; background: #b3261e; color: #fff; border: 0; border-radius: 4px;
  padding: 4px 14px; min-height: 2em; cursor: pointer; }
button:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
`;
// Inline and !important: the page's own rules (for unknown elements, for [popover]) must not
// move, restyle or hide it.
const HOST_STYLE = [
  'all: initial',
  'display: block',
  'position: fixed',
  'inset: auto 16px 16px auto',
  'margin: 0',
  'border: 0',
  'padding: 0',
  'background: transparent',
  'overflow: visible',
  'z-index: 2147483647',
]
  .map((rule) => `${rule} !important;`)
  .join(' ');

/**
 * Applies the scanner's findings to one CSS Custom Highlight (no DOM changes). The ::highlight()
 * style comes with the script (entrypoints/scam-highlight.css), injected before the page was
 * built, so highlighting never restyles the page. Chromium repaints the whole page on every
 * change to a registered Highlight, so each update builds a new one and registers it once.
 */
function createHighlighter() {
  const supported = typeof CSS !== 'undefined' && 'highlights' in CSS && typeof Highlight === 'function';
  const byBlock = new Map<Element, AbstractRange[]>();
  let count = 0;
  return {
    apply(findings: PageFinding[]) {
      for (const { block, ranges } of findings) {
        count -= byBlock.get(block)?.length ?? 0;
        if (ranges.length === 0) byBlock.delete(block);
        else {
          byBlock.set(block, ranges);
          count += ranges.length;
        }
      }
      if (!supported) return;
      if (count === 0) CSS.highlights.delete(SCAM_HIGHLIGHT_NAME);
      else CSS.highlights.set(SCAM_HIGHLIGHT_NAME, new Highlight(...[...byBlock.values()].flat()));
    },
    /** Phrases highlighted now. */
    get count() {
      return count;
    },
  };
}

function createBanner(text: PageText) {
  let host: HTMLElement | null = null;
  let countLine: HTMLElement | null = null;
  let dismissed = false;

  function build() {
    host = document.createElement(BANNER_TAG);
    host.setAttribute('style', HOST_STYLE);
    // A popover is shown in the top layer: above the page's own overlays, and laid out apart from
    // the page, so showing it does not make the browser re-check the whole page for repainting.
    host.setAttribute('popover', 'manual');
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = BANNER_CSS;
    const box = document.createElement('div');
    box.className = text.largeText ? 'banner large' : 'banner';
    box.lang = text.lang;
    box.setAttribute('role', 'alert');
    const title = document.createElement('strong');
    title.className = 'title';
    title.textContent = text.title;
    countLine = document.createElement('p');
    const advice = document.createElement('p');
    advice.textContent = text.advice;
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text.dismiss;
    button.addEventListener('click', () => {
      dismissed = true;
      host?.remove();
    });
    box.append(title, countLine, advice, button);
    shadow.append(style, box);
  }

  return {
    /** Shows the number of highlighted phrases; none → the banner goes (until there are again). */
    show(count: number) {
      if (dismissed) return;
      if (count === 0) {
        host?.remove();
        return;
      }
      if (!host) build();
      countLine!.textContent = text.count.replace('$1', String(count));
      if (!host!.isConnected) {
        document.documentElement.append(host!);
        if (typeof host!.showPopover === 'function') host!.showPopover();
      }
    },
  };
}

/** Content-script entry: scan this page in idle time and keep scanning what the page adds. */
export function setupScamPageScan(): PageScanner | null {
  // The popup injects the script into the open page; a later injection into the same page is a no-op.
  const world = globalThis as { [STARTED]?: boolean };
  if (world[STARTED] || !document.body) return null;
  world[STARTED] = true;
  // The browser's own runtime (promise-based in Chrome MV3 and Firefox): no polyfill on the page.
  const native = globalThis as unknown as Record<'browser' | 'chrome', { runtime: MessageRuntime } | undefined>;
  const runtime = (native.browser ?? native.chrome)!.runtime;
  const highlighter = createHighlighter();
  let banner: ReturnType<typeof createBanner> | null = null;
  // Findings are applied in order; the first waits for the banner's strings, so highlights and
  // banner appear in the same frame (one repaint).
  let applied: Promise<void> = Promise.resolve();
  const scanner = createPageScanner({
    root: document.body,
    checkBatch: (text) => sendMessageVia(runtime, 'scam.checkBatch', { text }),
    ignoreTags: [BANNER_TAG],
    onFindings(findings) {
      applied = applied
        .then(async () => {
          banner ??= createBanner(await sendMessageVia(runtime, 'scam.pageText'));
          highlighter.apply(findings);
          banner.show(highlighter.count);
        })
        .catch(() => undefined);
    },
  });
  scanner.start();
  return scanner;
}
