/**
 * npm run bench:log — the contact log with 100 000 contacts, in Node 20 on fake-indexeddb (the same Dexie
 * code the extension runs; IndexedDB itself is a JS implementation here, so storage figures are pessimistic
 * compared to a browser's native one). Prints a Markdown table for docs/BENCHMARKS.md.
 *
 *   npm run bench:log                # 100 000 contacts
 *   LOG_BENCH_CONTACTS=20000 npm run bench:log
 */
import 'fake-indexeddb/auto';
import { performance } from 'node:perf_hooks';
import { toSimplified } from '@/utils/chinese';
import { ExposureGuardDB } from '@/utils/db';
import { createLogCsv, createLogStore, type LogStore } from '@/utils/log';
import { createKdfParams, DEFAULT_KDF_COST, derivePassphraseKey } from '@/utils/log/crypto';
import { buildSearchIndex } from '@/utils/log/search';
import { makeContacts } from './log-data';

const COUNT = Number(process.env.LOG_BENCH_CONTACTS ?? 100_000);

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] as number };
}

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;

/** Types `text` one character at a time and times every keystroke's search. */
function typeQuery(store: LogStore, text: string, extra: Parameters<LogStore['search']>[0] = {}) {
  const samples: number[] = [];
  let total = 0;
  for (let i = 1; i <= text.length; i++) {
    const start = performance.now();
    // As the log page asks: the first page of 100 rows and the total.
    total = store.search({ limit: 100, ...extra, text: text.slice(0, i) }).total;
    samples.push(performance.now() - start);
  }
  return { samples, total };
}

