import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A user mistake on the command line or in a file: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  options: T,
  usage: string,
  argv = process.argv.slice(2),
) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

export function parseIntegerFlag(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
}

/**
 * Runs a CLI main: known errors (usage, config, key, input, build) print as `error: …` with exit code 2;
 * anything else is a bug and keeps its stack.
 */
export function runCli(main: () => Promise<void>, knownErrors: string[] = []): void {
  const known = new Set(['UsageError', 'ConfigError', 'KeyFileError', 'BuildError', 'InputError', ...knownErrors]);
  main().catch((error: unknown) => {
    if (error instanceof Error && known.has(error.name)) {
      console.error(`error: ${error.message}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  });
}
