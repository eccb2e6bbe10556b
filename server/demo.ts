import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { buildRange } from './builder/build';
import { loadBuildConfig } from './builder/config';
import { readKeyFile, writeKeyFile } from './keys';
import { MANIFEST_FILE } from './store';
import { deriveKeyPair } from './voprf';

/**
 * The built-in demo: a clearly fake "leak" of about 200,000 numbers in two datasets, generated once and
 * deterministically (seeded PRNG), built with a fixed demo key. Nothing here is real data: names are
 * 测试用户N / Test User N, ID numbers start with DEMO, emails end in .invalid.
 */

/** Bump when the generated data or its layout changes, so existing .demo folders are rebuilt. */
export const DEMO_GENERATOR_VERSION = 1;
/** Rows per dataset; the intl dataset repeats `overlap` numbers of the CN one (numbers in both). */
export interface DemoSize {
  cn: number;
  intl: number;
  overlap: number;
}
const DEFAULT_SIZE: DemoSize = { cn: 160_000, intl: 50_000, overlap: 10_000 };

export interface DemoData {
  dataDir: string;
  keyFile: string;
  publicKey: string;
  /** Two E.164 numbers that are in the demo leak: one only in the CN dataset, one in both. */
  exposedNumbers: [string, string];
  /** A valid E.164 number that is not in the demo leak. */
  cleanNumber: string;
}

interface DemoStamp extends DemoData {
  generatorVersion: number;
  size: DemoSize;
}

/** mulberry32: small, fast, deterministic; good enough for fake data (not for anything secret). */
function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CN_MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '156',
  '157',
  '158',
  '159',
  '166',
  '176',
  '177',
  '178',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
  '198',
  '199',
];
const US_AREA_CODES = ['201', '212', '213', '305', '312', '415', '512', '617', '646', '702', '718', '917'];
const STATUSES = ['已放款', '审核中', '已拒绝', '已逾期', '已结清'];

function digits(random: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random() * 10);
  return out;
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function isValidNumber(e164: string): boolean {
  return parsePhoneNumberFromString(e164)?.isValid() === true;
}

function createCnNumber(random: () => number): string {
  for (;;) {
    const e164 = `+86${pick(random, CN_MOBILE_PREFIXES)}${digits(random, 8)}`;
    if (isValidNumber(e164)) return e164;
  }
}

function createIntlNumber(random: () => number): string {
  for (;;) {
    const kind = random();
    let e164: string;
    if (kind < 0.6) e164 = `+1${pick(random, US_AREA_CODES)}${2 + Math.floor(random() * 8)}${digits(random, 6)}`;
    else if (kind < 0.85) e164 = `+447${7 + Math.floor(random() * 3)}${digits(random, 8)}`;
    else e164 = `+852${pick(random, ['5', '6', '9'])}${digits(random, 7)}`;
    if (isValidNumber(e164)) return e164;
  }
}

