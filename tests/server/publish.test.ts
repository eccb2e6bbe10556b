import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRange } from '@/server/builder/build';
import { parseBuildConfig } from '@/server/builder/config';
import { serializeKey } from '@/server/keys';
import { createPublishPlan, createS3Sink, executePublishPlan, formatPublishPlan } from '@/server/publish';
import { OBJECT_KEYS } from '@/server/store-core';
import { openLocalBucket } from '@/server/worker/local';
import { parseManifest } from '@/utils/exposure/manifest';
import { type CliResult, ROOT, runCliScript, waitForOutput } from './cli-process';
import { checkNumber } from './helpers';
import { createRangeData, type RangeData } from './targets';

/**
 * Servers are signalled, so they run as `node --import tsx`: tsx's wrapper relays a signal through its
 * own handshake and, when the child is slow to answer it, SIGKILLs the child (leaving workerd behind).
 */
const NODE_TSX = [process.execPath, '--import', 'tsx'];

let data: RangeData;
beforeAll(async () => {
  data = await createRangeData();
});
afterAll(async () => {
  if (data) await rm(data.dir, { recursive: true, force: true });
});

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  // Without R2 credentials, whatever the developer's shell holds.
  const clean = { ...process.env };
  for (const name of ['R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY', 'S3_ENDPOINT']) delete clean[name];
  return runCliScript(join(ROOT, 'server/cli', script), args, { ...clean, ...env });
}

