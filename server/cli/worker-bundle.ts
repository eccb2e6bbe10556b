/** `npm run range:worker:bundle [-- --out DIR]`: write the Worker bundle that wrangler.toml deploys. */
import { resolve } from 'node:path';
import { DEFAULT_BUNDLE_DIR, writeWorkerBundle } from '../worker/bundle';
import { parseCliArgs, runCli } from './args';

const USAGE = `usage: npm run range:worker:bundle [-- --out DIR]

Bundles server/worker/index.ts with esbuild into DIR/index.js plus libsodium's WebAssembly as
DIR/libsodium-sumo.wasm (default DIR: ${DEFAULT_BUNDLE_DIR}, which wrangler.toml's main points at).`;

runCli(async () => {
  const args = parseCliArgs({ out: { type: 'string' } }, USAGE);
  for (const path of await writeWorkerBundle(resolve(args.out ?? DEFAULT_BUNDLE_DIR))) console.log(`wrote ${path}`);
});