/** Between phases, so one phase's garbage is not collected on the next one's clock (needs --expose-gc). */
function collect() {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main() {
  const rows: string[][] = [];
  const add = (what: string, figure: string, note = '') => {
    rows.push([what, figure, note]);
    console.error(`${what}: ${figure} ${note}`);
  };
  const now = Date.UTC(2025, 5, 1);
  let contacts = makeContacts(COUNT, now);
  const events = contacts.reduce((sum, contact) => sum + contact.count, 0);
  add('Generated log', `${COUNT.toLocaleString('en')} contacts`, `${events.toLocaleString('en')} events`);
  // A real number from the log, typed in another format than stored: "138 0013"-style digits search.
  const sample = contacts.find((contact) => contact.number.e164?.startsWith('+861'))?.number.e164 ?? '+8613800138000';
  const typedNumber = `${sample.slice(3, 6)} ${sample.slice(6, 10)}`;

  const [, indexMs] = await time(() => buildSearchIndex(contacts));
  add('Build the search index alone', ms(indexMs));
  // The index folds Traditional to Simplified Chinese; its share of the build, on the same texts.
  const texts = contacts.map((contact) =>
    [contact.name, contact.said, contact.demanded, contact.notes, ...contact.events.map((event) => event.said)]
      .join('\n')
      .normalize('NFKC')
      .toLowerCase(),
  );
  const [, foldMs] = await time(() => texts.map(toSimplified));
  add('Of which: Traditional→Simplified folding of the searchable text', ms(foldMs));
  const naive: number[] = [];
  for (const query of ['逾期', 'bank', '138']) {
    const start = performance.now();
    contacts.filter((contact) => JSON.stringify(contact).includes(query));
    naive.push(performance.now() - start);
  }
  const [, stringifyMs] = await time(() => JSON.stringify(contacts));

  const db = new ExposureGuardDB(`bench-${Date.now()}`);
  const [, seedMs] = await time(() => db.logContacts.bulkPut(contacts));
  add('Seed IndexedDB (bulkPut, setup)', ms(seedMs), 'fake-indexeddb: ~50 µs per row');
  contacts = [];
  collect();

  const store = createLogStore({ db, defaultCountry: 'CN' });
  const [, openMs] = await time(() => store.open());
  add('Open the log (read all rows + build index + default order)', ms(openMs));

  // Search as you type. The first query after load runs on a cold JIT; it is reported on its own.
  const warm = typeQuery(store, 'warm up 预热');
  add('First query after load (cold JIT), per keystroke', `max ${ms(stats(warm.samples).max)}`);
  const queries: [string, Parameters<LogStore['search']>[0]][] = [
    [typedNumber, {}],
    ['+86 170', {}],
    ['逾期', {}],
    ['通讯录', {}],
    // Traditional characters find the Simplified text (and would find Traditional text the same way).
    ['通訊錄', {}],
    ['貸款', {}],
    ['bank frozen', {}],
    ['王经理', { sort: 'name' }],
    ['验证码', { filters: { statuses: ['new', 'reported'], from: now - 180 * 86_400_000 } }],
  ];
  store.search({ sort: 'name' }); // the name order is built when the user picks that sort, not on a keystroke
  const all: number[] = [];
  const fresh: number[] = [];
  for (const [query, extra] of queries) {
    const { samples, total } = typeQuery(store, query, extra);
    all.push(...samples);
    const s = stats(samples);
    const label = `Typing "${query}"${Object.keys(extra).length ? ' (with filter/sort)' : ''}`;
    add(label, `median ${ms(s.median)}, max ${ms(s.max)}`, `${total.toLocaleString('en')} matches`);
    // Baseline in the same process: every keystroke as a fresh search (no narrowing from the previous one).
    for (let i = 1; i <= query.length; i++) {
      store.search({ text: '\u0001' });
      const start = performance.now();
      store.search({ limit: 100, ...extra, text: query.slice(0, i) });
      fresh.push(performance.now() - start);
    }
  }
  const overall = stats(all);
  add(
    '**Search per keystroke, all queries**',
    `**median ${ms(overall.median)}, p95 ${ms(overall.p95)}, max ${ms(overall.max)}**`,
    'target ≤ 30 ms',
  );
  const baseline = stats(fresh);
  add(
    'Baseline: the same keystrokes, each a fresh full scan',
    `median ${ms(baseline.median)}, p95 ${ms(baseline.p95)}, max ${ms(baseline.max)}`,
  );
  add('Baseline: naive JSON.stringify(contact).includes scan', `median ${ms(stats(naive).median)}`);
  collect();

  // Export.
  const [json, exportMs] = await time(() => store.exportJson());
  add('**Export JSON**', `**${ms(exportMs)}**`, `${(json.length / 1e6).toFixed(1)} MB; target ≤ 5 s`);
  add('Baseline: JSON.stringify of the raw records', ms(stringifyMs));
  const [csv, csvMs] = await time(() => createLogCsv(store.getLiveContacts()));
  add('Export CSV (one row per contact)', ms(csvMs), `${(csv.length / 1e6).toFixed(1)} MB`);
  collect();

  // Passphrase lock on the same log.
  const [, kdfMs] = await time(() =>
    derivePassphraseKey('a passphrase of some length', createKdfParams(DEFAULT_KDF_COST)),
  );
  add(
    `KDF scrypt N=2^${Math.log2(DEFAULT_KDF_COST.N)}, r=${DEFAULT_KDF_COST.r}, p=${DEFAULT_KDF_COST.p}`,
    ms(kdfMs),
    'once per unlock',
  );
  const [, lockMs] = await time(() => store.enableLock('a passphrase of some length'));
  add('Turn the lock on (seal every contact)', ms(lockMs), 'includes the KDF');
  store.lockNow();
  collect();
  const [, unlockMs] = await time(() => store.unlock('a passphrase of some length'));
  add('Unlock (KDF + decrypt all + index)', ms(unlockMs));
  typeQuery(store, 'warm up');
  const unlocked = typeQuery(store, typedNumber);
  add(`Search per keystroke when unlocked ("${typedNumber}")`, `max ${ms(stats(unlocked.samples).max)}`);
  store.lockNow();
  db.close();
  collect();

  // Import into a fresh profile, then the same file again (all merges, no new events).
  const target = createLogStore({ db: new ExposureGuardDB(`bench-import-${Date.now()}`), defaultCountry: 'CN' });
  await target.open();
  const [, parseMs] = await time(() => JSON.parse(json));
  collect();
  const [result, importMs] = await time(() => target.importText(json));
  add(
    '**Import JSON into an empty log**',
    `**${ms(importMs)}**`,
    `${result.created.toLocaleString('en')} contacts, ${result.eventsAdded.toLocaleString('en')} events; target ≤ 10 s`,
  );
  add('Baseline: JSON.parse of the file', ms(parseMs));
  collect();
  const [again, reimportMs] = await time(() => target.importText(json));
  add(
    'Import the same file again (merge by number, de-duplicate events)',
    ms(reimportMs),
    `${again.merged.toLocaleString('en')} merged, ${again.eventsAdded} new events`,
  );

  console.log(`\nNode ${process.version}, ${COUNT.toLocaleString('en')} contacts\n`);
  console.log('| What | Figure | Note |\n| --- | --- | --- |');
  for (const [what, figure, note] of rows) console.log(`| ${what} | ${figure} | ${note} |`);
}

await main();
