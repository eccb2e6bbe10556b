/** `npm run range:build -- --config FILE`: build range data from leaked files (see docs/PROTOCOL.md). */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { buildRange, formatBuildReport } from '../builder/build';
import { loadBuildConfig } from '../builder/config';
import { readKeyFile } from '../keys';
import { parseCliArgs, parseIntegerFlag, runCli, UsageError } from './args';

const DEFAULT_THREADS = Math.min(4, availableParallelism());

const USAGE = `usage: npm run range:build -- --config FILE [--threads N] [--quiet] [--work-dir DIR]

Reads the datasets named in the config JSON (CSV/TSV/XLSX/TXT), normalises and de-duplicates the numbers,
evaluates them under the secret key and writes manifest.json, SHA256SUMS and buckets/ to "out",
replacing the previous build only when the new one is complete. Paths in the config are relative to it.
  --config FILE    build config, e.g.
                   {"key": "keys/demo.key", "out": "range-data", "prefixBits": 12,
                    "datasets": [{"id": "cn-loan-2019", "title": {"en": "…", "zh-CN": "…"},
                                  "published": "2019-06-05", "defaultCountry": "CN",
                                  "inputs": ["leak.csv"], "phoneColumn": "手机号", "fields": ["name"]}]}
  --threads N      worker threads for the OPRF evaluation (default ${DEFAULT_THREADS}; 1 = main thread only)
  --work-dir DIR   where partition files go while building (default: beside "out")
  --quiet          print only the summary`;

runCli(async () => {
  const args = parseCliArgs(
    {
      config: { type: 'string' },
      threads: { type: 'string' },
      quiet: { type: 'boolean' },
      'work-dir': { type: 'string' },
    },
    USAGE,
  );
  if (!args.config) throw new UsageError(`--config FILE is required\n\n${USAGE}`);
  const threads = parseIntegerFlag(args.threads, 'threads', 1, 64) ?? DEFAULT_THREADS;
  const config = await loadBuildConfig(resolve(args.config));
  const key = await readKeyFile(config.key);
  for (const warning of key.warnings) console.error(`warning: ${warning}`);
  const report = await buildRange(config, {
    secretKey: key.secretKey,
    workDir: args['work-dir'],
    threads,
    onProgress: args.quiet ? undefined : (message) => console.error(message),
  });
  console.log(formatBuildReport(report));
  // Read by the benchmark: peak memory and CPU time of this process.
  const usage = process.resourceUsage();
  console.log(`peak RSS: ${(usage.maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`cpu: ${((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(1)} s`);
});
