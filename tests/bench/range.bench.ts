/**
 * npm run bench:range — the range server's VOPRF evaluation (libsodium fast path against plain
 * @noble/curves, same process, same key, same blinded elements) and the builder (a child process on a
 * generated CSV: rows/s and peak RSS). Prints Markdown for docs/BENCHMARKS.md and, with --write,
 * replaces the "Range server" section there.
 *
 *   npm run bench:range                          # 200 000-row build on one thread
 *   npm run bench:range -- --threads 2           # the builder's OPRF evaluation on 2 worker threads
 *   npm run bench:range -- --records 10000000    # the issue's 10M-row memory figure (slow)
 *   npm run bench:range -- --seconds 5 --write   # longer evaluation runs; update docs/BENCHMARKS.md
 *
 * Throughput is reported per CPU-second of this process (process.cpuUsage), which is what "per core"
 * means on a shared 2-core machine, beside wall-clock figures.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { createRangeApp } from '@/server/app';
import { writeKeyFile } from '@/server/keys';
import { createTestRangeService } from '@/server/testing';
import { createNobleVoprf, createSodiumVoprf, generateKeyPair, type VoprfServer } from '@/server/voprf';
import { encodeBase64Url } from '@/utils/exposure/protocol';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    threads: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '3' },
    write: { type: 'boolean', default: false },
  },
});
const RECORDS = Number(args.records);
const SECONDS = Number(args.seconds);
const THREADS = Number(args.threads);
const ROOT = resolve(import.meta.dirname, '../..');

interface Rate {
  perCpuSecond: number;
  perWallSecond: number;
  count: number;
}

/** Runs `task` for about `seconds`, returning operations per CPU-second and per wall-second. */
function measure(task: (i: number) => void, seconds: number): Rate {
  for (let i = 0; i < 30; i++) task(i); // warm up the JIT and libsodium
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let count = 0;
  while (performance.now() - wall0 < seconds * 1000) {
    for (let j = 0; j < 10; j++) task(count++);
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - wall0) / 1000;
  return { perCpuSecond: count / ((cpu.user + cpu.system) / 1e6), perWallSecond: count / wall, count };
}

async function measureAsync(task: (i: number) => Promise<void>, seconds: number): Promise<Rate> {
  for (let i = 0; i < 30; i++) await task(i);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let count = 0;
  while (performance.now() - wall0 < seconds * 1000) await task(count++);
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - wall0) / 1000;
  return { perCpuSecond: count / ((cpu.user + cpu.system) / 1e6), perWallSecond: count / wall, count };
}

function benchEvaluation() {
  const { secretKey } = generateKeyPair();
  const blinded = Array.from(
    { length: 64 },
    (_, i) => ristretto255_oprf.voprf.blind(new TextEncoder().encode(`+86138001${String(i).padStart(5, '0')}`)).blinded,
  );
  const run = (voprf: VoprfServer) =>
    measure((i) => void voprf.blindEvaluateBatch([blinded[i % 64] as Uint8Array]), SECONDS);
  // Interleave the two so both see the same machine load.
  const noble1 = run(createNobleVoprf(secretKey));
  const sodium1 = run(createSodiumVoprf(secretKey));
  const noble2 = run(createNobleVoprf(secretKey));
  const sodium2 = run(createSodiumVoprf(secretKey));
  const combine = (a: Rate, b: Rate): Rate => ({
    perCpuSecond: (a.perCpuSecond + b.perCpuSecond) / 2,
    perWallSecond: (a.perWallSecond + b.perWallSecond) / 2,
    count: a.count + b.count,
  });
  return { noble: combine(noble1, noble2), sodium: combine(sodium1, sodium2), blinded };
}

async function benchHttpPath(blinded: Uint8Array[]) {
  const service = createTestRangeService({
    datasets: [
      { id: 'a', title: { en: 'A', 'zh-CN': '甲' }, published: '2019-01-01', fields: [], numbers: ['+8613800138000'] },
    ],
  });
  const app = createRangeApp({ store: service.store, secretKey: service.secretKey, rateLimitPerMinute: 1e9 });
  const bodies = blinded.map((b) => JSON.stringify({ blinded: [encodeBase64Url(b)] }));
  return measureAsync(async (i) => {
    const response = await app.request('/v1/evaluate', {
      method: 'POST',
      // Browsers send Content-Length with a string body; set it as they would.
      headers: { 'content-type': 'application/json', 'content-length': String(bodies[i % bodies.length]?.length) },
      body: bodies[i % bodies.length],
    });
    if (response.status !== 200) throw new Error(`evaluate ${response.status}`);
    await response.arrayBuffer();
  }, SECONDS);
}

