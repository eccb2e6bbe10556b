import type { ScamBatchResult } from './types';

/**
 * Incremental scam-script scanning of a web page (used by the opt-in content script).
 *
 * The page's thread only collects text and applies highlights; matching runs in `checkBatch`
 * (in the extension: the background). A TreeWalker visits text nodes only (elements cost no
 * script), in idle-time slices that resume where they stopped. Consecutive text nodes of one
 * block (the nearest ancestor that is not an inline element: a paragraph, a chat bubble…) form
 * one text; the texts of a batch are appended to one array of strings and joined once, and
 * travel as one string. Only flagged texts come back, with their ranges applied in one
 * `onFindings` call per batch. After the first walk a MutationObserver queues only what
 * changed: an added block is read on its own, a block whose own text changed is read without
 * its nested blocks. Nothing is read when the scan starts, no layout is read, and the page's
 * DOM is never changed.
 */
export interface PageScanOptions {
  root: Element;
  /**
   * Checks the texts of a batch, joined by SEPARATOR (see splitBatchText); answers only the
   * texts that are not safe, each with its index.
   */
  checkBatch: (joined: string) => Promise<PageCheckAnswer[]>;
  /**
   * Called once per applied batch with every block whose state changed: flagged (with all its
   * ranges), or flagged before and now safe or gone (ranges []).
   */
  onFindings: (findings: PageFinding[]) => void;
  /** Longest time one slice may run before yielding, in ms (default 4). */
  sliceMs?: number;
  /** Local names of further elements (and their subtrees) never read, e.g. our own banner. */
  ignoreTags?: readonly string[];
  /** Schedules the next slice; defaults to requestIdleCallback (setTimeout where missing). */
  schedule?: (work: (deadline?: IdleDeadlineLike) => void) => void;
  now?: () => number;
}

export interface PageCheckAnswer extends ScamBatchResult {
  index: number;
}

export interface IdleDeadlineLike {
  timeRemaining(): number;
}

export interface PageFinding {
  block: Element;
  /** The strongest result among the block's texts. */
  result: ScamBatchResult;
  /** StaticRanges where the browser has them (no cost on later DOM changes), else live Ranges. */
  ranges: AbstractRange[];
}

export interface PageScanStats {
  /** Main-thread time of the slices, observer callbacks and result handling, in ms. */
  busyMs: number;
  /** Texts sent to be checked. */
  texts: number;
  batches: number;
  slices: number;
  longestSliceMs: number;
}

export interface PageScanner {
  /** Queues the whole root and starts observing changes; reads nothing before the first idle slice. */
  start(): void;
  stop(): void;
  /** Resolves when everything queued has been read, checked and applied (tests, benchmarks). */
  idle(): Promise<void>;
  readonly stats: PageScanStats;
}

/** Batch texts travel joined by this character (one string crosses processes far faster than many). */
export const SEPARATOR = '\u0000';

export function splitBatchText(joined: string): string[] {
  return joined.split(SEPARATOR);
}

/**
 * Text directly inside these is never read: scripts, styles, form fields, fallback content.
 * Their text sits right under them, so the text node's parent tells. SVG and MathML (other
 * namespaces) are not read either; editors ([contenteditable]) and `ignoreTags` are checked up
 * the ancestors, on pages that have any. Preformatted text and code are read: webmail shows
 * plain-text mail in <pre>.
 */
const SKIP_TAGS = [
  'script',
  'style',
  'noscript',
  'template',
  'textarea',
  'title',
  'option',
  'optgroup',
  'select',
  'canvas',
  'iframe',
  'object',
  'video',
  'audio',
];
const HTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';
/** Elements whose text belongs to the block around them. */
const INLINE_TAGS = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'br',
  'cite',
  'data',
  'del',
  'dfn',
  'em',
  'font',
  'i',
  'ins',
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
/** Most text in one batch (and in one text: longer ones are cut there). */
const BATCH_CHARS = 200_000;
/** Text nodes visited between two looks at the clock. */
const CLOCK_EVERY = 32;
/** Shortest slice when the browser gives no idle time (the idle callback's timeout fired). */
const MIN_SLICE_MS = 1;

