/**
 * npm run bench:scam-page — main-thread time that opt-in page scanning adds to a 200 KB web page,
 * in Chromium, measured from the browser's own trace.
 *
 * Setup: the built extension (EG_OUT_DIR) is copied and given the host permission for
 * http://127.0.0.1/*, as if the user had enabled scanning there; the background then registers
 * the content script through browser.scripting exactly as it does for a user. A local server
 * serves each generated page (mixed zh/en messages, one scam in twenty, every message numbered)
 * at http://127.0.0.1:PORT/ (scanned) and at http://localhost:PORT/ (same bytes, not scanned:
 * the baseline). Rounds alternate scanned and baseline in the same browser.
 *
 * Method: each round records a Chromium trace (CDP Tracing; devtools.timeline, toplevel, v8)
 * from before navigation until 2.5 s after the load event (the scan takes about 0.5 s of wall
 * time; the page is idle after that), then finds the renderer main thread of the page and its
 * top-level tasks from the navigation's commit on. The pages hold no script of their own, so
 * every task on that thread that runs JavaScript is the extension's:
 *  - extension time = the sum of the whole durations of tasks that run JavaScript (compiling and
 *    evaluating the content script, idle callbacks, MutationObserver callbacks, message replies,
 *    the garbage collection and any forced style or layout inside them);
 *  - as a check that nothing is missed (style, layout or paint the highlights cause in the
 *    browser's own rendering tasks), total main-thread time of the scanned page minus the
 *    baseline page's, median against median;
 *  - the same JavaScript-task sum on the baseline page, which must be about zero.
 * No page.evaluate() runs inside the traced window; highlights are counted after it.
 *
 *   EG_OUT_DIR=.output npx wxt build && EG_OUT_DIR=.output npm run bench:scam-page [-- --rounds 9]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { getBrowserPath, getExtensionDir } from '../e2e/harness';

const PAGE_BYTES = 200_000;
const argRounds = process.argv.indexOf('--rounds');
const ROUNDS = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 9;
/** Traced time after the load event. */
const SETTLE_MS = 2500;
const HIGHLIGHT_NAME = 'exposure-guard-scam';

