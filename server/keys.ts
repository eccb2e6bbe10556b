import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { decodeBase64Url, encodeBase64Url, SUITE } from '@/utils/exposure/protocol';
import { generateKeyPair, getPublicKey, isValidSecretKey } from './voprf';

/**
 * The range server's secret key file: JSON with the base64url scalar and, for checking, its public key.
 * Written with mode 0600 and never placed in a data folder.
 */
export const KEY_FILE_TYPE = 'exposure-guard-range-key';

export interface RangeKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** base64url public key, as it appears in manifests and the extension's pinned key. */
  publicKeyText: string;
}

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

export function serializeKey(secretKey: Uint8Array): string {
  const publicKey = getPublicKey(secretKey);
  return `${JSON.stringify(
    {
      type: KEY_FILE_TYPE,
      suite: SUITE,
      secretKey: encodeBase64Url(secretKey),
      publicKey: encodeBase64Url(publicKey),
      created: new Date().toISOString(),
    },
    null,
    2,
  )}\n`;
}

export function parseKey(text: string, source = 'key file'): RangeKey {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyFileError(`${source} is not a range key file (not JSON)`);
  }
  const data = json as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null || data.type !== KEY_FILE_TYPE) {
    throw new KeyFileError(`${source} is not a range key file (made with npm run range:keygen)`);
  }
  if (data.suite !== SUITE) throw new KeyFileError(`${source} is for suite ${String(data.suite)}, not ${SUITE}`);
  let secretKey: Uint8Array;
  try {
    secretKey = decodeBase64Url(String(data.secretKey));
  } catch {
    throw new KeyFileError(`${source}: secretKey is not base64url`);
  }
  if (!isValidSecretKey(secretKey)) throw new KeyFileError(`${source}: secretKey is not a valid ristretto255 scalar`);
  const publicKey = getPublicKey(secretKey);
  const publicKeyText = encodeBase64Url(publicKey);
  if (data.publicKey !== undefined && data.publicKey !== publicKeyText) {
    throw new KeyFileError(`${source}: publicKey does not belong to secretKey (file damaged or edited?)`);
  }
  return { secretKey, publicKey, publicKeyText };
}

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
