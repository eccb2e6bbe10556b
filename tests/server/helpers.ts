import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import type { Hono } from 'hono';
import type { Manifest } from '@/utils/exposure/manifest';
import {
  decodeBase64Url,
  decodeEntryMeta,
  ENTRY_SIZE,
  encodeBase64Url,
  findEntryIndex,
  getBucketPrefix,
  TAG_SIZE,
} from '@/utils/exposure/protocol';

/** Sends one request to a range service: a Hono app in process, or a server over HTTP. */
export type RangeRequest = (path: string, init?: RequestInit) => Promise<Response>;

/** A minimal protocol client (noble, as the extension does) for checking a number against an app. */
export async function checkNumber(
  app: Hono | RangeRequest,
  e164: string,
  env?: unknown,
): Promise<{ found: false } | { found: true; datasetBits: number; fieldBits: number }> {
  const request: RangeRequest = typeof app === 'function' ? app : async (path, init) => app.request(path, init, env);
  const manifest = (await (await request('/v1/manifest')).json()) as Manifest;
  const input = new TextEncoder().encode(e164);
  const blind = ristretto255_oprf.voprf.blind(input);
  const [bucketResponse, evaluateResponse] = await Promise.all([
    request(`/v1/range/${manifest.version}/${getBucketPrefix(e164, manifest.prefixBits)}`),
    request('/v1/evaluate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blinded: [encodeBase64Url(blind.blinded)] }),
    }),
  ]);
  if (bucketResponse.status !== 200) throw new Error(`bucket ${bucketResponse.status}`);
  if (evaluateResponse.status !== 200) throw new Error(`evaluate ${evaluateResponse.status}`);
  const bucket = new Uint8Array(await bucketResponse.arrayBuffer());
  if (bucket.length !== manifest.bucketSize * ENTRY_SIZE) throw new Error('bucket has the wrong size');
  const { evaluated, proof } = (await evaluateResponse.json()) as { evaluated: string[]; proof: string };
  const output = ristretto255_oprf.voprf.finalize(
    input,
    blind.blind,
    decodeBase64Url(evaluated[0] as string),
    blind.blinded,
    decodeBase64Url(manifest.publicKey),
    decodeBase64Url(proof),
  );
  const index = findEntryIndex(bucket, output.subarray(0, TAG_SIZE));
  if (index < 0) return { found: false };
  return { found: true, ...decodeEntryMeta(bucket.subarray(index * ENTRY_SIZE, (index + 1) * ENTRY_SIZE), output) };
}

export function blindedElement(e164 = '+8613800138000'): string {
  return encodeBase64Url(ristretto255_oprf.voprf.blind(new TextEncoder().encode(e164)).blinded);
}

/** The env @hono/node-server passes, with a chosen remote address (for the rate limiter). */
export function fromAddress(remoteAddress: string) {
  return { incoming: { socket: { remoteAddress } } };
}
