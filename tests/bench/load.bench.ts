/**
 * npm run bench:load — the range service under load, both builds, on loopback: `range:serve` (Node) and
 * `range:serve:worker` (the Workers bundle in local workerd), each started as operators start them, on
 * the demo build (200k numbers), with autocannon sending a fixed mix of 9 bucket GETs to 1 evaluation
 * (a real blinded element from a precomputed pool) per connection, from 256 client addresses.
 *
 *   npm run bench:load                    # 60 s per build
 *   npm run bench:load -- --seconds 10    # a quick look
 *
 * On a 2-core machine the server (and workerd) is pinned to CPU 0 and this process, the load generator,
 * to CPU 1 (taskset), so they do not take each other's core. Reports requests/s and p50/p99 latency per
 * endpoint, errors, the server's CPU time and its RSS at the start, middle and end of the run; for the Worker
 * also its isolate's live JavaScript heap before and after the run (Chrome DevTools protocol), because
 * workerd's RSS under Miniflare grows with any Worker (see the "ok" baseline). The npm script runs Node
 * with --experimental-websocket for that (Node 20 has no WebSocket by default).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import autocannon from 'autocannon';
import { ensureDemoData } from '@/server/demo';
import { encodeBase64Url } from '@/utils/exposure/protocol';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    connections: { type: 'string', default: '32' },
    builds: { type: 'string', default: 'node,worker,workerd-baseline' },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const ROOT = resolve(import.meta.dirname, '../..');
const WARMUP_SECONDS = 5;
const CLIENT_ADDRESSES = 256;
const POOL_SIZE = 2_000;
const CLI = { node: 'server/cli/serve.ts', worker: 'server/cli/serve-worker.ts' } as const;
/**
 * The floor of local workerd itself: Miniflare running a Worker that reads the body and answers "ok", under
 * the same load, so the range Worker's memory can be read against what workerd does with any Worker.
 */
const WORKERD_BASELINE = `
import { Miniflare } from ${JSON.stringify(join(ROOT, 'node_modules/miniflare/dist/src/index.js'))};
const mf = new Miniflare({ modules: true, compatibilityDate: '2026-04-01', port: 0,
  script: 'export default { async fetch(request) { await request.arrayBuffer(); return new Response("ok"); } }' });
const url = await mf.ready;
console.log('ready at ' + url.origin + '\\nrate limit none');
process.on('SIGTERM', () => mf.dispose().then(() => process.exit(0)));
`;
type Build = keyof typeof CLI | 'workerd-baseline';

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const PIN = hasTaskset() && cpus().length >= 2;

