import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKey } from '@/server/keys';
import { type CliResult, ROOT, runCliScript, TSX, waitForOutput } from './cli-process';

let dir: string;

function run(script: string, args: string[]): Promise<CliResult> {
  return runCliScript(join(ROOT, 'server', 'cli', script), args);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eg-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('range:keygen', () => {
  it('writes a 0600 key, prints its public key and refuses to overwrite without --force', async () => {
    const path = join(dir, 'a.key');
    const first = await run('keygen.ts', ['--out', path]);
    expect(first.code).toBe(0);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const key = parseKey(await readFile(path, 'utf8'));
    expect(first.stdout).toContain(`public key: ${key.publicKeyText}`);

    const again = await run('keygen.ts', ['--out', path]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; pass --force/);
    expect(again.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(parseKey(await readFile(path, 'utf8')).publicKeyText).toBe(key.publicKeyText);

    const forced = await run('keygen.ts', ['--out', path, '--force']);
    expect(forced.code).toBe(0);
    expect(parseKey(await readFile(path, 'utf8')).publicKeyText).not.toBe(key.publicKeyText);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('explains a missing or unknown flag', async () => {
    const missing = await run('keygen.ts', []);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--out FILE is required/);
    const unknown = await run('keygen.ts', ['--outt', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--outt'/);
  });
});

describe('range:build and range:serve', () => {
  it('builds, serves, refuses a wrong key, and survives a killed rebuild', async () => {
    const key = join(dir, 'serve.key');
    expect((await run('keygen.ts', ['--out', key])).code).toBe(0);
    const numbers = Array.from({ length: 3000 }, (_, i) => `1380013${String(i).padStart(4, '0')}`);
    await writeFile(join(dir, 'leak.txt'), `${numbers.join('\n')}\n`);
    const config = {
      key: 'serve.key',
      out: 'data',
      datasets: [
        {
          id: 'a',
          title: { en: 'A', 'zh-CN': '甲' },
          published: '2019-01-01',
          defaultCountry: 'CN',
          inputs: ['leak.txt'],
        },
      ],
    };
    await writeFile(join(dir, 'build.json'), JSON.stringify(config));
    const built = await run('build.ts', ['--config', join(dir, 'build.json'), '--quiet']);
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/built 3000 numbers/);
    expect(built.stdout).toMatch(/peak RSS: \d+ MiB/);
    const manifest = await readFile(join(dir, 'data', 'manifest.json'), 'utf8');

    // A rebuild killed mid-way leaves the previous build in place.
    // `node --import tsx`, not the tsx CLI: SIGKILL on tsx's wrapper would leave the real builder running.
    const rebuild = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'server/cli/build.ts'), '--config', join(dir, 'build.json')],
      {
        cwd: ROOT,
      },
    );
    await waitForOutput(rebuild, /evaluating/);
    rebuild.kill('SIGKILL');
    await new Promise((done) => rebuild.on('exit', done));
    expect(await readFile(join(dir, 'data', 'manifest.json'), 'utf8')).toBe(manifest);
    // The leftover temp folder is hidden and is not the data folder.
    for (const name of await readdir(dir))
      if (name.startsWith('.data.tmp-')) await rm(join(dir, name), { recursive: true });

    const other = join(dir, 'other.key');
    expect((await run('keygen.ts', ['--out', other])).code).toBe(0);
    const mismatch = await run('serve.ts', ['--data', join(dir, 'data'), '--key', other, '--port', '0']);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/the key does not match the data/);

    const noData = await run('serve.ts', ['--data', join(dir, 'nothing'), '--key', key]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/holds no manifest.json/);
    const badPort = await run('serve.ts', ['--data', join(dir, 'data'), '--key', key, '--port', 'http']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be a whole number/);
    const noKey = await run('serve.ts', ['--data', join(dir, 'data'), '--key', join(dir, 'nope.key')]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/key file not found/);
    const badConfig = await run('build.ts', ['--config', join(dir, 'nope.json')]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/config file not found/);

    const server = spawn(
      TSX,
      [
        join(ROOT, 'server/cli/serve.ts'),
        '--data',
        join(dir, 'data'),
        '--key',
        key,
        '--port',
        '0',
        '--rate-limit',
        '2',
      ],
      { cwd: ROOT },
    );
    try {
      const output = await waitForOutput(server, /ready at (http:\/\/\S+)/);
      const url = /ready at (http:\/\/\S+)/.exec(output)?.[1] as string;
      const response = await fetch(`${url}/v1/manifest`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { records: number }).records).toBe(3000);
    } finally {
      server.kill('SIGTERM');
      await new Promise((done) => server.on('exit', done));
    }
  });
});
