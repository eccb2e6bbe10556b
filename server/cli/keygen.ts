/** `npm run range:keygen -- --out FILE [--force]`: a new range server secret key (mode 0600). */
import { resolve } from 'node:path';
import { writeKeyFile } from '../keys';
import { parseCliArgs, runCli, UsageError } from './args';

const USAGE = `usage: npm run range:keygen -- --out FILE [--force]

Writes a new ristretto255 secret key for the range server to FILE (mode 0600) and prints its public key,
which goes into the extension's pinned key. Keep FILE out of the data folder and out of git.
  --out FILE   where to write the key (refuses to overwrite)
  --force      replace an existing FILE`;

runCli(async () => {
  const args = parseCliArgs({ out: { type: 'string' }, force: { type: 'boolean' } }, USAGE);
  if (!args.out) throw new UsageError(`--out FILE is required\n\n${USAGE}`);
  const path = resolve(args.out);
  const key = await writeKeyFile(path, { force: args.force });
  console.log(`wrote ${path} (mode 0600)`);
  console.log(`public key: ${key.publicKeyText}`);
});
