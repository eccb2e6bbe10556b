/**
 * npm run bench:client — the exposure check as a user meets it: click "check" in the popup of the built
 * extension, in Chromium and in Firefox, against the demo range server (`range:serve`, a separate process on
 * loopback, demo data of ~200k numbers). Timed inside the page: performance.now() in a capturing click
 * listener to a MutationObserver seeing `#exposure-result` leave "checking", so the test driver's own
 * latency is not counted. Resource timing splits each check into manifest, bucket + evaluate, and the rest
 * (proof check, bucket search, rendering).
 *
 * Baselines in the same run: the same check through utils/exposure/client.ts in Node (same server, same
 * kind of numbers), and in each browser a bare fetch of the manifest (no cache) from the popup page.
 *
 * Every check uses a number whose bucket this browser has not fetched yet (buckets are immutable and
 * cached, so a repeated bucket would make the check look faster than a first check).
 *
 *   npm run bench:client                         # build into .output-bench-client, N=50 per browser
 *   npm run bench:client -- --runs 20 --no-build # reuse the build
 *   npm run bench:client -- --think-ms 0         # click the moment the number is typed
 *   npm run bench:client -- --write              # update docs/BENCHMARKS.md
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDemoData } from '@/server/demo';
import { checkExposure } from '@/utils/exposure/client';
import { getBucketPrefix } from '@/utils/exposure/protocol';
import { type BrowserName, type ExtensionSession, type ExtPage, launchExtension } from '../e2e/harness';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    'think-ms': { type: 'string', default: '300' },
    browsers: { type: 'string', default: 'chromium,firefox' },
    build: { type: 'boolean', default: true },
    'no-build': { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);
/** Pause between typing the number and clicking, as a person reaching for the button (well under a real one). */
const THINK_MS = Number(args['think-ms']);
const BROWSERS = (args.browsers as string).split(',') as BrowserName[];
const ROOT = resolve(import.meta.dirname, '../..');
const OUT_DIR = process.env.EG_OUT_DIR ?? '.output-bench-client';
process.env.EG_OUT_DIR = OUT_DIR;

interface Sample {
  /** Click to answer rendered, in the page. */
  totalMs: number;
  /** Click to the manifest's response end (0 if none was fetched). */
  manifestMs: number;
  /** Manifest end (or click) to the later of bucket and evaluate response ends. */
  parallelMs: number;
  /** Manifest end (or click) to the first of the two requests starting: prefix, blinding, dispatch. */
  toRequestsMs: number;
  /** Last response end to answer rendered: proof check, bucket search, rendering. */
  restMs: number;
  status: string;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

const ms = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(1));

/** Valid Chinese mobile numbers whose buckets are all different (and differ from `avoid`). */
function createFreshNumbers(count: number, prefixBits: number, avoid: Set<string>): string[] {
  const numbers: string[] = [];
  const used = new Set(avoid);
  let seed = 0x2545f491;
  while (numbers.length < count) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const e164 = `+86139${String(seed % 100_000_000).padStart(8, '0')}`;
    const prefix = getBucketPrefix(e164, prefixBits);
    if (used.has(prefix)) continue;
    used.add(prefix);
    numbers.push(e164);
  }
  return numbers;
}