/** A CSV like a real leak: Chinese headers, numbers in mixed formats, ~1% bad rows, ~2% repeats. */
async function writeLeak(path: string, rows: number): Promise<void> {
  let seed = 0x9e3779b9;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  const prefixes = ['135', '136', '138', '139', '150', '151', '158', '186', '187', '188', '199'];
  const stream = createWriteStream(path);
  stream.write('姓名,手机号,身份证,借款金额,审批状态\n');
  let previous = '13800138000';
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    let phone: string;
    const r = random();
    if (r < 0.01) phone = 'unknown';
    else if (r < 0.03) phone = previous;
    else {
      phone = `${prefixes[Math.floor(random() * prefixes.length)]}${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
      previous = phone;
      if (r > 0.9) phone = `+86 ${phone}`;
    }
    chunk += `测试用户${i},${phone},DEMO${i},${Math.floor(random() * 500) * 100},已放款\n`;
    if (chunk.length > 1 << 20) {
      if (!stream.write(chunk)) await once(stream, 'drain');
      chunk = '';
    }
  }
  stream.write(chunk);
  stream.end();
  await once(stream, 'finish');
}

async function benchBuilder() {
  const dir = await mkdtemp(join(tmpdir(), 'eg-range-bench-'));
  try {
    await writeLeak(join(dir, 'leak.csv'), RECORDS);
    await writeKeyFile(join(dir, 'bench.key'));
    await writeFile(
      join(dir, 'build.json'),
      JSON.stringify({
        key: 'bench.key',
        out: 'range-data',
        datasets: [
          {
            id: 'bench',
            title: { en: 'Bench', 'zh-CN': '基准' },
            published: '2020-01-01',
            defaultCountry: 'CN',
            inputs: ['leak.csv'],
          },
        ],
      }),
    );
    const started = performance.now();
    const output = await new Promise<string>((done, fail) => {
      const child = spawn(
        join(ROOT, 'node_modules/.bin/tsx'),
        [
          join(ROOT, 'server/cli/build.ts'),
          '--config',
          join(dir, 'build.json'),
          '--quiet',
          '--threads',
          String(THREADS),
        ],
        {
          cwd: ROOT,
        },
      );
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.stderr.on('data', (c) => process.stderr.write(c));
      child.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`build exited ${code}\n${text}`))));
    });
    const wall = (performance.now() - started) / 1000;
    const rss = Number(/peak RSS: (\d+) MiB/.exec(output)?.[1]);
    const cpu = Number(/cpu: ([\d.]+) s/.exec(output)?.[1]);
    const built = Number(/built (\d+) numbers/.exec(output)?.[1]);
    const prefix = /prefixBits (\d+)/.exec(output)?.[1];
    const bucket = /buckets of (\d+) entries/.exec(output)?.[1];
    const manifest = JSON.parse(await readFile(join(dir, 'range-data', 'manifest.json'), 'utf8'));
    return { wall, rss, cpu, built, prefix, bucket, records: manifest.records as number, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

const evaluation = benchEvaluation();
const http = await benchHttpPath(evaluation.blinded);
console.error(`evaluation done; building ${fmt(RECORDS)} rows…`);
const builder = await benchBuilder();

const ratio = evaluation.sodium.perCpuSecond / evaluation.noble.perCpuSecond;
const date = new Date().toISOString().slice(0, 10);
const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
const markdown = `## Range server

Measured ${date} on this machine (${availableParallelism()} cores, ${cpuModel}, Node ${process.version}), shared with
other work, so rates are given per CPU-second of the measuring process ("per core") and, for reference, per
wall-clock second.

Command: \`npm run bench:range -- --records ${RECORDS} --threads ${THREADS} --seconds ${SECONDS}\` (tests/bench/range.bench.ts).

### VOPRF evaluation (single blinded element, with DLEQ proof)

| implementation | evaluations / CPU-s | evaluations / wall-s |
| --- | ---: | ---: |
| libsodium ristretto255 (server/voprf.ts, what the server runs) | ${fmt(evaluation.sodium.perCpuSecond)} | ${fmt(evaluation.sodium.perWallSecond)} |
| plain @noble/curves \`ristretto255_oprf.voprf\` (baseline, same process and inputs) | ${fmt(evaluation.noble.perCpuSecond)} | ${fmt(evaluation.noble.perWallSecond)} |
| full HTTP handler (\`app.request\` POST /v1/evaluate: JSON, base64url, checks, libsodium) | ${fmt(http.perCpuSecond)} | ${fmt(http.perWallSecond)} |

Fast path / baseline: **${ratio.toFixed(1)}x** (target >= 7x). Target >= 2,500 / s per core: ${
  evaluation.sodium.perCpuSecond >= 2500 ? 'met' : `not met (${fmt(evaluation.sodium.perCpuSecond)})`
}.

### Builder (\`npm run range:build\` as a child process)

| input rows | threads | distinct numbers | prefixBits / bucketSize | wall time | rows / wall-s | rows / CPU-s | peak RSS |
| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |
| ${fmt(RECORDS)} | ${THREADS} | ${fmt(builder.records)} | ${builder.prefix} / ${builder.bucket} | ${builder.wall.toFixed(1)} s | ${fmt(RECORDS / builder.wall)} | ${fmt(RECORDS / builder.cpu)} | ${fmt(builder.rss)} MiB |

Input: a generated CSV with Chinese headers (~1% bad rows, ~2% repeats, mixed number formats). Peak RSS is
\`process.resourceUsage().maxRSS\` of the builder process, printed by it. Targets: >= 5,000 rows/s per core;
10M rows within 1.5 GB peak RSS.
`;

console.log(markdown);

if (args.write) {
  const path = join(ROOT, 'docs/BENCHMARKS.md');
  let text = await readFile(path, 'utf8').catch(
    () => '# Benchmarks\n\nFigures from `npm run bench:*`, each with the command that produced it.\n',
  );
  const start = text.indexOf('## Range server');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + markdown.trimEnd() + (next >= 0 ? `\n${text.slice(next)}` : '\n');
  } else {
    text = `${text.trimEnd()}\n\n${markdown}`;
  }
  await writeFile(path, text);
  console.error(`updated ${path}`);
}
