/**
 * npm run bench:range — the range server's VOPRF evaluation (every implementation this machine runs:
 * native libsodium through koffi, libsodium WebAssembly and plain @noble/curves, in the same process with
 * the same key and blinded elements, interleaved) and the builder (a child process on a generated CSV:
 * rows/s and peak RSS). Prints Markdown for docs/BENCHMARKS.md and, with --write, replaces the matching
 * subsections of its "Range server" section.
 *
 *   npm run bench:range                          # 200 000-row build on one thread
 *   npm run bench:range -- --threads 2           # the builder's OPRF evaluation on 2 worker threads
 *   npm run bench:range -- --records 10000000    # the issue's 10M-row memory figure (slow)
 *   npm run bench:range -- --records 0           # VOPRF evaluation only, no build
 *   npm run bench:range -- --seconds 5 --write   # longer evaluation runs; update docs/BENCHMARKS.md
 *
 * Throughput is reported per CPU-second of this process (process.cpuUsage), which is what "per core"
 * means on a shared 2-core machine (every figure here is single-threaded), beside wall-clock figures.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { createRangeApp } from '@/server/app';
import { writeKeyFile } from '@/server/keys';
import { createWasmRistrettoOps, loadNativeRistrettoOps, type RistrettoOps } from '@/server/ristretto';
import { createTestRangeService } from '@/server/testing';
import {
  createVoprf,
  generateKeyPair,
  listVoprfImplementations,
  randomScalar,
  type VoprfImplementation,
  type VoprfServer,
} from '@/server/voprf';
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

interface ImplementationRate extends Rate {
  implementation: VoprfImplementation;
  description: string;
  /** Microseconds per variable-base and per fixed-base scalar multiplication (libsodium builds only). */
  scalarMultUs?: number;
  scalarMultBaseUs?: number;
}

const combine = (a: Rate, b: Rate): Rate => ({
  perCpuSecond: (a.perCpuSecond + b.perCpuSecond) / 2,
  perWallSecond: (a.perWallSecond + b.perWallSecond) / 2,
  count: a.count + b.count,
});

function benchScalarMults(ops: RistrettoOps) {
  const scalar = randomScalar();
  const point = ops.fromHash(new Uint8Array(64).fill(7));
  const seconds = Math.min(1, SECONDS / 3);
  const variable = measure(() => void ops.scalarMult(scalar, point), seconds);
  const base = measure(() => void ops.scalarMultBase(scalar), seconds);
  return { scalarMultUs: 1e6 / variable.perCpuSecond, scalarMultBaseUs: 1e6 / base.perCpuSecond };
}

