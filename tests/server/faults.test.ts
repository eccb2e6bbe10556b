import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeKey } from '@/server/keys';
import { createPublishPlan } from '@/server/publish';
import { parseChecksums } from '@/server/store-core';
import { checkExposure } from '@/utils/exposure/client';
import { parseManifest } from '@/utils/exposure/manifest';
import { encodeBase64Url } from '@/utils/exposure/protocol';
import { ALLOWED_ERRORS, ALLOWED_STATUSES, createFuzzRequest, createRandom, type FuzzRequest } from './fuzz';
import { checkNumber } from './helpers';
import { BUILDS, type BuildName, createRangeData, type RangeData } from './targets';

/**
 * Faults against the real commands, as operators run them: `range:serve` (node build) and
 * `range:serve:worker` (Workers build in local workerd), each a child process on loopback.
 */

const ROOT = resolve(__dirname, '../..');
/** `node --import tsx`, not the tsx CLI: its wrapper process would take the signals meant for the command. */
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;
const CLI: Record<BuildName, string> = {
  node: join(ROOT, 'server/cli/serve.ts'),
  worker: join(ROOT, 'server/cli/serve-worker.ts'),
};
const FUZZ_REQUESTS = 10_000;
const FUZZ_SEED = 20261125;

let data: RangeData;
let keyFile: string;
beforeAll(async () => {
  data = await createRangeData();
  keyFile = join(data.dir, 'range.key');
  await writeFile(keyFile, serializeKey(data.secretKey), { mode: 0o600 });
});
afterAll(async () => {
  if (data) await rm(data.dir, { recursive: true, force: true });
});

interface RunningServer {
  url: string;
  child: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

async function getFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function startServer(build: BuildName, options: { port?: number; rateLimit?: number } = {}): Promise<RunningServer> {
  const args = ['--data', data.dataDir, '--key', keyFile, '--port', String(options.port ?? 0)];
  if (options.rateLimit) args.push('--rate-limit', String(options.rateLimit));
  const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), CLI[build], ...args], { cwd: ROOT });
  const output: string[] = [];
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  return new Promise((done, fail) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      output.push(...chunk.toString().split('\n').filter(Boolean));
      const url = /ready at (http:\/\/\S+)\n.*rate limit/.exec(text)?.[1];
      if (url) {
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => output.push(...more.toString().split('\n').filter(Boolean)));
        done({
          url,
          child,
          output,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => fail(new Error(`${build} server exited ${code}: ${text}`)));
  });
}

