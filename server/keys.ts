import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { KeyFileError, parseKey, type RangeKey, serializeKey } from './key-format';
import { generateKeyPair } from './voprf';

export { KEY_FILE_TYPE, KeyFileError, parseKey, type RangeKey, serializeKey } from './key-format';

export async function readKeyFile(path: string): Promise<RangeKey & { warnings: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyFileError(`key file not found: ${path}`);
    if (code === 'EISDIR') throw new KeyFileError(`key file is a folder: ${path}`);
    throw new KeyFileError(`cannot read key file ${path}: ${code ?? String(error)}`);
  }
  const key = parseKey(text, path);
  const warnings: string[] = [];
  const { mode } = await stat(path);
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    warnings.push(`key file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600`);
  }
  return { ...key, warnings };
}

/** Writes a new key file with mode 0600; refuses to replace an existing file unless `force`. */
export async function writeKeyFile(path: string, options: { force?: boolean; secretKey?: Uint8Array } = {}) {
  const secretKey = options.secretKey ?? generateKeyPair().secretKey;
  const flags = constants.O_WRONLY | constants.O_CREAT | (options.force ? constants.O_TRUNC : constants.O_EXCL);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, flags, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new KeyFileError(`${path} already exists; pass --force to replace it`);
    if (code === 'ENOENT') throw new KeyFileError(`folder of ${path} does not exist`);
    throw new KeyFileError(`cannot write ${path}: ${code ?? String(error)}`);
  }
  try {
    await handle.chmod(0o600); // an existing file replaced with --force keeps its old mode otherwise
    await handle.writeFile(serializeKey(secretKey));
  } finally {
    await handle.close();
  }
  return parseKey(serializeKey(secretKey));
}