function benchEvaluation() {
  const { secretKey } = generateKeyPair();
  const blinded = Array.from(
    { length: 64 },
    (_, i) => ristretto255_oprf.voprf.blind(new TextEncoder().encode(`+86138001${String(i).padStart(5, '0')}`)).blinded,
  );
  const implementations = listVoprfImplementations();
  const servers = new Map(implementations.map((i) => [i.implementation, createVoprf(secretKey, i.implementation)]));
  // Same answers before timing anything (the tests prove it on the RFC vectors and random inputs too).
  const r = randomScalar();
  const answers = new Set(
    [...servers.values()].map((server) => {
      const result = server.blindEvaluateBatch([blinded[0] as Uint8Array], { proofRandomScalar: r });
      return `${Buffer.from(result.evaluated[0] as Uint8Array).toString('hex')}/${Buffer.from(result.proof).toString('hex')}`;
    }),
  );
  if (answers.size !== 1)
    throw new Error('the implementations disagree; run npx vitest run tests/server/voprf.test.ts');
  const run = (voprf: VoprfServer) =>
    measure((i) => void voprf.blindEvaluateBatch([blinded[i % 64] as Uint8Array]), SECONDS);
  // Two interleaved rounds, so every implementation sees the same machine load.
  const rounds = [0, 1].map(() => implementations.map((i) => run(servers.get(i.implementation) as VoprfServer)));
  const native = loadNativeRistrettoOps().ops;
  const opsFor: Partial<Record<VoprfImplementation, RistrettoOps>> = {
    'libsodium-native': native,
    'libsodium-wasm': createWasmRistrettoOps(),
  };
  const rates: ImplementationRate[] = implementations.map((impl, j) => {
    const ops = opsFor[impl.implementation];
    return {
      ...impl,
      ...combine(rounds[0]?.[j] as Rate, rounds[1]?.[j] as Rate),
      ...(ops ? benchScalarMults(ops) : {}),
    };
  });
  return { rates, blinded };
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
const load = () =>
  loadavg()
    .slice(0, 1)
    .map((n) => n.toFixed(1))
    .join('');

const loadBefore = load();
const evaluation = benchEvaluation();
const http = await benchHttpPath(evaluation.blinded);
const loadAfterEvaluation = load();
let builder: Awaited<ReturnType<typeof benchBuilder>> | undefined;
if (RECORDS > 0) {
  console.error(`evaluation done; building ${fmt(RECORDS)} rows…`);
  builder = await benchBuilder();
}

const noble = evaluation.rates.find((r) => r.implementation === 'noble') as ImplementationRate;
const fastest = evaluation.rates[0] as ImplementationRate;
const date = new Date().toISOString().slice(0, 10);
const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
const LABELS: Record<VoprfImplementation, string> = {
  'libsodium-native': 'native libsodium through koffi',
  'libsodium-wasm': 'libsodium WebAssembly (libsodium-wrappers-sumo)',
  noble: 'baseline: plain @noble/curves `ristretto255_oprf.voprf.blindEvaluateBatch`',
};
const rows = evaluation.rates.map(
  (r) =>
    `| ${LABELS[r.implementation]}${r === fastest ? ' — **what the server runs**' : ''} | ${r.description} | ${fmt(
      r.perCpuSecond,
    )} | ${fmt(r.perWallSecond)} | ${(r.perCpuSecond / noble.perCpuSecond).toFixed(1)}x | ${
      r.scalarMultUs === undefined ? '—' : `${r.scalarMultUs.toFixed(1)} / ${r.scalarMultBaseUs?.toFixed(1)}`
    } |`,
);

const intro = `## Range server

Measured ${date} on this machine (${availableParallelism()} cores, ${cpuModel}, Node ${process.version}), shared with
other work (load average ${loadBefore} before, ${loadAfterEvaluation} after the evaluation runs), so rates are given
per CPU-second of the measuring process — "per core", as every figure here is single-threaded — and, for
reference, per wall-clock second, which the other work depresses.
`;

const evaluationSection = `### VOPRF evaluation (single blinded element, with DLEQ proof)

Command: \`npm run bench:range -- --records ${RECORDS} --seconds ${SECONDS}\` (tests/bench/range.bench.ts).
Every implementation runs in the same process, with the same key and blinded elements, in two interleaved
rounds of ${SECONDS} s each (after checking that they give identical evaluations and proofs). The server
picks the fastest one that loads and passes its self-test at start-up (\`createVoprf\` in server/voprf.ts).

| implementation | library | evaluations / CPU-s | evaluations / wall-s | vs noble | us per scalar mult (variable / fixed base) |
| --- | --- | ---: | ---: | ---: | ---: |
${rows.join('\n')}
| full HTTP handler (\`app.request\` POST /v1/evaluate: JSON, base64url, checks, rate limit, ${fastest.implementation}) | | ${fmt(http.perCpuSecond)} | ${fmt(http.perWallSecond)} | | |

Targets: >= 2,500 evaluations/s per core: **${fastest.perCpuSecond >= 2500 ? 'met' : 'not met'}** (${fmt(
  fastest.perCpuSecond,
)}); >= 7x plain @noble/curves: **${fastest.perCpuSecond / noble.perCpuSecond >= 7 ? 'met' : 'not met'}** (${(
  fastest.perCpuSecond / noble.perCpuSecond
).toFixed(1)}x).
`;

const builderSection =
  builder &&
  `### Builder (\`npm run range:build\` as a child process)

Command: \`npm run bench:range -- --records ${RECORDS} --threads ${THREADS} --seconds ${SECONDS}\`.

| input rows | threads | distinct numbers | prefixBits / bucketSize | wall time | rows / wall-s | rows / CPU-s | peak RSS |
| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |
| ${fmt(RECORDS)} | ${THREADS} | ${fmt(builder.records)} | ${builder.prefix} / ${builder.bucket} | ${builder.wall.toFixed(1)} s | ${fmt(RECORDS / builder.wall)} | ${fmt(RECORDS / builder.cpu)} | ${fmt(builder.rss)} MiB |

Input: a generated CSV with Chinese headers (~1% bad rows, ~2% repeats, mixed number formats). Peak RSS is
\`process.resourceUsage().maxRSS\` of the builder process, printed by it; rows/CPU-s counts all its threads.
Targets: >= 5,000 rows/s per core; 10M rows within 1.5 GB peak RSS.
`;

const markdown = [intro, evaluationSection, builderSection].filter(Boolean).join('\n');
console.log(markdown);

/** Replaces `heading`'s block (up to the next heading of the same or a higher level) or appends it. */
function replaceBlock(text: string, block: string, start: number, end: number): string {
  const heading = block.slice(0, block.indexOf('\n'));
  const level = heading.indexOf(' ');
  const at = text.indexOf(`${heading}\n`, start);
  if (at < 0 || at >= end) return `${text.slice(0, end).trimEnd()}\n\n${block.trimEnd()}\n${text.slice(end)}`;
  let next = end;
  for (let i = 1; i <= level; i++) {
    const found = text.indexOf(`\n${'#'.repeat(i)} `, at + 1);
    if (found >= 0 && found < next) next = found;
  }
  return `${text.slice(0, at)}${block.trimEnd()}\n${text.slice(next)}`;
}

if (args.write) {
  const path = join(ROOT, 'docs/BENCHMARKS.md');
  let text = await readFile(path, 'utf8').catch(
    () => '# Benchmarks\n\nFigures from `npm run bench:*`, each with the command that produced it.\n',
  );
  if (!text.includes('\n## Range server\n')) text = `${text.trimEnd()}\n\n## Range server\n`;
  // Only the parts this run measured change: the intro and the subsections it printed.
  const section = () => {
    const start = text.indexOf('\n## Range server\n') + 1;
    const next = text.indexOf('\n## ', start + 1);
    return { start, end: next >= 0 ? next + 1 : text.length };
  };
  const { start } = section();
  const firstSub = text.indexOf('\n### ', start);
  const introEnd = firstSub >= 0 && firstSub < section().end ? firstSub + 1 : section().end;
  text = `${text.slice(0, start)}${intro}\n${text.slice(introEnd)}`;
  for (const block of [evaluationSection, builderSection]) {
    if (block) text = replaceBlock(text, block, section().start, section().end);
  }
  await writeFile(path, text);
  console.error(`updated ${path}`);
}
