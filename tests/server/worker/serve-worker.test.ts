import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeKey } from '@/server/keys';
import { generateKeyPair } from '@/server/voprf';
import { type CliResult, ROOT, runCliScript, waitForOutput } from '../cli-process';
import { blindedElement, checkNumber } from '../helpers';
import { createRangeData, type RangeData } from '../targets';

/**
 * Servers are signalled, so they run as `node --import tsx`: tsx's wrapper relays a signal through its
 * own handshake and, when the child is slow to answer it, SIGKILLs the child (leaving workerd behind).
 */
const NODE_TSX = [process.execPath, '--import', 'tsx'];
const CLI = join(ROOT, 'server/cli/serve-worker.ts');

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

function run(args: string[]): Promise<CliResult> {
  return runCliScript(CLI, args);
}

describe('npm run range:serve:worker', () => {
  it('explains bad flags, a missing key, data without a build, a wrong key and a taken port', async () => {
    const cases: [string[], RegExp][] = [
      [[], /--data DIR is required/],
      [['--data', data.dataDir], /--key FILE is required/],
      [['--data', data.dataDir, '--r2-dir', data.dir, '--key', keyFile], /either --data or --r2-dir/],
      [['--data', data.dataDir, '--key', keyFile, '--port', 'http'], /--port must be a whole number/],
      [['--data', data.dataDir, '--key', keyFile, '--rate-limit', '0'], /--rate-limit must be a whole number/],
      [['--data', data.dataDir, '--key', join(data.dir, 'nope.key')], /key file not found/],
      [['--data', join(data.dir, 'nothing'), '--key', keyFile], /holds no manifest.json; build it/],
      [['--data', data.dataDir, '--key', keyFile, '--porrt', '1'], /Unknown option '--porrt'/],
    ];
    const otherKey = join(data.dir, 'other.key');
    await writeFile(otherKey, serializeKey(generateKeyPair().secretKey), { mode: 0o600 });
    cases.push([['--data', data.dataDir, '--key', otherKey], /the key does not match the data/]);
    const emptyR2 = join(data.dir, 'empty-r2');
    await mkdir(emptyR2);
    cases.push([['--r2-dir', emptyR2, '--key', keyFile, '--port', '0'], /holds no published build/]);

    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    cases.push([['--data', data.dataDir, '--key', keyFile, '--port', String(port)], /port \d+ is already in use/]);
    try {
      const results = await Promise.all(cases.map(([args]) => run(args)));
      results.forEach((result, i) => {
        expect(result.code, cases[i]?.[0].join(' ')).toBe(2);
        expect(result.stderr).toMatch(cases[i]?.[1] as RegExp);
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      });
    } finally {
      taken.close();
    }
  });

  it('loads the build into local R2, prints the URL when ready, serves it with the rate limit, and stops', async () => {
    const server = spawn(
      NODE_TSX[0] as string,
      [...NODE_TSX.slice(1), CLI, '--data', data.dataDir, '--key', keyFile, '--port', '0', '--rate-limit', '2'],
      {
        cwd: ROOT,
      },
    );
    const exited = new Promise<number | null>((done) => server.on('exit', done));
    try {
      const output = await waitForOutput(server, /ready at http:\/\/\S+\n.*rate limit/);
      const url = /ready at (http:\/\/\S+)/.exec(output)?.[1] as string;
      expect(output).toMatch(new RegExp(`data version ${data.manifest.version}, 4 numbers`));
      const request = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
      expect((await checkNumber(request, '+8613800138000')).found).toBe(true);
      expect((await checkNumber(request, '+8613700137000')).found).toBe(false);
      // Two evaluations used the budget of 2 for this address.
      const third = await request('/v1/evaluate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ blinded: [blindedElement()] }),
      });
      expect(third.status).toBe(429);
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
