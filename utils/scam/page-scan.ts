import type { ScamBatchResult } from './types';

/**
 * Incremental scam-script scanning of a web page (used by the opt-in content script).
 *
 * Text is read per block element (a paragraph, a chat bubble…) and sent in batches to
 * `checkBatch` (in the extension: the background, so matching runs off the page's main
 * thread); matched phrases come back as DOM Ranges that the caller highlights with the CSS
 * Custom Highlight API, so the page's own DOM is never changed. New or edited text arrives
 * through a MutationObserver and is queued; reading and highlighting run in slices of at
 * most `sliceMs`, so the page is never blocked for long.
 */
export interface PageScanOptions {
  root: Element;
  checkBatch: (texts: string[]) => Promise<ScamBatchResult[]>;
  /**
   * Called for every block with a scam or suspicious verdict, and for a block that had one
   * and is now safe (so its highlights can be cleared).
   */
  onFinding: (finding: PageFinding) => void;
  /** Called once after each batch of results has been applied (e.g. to update a banner). */
  onBatchApplied?: () => void;
  /** Longest time one slice may run before yielding (default 4 ms). */
  sliceMs?: number;
  /** Elements (and their subtrees) never read, e.g. our own banner. */
  ignore?: (element: Element) => boolean;
  /** Schedules the next slice; defaults to requestIdleCallback or setTimeout. */
  schedule?: (work: () => void) => void;
  now?: () => number;
}

export interface PageFinding {
  block: Element;
  result: ScamBatchResult;
  /** StaticRanges where the browser has them (no cost on later DOM changes), else live Ranges. */
  ranges: AbstractRange[];
}

export interface PageScanStats {
  /** All main-thread time: reading, sending, highlighting, observer callbacks. */
  busyMs: number;
  /** Finding every text block at start, and the MutationObserver callbacks. */
  discoverMs: number;
  readMs: number;
  sendMs: number;
  applyMs: number;
  blocks: number;
  slices: number;
  longestSliceMs: number;
}

export interface PageScanner {
  /** Queue the whole root and start observing changes. */
  start(): void;
  stop(): void;
  /** Resolves when the queue is empty (tests, benchmarks). */
  idle(): Promise<void>;
  /** Main-thread time spent so far, in ms, and blocks checked. */
  readonly stats: PageScanStats;
}

// Lower-case local names (HTML and SVG alike).
const SKIP_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'textarea',
  'input',
  'select',
  'option',
  'code',
  'pre',
  'svg',
  'canvas',
  'iframe',
]);
const INLINE_TAGS = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'br',
  'cite',
  'dfn',
  'em',
  'font',
  'i',
  'kbd',
  'label',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'time',
  'u',
  'var',
  'wbr',
]);
/** Longest block text checked at once; longer blocks are checked in windows of this size. */
const MAX_BLOCK_CHARS = 20_000;
/** Most text sent in one batch: each message has a fixed cost of about a millisecond. */
const BATCH_CHARS = 250_000;

interface PendingText {
  block: Element;
  nodes: Text[];
  starts: number[];
  text: string;
  from: number;
  to: number;
}

const NON_SPACE = /\S/;

// Attribute checks only: isContentEditable would force a style recalculation per element.
// hasAttributes() first: most elements of a page carry none worth looking at.
function isSkipped(element: Element, ignore?: (element: Element) => boolean): boolean {
  if (SKIP_TAGS.has(element.localName)) return true;
  if (element.hasAttribute('contenteditable') && element.getAttribute('contenteditable') !== 'false') return true;
  return ignore ? ignore(element) : false;
}

/** The nearest ancestor that is not an inline element: the unit we read as one text. */
function blockOf(node: Node, root: Element): Element {
  let element = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
  while (element && element !== root && INLINE_TAGS.has(element.localName)) element = element.parentElement;
  return element ?? root;
}