function build(): void {
  for (const target of [[], ['-b', 'firefox']]) {
    console.error(`building the extension into ${OUT_DIR} ${target.join(' ')}…`);
    const result = spawnSync('npx', ['wxt', 'build', ...target], {
      cwd: ROOT,
      env: { ...process.env, EG_OUT_DIR: OUT_DIR },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`wxt build ${target.join(' ')} failed`);
  }
}

interface RunningServer {
  url: string;
  child: ChildProcess;
  /** Requests the server answered per method and route pattern (from its log, which has no addresses). */
  counts: Map<string, number>;
  /** Server-side handling time per method and route, in ms, as its log reports it. */
  durations: Map<string, number[]>;
}

async function startServer(dataDir: string, keyFile: string): Promise<RunningServer> {
  const child = spawn(
    join(ROOT, 'node_modules/.bin/tsx'),
    [
      join(ROOT, 'server/cli/serve.ts'),
      ...['--data', dataDir, '--key', keyFile, '--port', '0', '--host', '127.0.0.1'],
      ...['--rate-limit', '1000000'],
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  let pending = '';
  const counts = new Map<string, number>();
  const durations = new Map<string, number[]>();
  const url = await new Promise<string>((done, fail) => {
    child.stdout?.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = / (GET|POST|HEAD|OPTIONS) (\/v1\/\S+) \d{3} ([\d.]+)ms/.exec(line);
        if (match) {
          const key = `${match[1]} ${match[2]}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          durations.set(key, [...(durations.get(key) ?? []), Number(match[3])]);
        } else output += `${line}\n`;
      }
      const match = /ready at (http:\/\/\S+)/.exec(output);
      if (match) done(match[1] as string);
    });
    child.on('exit', (code) => fail(new Error(`range:serve exited ${code}\n${output}`)));
  });
  await new Promise((done) => setTimeout(done, 200)); // let the VOPRF line arrive
  console.error(output.trim());
  return { url, child, counts, durations };
}

/** Settings through the options page, as a user enters them. */
async function configure(session: ExtensionSession, endpoint: string, pinnedKey: string): Promise<void> {
  const options = await session.openPage('options.html', '#save-server');
  await options.select('#country', 'CN');
  await options.fill('#endpoint', endpoint);
  await options.fill('#pinned-key', pinnedKey);
  await options.click('#save-server');
  await options.waitForText('#options-status', /\S/);
  await options.close();
}

/**
 * Arms the in-page clock: click (capturing) starts it, the answer replacing "checking" stops it. Plain
 * JavaScript in a string: tsx compiles functions with a `__name` helper that the page does not have.
 */
const ARM_CLOCK = `(() => {
  let t0 = 0;
  let sawChecking = false;
  performance.clearResourceTimings();
  window.__egResult = new Promise((resolve) => {
    document.getElementById('check-exposure').addEventListener('click', () => { t0 = performance.now(); },
      { capture: true, once: true });
    const observer = new MutationObserver(() => {
      const status = document.getElementById('exposure-result')?.getAttribute('data-status');
      if (!t0 || !status) return;
      if (status === 'checking') { sawChecking = true; return; }
      if (!sawChecking) return;
      const t1 = performance.now();
      observer.disconnect();
      const entries = performance.getEntriesByType('resource');
      const manifest = entries.find((e) => e.name.includes('/v1/manifest') && e.startTime >= t0 - 1);
      const range = entries.find((e) => e.name.includes('/v1/range/') && e.startTime >= t0 - 1);
      const evaluate = entries.find((e) => e.name.includes('/v1/evaluate') && e.startTime >= t0 - 1);
      const last = Math.max(range ? range.responseEnd : 0, evaluate ? evaluate.responseEnd : 0);
      const first = Math.min(range ? range.startTime : Infinity, evaluate ? evaluate.startTime : Infinity);
      const manifestEnd = manifest ? manifest.responseEnd : t0;
      resolve({
        totalMs: t1 - t0,
        manifestMs: manifest ? manifest.responseEnd - t0 : 0,
        parallelMs: last ? last - manifestEnd : NaN,
        toRequestsMs: first < Infinity ? first - Math.max(t0, manifestEnd) : NaN,
        restMs: last ? t1 - last : NaN,
        status,
      });
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  });
})()`;

function armClock(page: ExtPage): Promise<void> {
  return page.evaluate(ARM_CLOCK as never);
}

async function checkOnce(session: ExtensionSession, e164: string): Promise<Sample> {
  const popup = await session.openPage('popup.html', '#phone-input');
  try {
    await popup.fill('#phone-input', e164);
    await new Promise((done) => setTimeout(done, THINK_MS));
    await armClock(popup);
    await popup.click('#check-exposure');
    return await popup.evaluate<Sample>('window.__egResult' as never);
  } finally {
    await popup.close();
  }
}

/** The floor of one request from the popup: a bare manifest fetch that skips the HTTP cache. */
async function bareFetches(session: ExtensionSession, url: string, count: number): Promise<number[]> {
  const popup = await session.openPage('popup.html', '#phone-input');
  try {
    return await popup.evaluate(
      async ({ target, n }) => {
        const times: number[] = [];
        for (let i = 0; i < n + 3; i++) {
          const t0 = performance.now();
          const response = await fetch(target, { cache: 'no-store', credentials: 'omit' });
          await response.json();
          if (i >= 3) times.push(performance.now() - t0);
        }
        return times;
      },
      { target: `${url}/v1/manifest`, n: count },
    );
  } finally {
    await popup.close();
  }
}

interface BrowserFigures {
  browser: BrowserName;
  samples: Sample[];
  /** Manifest requests and CORS preflights of the evaluate POST that reached the server in the timed checks. */
  manifestRequests: number;
  preflights: number;
  bare: number[];
  version: string;
}

async function benchBrowser(
  browser: BrowserName,
  server: RunningServer,
  publicKey: string,
  numbers: string[],
): Promise<BrowserFigures> {
  const session = await launchExtension({ browser, locale: 'en-US' });
  try {
    await configure(session, server.url, publicKey);
    const samples: Sample[] = [];
    let manifestRequests = 0;
    let preflights = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const before = server.counts.get('GET /v1/manifest') ?? 0;
      const preflightsBefore = server.counts.get('OPTIONS /v1/evaluate') ?? 0;
      const sample = await checkOnce(session, numbers[i] as string);
      if (i >= WARMUP) {
        manifestRequests += (server.counts.get('GET /v1/manifest') ?? 0) - before;
        preflights += (server.counts.get('OPTIONS /v1/evaluate') ?? 0) - preflightsBefore;
      }
      if (sample.status !== 'found' && sample.status !== 'not-found') {
        throw new Error(`${browser}: check ${i} ended in ${sample.status}`);
      }
      if (i >= WARMUP) samples.push(sample);
    }
    const bare = await bareFetches(session, server.url, RUNS);
    const version = await (await session.openPage('popup.html', '#phone-input')).evaluate(() => navigator.userAgent);
    return { browser, samples, manifestRequests, preflights, bare, version };
  } finally {
    await session.close();
  }
}

async function nodeBaseline(url: string, publicKey: string, numbers: string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < numbers.length; i++) {
    const t0 = performance.now();
    const result = await checkExposure({ e164: numbers[i] as string, endpoint: url, pinnedKey: publicKey });
    if (result.status === 'error') throw new Error(`node check: ${result.code} ${result.detail ?? ''}`);
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  return times;
}

if (args.build && !args['no-build']) build();
const demo = await ensureDemoData(join(ROOT, '.cache/bench-client-demo'), {
  onProgress: (message) => console.error(message),
});
const manifest = JSON.parse(await readFile(join(demo.dataDir, 'manifest.json'), 'utf8')) as {
  prefixBits: number;
  bucketSize: number;
  records: number;
};
const server = await startServer(demo.dataDir, demo.keyFile);
const loadBefore = loadavg()[0]?.toFixed(1);
try {
  // Half exposed (the demo's two), half fresh clean numbers, each in a bucket not yet seen.
  const demoBuckets = new Set(demo.exposedNumbers.map((n) => getBucketPrefix(n, manifest.prefixBits)));
  const fresh = createFreshNumbers(WARMUP + RUNS, manifest.prefixBits, demoBuckets);
  const numbers = fresh.map((n, i) =>
    i === WARMUP ? demo.exposedNumbers[0] : i === WARMUP + 1 ? demo.exposedNumbers[1] : n,
  );
  const node = await nodeBaseline(
    server.url,
    demo.publicKey,
    createFreshNumbers(WARMUP + RUNS, manifest.prefixBits, new Set()),
  );
  const figures: BrowserFigures[] = [];
  for (const browser of BROWSERS) {
    console.error(`${browser}: ${WARMUP} warm-up + ${RUNS} checks…`);
    figures.push(await benchBrowser(browser, server, demo.publicKey, numbers as string[]));
  }
  const loadAfter = loadavg()[0]?.toFixed(1);
  const date = new Date().toISOString().slice(0, 10);
  const rows = figures.flatMap((f) => {
    const pick = (key: keyof Sample) => f.samples.map((s) => s[key] as number).filter((n) => !Number.isNaN(n));
    const name = f.browser === 'chromium' ? 'Chromium' : 'Firefox';
    return [
      `| **${name}: click to answer in the popup** | **${ms(quantile(pick('totalMs'), 0.5))}** | ${ms(
        quantile(pick('totalMs'), 0.9),
      )} | ${ms(Math.min(...pick('totalMs')))} | manifest ${ms(quantile(pick('manifestMs'), 0.5))} (reached the server ${f.manifestRequests} of ${
        f.samples.length
      } times; evaluate preflights ${f.preflights}), bucket + evaluate ${ms(quantile(pick('parallelMs'), 0.5))} (of which ${ms(
        quantile(pick('toRequestsMs'), 0.5),
      )} before the requests start), proof check + search + render ${ms(quantile(pick('restMs'), 0.5))} |`,
      `| ${name} baseline: bare \`fetch\` of the manifest from the popup (no cache) | ${ms(quantile(f.bare, 0.5))} | ${ms(
        quantile(f.bare, 0.9),
      )} | ${ms(Math.min(...f.bare))} | one loopback round trip |`,
    ];
  });
  const markdown = `### Client check on loopback (click to answer)

Command: \`npm run bench:client -- --runs ${RUNS} --think-ms ${THINK_MS}\` (tests/bench/client-check.bench.ts). Measured ${date},
${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadBefore} before and ${loadAfter}
after. The extension built into \`${OUT_DIR}\`, ${figures.map((f) => f.version.match(/(Chrome|Firefox)\/[\d.]+/)?.[0]).join(' and ')}
headless; the demo range server (\`range:serve\`, ${manifest.records.toLocaleString('en')} numbers, prefixBits ${
    manifest.prefixBits
  }, ${manifest.bucketSize} entries per bucket) in its own process on 127.0.0.1. Each check opens a
fresh popup, types a number whose bucket the browser has not fetched yet, waits ${THINK_MS} ms (a person takes
longer to reach the button), clicks, and times click to
\`#exposure-result\` leaving "checking" in the page (performance.now() in a capturing click listener and a
MutationObserver). ${WARMUP} warm-up checks, then N=${RUNS}; two of them are demo numbers that are found.

| what | median ms | p90 ms | min ms | parts (medians, ms; resource timing) |
| --- | ---: | ---: | ---: | --- |
${rows.join('\n')}
| baseline: the same check through utils/exposure/client.ts in Node 20 (fetch without cache) | ${ms(
    quantile(node, 0.5),
  )} | ${ms(quantile(node, 0.9))} | ${ms(Math.min(...node))} | manifest, then bucket + evaluate, proof check |

Server-side handling time (range:serve's own log, median over the whole run): bucket ${ms(
    quantile(server.durations.get('GET /v1/range') ?? [], 0.5),
  )} ms, evaluate ${ms(quantile(server.durations.get('POST /v1/evaluate') ?? [], 0.5))} ms.

Target: median <= 30 ms from click to answer: ${figures
    .map(
      (f) =>
        `${f.browser === 'chromium' ? 'Chromium' : 'Firefox'} **${
          quantile(
            f.samples.map((s) => s.totalMs),
            0.5,
          ) <= 30
            ? 'met'
            : 'not met'
        }**`,
    )
    .join(', ')}.
`;
  console.log(markdown);
  if (args.write) {
    const path = join(ROOT, 'docs/BENCHMARKS.md');
    let text = await readFile(path, 'utf8');
    const heading = '### Client check on loopback (click to answer)';
    const at = text.indexOf(`${heading}\n`);
    if (at >= 0) {
      const next = [text.indexOf('\n### ', at + 1), text.indexOf('\n## ', at + 1)].filter((i) => i >= 0);
      const end = next.length ? Math.min(...next) + 1 : text.length;
      text = `${text.slice(0, at)}${markdown.trimEnd()}\n\n${text.slice(end)}`;
    } else {
      // At the end of the Range server section.
      const section = text.indexOf('\n## Range server\n');
      const next = section >= 0 ? text.indexOf('\n## ', section + 1) : -1;
      const end = next >= 0 ? next + 1 : text.length;
      text = `${text.slice(0, end).trimEnd()}\n\n${markdown.trimEnd()}\n\n${text.slice(end)}`;
    }
    await writeFile(path, `${text.trimEnd()}\n`);
    console.error(`updated ${path}`);
  }
} finally {
  server.child.kill('SIGTERM');
}
