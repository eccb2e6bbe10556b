/** `npm run demo:data [-- --dir DIR]`: generate and build the fake demo leak (once) and print what to try. */
import { ensureDemoData } from '../demo';
import { parseCliArgs, runCli } from './args';

const USAGE = `usage: npm run demo:data [-- --dir DIR]

Generates the clearly fake demo leak (about 200,000 numbers) and builds it with the demo key, once;
later runs only print the details. Default DIR: .demo`;

runCli(async () => {
  const args = parseCliArgs({ dir: { type: 'string' } }, USAGE);
  const demo = await ensureDemoData(args.dir ?? '.demo', { onProgress: (m) => console.error(m) });
  console.log(`data: ${demo.dataDir}`);
  console.log(`key: ${demo.keyFile}`);
  console.log(`public key: ${demo.publicKey}`);
  console.log(`exposed: ${demo.exposedNumbers.join(', ')}`);
  console.log(`clean: ${demo.cleanNumber}`);
});
