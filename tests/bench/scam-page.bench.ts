/**
 * npm run bench:scam-page — main-thread time that opt-in page scanning adds to a 200 KB web page,
 * in Chromium, measured from the browser's own trace.
 *
 * Setup: the built extension (EG_OUT_DIR) is copied and given the host permission for
 * http://127.0.0.1/*, as if the user had enabled scanning there; its background then registers
 * the page-scan script and style through browser.scripting exactly as it does for a user. A local
 * server serves each generated page (mixed zh/en messages, every message numbered) at
 * http://127.0.0.1:PORT/ (scanned) and at http://localhost:PORT/ (same bytes, not scanned: the
 * baseline, in the same browser). With `--previous DIR` a second build (e.g. one of an earlier
 * commit) is measured in the same run, in a browser of its own; each round loads the page with
 * this build, with the previous one, then without the extension.
 *
 * Method: each load is traced (CDP Tracing: toplevel, devtools.timeline, v8) from before the
 * navigation until 2.5 s after the load event (a scan takes well under a second of wall time;
 * the page is idle after it). The renderer main thread of the page is found from the
 * navigation's commit, and its top-level tasks from the commit on are summed, in thread CPU
 * time (the trace's tdur: unlike wall time it does not grow while the thread waits for one of
 * the 2 cores; wall time is shown beside it). The pages hold no script of their own, so every
 * task on that thread that runs JavaScript is the extension's:
 *  - the extension's tasks = whole tasks that run JavaScript: compiling and evaluating the
 *    script, idle-time slices, MutationObserver callbacks, message replies, with the garbage
 *    collection and any style or layout forced inside them;
 *  - everything it causes = the whole page's main-thread time minus the same page's without
 *    the extension, median against median: adds what no JavaScript task shows, such as
 *    creating the script's isolated world and the browser's own style, layout and paint for
 *    the highlights and the banner;
 *  - the baseline page's JavaScript tasks, which must be zero (the check of the method).
 * No page.evaluate() runs inside the traced window; highlights are counted after it.
 *
 *   EG_OUT_DIR=.output npx wxt build && EG_OUT_DIR=.output npm run bench:scam-page -- [--rounds 9] [--previous DIR]
 *   EG_TRACE_DIR=dir keeps every trace (open them in the DevTools Performance panel).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { getBrowserPath } from '../e2e/harness';

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
function buildPageHtml(dense: boolean, withScams = true): string {
  const benign = fixtures.filter((f) => f.label === 'benign');
  const scams = fixtures.filter((f) => f.label === 'scam');
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < PAGE_BYTES; i++) {
    const source = withScams && i % 20 === 7 ? scams[i % scams.length]! : benign[i % benign.length]!;
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

/** A copy of a build (folder holding chrome-mv3/) with the host permission for 127.0.0.1 granted at install. */
function prepareExtension(buildDir: string, into: string): string {
  const extension = join(into, 'extension');
  cpSync(join(buildDir, 'chrome-mv3'), extension, { recursive: true });
  const manifestFile = join(extension, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  manifest.host_permissions = ['http://127.0.0.1/*'];
  writeFileSync(manifestFile, JSON.stringify(manifest));
  return extension;
}

async function launchBuild(buildDir: string, into: string): Promise<BrowserContext> {
  const extension = prepareExtension(buildDir, into);
  const context = await chromium.launchPersistentContext(join(into, 'profile'), {
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
  // The background registers the page-scan script for the granted origin when it starts.
  const probe = await context.newPage();
  for (let i = 0; ; i++) {
    await probe.goto(`http://127.0.0.1:${port}/probe`);
    await probe.waitForTimeout(300);
    const found = await probe.evaluate(
      (name) => (CSS as unknown as { highlights: Map<string, unknown> }).highlights.has(name),
      HIGHLIGHT_NAME,
    );
    if (found) break;
    if (i > 50) throw new Error(`the page-scan script of ${buildDir} was never registered`);
  }
  await probe.close();
  return context;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const best = (values: number[]) => Math.min(...values);
const ms = (value: number) => `${value.toFixed(2)} ms`;

const pages = { chat: buildPageHtml(false), dense: buildPageHtml(true), clean: buildPageHtml(false, false) };
const PROBE_HTML = `<!doctype html><html><head><meta charset="utf-8"></head><body><p>${fixtures.find((f) => f.label === 'scam')!.text}</p></body></html>`;
const server = createServer((request, response) => {
  const url = request.url ?? '';
  const page = url.split('?')[0]!.slice(1);
  const html = page === 'probe' ? PROBE_HTML : (pages[page as keyof typeof pages] ?? pages.chat);
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(html);
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const port = (server.address() as { port: number }).port;
const argPrevious = process.argv.indexOf('--previous');
const previousDir = argPrevious > 0 ? resolve(process.argv[argPrevious + 1]!) : null;
const dir = mkdtempSync(join(tmpdir(), 'eg-scam-page-'));
const current = await launchBuild(resolve(process.env.EG_OUT_DIR ?? '.output'), join(dir, 'current'));
const previous = previousDir ? await launchBuild(previousDir, join(dir, 'previous')) : null;

try {
  console.log(
    `Chromium ${getBrowserPath('chromium')}; ${ROUNDS} rounds per page; in each round the page with this build,` +
      `${previous ? ` with the previous build (${previousDir}),` : ''} and without the extension (baseline).`,
  );
  for (const [name, page] of [
    ['Webmail/chat-like page, one message in twenty a scam', 'chat'],
    ['The same page without any scam (nothing to highlight)', 'clean'],
    ['Text-dense page, one message in twenty a scam (worst case)', 'dense'],
  ] as const) {
    const scanned: Round[] = [];
    const before: Round[] = [];
    const baseline: Round[] = [];
    // One unrecorded round each first: the first load compiles and caches more than later ones.
    await traceRound(current, `http://127.0.0.1:${port}/${page}?warm`);
    if (previous) await traceRound(previous, `http://127.0.0.1:${port}/${page}?warm`);
    await traceRound(current, `http://localhost:${port}/${page}?warm`);
    for (let round = 0; round < ROUNDS; round++) {
      scanned.push(await traceRound(current, `http://127.0.0.1:${port}/${page}?r=${round}`));
      if (previous) before.push(await traceRound(previous, `http://127.0.0.1:${port}/${page}?r=${round}`));
      baseline.push(await traceRound(current, `http://localhost:${port}/${page}?r=${round}`));
    }
    const pick = (rows: Round[], key: keyof Round) => rows.map((r) => r[key]);
    const cell = (rows: Round[], key: keyof Round) =>
      rows.length ? `${ms(median(pick(rows, key)))} (best ${ms(best(pick(rows, key)))})` : '';
    const added = (rows: Round[]) =>
      rows.length ? ms(median(pick(rows, 'totalMs')) - median(pick(baseline, 'totalMs'))) : '';
    const row = (label: string, key: keyof Round) =>
      console.log(`| ${label} | ${cell(scanned, key)} |${previous ? ` ${cell(before, key)} |` : ''}`);
    console.log(
      `\n**${name}**: ${(Buffer.byteLength(pages[page]) / 1000).toFixed(0)} KB of HTML; median of ${ROUNDS} (best).\n`,
    );
    console.log(`| measure (main thread) | this build |${previous ? ' previous build |' : ''}`);
    console.log(`| --- | --- |${previous ? ' --- |' : ''}`);
    row("**tasks that ran the extension's JavaScript, CPU time**", 'jsTaskMs');
    row('of which compiling + evaluating the script (with its main())', 'evaluateMs');
    row('longest such task, CPU time', 'longestJsTaskMs');
    row('the same tasks, wall time (inflated when the 2 cores are busy)', 'jsTaskWallMs');
    row('whole page, CPU time', 'totalMs');
    console.log(
      `| **whole page minus the same page without the extension** (median − median; includes the isolated world, style, layout and paint it causes) | ${added(scanned)} |${previous ? ` ${added(before)} |` : ''}`,
    );
    console.log(
      `\nBaseline (no extension): whole page ${ms(median(pick(baseline, 'totalMs')))}, JavaScript tasks ${ms(median(pick(baseline, 'jsTaskMs')))} (must be 0). ` +
        `Phrases highlighted: ${median(pick(scanned, 'highlights'))}${previous ? ` (previous build: ${median(pick(before, 'highlights'))})` : ''}; ` +
        `JavaScript tasks per load: ${median(pick(scanned, 'jsTasks'))}${previous ? ` (previous build: ${median(pick(before, 'jsTasks'))})` : ''}.`,
    );
  }
} finally {
  await current.close();
  await previous?.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
