import { t } from '@/utils/i18n';
import { sendMessage } from '@/utils/messaging';
import { createPageScanner, type PageScanner } from '@/utils/scam';

const HIGHLIGHT_NAME = 'exposure-guard-scam';
const BANNER_TAG = 'exposure-guard-scam-banner';

// The banner lives in a closed shadow root so page styles cannot restyle or hide it.
const BANNER_CSS = `
:host { all: initial; }
.banner { position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; max-width: 360px;
  background: #fdecea; color: #1a1a1a; border-left: 6px solid #b3261e; border-radius: 6px;
  box-shadow: 0 2px 12px rgba(0,0,0,.25); padding: 12px 14px; font: 14px/1.5 system-ui, sans-serif; }
.banner strong { display: block; margin-bottom: 4px; }
.banner button { margin-top: 8px; font: inherit; background: #b3261e; color: #fff; border: 0;
  border-radius: 4px; padding: 4px 12px; cursor: pointer; }
.banner button:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
`;

/** Highlights through the CSS Custom Highlight API (no DOM changes); absent → banner only. */
function createHighlighter() {
  if (typeof CSS === 'undefined' || !('highlights' in CSS) || typeof Highlight !== 'function')
    return { set: (_block: Element, _ranges: AbstractRange[]) => {}, count: () => 0 };
  const highlight = new Highlight();
  CSS.highlights.set(HIGHLIGHT_NAME, highlight);
  const style = document.createElement('style');
  style.textContent = `::highlight(${HIGHLIGHT_NAME}) { background-color: #ffe08a; color: #1a1a1a; }`;
  (document.head ?? document.documentElement).append(style);
  const byBlock = new Map<Element, AbstractRange[]>();
  return {
    set(block: Element, ranges: AbstractRange[]) {
      for (const old of byBlock.get(block) ?? []) highlight.delete(old);
      if (ranges.length) byBlock.set(block, ranges);
      else byBlock.delete(block);
      for (const range of ranges) highlight.add(range);
    },
    count: () => highlight.size,
  };
}

function createBanner() {
  let host: HTMLElement | null = null;
  let countLine: HTMLElement | null = null;
  let dismissed = false;
  return {
    isBanner: (element: Element) => element.tagName.toLowerCase() === BANNER_TAG,
    show(count: number) {
      if (dismissed) return;
      if (!host) {
        host = document.createElement(BANNER_TAG);
        const shadow = host.attachShadow({ mode: 'closed' });
        const style = document.createElement('style');
        style.textContent = BANNER_CSS;
        const box = document.createElement('div');
        box.className = 'banner';
        box.setAttribute('role', 'alert');
        const title = document.createElement('strong');
        title.textContent = t('scam.scan.bannerTitle');
        countLine = document.createElement('div');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = t('scam.scan.bannerDismiss');
        button.addEventListener('click', () => {
          dismissed = true;
          host?.remove();
        });
        box.append(title, countLine, button);
        shadow.append(style, box);
        document.documentElement.append(host);
      }
      if (countLine) countLine.textContent = t('scam.scan.bannerCount', [count]);
    },
  };
}

/** Content-script entry: scan this page and keep scanning what the page adds. */
export function setupScamPageScan(): PageScanner | null {
  // The popup injects the script into the open page; a reload brings the registered one: never both.
  if (!document.body || document.documentElement.dataset.egScamScan === 'on') return null;
  const highlighter = createHighlighter();
  const banner = createBanner();
  const flagged = new Map<Element, number>();
  const scanner = createPageScanner({
    root: document.body,
    checkBatch: (texts) => sendMessage('scam.checkBatch', { texts }),
    ignore: (element) => banner.isBanner(element),
    onFinding({ block, result, ranges }) {
      highlighter.set(block, ranges);
      if (result.verdict === 'safe') flagged.delete(block);
      else flagged.set(block, Math.max(ranges.length, 1));
    },
    onBatchApplied() {
      let total = 0;
      for (const n of flagged.values()) total += n;
      if (total > 0) banner.show(total);
    },
  });
  document.documentElement.dataset.egScamScan = 'on';
  scanner.start();
  // Benchmarks and e2e tests read the scanner's main-thread cost from the page (content
  // scripts live in their own JS world; attributes are shared).
  const publish = () =>
    scanner.idle().then(() => {
      const root = document.documentElement.dataset;
      root.egScamBusyMs = scanner.stats.busyMs.toFixed(2);
      root.egScamReadMs = scanner.stats.readMs.toFixed(2);
      root.egScamDiscoverMs = scanner.stats.discoverMs.toFixed(2);
      root.egScamSendMs = scanner.stats.sendMs.toFixed(2);
      root.egScamApplyMs = scanner.stats.applyMs.toFixed(2);
      root.egScamLongestSliceMs = scanner.stats.longestSliceMs.toFixed(2);
      root.egScamBlocks = String(scanner.stats.blocks);
      root.egScamHighlights = String(highlighter.count());
    });
  void publish();
  new MutationObserver(() => void publish()).observe(document.body, { childList: true, subtree: true });
  return scanner;
}
