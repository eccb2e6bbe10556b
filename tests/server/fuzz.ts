/**
 * Malformed requests for the range API, from a seeded generator so a failure can be replayed: paths,
 * methods, headers and bodies, mixed with a few valid requests. Used by tests/server/faults.test.ts.
 */

/** mulberry32: a small seeded PRNG (quality is irrelevant here; reproducibility is the point). */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  return { next, int, pick, bytes };
}
export type Random = ReturnType<typeof createRandom>;

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** Error codes the contract (docs/PROTOCOL.md) allows for each status. */
export const ALLOWED_ERRORS: Record<number, readonly string[]> = {
  400: [
    'malformed_json',
    'malformed_request',
    'bad_element_count',
    'bad_base64',
    'bad_element',
    'bad_version',
    'bad_prefix',
  ],
  404: ['not_found', 'unknown_version'],
  405: ['method_not_allowed'],
  413: ['body_too_large'],
  415: ['unsupported_media_type'],
  429: ['rate_limited'],
};
export const ALLOWED_STATUSES = new Set([200, 204, ...Object.keys(ALLOWED_ERRORS).map(Number)]);

// Methods both HTTP parsers know; unknown ones are refused below the app (see the raw-socket cases).
const METHODS = [
  'GET',
  'GET',
  'HEAD',
  'POST',
  'POST',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'PROPFIND',
  'PURGE',
  'SEARCH',
];
const SEGMENTS = [
  'v1',
  'v2',
  'range',
  'manifest',
  'evaluate',
  '',
  '.',
  '..',
  '%2e%2e',
  '%2F',
  '%00',
  '%zz',
  '%',
  'ü',
  '%F0%9F%98%80',
  'index.html',
  'SHA256SUMS',
  'manifest.json',
  '00',
  'ff',
  'FF',
  '0',
  '000',
  'g0',
  '-1',
  'x'.repeat(70),
  'a'.repeat(2000),
  '{}',
  '*',
  ';',
  '@',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/jsonx',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
  '*/*',
  'application/json; charset=latin1',
];

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function randomBase64(random: Random, length: number): string {
  return Buffer.from(random.bytes(length)).toString('base64url');
}

/** A JSON-ish body: broken syntax, wrong shapes, wrong element types, encodings and sizes. */
function body(random: Random, validElements: readonly string[]): Uint8Array {
  const element = () =>
    random.pick<() => unknown>([
      () => random.pick(validElements),
      () => `${random.pick(validElements)}=`,
      () => randomBase64(random, random.int(40)),
      () => randomBase64(random, 32),
      () => 'A'.repeat(43),
      () => '_'.repeat(43),
      () => random.int(1000),
      () => null,
      () => ({ blinded: 'x' }),
      () => ['nested'],
      () => '',
      () => 'ü'.repeat(43),
    ])();
  switch (random.int(14)) {
    case 0:
      return random.bytes(random.int(300));
    case 1:
      return text(`{"blinded": [${'"'.repeat(random.int(3))}`);
    case 2:
      return text(JSON.stringify({ blinded: Array.from({ length: random.int(40) }, element) }));
    case 3:
      return text(JSON.stringify({ blinded: Array.from({ length: 1 + random.int(3) }, element) }));
    case 4:
      return text(random.pick(['null', '[]', '{}', '0', '"blinded"', 'true', '{"blinded": {}}', '{"blinded": null}']));
    case 5:
      return text(`${'['.repeat(3000)}${']'.repeat(3000)}`);
    case 6:
      return text(
        JSON.stringify({ blinded: [random.pick(validElements)], padding: 'x'.repeat(4000 + random.int(200)) }),
      );
    case 7:
      return new Uint8Array(random.pick([4096, 4097, 65536, 300_000]));
    case 8:
      return Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d); // not UTF-8
    case 9:
      return new Uint8Array(0);
    case 10:
      return text(JSON.stringify({ Blinded: [random.pick(validElements)] }));
    case 11:
      return text(`\uFEFF${JSON.stringify({ blinded: [random.pick(validElements)] })}`);
    case 12:
      return text(JSON.stringify({ blinded: [random.pick(validElements)], extra: random.int(10) }));
    default:
      return text(JSON.stringify({ blinded: [random.pick(validElements)] }));
  }
}

function path(random: Random, version: string): string {
  const roll = random.int(10);
  if (roll < 4) {
    // The evaluate endpoint carries the interesting bodies.
    return random.int(4) === 0
      ? random.pick(['/v1/evaluate/', '/v1/evaluate?debug=1', '//v1/evaluate', '/v1/evaluate/x', '/V1/EVALUATE'])
      : '/v1/evaluate';
  }
  if (roll < 6) {
    return random.int(2) === 0
      ? `/v1/range/${version}/${random.pick(['00', 'ff', '7a', '0', '000', 'ZZ', 'fF', '00?x=1', '00/extra', ''])}`
      : `/v1/range/${random.pick([version, version.toLowerCase(), `${version}x`, 'a'.repeat(65), 'v.1', '%41', ''])}/00`;
  }
  if (roll < 7)
    return random.pick(['/v1/manifest', '/v1/manifest/', '/v1/manifest?x=1', '/V1/MANIFEST', '/v1//manifest']);
  const segments = Array.from({ length: 1 + random.int(5) }, () => random.pick(SEGMENTS));
  return `/${segments.join('/')}${random.int(4) === 0 ? `?${random.pick(SEGMENTS)}=${random.pick(SEGMENTS)}` : ''}`;
}

function headers(random: Random): Record<string, string> {
  const result: Record<string, string> = {};
  if (random.int(5) !== 0) result['content-type'] = random.pick(CONTENT_TYPES);
  if (random.int(4) === 0) result.origin = random.pick(['chrome-extension://abc', 'null', 'https://evil.example', '*']);
  if (random.int(5) === 0) result['access-control-request-method'] = random.pick(METHODS);
  if (random.int(6) === 0) result['access-control-request-headers'] = random.pick(['content-type', 'x-foo', '*', '']);
  if (random.int(8) === 0) result['content-encoding'] = random.pick(['gzip', 'br', 'identity', 'x']);
  if (random.int(8) === 0) result.range = random.pick(['bytes=0-15', 'bytes=-1', 'bytes=99999-', 'nonsense']);
  if (random.int(8) === 0) result['if-none-match'] = random.pick(['*', '"x"', 'W/"y"']);
  if (random.int(10) === 0) result['x-forwarded-for'] = random.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1', '']);
  if (random.int(10) === 0) result['cf-connecting-ip'] = random.pick(['203.0.113.5', 'not an ip', '']);
  if (random.int(10) === 0) result.accept = random.pick(['*/*', 'text/html', 'application/octet-stream']);
  if (random.int(12) === 0) result[`x-fuzz-${random.int(100)}`] = 'v'.repeat(random.int(4000));
  return result;
}

/** One request; `validElements` are real blinded elements, so some requests are well-formed. */
export function createFuzzRequest(random: Random, version: string, validElements: readonly string[]): FuzzRequest {
  const target = path(random, version);
  // Mostly the endpoint's own method, so requests get past the 405 and into the handlers.
  const own = target.startsWith('/v1/evaluate') ? 'POST' : random.pick(['GET', 'HEAD']);
  const method = random.int(4) === 0 ? random.pick(METHODS) : own;
  const request: FuzzRequest = { method, path: target, headers: headers(random) };
  // fetch refuses a body on GET and HEAD.
  if (method !== 'GET' && method !== 'HEAD' && random.int(5) !== 0) request.body = body(random, validElements);
  return request;
}
