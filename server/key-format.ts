import { decodeBase64Url, encodeBase64Url, SUITE } from '@/utils/exposure/protocol';
import { getPublicKey, isValidSecretKey } from './voprf';

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