describe('createPublishPlan', () => {
  it('lists every bucket, then the checksum list and version manifest, and the current manifest last', async () => {
    const plan = await createPublishPlan(data.dataDir);
    const { version } = data.manifest;
    expect(plan.objects).toHaveLength(256 + 3);
    expect(plan.bucketCount).toBe(256);
    plan.objects.slice(0, 256).forEach((object, i) => {
      expect(object.key).toBe(`v1/range/${version}/${i.toString(16).padStart(2, '0')}`);
      expect(object.contentType).toBe('application/octet-stream');
      expect(object.cacheControl).toBe('public, max-age=31536000, immutable');
      expect(object.size).toBe(64 * 16);
    });
    expect(plan.objects.slice(256).map((o) => [o.key, o.contentType, o.cacheControl])).toEqual([
      [`v1/range/${version}/SHA256SUMS`, 'text/plain; charset=utf-8', 'public, max-age=31536000, immutable'],
      [`v1/range/${version}/manifest.json`, 'application/json; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['v1/manifest', 'application/json; charset=utf-8', 'max-age=300'],
    ]);
  });

  it('refuses a build with a missing, truncated or altered bucket, or without its lists', async () => {
    const damage: [string, (dir: string) => Promise<void>, RegExp][] = [
      ['missing bucket', (dir) => rm(join(dir, 'buckets/a0.bin')), /bucket buckets\/a0.bin is missing/],
      ['truncated bucket', (dir) => truncate(join(dir, 'buckets/a1.bin'), 100), /a1.bin is 100 bytes, expected 1024/],
      [
        'altered bucket',
        async (dir) => {
          const bytes = await readFile(join(dir, 'buckets/a2.bin'));
          bytes[9] = (bytes[9] as number) ^ 1;
          await writeFile(join(dir, 'buckets/a2.bin'), bytes);
        },
        /a2.bin does not match its SHA-256/,
      ],
      ['no checksum list', (dir) => rm(join(dir, 'SHA256SUMS')), /SHA256SUMS is missing/],
      ['no manifest', (dir) => rm(join(dir, 'manifest.json')), /holds no manifest.json/],
      ['bad manifest', (dir) => writeFile(join(dir, 'manifest.json'), '{"protocol": 1}'), /not a valid manifest/],
    ];
    for (const [what, apply, message] of damage) {
      const copy = await mkdtemp(join(data.dir, 'damaged-'));
      await cp(data.dataDir, copy, { recursive: true });
      await apply(copy);
      await expect(createPublishPlan(copy), what).rejects.toThrow(message);
    }
  });
});

interface RecordedPut {
  path: string;
  headers: IncomingMessage['headers'];
  sha256: string;
}

/** A stand-in for R2's S3 endpoint on loopback: records PUTs and fails the paths it is told to. */
async function startS3Recorder(failing: (path: string) => boolean) {
  const puts: RecordedPut[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = decodeURIComponent(request.url ?? '');
      if (failing(path)) {
        response.writeHead(500).end('<Error><Code>InternalError</Code></Error>');
        return;
      }
      const body = Buffer.concat(chunks);
      puts.push({ path, headers: request.headers, sha256: createHash('sha256').update(body).digest('hex') });
      response.writeHead(200, { etag: '"x"' }).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, puts, close: () => server.close() };
}

describe('the S3 upload path (R2 through its S3 API)', () => {
  it('signs each PUT, sends the plan metadata and body, and puts the manifest last', async () => {
    const recorder = await startS3Recorder(() => false);
    try {
      const plan = await createPublishPlan(data.dataDir);
      const sink = createS3Sink({
        endpoint: recorder.endpoint,
        bucket: 'exposure-range',
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'secret',
      });
      await executePublishPlan(plan, sink, { concurrency: 4 });
      expect(recorder.puts).toHaveLength(plan.objects.length);
      const byPath = new Map(recorder.puts.map((put) => [put.path, put]));
      for (const object of plan.objects) {
        const put = byPath.get(`/exposure-range/${object.key}`);
        expect(put, object.key).toBeDefined();
        expect(put?.headers['content-type']).toBe(object.contentType);
        expect(put?.headers['cache-control']).toBe(object.cacheControl);
        expect(put?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/auto\/s3\//);
        expect(put?.headers['x-amz-content-sha256']).toBe(object.sha256);
        expect(put?.sha256).toBe(object.sha256);
      }
      const order = recorder.puts.map((put) => put.path);
      const version = data.manifest.version;
      expect(order.slice(-3)).toEqual([
        `/exposure-range/v1/range/${version}/SHA256SUMS`,
        `/exposure-range/v1/range/${version}/manifest.json`,
        '/exposure-range/v1/manifest',
      ]);
    } finally {
      recorder.close();
    }
  });

  it('never publishes the manifest when a bucket upload keeps failing', async () => {
    const recorder = await startS3Recorder((path) => path.endsWith('/7f'));
    try {
      const plan = await createPublishPlan(data.dataDir);
      const sink = createS3Sink({ endpoint: recorder.endpoint, bucket: 'b-1', accessKeyId: 'a', secretAccessKey: 's' });
      await expect(executePublishPlan(plan, sink)).rejects.toThrow(/PUT v1\/range\/.*\/7f failed: HTTP 500/);
      expect(recorder.puts.some((put) => put.path.endsWith('/v1/manifest'))).toBe(false);
      expect(recorder.puts.some((put) => put.path.endsWith('/SHA256SUMS'))).toBe(false);
    } finally {
      recorder.close();
    }
  });
});

describe('npm run range:publish', () => {
  it('--dry-run prints the exact plan and uploads nothing; a real upload needs credentials', async () => {
    const dry = await run('publish.ts', ['--data', data.dataDir, '--bucket', 'exposure-range', '--dry-run']);
    expect(dry.code).toBe(0);
    const plan = await createPublishPlan(data.dataDir);
    expect(dry.stdout).toBe(`${formatPublishPlan(plan, 'R2 bucket "exposure-range"')}\ndry run: nothing uploaded\n`);
    expect(dry.stdout.split('\n')[1]).toMatch(
      /^ {2}1 PUT v1\/range\/\S+\/00 1024 B sha256=[0-9a-f]{64} content-type="application\/octet-stream" cache-control="public, max-age=31536000, immutable" \(bucket\)$/,
    );
    expect(dry.stdout.split('\n')[259]).toMatch(
      /^259 PUT v1\/manifest .* cache-control="max-age=300" \(current manifest, last\)$/,
    );

    const noCredentials = await run('publish.ts', ['--data', data.dataDir, '--bucket', 'exposure-range']);
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toMatch(
      /set R2_ACCOUNT_ID \(or S3_ENDPOINT\), R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY/,
    );
    const badBucket = await run('publish.ts', ['--data', data.dataDir, '--bucket', 'Bad_Name', '--dry-run']);
    expect(badBucket.code).toBe(2);
    expect(badBucket.stderr).toMatch(/--bucket must be an R2 bucket name/);
    const noData = await run('publish.ts', ['--data', join(data.dir, 'nothing'), '--bucket', 'b-1', '--dry-run']);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/holds no manifest.json/);
  });

  it('--local publishes into Miniflare R2 that range:serve:worker serves, and a new build replaces the old', async () => {
    const r2Dir = join(data.dir, 'r2');
    const keyFile = join(data.dir, 'publish.key');
    await writeFile(keyFile, serializeKey(data.secretKey), { mode: 0o600 });
    const published = await run('publish.ts', ['--data', data.dataDir, '--bucket', 'exposure-test', '--local', r2Dir]);
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(new RegExp(`published version ${data.manifest.version} \\(259 objects\\)`));

    const local = await openLocalBucket({ r2Persist: r2Dir, bucket: 'exposure-test' });
    try {
      const head = await local.bucket.head(OBJECT_KEYS.manifest);
      expect(head?.httpMetadata).toMatchObject({
        contentType: 'application/json; charset=utf-8',
        cacheControl: 'max-age=300',
      });
      const bucketHead = await local.bucket.head(OBJECT_KEYS.bucket(data.manifest.version, '00'));
      expect(bucketHead?.httpMetadata?.cacheControl).toBe('public, max-age=31536000, immutable');
    } finally {
      await local.dispose();
    }

    const serve = async (check: (url: string) => Promise<void>) => {
      const server = spawn(
        NODE_TSX[0] as string,
        [
          ...NODE_TSX.slice(1),
          join(ROOT, 'server/cli/serve-worker.ts'),
          '--r2-dir',
          r2Dir,
          '--bucket',
          'exposure-test',
          '--key',
          keyFile,
          '--port',
          '0',
        ],
        { cwd: ROOT },
      );
      const exited = new Promise((done) => server.on('exit', done));
      try {
        const output = await waitForOutput(server, /ready at (http:\/\/\S+)/);
        await check(/ready at (http:\/\/\S+)/.exec(output)?.[1] as string);
      } finally {
        server.kill('SIGTERM');
        await exited;
      }
    };
    await serve(async (url) => {
      const request = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
      expect((await checkNumber(request, '+12015550123')).found).toBe(true);
    });

    // A second build (one dataset fewer) published over the first.
    const config = parseBuildConfig(
      {
        key: 'unused.key',
        out: 'second',
        datasets: [
          {
            id: 'a',
            title: { en: 'A', 'zh-CN': '甲' },
            published: '2020-01-01',
            defaultCountry: 'CN',
            inputs: ['leak-0.txt'],
          },
        ],
      },
      data.dir,
    );
    const second = await buildRange(config, { secretKey: data.secretKey, threads: 1 });
    const again = await run('publish.ts', [
      '--data',
      join(data.dir, 'second'),
      '--bucket',
      'exposure-test',
      '--local',
      r2Dir,
    ]);
    expect(again.code).toBe(0);
    await serve(async (url) => {
      const manifest = parseManifest(await (await fetch(`${url}/v1/manifest`)).json());
      expect(manifest.version).toBe(second.manifest.version);
      const request = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);
      expect((await checkNumber(request, '+12015550123')).found).toBe(false);
      expect((await checkNumber(request, '+8613800138000')).found).toBe(true);
      const old = await fetch(`${url}/v1/range/${data.manifest.version}/00`);
      expect(old.status).toBe(404);
    });
  });
});