/** The process and its descendants (workerd runs as a child of range:serve:worker). */
function getProcessTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${tree[i]}/task`)) {
        const children = readFileSync(`/proc/${tree[i]}/task/${task}/children`, 'utf8').trim();
        if (children) tree.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone
    }
  }
  return tree;
}

function readRssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** User + system CPU seconds of a process (clock ticks of 1/100 s on Linux). */
function readCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function getName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'gone';
  }
}

/** RSS in MiB by process name, e.g. { node: 70, workerd: 480 }. */
function sampleRss(pids: number[]): Record<string, number> {
  const sample: Record<string, number> = {};
  for (const pid of pids) {
    try {
      const name = getName(pid);
      sample[name] = (sample[name] ?? 0) + readRssMiB(pid);
    } catch {
      // gone
    }
  }
  return sample;
}

async function startServer(build: Build, dataDir: string, keyFile: string, inspectorPort: number) {
  const command =
    build === 'workerd-baseline'
      ? [process.execPath, '--input-type=module', '-e', WORKERD_BASELINE]
      : getServeCommand(build, dataDir, keyFile);
  if (build === 'worker') command.push('--inspector-port', String(inspectorPort));
  const [file, ...rest] = PIN ? ['taskset', '-c', '0', ...command] : command;
  const child: ChildProcess = spawn(file as string, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((done, fail) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /ready at (http:\/\/\S+)\n.*rate limit/.exec(text);
      if (match) done(match[1] as string);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => fail(new Error(`${build} server exited ${code}: ${text}`)));
  });
  return { child, url };
}

function getServeCommand(build: keyof typeof CLI, dataDir: string, keyFile: string): string[] {
  const command = [
    process.execPath,
    '--import',
    'tsx',
    CLI[build],
    '--data',
    dataDir,
    '--key',
    keyFile,
    '--port',
    '0',
    '--rate-limit',
    '1000000',
    '--quiet',
  ];
  if (build === 'node') command.push('--address-header', 'x-forwarded-for');
  return command;
}

/**
 * The range Worker's live JavaScript heap in MiB, through the DevTools protocol: a heap snapshot forces a
 * full garbage collection (workerd does not answer HeapProfiler.collectGarbage), then Runtime.getHeapUsage.
 */
async function connectHeapProbe(inspectorPort: number): Promise<(() => Promise<number>) | undefined> {
  const Socket = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (!Socket) return undefined;
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    title: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => t.title.includes('core:user:range'));
  if (!target) return undefined;
  const socket = new Socket(target.webSocketDebuggerUrl);
  await new Promise((done) => socket.addEventListener('open', done, { once: true }));
  let id = 0;
  const call = (method: string) =>
    new Promise<{ usedSize?: number }>((done) => {
      const mine = ++id;
      const onMessage = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as { id?: number; result?: { usedSize?: number } };
        if (message.id !== mine) return; // snapshot chunks and other events
        socket.removeEventListener('message', onMessage);
        done(message.result ?? {});
      };
      socket.addEventListener('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method }));
    });
  await call('HeapProfiler.enable');
  return async () => {
    await call('HeapProfiler.takeHeapSnapshot');
    return ((await call('Runtime.getHeapUsage')).usedSize ?? 0) / 2 ** 20;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface EndpointResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

interface RunResult {
  build: Build;
  seconds: number;
  total: number;
  perSecond: number;
  errors: number;
  non2xx: number;
  statuses: Record<string, number>;
  bucket: EndpointResult;
  evaluate: EndpointResult;
  cpuSeconds: number;
  rss: Record<string, number>[];
  heap: number[];
}

type Kind = 'bucket' | 'evaluate';

async function runLoad(
  build: Build,
  url: string,
  version: string,
  pool: string[],
  seconds: number,
  pids: () => number[],
  heapProbe?: () => Promise<number>,
) {
  const latencies: Record<Kind, number[]> = { bucket: [], evaluate: [] };
  let poolIndex = 0;
  const address = (context: Record<string, unknown>) => {
    context.address ??= `10.0.${Math.floor(Math.random() * CLIENT_ADDRESSES)}.1`;
    return context.address as string;
  };
  const bucketRequest = {
    kind: 'bucket' as Kind,
    setupRequest(request: autocannon.Request, context: Record<string, unknown>) {
      const prefix = Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, '0');
      return {
        ...request,
        method: 'GET',
        path: `/v1/range/${version}/${prefix}`,
        headers: { 'cf-connecting-ip': address(context) },
      };
    },
  };
  const evaluateRequest = {
    kind: 'evaluate' as Kind,
    setupRequest(request: autocannon.Request, context: Record<string, unknown>) {
      const client = address(context);
      return {
        ...request,
        method: 'POST',
        path: '/v1/evaluate',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': client, 'x-forwarded-for': client },
        body: JSON.stringify({ blinded: [pool[poolIndex++ % pool.length]] }),
      };
    },
  };
  const requests = [...Array.from({ length: 9 }, () => bucketRequest), evaluateRequest] as autocannon.Request[];
  const rss: Record<string, number>[] = [];
  // The live heap is read before and after the load only: a snapshot pauses the Worker.
  const heap: number[] = [];
  if (heapProbe) heap.push(await heapProbe());
  const cpuStart = pids().reduce((sum, pid) => sum + readCpuSeconds(pid), 0);
  rss.push(sampleRss(pids()));
  const middle = setTimeout(() => rss.push(sampleRss(pids())), (seconds * 1000) / 2);
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, requests }, (error, result) =>
      error ? fail(error) : done(result),
    );
    // Emitted before the client moves on, so its current request is the one just answered.
    instance.on('response', (client: unknown, _status: number, _bytes: number, time: number) => {
      const current = (client as { requestIterator: { currentRequest: { kind?: Kind } } }).requestIterator
        .currentRequest;
      if (current.kind) latencies[current.kind].push(time);
    });
  });
  clearTimeout(middle);
  rss.push(sampleRss(pids()));
  const cpuSeconds = pids().reduce((sum, pid) => sum + readCpuSeconds(pid), 0) - cpuStart;
  if (heapProbe) heap.push(await heapProbe());
  const endpoint = (kind: Kind): EndpointResult => {
    const sorted = latencies[kind].sort((a, b) => a - b);
    return {
      requests: sorted.length,
      perSecond: sorted.length / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  };
  return {
    build,
    seconds,
    total: result.requests.total,
    perSecond: result.requests.total / seconds,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats as unknown as Record<string, { count: number }>).map(([code, stat]) => [
        code,
        stat.count,
      ]),
    ),
    bucket: endpoint('bucket'),
    evaluate: endpoint('evaluate'),
    cpuSeconds,
    rss,
    heap,
  } satisfies RunResult;
}

async function main() {
  if (PIN) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const demo = await ensureDemoData(join(ROOT, '.demo'), { onProgress: (m) => console.error(m) });
  const manifest = JSON.parse(readFileSync(join(demo.dataDir, 'manifest.json'), 'utf8')) as { version: string };
  console.error(`blinding a pool of ${POOL_SIZE} elements`);
  const pool = Array.from({ length: POOL_SIZE }, (_, i) =>
    encodeBase64Url(
      ristretto255_oprf.voprf.blind(new TextEncoder().encode(`+86138${String(i).padStart(8, '0')}`)).blinded,
    ),
  );
  const results: RunResult[] = [];
  for (const build of args.builds.split(',') as Build[]) {
    const inspectorPort = 9300 + Math.floor(Math.random() * 500);
    const server = await startServer(build, demo.dataDir, demo.keyFile, inspectorPort);
    const pids = () => getProcessTree(server.child.pid as number);
    try {
      console.error(`${build}: warming up for ${WARMUP_SECONDS} s at ${server.url}`);
      await runLoad(build, server.url, manifest.version, pool, WARMUP_SECONDS, pids);
      const heapProbe = build === 'worker' ? await connectHeapProbe(inspectorPort) : undefined;
      console.error(`${build}: measuring for ${SECONDS} s`);
      const result = await runLoad(build, server.url, manifest.version, pool, SECONDS, pids, heapProbe);
      results.push(result);
      console.error(JSON.stringify(result));
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((done) => server.child.on('exit', done));
    }
  }
  const f0 = (n: number) => Math.round(n).toLocaleString('en');
  const f1 = (n: number) => n.toFixed(1);
  console.log(
    `Measured ${new Date().toISOString().slice(0, 10)}: ${SECONDS} s per build after a ${WARMUP_SECONDS} s warm-up, ` +
      `${CONNECTIONS} connections, ${PIN ? 'server on CPU 0 and load generator on CPU 1 (taskset)' : 'no CPU pinning'}, ` +
      `load average at the end ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' / ')}.\n`,
  );
  console.log(
    '| build | requests/s (all) | bucket GET req/s | bucket p50 / p99 | evaluate req/s | evaluate p50 / p99 | errors | server CPU-s per 1,000 req | RSS start / middle / end |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    console.log(
      `| ${r.build} | ${f0(r.perSecond)} | ${f0(r.bucket.perSecond)} | ${f1(r.bucket.p50)} / ${f1(r.bucket.p99)} ms | ` +
        `${f0(r.evaluate.perSecond)} | ${f1(r.evaluate.p50)} / ${f1(r.evaluate.p99)} ms | ${r.errors + r.non2xx} | ` +
        `${((r.cpuSeconds / r.total) * 1000).toFixed(2)} | ${Object.keys(r.rss[0] ?? {})
          .map((name) => `${name} ${r.rss.map((sample) => f0(sample[name] ?? 0)).join(' / ')}`)
          .join(
            ', ',
          )} MiB${r.heap.length ? `; Worker live JS heap before / after ${r.heap.map((n) => n.toFixed(1)).join(' / ')} MiB` : ''} |`,
    );
  }
}

await main();