export function createPageScanner(options: PageScanOptions): PageScanner {
  const { root, checkBatch, onFinding, ignore } = options;
  const sliceMs = options.sliceMs ?? 4;
  const now = options.now ?? (() => performance.now());
  const schedule =
    options.schedule ??
    ((work: () => void) => {
      if (typeof requestIdleCallback === 'function') requestIdleCallback(() => work(), { timeout: 500 });
      else setTimeout(work, 0);
    });
  // A growing array read from `head` (shift() would be quadratic on big pages); compacted when drained.
  const queue: Element[] = [];
  let head = 0;
  const queueSize = () => queue.length - head;
  const queued = new Set<Element>();
  const lastText = new WeakMap<Element, string>();
  const flagged = new WeakSet<Element>();
  /** Text nodes of blocks found by a full traversal, so reading them needs no second walk. */
  const collected = new Map<Element, Text[]>();
  const stats: PageScanStats = {
    busyMs: 0,
    discoverMs: 0,
    readMs: 0,
    sendMs: 0,
    applyMs: 0,
    blocks: 0,
    slices: 0,
    longestSliceMs: 0,
  };
  let observer: MutationObserver | null = null;
  let scheduled = false;
  let inFlight = false;
  let stopped = false;
  /** Read but not yet checked: one entry per checked window of a block. */
  let pending: PendingText[] = [];
  let idleWaiters: (() => void)[] = [];

  function enqueue(block: Element) {
    if (queued.has(block)) return;
    queued.add(block);
    queue.push(block);
    wake();
  }

  function wake() {
    if (!scheduled && !inFlight && !stopped) {
      scheduled = true;
      schedule(runSlice);
    }
  }

  function isInsideSkipped(element: Element): boolean {
    for (let e: Element | null = element; e && e !== root.parentElement; e = e.parentElement) {
      if (isSkipped(e, ignore)) return true;
    }
    return false;
  }

  /** Queue every block under `node` that directly holds text. */
  function enqueueSubtree(node: Node, collect = false) {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = node.parentElement;
      if (parent && !isInsideSkipped(parent)) {
        const block = blockOf(node, root);
        collected.delete(block);
        enqueue(block);
      }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const element = node as Element;
    if (isInsideSkipped(element)) return;
    // Plain child-pointer traversal: much cheaper than a TreeWalker with a JS filter.
    const visit = (parent: Element, block: Element) => {
      for (let child = parent.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) {
          if (collect) {
            const list = collected.get(block);
            if (list) list.push(child as Text);
            else collected.set(block, [child as Text]);
          } else collected.delete(block);
          if (NON_SPACE.test((child as Text).data)) enqueue(block);
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          const el = child as Element;
          if (isSkipped(el, ignore)) continue;
          visit(el, INLINE_TAGS.has(el.localName) ? block : el);
        }
      }
    };
    visit(element, blockOf(element, root));
  }

  /** The text nodes that belong to `block` (not to nested blocks), in document order. */
  function textNodesOf(block: Element): Text[] {
    const nodes: Text[] = [];
    const visit = (parent: Element) => {
      for (let child = parent.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) nodes.push(child as Text);
        else if (child.nodeType === Node.ELEMENT_NODE) {
          const el = child as Element;
          // A nested block is read on its own.
          if (INLINE_TAGS.has(el.localName) && !isSkipped(el, ignore)) visit(el);
        }
      }
    };
    visit(block);
    return nodes;
  }

  /** Read a block's text (if it changed) into `pending`, windowed for very long blocks. */
  function readBlock(block: Element) {
    if (!block.isConnected) return;
    const nodes = collected.get(block) ?? textNodesOf(block);
    collected.delete(block);
    let text = '';
    const starts: number[] = [];
    for (const node of nodes) {
      starts.push(text.length);
      text += node.data;
    }
    if (lastText.get(block) === text) return;
    lastText.set(block, text);
    stats.blocks++;
    if (!NON_SPACE.test(text)) {
      if (flagged.delete(block))
        onFinding({ block, result: { verdict: 'safe', score: 0, scripts: [], matches: [] }, ranges: [] });
      return;
    }
    // Overlapping windows so a phrase on a window boundary is still seen.
    for (let from = 0; from < text.length; from += MAX_BLOCK_CHARS - 200) {
      pending.push({ block, nodes, starts, text, from, to: Math.min(text.length, from + MAX_BLOCK_CHARS) });
      if (from + MAX_BLOCK_CHARS >= text.length) break;
    }
  }

  function applyResults(batch: PendingText[], results: ScamBatchResult[]) {
    const start = now();
    batch.forEach((item, i) => {
      const result = results[i];
      // Text changed while it was being checked: the newer read is queued already.
      if (!result || lastText.get(item.block) !== item.text) return;
      if (result.verdict === 'safe') {
        if (flagged.delete(item.block)) onFinding({ block: item.block, result, ranges: [] });
        return;
      }
      flagged.add(item.block);
      const ranges = result.matches
        .map((m) => toRange(item.nodes, item.starts, item.from + m.start, item.from + m.end))
        .filter((r): r is Range => r !== null);
      onFinding({ block: item.block, result, ranges });
    });
    options.onBatchApplied?.();
    const spent = now() - start;
    stats.applyMs += spent;
    account(spent);
  }

  function account(spent: number) {
    stats.busyMs += spent;
    if (spent > stats.longestSliceMs) stats.longestSliceMs = spent;
  }

  function sendPending() {
    let count = 0;
    for (
      let chars = 0;
      count < pending.length && (count === 0 || chars + pending[count]!.to - pending[count]!.from <= BATCH_CHARS);
      count++
    )
      chars += pending[count]!.to - pending[count]!.from;
    const batch = pending.splice(0, count);
    inFlight = true;
    const sendStart = now();
    const sent = checkBatch(batch.map((item) => item.text.slice(item.from, item.to)));
    stats.sendMs += now() - sendStart;
    sent
      .then(
        (results) => applyResults(batch, results),
        () => undefined, // a failed batch leaves its blocks unmarked; edits queue them again
      )
      .finally(() => {
        inFlight = false;
        if (pending.length > 0 && !stopped) {
          const at = now();
          sendPending();
          account(now() - at);
        } else if (queueSize() > 0) wake();
        else settle();
      });
  }

  function settle() {
    if (queueSize() > 0 || pending.length > 0 || inFlight || scheduled) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function runSlice() {
    scheduled = false;
    if (stopped) return;
    const start = now();
    stats.slices++;
    while (head < queue.length) {
      const block = queue[head++]!;
      queued.delete(block);
      readBlock(block);
      if (now() - start >= sliceMs) break;
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    }
    stats.readMs += now() - start;
    // Sending is included: the message is serialised on this thread.
    if (pending.length > 0) sendPending();
    account(now() - start);
    if (pending.length === 0 && !inFlight) {
      if (queueSize() > 0) wake();
      else settle();
    }
  }

  return {
    stats,
    start() {
      stopped = false;
      const begin = now();
      enqueueSubtree(root, true);
      stats.discoverMs += now() - begin;
      account(now() - begin);
      observer = new MutationObserver((records) => {
        const at = now();
        for (const record of records) {
          if (record.type === 'characterData') enqueueSubtree(record.target);
          else for (const node of record.addedNodes) enqueueSubtree(node);
        }
        stats.discoverMs += now() - at;
        account(now() - at);
      });
      observer.observe(root, { childList: true, subtree: true, characterData: true });
    },
    stop() {
      stopped = true;
      observer?.disconnect();
      observer = null;
      queue.length = 0;
      head = 0;
      queued.clear();
      collected.clear();
      pending = [];
    },
    idle() {
      if (queueSize() === 0 && pending.length === 0 && !scheduled && !inFlight) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/** A range over [start, end) of the concatenated text of `nodes`. */
function toRange(nodes: Text[], starts: number[], start: number, end: number): AbstractRange | null {
  const locate = (offset: number, preferEnd: boolean): [Text, number] | null => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const s = starts[i]!;
      if (offset > s || (offset === s && !preferEnd) || (offset === s && i === 0)) {
        return [nodes[i]!, Math.min(offset - s, nodes[i]!.data.length)];
      }
    }
    return null;
  };
  const a = locate(start, false);
  const b = locate(end, true);
  if (!a || !b) return null;
  if (typeof StaticRange === 'function') {
    return new StaticRange({ startContainer: a[0], startOffset: a[1], endContainer: b[0], endOffset: b[1] });
  }
  const range = document.createRange();
  range.setStart(a[0], a[1]);
  range.setEnd(b[0], b[1]);
  return range;
}