describe.each(BUILDS)('%s build', (build) => {
  it('a check during a restart: one retry reaches the restarted server; a server that stays down is reported', async () => {
    const port = await getFreePort();
    let server = await startServer(build, { port });
    let restarted: Promise<RunningServer> | undefined;
    try {
      // The per-attempt timeout must cover the wait for the restarted server, which the retry is held for
      // (a restart of range:serve:worker takes seconds on a busy machine).
      const base = { endpoint: server.url, pinnedKey: data.publicKey, e164: '+8613800138000', timeoutMs: 60_000 };

      // The server is stopped as the first evaluation goes out; a request that failed meanwhile is retried
      // only once the restarted server is listening (whatever its start-up takes on this machine).
      const attempts: string[] = [];
      const failed = new Set<string>();
      const restartingFetch = async (url: string, init?: RequestInit) => {
        const isEvaluate = url.endsWith('/v1/evaluate');
        if (isEvaluate && !restarted) {
          await server.stop();
          restarted = startServer(build, { port });
        } else if (restarted && failed.has(url)) {
          server = await restarted;
        }
        try {
          const response = await fetch(url, init);
          if (isEvaluate) attempts.push(`HTTP ${response.status}`);
          return response;
        } catch (error) {
          failed.add(url);
          if (isEvaluate) attempts.push('network error');
          throw error;
        }
      };
      const result = await checkExposure({ ...base, fetch: restartingFetch });
      expect(attempts).toEqual(['network error', 'HTTP 200']);
      expect(result.status).toBe('found');

      // Stopped for good: each request is tried twice at most (bucket and evaluation run in parallel, and
      // the first to fail for good cancels the other), then a clear 'unreachable', never "not found".
      const tries = new Map<string, number>();
      let stopped = false;
      const stoppingFetch = async (url: string, init?: RequestInit) => {
        if (url.endsWith('/v1/evaluate') && !stopped) {
          stopped = true;
          await server.stop();
        }
        tries.set(url, (tries.get(url) ?? 0) + 1);
        return fetch(url, init);
      };
      const started = performance.now();
      const down = await checkExposure({ ...base, fetch: stoppingFetch, retryDelayMs: 300 });
      expect(Math.max(...tries.values())).toBe(2); // one retry happened, and no more than one per request
      expect(performance.now() - started).toBeGreaterThanOrEqual(300);
      expect(down).toMatchObject({ status: 'error', code: 'unreachable' });
      expect(down.status === 'error' && down.detail).toMatch(/fetch failed|ECONNREFUSED|ECONNRESET|socket/i);
    } finally {
      await server.stop();
      await (await restarted?.catch(() => undefined))?.stop();
    }
  });

  it(`answers ${FUZZ_REQUESTS.toLocaleString('en')} malformed requests with contract errors only, and keeps working`, async () => {
    const server = await startServer(build, { rateLimit: 1_000_000 });
    try {
      const random = createRandom(FUZZ_SEED);
      const validElements = Array.from({ length: 32 }, (_, i) =>
        encodeBase64Url(ristretto255_oprf.voprf.blind(new TextEncoder().encode(`+8613800${i}`)).blinded),
      );
      const requests: FuzzRequest[] = Array.from({ length: FUZZ_REQUESTS }, () =>
        createFuzzRequest(random, data.manifest.version, validElements),
      );
      const violations: string[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const request = requests[next++] as FuzzRequest;
          const label = `${request.method} ${request.path.slice(0, 80)} ${JSON.stringify(request.headers).slice(0, 120)}`;
          let response: Response;
          try {
            response = await fetch(`${server.url}${request.path}`, {
              method: request.method,
              headers: request.headers,
              body: request.body as Uint8Array<ArrayBuffer> | undefined,
            });
          } catch (error) {
            violations.push(`${label}: no response (${(error as Error).message})`);
            continue;
          }
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const body = await response.text();
          if (!ALLOWED_STATUSES.has(response.status)) {
            violations.push(`${label}: status ${response.status} ${body.slice(0, 100)}`);
          } else if (response.status === 204 && request.method !== 'OPTIONS') {
            violations.push(`${label}: 204 for ${request.method}`);
          } else if (response.status >= 400 && request.method !== 'HEAD') {
            let code: unknown;
            try {
              code = (JSON.parse(body) as { error?: unknown }).error;
            } catch {
              code = undefined;
            }
            const allowed = ALLOWED_ERRORS[response.status] ?? [];
            if (
              !allowed.includes(code as string) ||
              !/^application\/json/.test(response.headers.get('content-type') ?? '')
            ) {
              violations.push(`${label}: ${response.status} with body ${body.slice(0, 100)}`);
            }
          }
          if (response.headers.get('access-control-allow-origin') !== '*') violations.push(`${label}: no CORS header`);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      expect(violations.slice(0, 10)).toEqual([]);
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(FUZZ_REQUESTS);
      // Malformed HTTP below the API, answered by the HTTP layer (Node's parser or workerd's), never the app:
      // a status or a hang-up, and the server stays up.
      const rawCases: [string, string, RegExp][] = [
        ['garbage request line', 'GARBAGE\r\n\r\n', /^(HTTP\/1\.1 (400|501)|closed)/],
        [
          'header without a colon',
          'GET /v1/manifest HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
          /^(HTTP\/1\.1 400|closed)/,
        ],
        [
          'Content-Length not a number',
          'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}',
          // workerd's HTTP layer throws on it and answers 500 (its own; on Cloudflare the edge refuses first).
          build === 'worker' ? /^(HTTP\/1\.1 (400|500)|closed)/ : /^(HTTP\/1\.1 400|closed)/,
        ],
        [
          'body shorter than its Content-Length, then hang-up',
          'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"blin',
          /^(HTTP\/1\.1 400|closed)/,
        ],
        [
          'Content-Length and chunked together',
          'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
          /^(HTTP\/1\.1 (400|415)|closed)/,
        ],
        [
          '100 kB path',
          `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
          /^(HTTP\/1\.1 (404|414|431)|closed)/,
        ],
        ['HTTP/9.9', 'GET /v1/manifest HTTP/9.9\r\nHost: x\r\n\r\n', /^(HTTP\/1\.1 (200|400|505)|closed)/],
        ['unknown method', 'FOO /v1/manifest HTTP/1.1\r\nHost: x\r\n\r\n', /^(HTTP\/1\.1 (400|501)|closed)/],
      ];
      for (const [what, message, expected] of rawCases) {
        expect(await sendRaw(server.url, message), what).toMatch(expected);
      }
      expect(server.child.exitCode).toBeNull();
      const request = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
      expect((await checkNumber(request, '+8613800138000')).found).toBe(true);
      // (workerd logs the bad Content-Length raw case above as an uncaught exception of its HTTP layer.)
      const faults = server.output.filter(
        (line) => /internal error|Uncaught|TypeError/.test(line) && !/invalid Content-Length header value/.test(line),
      );
      expect(faults).toEqual([]);
      console.log(`${build} fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    } finally {
      await server.stop();
    }
  });
});

/** Writes raw bytes and returns the status line, or "closed" if the server hangs up without one. */
function sendRaw(url: string, message: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    const finish = () => {
      socket.destroy();
      done(received ? (received.split('\r\n')[0] as string) : 'closed');
    };
    socket.setTimeout(3_000, finish);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(message);
    // A truncated body: the client gives up half-way.
    setTimeout(() => socket.end(), 200);
  });
}

describe('node build: the builder killed mid-way', () => {
  it('leaves the previous build serving, complete and intact', async () => {
    const server = await startServer('node');
    try {
      const before = await readFile(join(data.dataDir, 'SHA256SUMS'), 'utf8');
      // A rebuild large enough to be killed while it evaluates.
      const numbers = Array.from({ length: 40_000 }, (_, i) => `1391234${String(i).padStart(4, '0')}`);
      await writeFile(join(data.dir, 'big.txt'), `${numbers.join('\n')}\n`);
      const config = {
        key: 'range.key',
        out: 'data',
        datasets: [
          {
            id: 'big',
            title: { en: 'Big', 'zh-CN': '大' },
            published: '2020-01-01',
            defaultCountry: 'CN',
            inputs: ['big.txt'],
          },
        ],
      };
      await writeFile(join(data.dir, 'rebuild.json'), JSON.stringify(config));
      const builder = spawn(
        NODE_TSX[0],
        [...NODE_TSX.slice(1), join(ROOT, 'server/cli/build.ts'), '--config', join(data.dir, 'rebuild.json')],
        { cwd: ROOT },
      );
      const builderExited = new Promise<NodeJS.Signals | null>((done) =>
        builder.on('exit', (_, signal) => done(signal)),
      );
      await new Promise<void>((done, fail) => {
        builder.stderr.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('evaluating')) done();
        });
        builder.on('exit', (code) => fail(new Error(`builder finished (${code}) before it could be killed`)));
      });
      builder.kill('SIGKILL');
      expect(await builderExited).toBe('SIGKILL');

      const manifest = parseManifest(await (await fetch(`${server.url}/v1/manifest`)).json());
      expect(manifest.version).toBe(data.manifest.version);
      expect(await readFile(join(data.dataDir, 'SHA256SUMS'), 'utf8')).toBe(before);
      const sums = parseChecksums(before);
      for (let i = 0; i < 256; i++) {
        const prefix = i.toString(16).padStart(2, '0');
        const response = await fetch(`${server.url}/v1/range/${manifest.version}/${prefix}`);
        expect(response.status).toBe(200);
        const hash = createHash('sha256')
          .update(new Uint8Array(await response.arrayBuffer()))
          .digest('hex');
        expect(hash).toBe(sums.get(`buckets/${prefix}.bin`));
      }
      const request = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
      expect((await checkNumber(request, '+12015550123')).found).toBe(true);
      // And the folder still publishes as it is (the Workers build's path).
      expect((await createPublishPlan(data.dataDir)).manifest.version).toBe(data.manifest.version);
    } finally {
      await server.stop();
    }
  });
});
