/**
 * `npm run range:serve:worker -- --data DIR --key FILE [--port N] [--host H] [--rate-limit N]`: the Workers
 * build of the range server in local workerd (Miniflare), offline, with range:serve's flags and behaviour.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from '../app';
import { readKeyFile } from '../keys';
import { createPublishPlan, createR2BindingSink, executePublishPlan, PublishError } from '../publish';
import { DEFAULT_BUCKET_NAME, openLocalBucket, startLocalWorker } from '../worker/local';
import { parseCliArgs, parseIntegerFlag, runCli, UsageError } from './args';

const USAGE = `usage: npm run range:serve:worker -- --data DIR --key FILE [--port N] [--host H] [--rate-limit N]
       npm run range:serve:worker -- --r2-dir DIR [--bucket NAME] --key FILE [...]

Runs the Cloudflare Workers build of the range API locally in workerd (Miniflare), with a local R2 bucket
and the rate-limiter Durable Object, exactly as deployed with wrangler.toml.
  --data DIR        built folder (manifest.json, SHA256SUMS, buckets/), loaded into the local R2 bucket
                    before the server starts listening
  --r2-dir DIR      instead of --data: serve what \`range:publish -- --local DIR\` put there
  --bucket NAME     R2 bucket name inside --r2-dir (default ${DEFAULT_BUCKET_NAME})
  --key FILE        the secret key the data was built with (the Worker's RANGE_SECRET_KEY secret)
  --port N          TCP port (default 8787)
  --host H          address to listen on (default 127.0.0.1)
  --rate-limit N    blinded elements evaluated per client address per minute (default ${DEFAULT_RATE_LIMIT_PER_MINUTE})
  --address-header H  header holding the client address (default cf-connecting-ip, as on Cloudflare)
  --inspector-port N  Chrome DevTools for the Worker on 127.0.0.1:N (debugging, memory)
  --quiet           no request log`;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** workerd's own message for a taken port is a stack of C++ frames; check first to say it plainly. */
function checkPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use` : `${error.code ?? error.message}`;
      fail(new UsageError(`cannot listen on ${host}:${port}: ${reason}`));
    });
    probe.listen(port, host, () => probe.close(() => done()));
  });
}

runCli(async () => {
  const args = parseCliArgs(
    {
      data: { type: 'string' },
      'r2-dir': { type: 'string' },
      bucket: { type: 'string' },
      key: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'rate-limit': { type: 'string' },
      'address-header': { type: 'string' },
      'inspector-port': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    USAGE,
  );
  if (!args.data && !args['r2-dir']) throw new UsageError(`--data DIR is required\n\n${USAGE}`);
  if (args.data && args['r2-dir']) throw new UsageError(`give either --data or --r2-dir, not both\n\n${USAGE}`);
  if (!args.key) throw new UsageError(`--key FILE is required\n\n${USAGE}`);
  const port = parseIntegerFlag(args.port, 'port', 0, 65535) ?? 8787;
  const rateLimit = parseIntegerFlag(args['rate-limit'], 'rate-limit', 1, 1_000_000) ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  const inspectorPort = parseIntegerFlag(args['inspector-port'], 'inspector-port', 1, 65535);
  const host = args.host ?? '127.0.0.1';
  const bucket = args.bucket ?? DEFAULT_BUCKET_NAME;
  const keyPath = resolve(args.key);
  const key = await readKeyFile(keyPath);
  for (const warning of key.warnings) console.error(`warning: ${warning}`);
  if (!isLoopback(host)) {
    console.error(
      `warning: locally, workerd believes a client's own CF-Connecting-IP header; on ${host} a client can ` +
        'dodge the rate limit with it. On Cloudflare the edge sets that header, so deploy for public use.',
    );
  }

  // With --data, the data goes into a private persistence folder first, so nothing listens before it is in.
  let r2Dir: string;
  let temporary: string | undefined;
  if (args.data) {
    const dataDir = resolve(args.data);
    let plan: Awaited<ReturnType<typeof createPublishPlan>>;
    try {
      plan = await createPublishPlan(dataDir);
    } catch (error) {
      if (error instanceof PublishError) throw new UsageError(`cannot serve ${dataDir}: ${error.message}`);
      throw error;
    }
    if (plan.manifest.publicKey !== key.publicKeyText) {
      throw new UsageError(
        `the key does not match the data: ${args.key} has public key ${key.publicKeyText}, ` +
          `but ${dataDir} was built for ${plan.manifest.publicKey}. Use the key the data was built with, or rebuild.`,
      );
    }
    await checkPortFree(port, host);
    temporary = await mkdtemp(join(tmpdir(), 'eg-range-worker-'));
    r2Dir = temporary;
    const local = await openLocalBucket({ r2Persist: r2Dir, bucket });
    try {
      await executePublishPlan(plan, createR2BindingSink(local.bucket));
    } finally {
      await local.dispose();
    }
  } else {
    r2Dir = resolve(args['r2-dir'] as string);
    await checkPortFree(port, host);
  }

  const cleanup = async () => {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  };
  let worker: Awaited<ReturnType<typeof startLocalWorker>>;
  try {
    worker = await startLocalWorker({
      workers: [
        {
          name: 'range',
          secretKey: await readFile(keyPath, 'utf8'),
          rateLimitPerMinute: rateLimit,
          bucket,
          addressHeader: args['address-header'],
          logRequests: !args.quiet,
        },
      ],
      port,
      host,
      r2Persist: r2Dir,
      inspectorPort,
      onOutput: (line, stream) => {
        if (stream === 'stderr') console.error(line);
        else console.log(`${new Date().toISOString()} ${line}`);
      },
    });
  } catch (error) {
    await cleanup();
    throw new UsageError(`workerd did not start: ${(error as Error).message}`);
  }

  // The bundle is built; esbuild's service process would otherwise stay for the server's lifetime.
  await stopEsbuild();

  // Miniflare's own signal handlers stop workerd but exit with 128 + signal; ours run first and exit 0,
  // like range:serve (Miniflare's exit hook still stops workerd and removes its temporary files).
  const stop = () => {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
    process.exit(0);
  };
  process.prependListener('SIGINT', stop);
  process.prependListener('SIGTERM', stop);

  // Ask the Worker itself, so "ready" means it answers with this key and this data.
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shownHost}:${worker.url.port}`;
  const response = await worker.miniflare.dispatchFetch(`${worker.url.origin}/v1/manifest`);
  const body = (await response.json()) as { error?: string; version?: string; records?: number; publicKey?: string };
  if (response.status !== 200) {
    await worker.dispose();
    await cleanup();
    const reason =
      body.error === 'no_data'
        ? `bucket "${bucket}" in ${r2Dir} holds no published build; run npm run range:publish -- --local ${r2Dir}`
        : body.error === 'key_mismatch'
          ? `the key does not match the data: ${args.key} has public key ${key.publicKeyText}, but the published data was built for another key`
          : `the Worker answered ${response.status} ${body.error ?? ''}`;
    throw new UsageError(reason);
  }
  console.log(`range server (Workers build, local workerd) ready at ${base}`);
  console.log(
    `data version ${body.version}, ${body.records} numbers, public key ${body.publicKey}, ` +
      `rate limit ${rateLimit}/min per address`,
  );
});