const fixtures = readFileSync(resolve('tests/fixtures/scam/messages.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { text: string; label: string });

/**
 * `dense` is almost all text (the worst case); otherwise each message carries the markup of a
 * webmail or chat list (nested containers, attributes, an icon, buttons), so text is about a
 * quarter of the bytes. Every message has a unique number, so nothing can be served from a cache.
 */
function buildPageHtml(dense: boolean): string {
  const benign = fixtures.filter((f) => f.label === 'benign');
  const scams = fixtures.filter((f) => f.label === 'scam');
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < PAGE_BYTES; i++) {
    const source = i % 20 === 7 ? scams[i % scams.length]! : benign[i % benign.length]!;
    const text = source.text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const time = `10:${String(i % 60).padStart(2, '0')}`;
    const html = dense
      ? `<div class="msg"><span class="from">#${i}</span><p>${text}</p></div>`
      : `<div class="thread-row" role="row" data-id="m${i}" aria-selected="false"><div class="cell avatar"><svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><circle cx="12" cy="12" r="10" fill="#8ab4f8"></circle></svg></div><div class="cell main"><div class="meta"><span class="from" title="sender ${i}">Sender ${i}</span><time datetime="2026-11-25T${time}">${time}</time></div><div class="body"><p class="snippet" dir="auto">${text}</p></div></div><div class="cell actions"><button type="button" class="btn icon" aria-label="Archive" data-action="archive"></button><button type="button" class="btn icon" aria-label="Delete" data-action="delete"></button></div></div>`;
    parts.push(html);
    bytes += Buffer.byteLength(html);
  }
  const style = dense
    ? 'body{font:15px/1.5 sans-serif;max-width:50rem;margin:auto}.msg{margin:.5rem 0}'
    : 'body{font:14px/1.4 sans-serif;margin:0}.thread-row{display:flex;gap:8px;padding:6px 12px;border-bottom:1px solid #ddd}.cell.main{flex:1;min-width:0}.meta{display:flex;gap:8px;color:#555}.btn{width:24px;height:24px}';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>inbox</title><style>${style}</style></head><body><main>${parts.join('')}</main></body></html>`;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of the event: unlike `dur`, not inflated while the thread waits for a core. */
  tdur?: number;
  args?: { data?: { url?: string }; beginData?: { url?: string } };
}

/** Events that mean JavaScript ran in the task (the pages have none of their own). */
const JS_EVENTS = new Set([
  'EvaluateScript',
  'v8.compile',
  'v8.run',
  'v8.callFunction',
  'FunctionCall',
  'FireIdleCallback',
  'TimerFire',
  'RunMicrotasks',
]);

interface Round {
  /** Sum of top-level main-thread tasks from the commit on: CPU time, and wall time. */
  totalMs: number;
  totalWallMs: number;
  /** Sum of the tasks that ran JavaScript. */
  jsTaskMs: number;
  jsTaskWallMs: number;
  jsTasks: number;
  longestJsTaskMs: number;
  /** The content script's compile + evaluate (its first run, including main()). */
  evaluateMs: number;
  highlights: number;
}

async function traceRound(context: BrowserContext, url: string): Promise<Round> {
  const page: Page = await context.newPage();
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Tracing.start', {
    traceConfig: {
      includedCategories: [
        '__metadata',
        'toplevel',
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'v8',
        'v8.execute',
      ],
    },
    transferMode: 'ReturnAsStream',
  });
  await page.goto(url, { waitUntil: 'load' });
  await new Promise((done) => setTimeout(done, SETTLE_MS));
  const complete = new Promise<{ stream?: string }>((done) => cdp.once('Tracing.tracingComplete', done));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  const chunks: string[] = [];
  for (let eof = false; !eof && stream; ) {
    const read = await cdp.send('IO.read', { handle: stream, size: 1 << 22 });
    chunks.push(read.base64Encoded ? Buffer.from(read.data, 'base64').toString('utf8') : read.data);
    eof = read.eof;
  }
  if (stream) await cdp.send('IO.close', { handle: stream });
  const highlights = await page.evaluate(
    (name) => (CSS as unknown as { highlights: Map<string, Set<unknown>> }).highlights.get(name)?.size ?? 0,
    HIGHLIGHT_NAME,
  );
  await page.close();
  const { traceEvents } = JSON.parse(chunks.join('')) as { traceEvents: TraceEvent[] };
  // EG_TRACE_DIR=dir keeps every round's trace (open them in the DevTools Performance panel).
  if (process.env.EG_TRACE_DIR) {
    const { hostname, pathname, search } = new URL(url);
    writeFileSync(
      join(process.env.EG_TRACE_DIR, `${hostname}${pathname.replace('/', '-')}${search.replace(/\W/g, '-')}.json`),
      chunks.join(''),
    );
  }
  return { ...analyse(traceEvents, url), highlights };
}

function analyse(events: TraceEvent[], url: string): Omit<Round, 'highlights'> {
  const commit = events.find((e) => e.name === 'CommitLoad' && e.args?.data?.url === url);
  if (!commit) throw new Error(`no CommitLoad for ${url} in the trace`);
  const onMain = events
    .filter((e) => e.pid === commit.pid && e.tid === commit.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  // Top-level tasks: events not nested in an earlier one; each with the events inside it.
  const tasks: { top: TraceEvent; inner: TraceEvent[] }[] = [];
  let end = -1;
  for (const e of onMain) {
    if (e.ts >= end) {
      tasks.push({ top: e, inner: [] });
      end = e.ts + e.dur!;
    } else tasks.at(-1)!.inner.push(e);
  }
  const fromCommit = tasks.filter((t) => t.top.ts + t.top.dur! >= commit.ts);
  const cpu = (e: TraceEvent) => e.tdur ?? e.dur!;
  let totalUs = 0;
  let totalWallUs = 0;
  let jsUs = 0;
  let jsWallUs = 0;
  let jsTasks = 0;
  let longestUs = 0;
  let evaluateUs = 0;
  for (const { top, inner } of fromCommit) {
    totalUs += cpu(top);
    totalWallUs += top.dur!;
    if (inner.some((e) => JS_EVENTS.has(e.name)) || JS_EVENTS.has(top.name)) {
      jsUs += cpu(top);
      jsWallUs += top.dur!;
      jsTasks++;
      longestUs = Math.max(longestUs, cpu(top));
    }
    for (const e of inner) {
      if (e.name === 'EvaluateScript' && e.args?.data?.url?.startsWith('chrome-extension://')) evaluateUs += cpu(e);
    }
  }
  return {
    totalMs: totalUs / 1000,
    totalWallMs: totalWallUs / 1000,
    jsTaskMs: jsUs / 1000,
    jsTaskWallMs: jsWallUs / 1000,
    jsTasks,
    longestJsTaskMs: longestUs / 1000,
    evaluateMs: evaluateUs / 1000,
  };
}

/** A copy of the build with the host permission for 127.0.0.1 granted at install. */
function prepareExtension(): { dir: string; extension: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eg-scam-page-'));
  const extension = join(dir, 'extension');
  cpSync(getExtensionDir('chromium'), extension, { recursive: true });
  const manifestFile = join(extension, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  manifest.host_permissions = ['http://127.0.0.1/*'];
  writeFileSync(manifestFile, JSON.stringify(manifest));
  return { dir, extension };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const best = (values: number[]) => Math.min(...values);
const ms = (value: number) => `${value.toFixed(2)} ms`;

const pages = { chat: buildPageHtml(false), dense: buildPageHtml(true) };
const PROBE_HTML = `<!doctype html><html><head><meta charset="utf-8"></head><body><p>${fixtures.find((f) => f.label === 'scam')!.text}</p></body></html>`;
const server = createServer((request, response) => {
  const url = request.url ?? '';
  const html = url.startsWith('/dense') ? pages.dense : url.startsWith('/probe') ? PROBE_HTML : pages.chat;
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(html);
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const port = (server.address() as { port: number }).port;
const { dir, extension } = prepareExtension();
const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: getBrowserPath('chromium'),
  headless: true,
  args: [
    `--disable-extensions-except=${extension}`,
    `--load-extension=${extension}`,
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

try {
  // The background registers the content script for the granted origin when it starts.
  const probe = await context.newPage();
  for (let i = 0; ; i++) {
    await probe.goto(`http://127.0.0.1:${port}/probe`);
    await probe.waitForTimeout(300);
    const found = await probe.evaluate(
      (name) => (CSS as unknown as { highlights: Map<string, unknown> }).highlights.has(name),
      HIGHLIGHT_NAME,
    );
    if (found) break;
    if (i > 50) throw new Error('the content script was never registered');
  }
  await probe.close();
  console.log(
    `Chromium ${context.browser()?.version() ?? ''}; ${ROUNDS} rounds per page, scanned and baseline alternating.`,
  );
  for (const [name, path] of [
    ['Webmail/chat-like page', '/chat'],
    ['Text-dense page (worst case)', '/dense'],
  ] as const) {
    const scanned: Round[] = [];
    const baseline: Round[] = [];
    // One unrecorded round each first: the first load compiles and caches more than later ones.
    await traceRound(context, `http://127.0.0.1:${port}${path}?warm`);
    await traceRound(context, `http://localhost:${port}${path}?warm`);
    for (let round = 0; round < ROUNDS; round++) {
      scanned.push(await traceRound(context, `http://127.0.0.1:${port}${path}?r=${round}`));
      baseline.push(await traceRound(context, `http://localhost:${port}${path}?r=${round}`));
    }
    const html = path === '/dense' ? pages.dense : pages.chat;
    const pick = (rows: Round[], key: keyof Round) => rows.map((r) => r[key]);
    const row = (label: string, values: number[]) =>
      console.log(`| ${label} | ${ms(median(values))} | ${ms(best(values))} |`);
    console.log(`\n**${name}**: ${(Buffer.byteLength(html) / 1000).toFixed(0)} KB of HTML.\n`);
    console.log('| measure | median | best |');
    console.log('| --- | --- | --- |');
    row('**extension: main-thread tasks that ran its JavaScript, CPU time**', pick(scanned, 'jsTaskMs'));
    row('of which compiling + evaluating the content script (with its main())', pick(scanned, 'evaluateMs'));
    row('longest such task (CPU)', pick(scanned, 'longestJsTaskMs'));
    row('the same tasks, wall time (inflated when the 2 cores are busy)', pick(scanned, 'jsTaskWallMs'));
    row('baseline page: tasks that ran JavaScript (must be 0)', pick(baseline, 'jsTaskMs'));
    row('page main-thread CPU time, scanned', pick(scanned, 'totalMs'));
    row('page main-thread CPU time, baseline (same page, not scanned)', pick(baseline, 'totalMs'));
    console.log(
      `| scanned − baseline, CPU (median − median; includes rendering the highlights) | ${ms(median(pick(scanned, 'totalMs')) - median(pick(baseline, 'totalMs')))} | |`,
    );
    console.log(
      `\nJavaScript tasks per scanned load: ${median(pick(scanned, 'jsTasks'))}; phrases highlighted: ${median(pick(scanned, 'highlights'))}.`,
    );
  }
} finally {
  await context.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
