/** `npm run range:serve -- --data DIR --key FILE [--port N] [--host H] [--rate-limit N] [--address-header H]` */
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { createRangeApp, DEFAULT_RATE_LIMIT_PER_MINUTE } from '../app';
import { readKeyFile } from '../keys';
import { createFsStore } from '../store';
import { createVoprf, getVoprfNotes } from '../voprf';
import { parseCliArgs, parseIntegerFlag, runCli, UsageError } from './args';

const USAGE = `usage: npm run range:serve -- --data DIR --key FILE [--port N] [--host H] [--rate-limit N]

Serves the phone-exposure-v1 range API from a folder built by range:build.
  --data DIR        built folder (manifest.json, SHA256SUMS, buckets/)
  --key FILE        the secret key the folder was built with
  --port N          TCP port (default 8787)
  --host H          address to listen on (default 127.0.0.1)
  --rate-limit N    blinded elements evaluated per client address per minute (default ${DEFAULT_RATE_LIMIT_PER_MINUTE})
  --address-header H  behind a reverse proxy: header holding the client address (e.g. x-forwarded-for);
                    only when the proxy always sets it
  --quiet           no request log`;

runCli(async () => {
  const args = parseCliArgs(
    {
      data: { type: 'string' },
      key: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'rate-limit': { type: 'string' },
      'address-header': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    USAGE,
  );
  if (!args.data) throw new UsageError(`--data DIR is required\n\n${USAGE}`);
  if (!args.key) throw new UsageError(`--key FILE is required\n\n${USAGE}`);
  const port = parseIntegerFlag(args.port, 'port', 0, 65535) ?? 8787;
  const rateLimit = parseIntegerFlag(args['rate-limit'], 'rate-limit', 1, 1_000_000) ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  const host = args.host ?? '127.0.0.1';
  const dataDir = resolve(args.data);
  const key = await readKeyFile(resolve(args.key));
  for (const warning of key.warnings) console.error(`warning: ${warning}`);
  const store = createFsStore(dataDir);
  let manifest: Awaited<ReturnType<typeof store.getManifest>>;
  try {
    manifest = await store.getManifest();
  } catch (error) {
    throw new UsageError(`cannot read the data in ${dataDir}: ${(error as Error).message}`);
  }
  if (!manifest) throw new UsageError(`${dataDir} holds no manifest.json; build it with npm run range:build`);
  if (manifest.publicKey !== key.publicKeyText) {
    throw new UsageError(
      `the key does not match the data: ${args.key} has public key ${key.publicKeyText}, ` +
        `but ${dataDir} was built for ${manifest.publicKey}. Use the key the data was built with, or rebuild.`,
    );
  }
  // The fastest VOPRF that loads here (EG_VOPRF=native|wasm|noble names one); said at start-up.
  const voprf = createVoprf(key.secretKey);
  const app = createRangeApp({
    store,
    secretKey: key.secretKey,
    voprf,
    rateLimitPerMinute: rateLimit,
    clientAddressHeader: args['address-header'],
    log: args.quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
    const shownHost = info.address.includes(':') ? `[${info.address}]` : info.address;
    console.log(`range server ready at http://${shownHost}:${info.port}`);
    console.log(
      `data version ${manifest.version}, ${manifest.records} numbers, public key ${manifest.publicKey}, ` +
        `rate limit ${rateLimit}/min per address`,
    );
    console.log(`VOPRF: ${voprf.implementation} — ${voprf.description}`);
    for (const note of getVoprfNotes()) console.log(`  (${note})`);
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use` : `${error.code ?? error.message}`;
    console.error(`error: cannot listen on ${host}:${port}: ${reason}`);
    process.exit(2);
  });
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