/** How the CN leak writes a number: mostly bare 11 digits, sometimes spaced, with +86 or 86-. */
function formatCn(e164: string, random: () => number): string {
  const national = e164.slice(3);
  const style = random();
  if (style < 0.7) return national;
  if (style < 0.8) return `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
  if (style < 0.9) return `+86 ${national}`;
  return `86-${national}`;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const stream = createWriteStream(path, 'utf8');
  for (const line of lines) {
    if (!stream.write(line)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

interface GeneratedLeak {
  cnOnly: string;
  inBoth: string;
  clean: string;
}

async function generateLeak(dir: string, size: DemoSize): Promise<GeneratedLeak> {
  const random = createPrng(20190605);
  const cnNumbers: string[] = [];
  const cnSet = new Set<string>();
  while (cnNumbers.length < size.cn) {
    const e164 = createCnNumber(random);
    if (cnSet.has(e164)) continue;
    cnSet.add(e164);
    cnNumbers.push(e164);
  }
  function* cnRows(): Generator<string> {
    yield '姓名,手机号,身份证,借款金额,审批状态\n';
    for (let i = 0; i < cnNumbers.length; i++) {
      const n = i + 1;
      // A few broken rows, as real leaks have, so the build report shows bad-row counting.
      const phone = n % 20_000 === 0 ? '未知' : formatCn(cnNumbers[i] as string, random);
      const id = `DEMO${String(n).padStart(14, '0')}`;
      const amount = (Math.floor(random() * 100) + 5) * 100;
      yield `测试用户${n},${csvCell(phone)},${id},${amount},${pick(random, STATUSES)}\n`;
    }
  }
  await writeLines(join(dir, 'demo-cn-loan.csv'), cnRows());

  const intlNumbers: string[] = [];
  const intlSet = new Set<string>();
  while (intlNumbers.length < size.intl - size.overlap) {
    const e164 = createIntlNumber(random);
    if (intlSet.has(e164)) continue;
    intlSet.add(e164);
    intlNumbers.push(e164);
  }
  // Every 16th CN number also appears in the intl dataset.
  const overlap = cnNumbers.filter((_, i) => i % 16 === 1).slice(0, size.overlap);
  function* intlRows(): Generator<string> {
    yield 'name,phone,email,address\n';
    const all = [...intlNumbers, ...overlap];
    for (let i = 0; i < all.length; i++) {
      const n = i + 1;
      const e164 = all[i] as string;
      const address = `${n} Example Street, Demo City (fake)`;
      yield `Test User ${n},${e164},test${n}@example.invalid,${csvCell(address)}\n`;
    }
  }
  await writeLines(join(dir, 'demo-intl.csv'), intlRows());

  let clean: string;
  do clean = createCnNumber(random);
  while (cnSet.has(clean));
  // cnNumbers[0] is not in the overlap (which takes i % 16 === 1); cnNumbers[1] is.
  return { cnOnly: cnNumbers[0] as string, inBoth: cnNumbers[1] as string, clean };
}

/** The fixed demo key: RFC 9497 DeriveKeyPair from a public seed. It is a demo; anyone may know it. */
export function getDemoSecretKey(): Uint8Array {
  const seed = createHash('sha256').update('exposure-guard demo key v1').digest();
  return deriveKeyPair(new Uint8Array(seed), new TextEncoder().encode('demo')).secretKey;
}

async function readStamp(path: string): Promise<DemoStamp | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as DemoStamp;
  } catch {
    return null;
  }
}

/**
 * Makes sure the demo leak is generated and built in `dir` (default `.demo`), then describes it.
 * Cheap when already done with the same generator version.
 */
export async function ensureDemoData(
  dir = '.demo',
  options: { onProgress?: (message: string) => void /** Smaller leaks for tests. */; size?: DemoSize } = {},
): Promise<DemoData> {
  const size = options.size ?? DEFAULT_SIZE;
  const root = resolve(dir);
  const dataDir = join(root, 'range-data');
  const keyFile = join(root, 'keys', 'demo.key');
  const stampFile = join(root, 'demo.json');
  const stamp = await readStamp(stampFile);
  if (stamp?.generatorVersion === DEMO_GENERATOR_VERSION && JSON.stringify(stamp.size) === JSON.stringify(size)) {
    const manifest = await readFile(join(dataDir, MANIFEST_FILE), 'utf8').then(
      (text) => JSON.parse(text) as { publicKey?: string },
      () => null,
    );
    const key = await readKeyFile(keyFile).catch(() => null);
    if (manifest?.publicKey === stamp.publicKey && key?.publicKeyText === stamp.publicKey) {
      return {
        dataDir,
        keyFile,
        publicKey: stamp.publicKey,
        exposedNumbers: stamp.exposedNumbers,
        cleanNumber: stamp.cleanNumber,
      };
    }
  }

  const progress = options.onProgress ?? (() => {});
  const inputDir = join(root, 'leak');
  await mkdir(inputDir, { recursive: true });
  await mkdir(join(root, 'keys'), { recursive: true });
  progress('generating the fake demo leak');
  const leak = await generateLeak(inputDir, size);
  const key = await writeKeyFile(keyFile, { force: true, secretKey: getDemoSecretKey() });
  const configFile = join(root, 'build.json');
  await writeFile(
    configFile,
    `${JSON.stringify(
      {
        key: 'keys/demo.key',
        out: 'range-data',
        datasets: [
          {
            id: 'demo-cn-loan-2019',
            title: {
              en: 'Demo: fake loan-app leak (not real data)',
              'zh-CN': '演示：虚构的借贷 App 泄露（非真实数据）',
            },
            published: '2019-06-05',
            defaultCountry: 'CN',
            inputs: ['leak/demo-cn-loan.csv'],
          },
          {
            id: 'demo-intl-2021',
            title: {
              en: 'Demo: fake international leak (not real data)',
              'zh-CN': '演示：虚构的海外泄露（非真实数据）',
            },
            published: '2021-03-15',
            defaultCountry: 'US',
            inputs: ['leak/demo-intl.csv'],
          },
        ],
      },
      null,
      2,
    )}\n`,
  );
  progress('building the demo range data (about 200,000 numbers; takes a little while once)');
  await buildRange(await loadBuildConfig(configFile), {
    secretKey: key.secretKey,
    onProgress: progress,
    threads: Math.min(4, availableParallelism()),
  });
  const data: DemoData = {
    dataDir,
    keyFile,
    publicKey: key.publicKeyText,
    exposedNumbers: [leak.cnOnly, leak.inBoth],
    cleanNumber: leak.clean,
  };
  await writeFile(
    stampFile,
    `${JSON.stringify({ generatorVersion: DEMO_GENERATOR_VERSION, size, ...data }, null, 2)}\n`,
  );
  return data;
}
