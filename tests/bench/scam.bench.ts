/**
 * npm run bench:scam — throughput of the scam matcher with the full catalogue on mixed
 * Chinese/English text, beside a naive baseline measured in the same process: one RegExp
 * per catalogue rule (an alternation with one capture group per evidence group), run over
 * the same normalised text. Single-threaded, so MB/s is per core. MB = 10^6 UTF-8 bytes.
 * Prints a Markdown table for docs/BENCHMARKS.md.
 *
 *   npm run bench:scam
 *   SCAM_BENCH_MB=16 npm run bench:scam
 *   SCAM_BENCH_ROUNDS=7 npm run bench:scam   # best of 7: steadier on a shared, busy machine
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createScamMatcher, normalisedString, normaliseText, SCAM_CATALOGUE } from '@/utils/scam';
import { expandVariants } from '@/utils/scam/match';
import { normalisePhrase } from '@/utils/scam/normalise';

const NUMERALS = '零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟';
const CURRENCY_SOURCE = '港币|港元|人民币|美元|美金|新台币|台币|澳门币|日元|欧元|英镑';

const TARGET_MB = Number(process.env.SCAM_BENCH_MB ?? 8);
const CHUNK = 2000; // characters per checkText call: a long message or a page block
const ROUNDS = Number(process.env.SCAM_BENCH_ROUNDS ?? 3);

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = readFileSync(resolve(repoRoot, 'tests/fixtures/scam/messages.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { text: string; label: string });

// Deterministic shuffle so runs are comparable.
function shuffled<T>(items: T[], seed: number): T[] {
  const out = items.slice();
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Text of about TARGET_MB, made of fixture messages; `scamShare` of lines are scams. */
function buildCorpus(scamShare: number): string {
  const scams = fixtures.filter((f) => f.label === 'scam').map((f) => f.text);
  const benign = fixtures.filter((f) => f.label === 'benign').map((f) => f.text);
  const parts: string[] = [];
  let bytes = 0;
  let round = 0;
  while (bytes < TARGET_MB * 1e6) {
    const pool = shuffled(benign, ++round);
    for (const text of pool) {
      parts.push(text);
      bytes += Buffer.byteLength(text) + 1;
      if ((round * 7919 + parts.length) % 100 < scamShare * 100) {
        const scam = scams[(round * 31 + parts.length) % scams.length]!;
        parts.push(scam);
        bytes += Buffer.byteLength(scam) + 1;
      }
    }
  }
  return parts.join('\n');
}

function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK));
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The naive matcher: one RegExp per rule, each run over the whole normalised chunk. */
function createNaiveScanner() {
  // "#" (an amount) as the matcher reads it: optional currency word, then digits/numerals.
  const amount = `(?:${CURRENCY_SOURCE})?(?=[0-9 ${NUMERALS}]*(?:[0-9]|[${NUMERALS}] ?[${NUMERALS}]))[0-9 ${NUMERALS}]{1,16}`;
  const pieceSource = (piece: string) => escapeRegExp(normalisePhrase(piece.trim()));
  const phraseSource = (raw: string) => {
    const open = raw.endsWith('*');
    const text = open ? raw.slice(0, -1) : raw;
    const body = text
      .split(/(……|…|#)/)
      .filter((part) => part.trim())
      .map((part) => (part === '…' ? '.{0,8}' : part === '……' ? '.{0,24}' : part === '#' ? amount : pieceSource(part)))
      .join('');
    const latin = /^[a-z0-9]/.test(pieceSource(text.split(/……|…|#/)[0] ?? ''));
    return `${latin ? '\\b' : ''}${body}${latin && !open ? '\\b' : ''}`;
  };
  // The same spelling variants the matcher compiles in (ScamCatalogue.variants).
  const withVariants = (words: string[]) => words.flatMap((w) => expandVariants(w, SCAM_CATALOGUE.variants));
  const rules = SCAM_CATALOGUE.scripts.flatMap((script) =>
    script.rules.map((rule) => {
      const groups = rule.all.map((name) =>
        name.startsWith('@') ? SCAM_CATALOGUE.shared[name.slice(1)]! : script.groups[name]!,
      );
      const source = groups.map((words) => `(${withVariants(words).map(phraseSource).join('|')})`).join('|');
      return { script: script.id, groups: groups.length, regex: new RegExp(source, 'g') };
    }),
  );
  return {
    ruleCount: rules.length,
    scan(normalised: string): Set<string> {
      const fired = new Set<string>();
      for (const rule of rules) {
        const seen = new Set<number>();
        for (const match of normalised.matchAll(rule.regex)) {
          for (let g = 1; g <= rule.groups; g++) if (match[g] !== undefined) seen.add(g);
        }
        if (seen.size === rule.groups) fired.add(rule.script);
      }
      return fired;
    },
  };
}

function measure(label: string, work: () => void, bytes: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    work();
    best = Math.min(best, performance.now() - start);
  }
  const mbps = bytes / 1e6 / (best / 1000);
  results.push([label, `${(bytes / 1e6).toFixed(1)} MB`, `${best.toFixed(0)} ms`, `${mbps.toFixed(1)} MB/s`]);
  return mbps;
}

const results: string[][] = [];
const buildStart = performance.now();
const matcher = createScamMatcher();
const buildMs = performance.now() - buildStart;
const naive = createNaiveScanner();

const summary: string[] = [];
for (const [name, share] of [
  ['mostly ordinary text (5% scam lines)', 0.05],
  ['scam-heavy text (40% scam lines)', 0.4],
] as const) {
  const corpus = buildCorpus(share);
  const bytes = Buffer.byteLength(corpus);
  const pieces = chunks(corpus);
  const normalisedPieces = pieces.map((p) => normalisedString(normaliseText(p)));
  // Warm up both paths.
  for (const p of pieces.slice(0, 200)) matcher.checkText(p);
  for (const p of normalisedPieces.slice(0, 20)) naive.scan(p);

  const full = measure(
    `${name}: checkText (normalise + one-pass automaton + scoring)`,
    () => {
      for (const p of pieces) matcher.checkText(p);
    },
    bytes,
  );
  measure(
    `${name}: normalise only`,
    () => {
      for (const p of pieces) normaliseText(p);
    },
    bytes,
  );
  const naiveScan = measure(
    `${name}: naive one-RegExp-per-rule scan (${naive.ruleCount} RegExps, pre-normalised)`,
    () => {
      for (const p of normalisedPieces) naive.scan(p);
    },
    bytes,
  );
  summary.push(
    `${name}: checkText ${full.toFixed(1)} MB/s vs naive ${naiveScan.toFixed(1)} MB/s = ${(full / naiveScan).toFixed(1)}×`,
  );
}

console.log(
  `Catalogue ${SCAM_CATALOGUE.version}: ${SCAM_CATALOGUE.scripts.length} scripts; matcher compiled in ${buildMs.toFixed(0)} ms. Node ${process.version}, ${CHUNK}-character chunks, best of ${ROUNDS}.\n`,
);
console.log('| workload | size | time | throughput |');
console.log('| --- | --- | --- | --- |');
for (const r of results) console.log(`| ${r.join(' | ')} |`);
console.log('');
for (const line of summary) console.log(`- ${line}`);