const ELEMENT_NODE = 1;
const NON_SPACE = /\S/;
const SAFE: ScamBatchResult = { verdict: 'safe', score: 0, scripts: [], matches: [] };

/** How a queued element is read: its own block text only, or everything under it (new content). */
type Mode = 1 | 2;
const OWN: Mode = 1;
const ALL: Mode = 2;

/**
 * A batch being filled: its strings; per text its block, its start in the join and its first
 * node in `nodes` (every text node read, in order: flagged texts map back to them).
 */
interface Batch {
  parts: string[];
  blocks: Element[];
  starts: number[];
  firstNodes: number[];
  nodes: Text[];
  chars: number;
}

function defaultSchedule(work: (deadline?: IdleDeadlineLike) => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(work, { timeout: 1000 });
  else setTimeout(work, 1);
}

const newBatch = (): Batch => ({ parts: [], blocks: [], starts: [], firstNodes: [], nodes: [], chars: 0 });

export function createPageScanner(options: PageScanOptions): PageScanner {
  const { root, checkBatch, onFindings } = options;
  const sliceMs = options.sliceMs ?? 4;
  const now = options.now ?? (() => performance.now());
  const schedule = options.schedule ?? defaultSchedule;
  const skipTags = new Set([...SKIP_TAGS, ...(options.ignoreTags ?? [])]);
  /** Containers whose whole subtree is not read (looked for once per walk). */
  const deepSkipSelector = ['[contenteditable]', ...(options.ignoreTags ?? [])].join(',');
  const ignoreTags = new Set(options.ignoreTags ?? []);

  const stats: PageScanStats = { busyMs: 0, texts: 0, batches: 0, slices: 0, longestSliceMs: 0 };
  /** Own text last sent for blocks read on their own (after edits): unchanged text is not sent again. */
  const lastText = new WeakMap<Element, string>();
  /** Blocks now highlighted. */
  const flagged = new Set<Element>();

  // Elements waiting to be read, each with its mode (ALL wins over OWN).
  const queue: Element[] = [];
  const queuedMode = new Map<Element, Mode>();

  // The walk in progress.
  let walker: TreeWalker | null = null;
  let walkRoot: Element = root;
  let walkMode: Mode = ALL;
  /** An inline element read as new content: its own text belongs to the block around it. */
  let walkRootInline = false;
  /** Whether the walk's subtree has an editor or an ignored element (then ancestors are checked). */
  let walkHasDeepSkips = false;
  /** Per element met in this walk: whether it is (inside) something never read. */
  const skipMemo = new Map<Element, boolean>();
  // The last text node's parent, and the block its text went to (null: not read).
  let lastParent: Node | null = null;
  let lastBlock: Element | null = null;
  /** The block of the text being appended to (the batch's last text), or null. */
  let openBlock: Element | null = null;
  /** Where that text's strings begin in batch.parts, and whether a separator precedes them. */
  let openFirstPart = 0;
  let openAfterSeparator = false;
  let batch = newBatch();
  let inFlight = 0;

  let observer: MutationObserver | null = null;
  let scheduled = false;
  let stopped = true;
  let idleWaiters: (() => void)[] = [];

  function account(spent: number) {
    stats.busyMs += spent;
    if (spent > stats.longestSliceMs) stats.longestSliceMs = spent;
  }

  function enqueue(element: Element, mode: Mode) {
    const queued = queuedMode.get(element);
    if (queued === undefined) queue.push(element);
    if (queued === undefined || queued < mode) queuedMode.set(element, mode);
    wake();
  }

  function wake() {
    if (scheduled || stopped) return;
    scheduled = true;
    schedule(runSlice);
  }

  function hasWork(): boolean {
    return walker !== null || queue.length > 0 || batch.blocks.length > 0;
  }

  function settle() {
    if (hasWork() || inFlight > 0 || scheduled) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Whether text directly inside `element` is not read, by the element alone. */
  function isUnreadHere(element: Element): boolean {
    return skipTags.has(element.localName) || element.namespaceURI !== HTML_NAMESPACE;
  }

  /** Whether `element` is, or is inside, an editor or an ignored element (memoised per walk). */
  function isInDeepSkip(element: Element | null, memo: Map<Element, boolean>): boolean {
    if (!element) return false;
    let skipped = memo.get(element);
    if (skipped === undefined) {
      const editable = element.getAttribute('contenteditable');
      skipped =
        (editable !== null && editable !== 'false') ||
        ignoreTags.has(element.localName) ||
        isInDeepSkip(element.parentElement, memo);
      memo.set(element, skipped);
    }
    return skipped;
  }

  /** The block whose text `element`'s text children belong to. */
  function blockOf(element: Element): Element {
    let block = element;
    while (block !== root && INLINE_TAGS.has(block.localName) && block.parentElement) block = block.parentElement;
    return block;
  }

  /** True when `element` is outside the root or inside something never read. */
  function isOutOfScope(element: Element): boolean {
    return !root.contains(element) || isUnreadHere(element) || isInDeepSkip(element, new Map());
  }

  function beginWalk(element: Element, mode: Mode) {
    walker = element.ownerDocument.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    walkRoot = element;
    walkMode = mode;
    walkRootInline = element !== root && INLINE_TAGS.has(element.localName);
    // Most pages have no editor: then no text node's ancestors need looking at.
    walkHasDeepSkips = element.querySelector(deepSkipSelector) !== null;
    lastParent = null;
    lastBlock = null;
    openBlock = null;
  }

  function endWalk() {
    walker = null;
    skipMemo.clear();
    closeText();
  }

  /**
   * Where text under `parent` goes, or null when it is not read. Runs for every new parent of a
   * text node, so it reads each property once; only ancestors' answers are memoised.
   */
  function blockFor(parent: Element): Element | null {
    const name = parent.localName;
    if (skipTags.has(name) || parent.namespaceURI !== HTML_NAMESPACE) return null;
    if (walkHasDeepSkips && isInDeepSkip(parent, skipMemo)) return null;
    const block = INLINE_TAGS.has(name) ? blockOf(parent) : parent;
    if (walkMode === OWN) return block === walkRoot ? block : null;
    if (walkRootInline && !walkRoot.contains(block)) return null;
    return block;
  }

  /** Ends the text being appended to (a block read on its own is not sent when unchanged). */
  function closeText() {
    if (!openBlock) return;
    const block = openBlock;
    openBlock = null;
    if (walkMode !== OWN) return;
    const { parts } = batch;
    const text = parts.length - openFirstPart === 1 ? parts[openFirstPart]! : parts.slice(openFirstPart).join('');
    if (lastText.get(block) === text && !flagged.has(block)) {
      dropLastText();
      return;
    }
    lastText.set(block, text);
    if (!NON_SPACE.test(text)) {
      dropLastText();
      if (flagged.has(block)) clear([block]);
    }
  }

  /** Takes the last text (and the separator before it) out of the batch. */
  function dropLastText() {
    const separator = openAfterSeparator ? 1 : 0;
    batch.parts.length = openFirstPart - separator;
    batch.chars = batch.starts.pop()! - separator;
    batch.nodes.length = batch.firstNodes.pop()!;
    batch.blocks.pop();
    stats.texts--;
  }

  /** Starts a new text for `block` (after the text being appended to, which ends). */
  function openText(block: Element) {
    closeText();
    if (batch.chars >= BATCH_CHARS) send();
    openAfterSeparator = batch.blocks.length > 0;
    if (openAfterSeparator) {
      batch.parts.push(SEPARATOR);
      batch.chars++;
    }
    openFirstPart = batch.parts.length;
    batch.blocks.push(block);
    batch.starts.push(batch.chars);
    batch.firstNodes.push(batch.nodes.length);
    stats.texts++;
    openBlock = block;
  }

  /** Reads on until the walk ends (true) or the clock passes `until` (false). */
  function walk(until: number): boolean {
    const w = walker!;
    let steps = 0;
    // The hot loop of the scan: a few native calls per text node, no allocation but the pushes.
    for (let node = w.nextNode(); node; node = w.nextNode()) {
      const parent = node.parentNode;
      if (parent !== lastParent) {
        lastParent = parent;
        lastBlock = parent && parent.nodeType === ELEMENT_NODE ? blockFor(parent as Element) : null;
      }
      if (lastBlock) {
        if (lastBlock !== openBlock) openText(lastBlock);
        const data = (node as Text).data;
        // A NUL (pages almost never have one) would split the text: a space keeps every offset.
        batch.parts.push(data.includes(SEPARATOR) ? data.replaceAll(SEPARATOR, ' ') : data);
        batch.nodes.push(node as Text);
        batch.chars += data.length;
      }
      if (++steps === CLOCK_EVERY) {
        steps = 0;
        if (now() >= until) return false;
      }
    }
    endWalk();
    return true;
  }

  function clear(blocks: Element[]) {
    const findings: PageFinding[] = [];
    for (const block of blocks) if (flagged.delete(block)) findings.push({ block, result: SAFE, ranges: [] });
    if (findings.length > 0) onFindings(findings);
  }

  function send() {
    if (batch.blocks.length === 0) return;
    const sent = batch;
    const joined = sent.parts.join('');
    // The text being appended to continues in the next batch as a text of its own.
    batch = newBatch();
    openBlock = null;
    stats.batches++;
    inFlight++;
    checkBatch(joined)
      .then(
        (answers) => {
          const start = now();
          apply(sent, joined, answers);
          account(now() - start);
        },
        () => undefined, // a failed batch leaves its blocks unmarked; edits queue them again
      )
      .finally(() => {
        inFlight--;
        if (hasWork()) wake();
        else settle();
      });
  }

  /** One pass over a batch's answers: ranges for every flagged block, then one onFindings call. */
  function apply(sent: Batch, joined: string, answers: PageCheckAnswer[]) {
    const byBlock = new Map<Element, PageFinding>();
    const texts = sent.blocks.length;
    for (const answer of answers) {
      const i = answer.index;
      const block = sent.blocks[i];
      if (!block || answer.verdict === 'safe' || answer.matches.length === 0) continue;
      const end = i + 1 < texts ? sent.starts[i + 1]! - 1 : joined.length;
      const nodes = sent.nodes.slice(sent.firstNodes[i], i + 1 < texts ? sent.firstNodes[i + 1] : sent.nodes.length);
      const ranges = toRanges(nodes, joined.slice(sent.starts[i], end), answer);
      if (!ranges) continue; // its text changed since: the observer queued it
      const { verdict, score, scripts, matches } = answer;
      const finding = byBlock.get(block);
      if (!finding) byBlock.set(block, { block, result: { verdict, score, scripts, matches }, ranges });
      else {
        // A block whose text is split by a nested block: one finding with all its ranges.
        finding.ranges.push(...ranges);
        if (score > finding.result.score) finding.result = { verdict, score, scripts, matches };
      }
    }
    const findings = [...byBlock.values()];
    for (const { block } of findings) flagged.add(block);
    // Flagged blocks sent again and not flagged now are clear.
    if (flagged.size > 0) {
      for (const block of new Set(sent.blocks)) {
        if (!byBlock.has(block) && flagged.delete(block)) findings.push({ block, result: SAFE, ranges: [] });
      }
    }
    if (findings.length > 0) onFindings(findings);
  }

  /** Ranges for a flagged text's matches, over the nodes it was read from (which must still spell it). */
  function toRanges(nodes: Text[], text: string, answer: ScamBatchResult): AbstractRange[] | null {
    const starts: number[] = [];
    let at = 0;
    for (const node of nodes) {
      const data = node.data.includes(SEPARATOR) ? node.data.replaceAll(SEPARATOR, ' ') : node.data;
      if (!node.isConnected || !text.startsWith(data, at)) return null;
      starts.push(at);
      at += data.length;
    }
    if (at !== text.length) return null;
    const ranges: AbstractRange[] = [];
    let lastStart = -1;
    let lastEnd = -1;
    // Several scripts may share a phrase: one range per distinct span.
    for (const match of answer.matches) {
      if (match.end <= match.start || (match.start === lastStart && match.end === lastEnd)) continue;
      lastStart = match.start;
      lastEnd = match.end;
      const range = makeRange(nodes, starts, match.start, match.end);
      if (range) ranges.push(range);
    }
    return ranges;
  }

  function runSlice(deadline?: IdleDeadlineLike) {
    scheduled = false;
    if (stopped) return;
    const start = now();
    const until = start + Math.max(MIN_SLICE_MS, Math.min(sliceMs, deadline ? deadline.timeRemaining() : sliceMs));
    stats.slices++;
    for (;;) {
      if (walker && !walker.currentNode.isConnected) {
        // The page removed the part being read: read it again from its start.
        endWalk();
        if (walkRoot.isConnected) enqueue(walkRoot, walkMode);
      }
      if (!walker) {
        const element = queue.shift();
        if (!element) break;
        const mode = queuedMode.get(element)!;
        queuedMode.delete(element);
        if (!element.isConnected || (element !== root && isOutOfScope(element))) continue;
        beginWalk(element, mode);
      }
      if (!walk(until)) break;
      if (now() >= until) break;
    }
    // Send what was read once nothing is left to read.
    if (!walker && queue.length === 0) send();
    account(now() - start);
    if (walker || queue.length > 0) wake();
    else settle();
  }

  function onMutations(records: MutationRecord[]) {
    const start = now();
    let removedElements = false;
    for (const record of records) {
      const target = record.target;
      if (record.type === 'characterData') {
        const parent = target.parentElement;
        if (parent && !isOutOfScope(parent)) enqueue(blockOf(parent), OWN);
        continue;
      }
      const parent = target as Element;
      if (parent.nodeType !== ELEMENT_NODE || isOutOfScope(parent)) continue;
      let ownTextChanged = false;
      for (const node of record.addedNodes) {
        if (node.nodeType === ELEMENT_NODE) {
          const element = node as Element;
          const inline = INLINE_TAGS.has(element.localName);
          // An inline element's text joins the surrounding block; blocks nested in it (a link
          // around a message) are read from it.
          if (inline) ownTextChanged = true;
          if (!inline || element.firstElementChild) enqueue(element, ALL);
        } else ownTextChanged = true;
      }
      for (const node of record.removedNodes) {
        if (node.nodeType !== ELEMENT_NODE) ownTextChanged = true;
        else {
          removedElements = true;
          if (INLINE_TAGS.has((node as Element).localName)) ownTextChanged = true;
        }
      }
      if (ownTextChanged) enqueue(blockOf(parent), OWN);
    }
    // Highlights inside removed subtrees go with them (flagged blocks are few: look at each).
    if (removedElements && flagged.size > 0) {
      const gone: Element[] = [];
      for (const block of flagged) if (!block.isConnected) gone.push(block);
      if (gone.length > 0) clear(gone);
    }
    account(now() - start);
  }

  return {
    stats,
    start() {
      if (!stopped) return;
      stopped = false;
      enqueue(root, ALL);
      observer = new MutationObserver(onMutations);
      observer.observe(root, { childList: true, subtree: true, characterData: true });
    },
    stop() {
      stopped = true;
      observer?.disconnect();
      observer = null;
      queue.length = 0;
      queuedMode.clear();
      walker = null;
      skipMemo.clear();
      openBlock = null;
      batch = newBatch();
      settle();
    },
    idle() {
      if (!hasWork() && inFlight === 0 && !scheduled) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/** A range over [start, end) of the concatenated text of `nodes` (node i starts at starts[i]). */
function makeRange(nodes: Text[], starts: number[], start: number, end: number): AbstractRange | null {
  // The start lies in the last node starting at or before it; the end in the last node starting before it.
  let a = -1;
  let b = -1;
  for (let i = nodes.length - 1; i >= 0 && a < 0; i--) {
    if (b < 0 && end > starts[i]!) b = i;
    if (start >= starts[i]!) a = i;
  }
  if (a < 0 || b < 0) return null;
  const startContainer = nodes[a]!;
  const endContainer = nodes[b]!;
  const startOffset = Math.min(start - starts[a]!, startContainer.length);
  const endOffset = Math.min(end - starts[b]!, endContainer.length);
  if (typeof StaticRange === 'function')
    return new StaticRange({ startContainer, startOffset, endContainer, endOffset });
  const range = startContainer.ownerDocument.createRange();
  range.setStart(startContainer, startOffset);
  range.setEnd(endContainer, endOffset);
  return range;
}
