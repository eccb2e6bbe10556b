import { toSimplified } from '@/utils/chinese';
import {
  type Channel,
  CONTACT_STATUSES,
  type ContactStatus,
  getRiskRank,
  type LogContact,
  RISK_LEVELS,
  type RiskLevel,
} from './model';
import { getDigits } from './number';

/**
 * In-memory search over the whole log. Contacts are few enough (100 000 fit in tens of megabytes) that a
 * linear substring scan over one precomputed string per contact beats any token index: it matches Chinese
 * without word segmentation, finds digits across number formats, and stays well under a keystroke's
 * budget. It also works unchanged on an encrypted log once it is decrypted into memory on unlock.
 */

export interface LogFilters {
  statuses?: readonly ContactStatus[];
  /** Any event on one of these channels. */
  channels?: readonly Channel[];
  risks?: readonly RiskLevel[];
  /** Any of these scam script ids (the matcher's categories). */
  scripts?: readonly string[];
  tags?: readonly string[];
  /** Any event at or after `from` and at or before `to` (ms since epoch). */
  from?: number;
  to?: number;
}

export const LOG_SORTS = ['last', 'first', 'count', 'risk', 'name'] as const;
export type LogSort = (typeof LOG_SORTS)[number];

export interface LogQuery {
  text?: string;
  filters?: LogFilters;
  sort?: LogSort;
  /** Default: descending for dates, count and risk; ascending for name. */
  descending?: boolean;
  /** Return at most this many ids (the first page); `total` still counts every match. */
  limit?: number;
}

export interface LogSearchResult {
  /** Matching contact ids in sort order (at most `limit`). */
  ids: string[];
  total: number;
}

interface IndexEntry {
  id: string;
  /** Digit strings of every form of the number, joined with "|". */
  digits: string;
  /** Everything searchable as text, folded by foldText. */
  text: string;
  name: string;
  status: ContactStatus;
  risk: RiskLevel;
  channels: Channel[];
  scripts: string[];
  tags: string[];
  eventTimes: number[];
  firstAt: number;
  lastAt: number;
  count: number;
}

/**
 * Text and queries are folded alike: NFKC (full-width letters and digits), lower case, and Traditional to
 * Simplified Chinese with the scam matcher's table, so a search for 貸款 finds 贷款 and the reverse.
 */
function foldText(text: string): string {
  return toSimplified(text.normalize('NFKC').toLowerCase());
}

const NUMBER_LIKE = /^[+\d\s\-()./]+$/;

function createEntry(contact: LogContact): IndexEntry {
  const digitForms = new Set<string>();
  const addDigits = (value: string | null) => {
    const digits = value ? getDigits(value) : '';
    if (digits) digitForms.add(digits);
  };
  addDigits(contact.number.e164);
  addDigits(contact.number.national);
  addDigits(contact.number.input);
  for (const input of contact.numberInputs) addDigits(input);

  const parts: string[] = [contact.name, contact.said, contact.demanded, contact.notes, contact.number.input];
  for (const input of contact.numberInputs) parts.push(input);
  if (contact.number.e164) parts.push(contact.number.e164);
  for (const tag of contact.tags) parts.push(tag);
  const channels = new Set<Channel>([contact.channel]);
  const eventTimes: number[] = [];
  for (const event of contact.events) {
    if (event.deletedAt !== null) continue;
    if (event.said && event.said !== contact.said) parts.push(event.said);
    if (event.demanded && event.demanded !== contact.demanded) parts.push(event.demanded);
    channels.add(event.channel);
    eventTimes.push(event.at);
  }
  for (const attachment of contact.attachments) if (attachment.deletedAt === null) parts.push(attachment.name);
  eventTimes.sort((a, b) => a - b);
  return {
    id: contact.id,
    digits: [...digitForms].join('|'),
    // "\n" between fields so a query never matches across the end of one field and the start of the next.
    text: foldText(parts.filter(Boolean).join('\n')),
    name: contact.name,
    status: contact.status,
    risk: contact.risk,
    channels: [...channels],
    scripts: contact.scripts,
    tags: contact.tags,
    eventTimes,
    firstAt: contact.firstAt,
    lastAt: contact.lastAt,
    count: contact.count,
  };
}

interface Term {
  text: string;
  /** Digit forms to look for in the number when the term looks like (part of) a number. */
  digits: string[];
}

function parseQuery(query: string): Term[] {
  // Control characters are not searchable text: they count as spaces.
  const folded = foldText(query)
    .replace(/\p{Cc}/gu, ' ')
    .trim();
  if (!folded) return [];
  const numberTerm = (raw: string): Term => {
    const digits = getDigits(raw);
    const forms = digits ? [digits] : [];
    // "0086 138…" or "00 86…": the international prefix is not part of the stored E.164 digits.
    if (digits.startsWith('00') && digits.length > 2) forms.push(digits.slice(2));
    return { text: raw, digits: forms };
  };
  // A whole query that looks like a number is one number, however it is spaced ("138 0013").
  if (NUMBER_LIKE.test(folded) && /\d/.test(folded)) return [numberTerm(folded)];
  // Otherwise every whitespace-separated part must match somewhere (substring, so Chinese needs no spaces).
  return folded
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => (NUMBER_LIKE.test(part) && /\d/.test(part) ? numberTerm(part) : { text: part, digits: [] }));
}

function matchesTerm(entry: IndexEntry, term: Term): boolean {
  for (const digits of term.digits) if (entry.digits.includes(digits)) return true;
  return entry.text.includes(term.text);
}

function hasAny<T>(values: readonly T[], wanted: ReadonlySet<T>): boolean {
  for (const value of values) if (wanted.has(value)) return true;
  return false;
}

/** Whether any of the sorted times falls inside [from, to]. */
function hasTimeIn(times: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < times.length && (times[lo] as number) <= to;
}

/** Per-position copies of what the common filters read, so a filter walk over the whole log reads typed
 * arrays in order instead of chasing 100 000 entry objects around the heap. */
interface Columns {
  status: Uint8Array;
  risk: Uint8Array;
  /** Earliest and latest live event (NaN without events). */
  eventMin: Float64Array;
  eventMax: Float64Array;
}

const STATUS_CODE = new Map<ContactStatus, number>(CONTACT_STATUSES.map((value, i) => [value, i]));
const RISK_CODE = new Map<RiskLevel, number>(RISK_LEVELS.map((value, i) => [value, i]));

function createColumns(capacity: number, from?: Columns): Columns {
  const columns: Columns = {
    status: new Uint8Array(capacity),
    risk: new Uint8Array(capacity),
    eventMin: new Float64Array(capacity),
    eventMax: new Float64Array(capacity),
  };
  if (from) {
    columns.status.set(from.status);
    columns.risk.set(from.risk);
    columns.eventMin.set(from.eventMin);
    columns.eventMax.set(from.eventMax);
  }
  return columns;
}

/** A 0/1 table by code, or null when the filter lets everything through. */
function createCodeMask<T>(wanted: readonly T[] | undefined, codes: ReadonlyMap<T, number>): Uint8Array | null {
  if (!wanted?.length) return null;
  const mask = new Uint8Array(codes.size);
  for (const value of wanted) {
    const code = codes.get(value);
    if (code !== undefined) mask[code] = 1;
  }
  return mask;
}

type FilterCheck = (position: number) => boolean;

/** One function over precomputed tables (no per-entry closures): it runs for every match on every keystroke. */
function createFilterCheck(
  filters: LogFilters | undefined,
  entries: readonly (IndexEntry | null)[],
  columns: Columns,
): FilterCheck | null {
  if (!filters) return null;
  const statuses = createCodeMask(filters.statuses, STATUS_CODE);
  const risks = createCodeMask(filters.risks, RISK_CODE);
  const channels = filters.channels?.length ? new Set(filters.channels) : null;
  const scripts = filters.scripts?.length ? new Set(filters.scripts) : null;
  const tags = filters.tags?.length ? new Set(filters.tags) : null;
  const timed = filters.from !== undefined || filters.to !== undefined;
  const from = filters.from ?? Number.NEGATIVE_INFINITY;
  const to = filters.to ?? Number.POSITIVE_INFINITY;
  if (!statuses && !risks && !channels && !scripts && !tags && !timed) return null;
  const { status, risk, eventMin, eventMax } = columns;
  return (i) => {
    if (statuses && statuses[status[i] as number] !== 1) return false;
    if (risks && risks[risk[i] as number] !== 1) return false;
    if (timed) {
      const first = eventMin[i] as number;
      const last = eventMax[i] as number;
      // NaN (no events) fails both comparisons below and the range test.
      if (!(last >= from && first <= to)) return false;
      // Only a contact whose events straddle an end of the range needs its event list searched.
      if ((first < from || last > to) && !hasTimeIn((entries[i] as IndexEntry).eventTimes, from, to)) return false;
    }
    if (!channels && !scripts && !tags) return true;
    const entry = entries[i] as IndexEntry;
    return (
      (!channels || hasAny(entry.channels, channels)) &&
      (!scripts || hasAny(entry.scripts, scripts)) &&
      (!tags || hasAny(entry.tags, tags))
    );
  };
}

export interface LogSearchIndex {
  /** Adds or replaces a contact; deleted contacts (deletedAt set) are removed. */
  upsert(contact: LogContact): void;
  /** Many at once (loading, importing): cheaper than one by one, as sort orders are rebuilt once. */
  upsertMany(contacts: Iterable<LogContact>): void;
  remove(id: string): void;
  clear(): void;
  /** Builds a sort order ahead of the first keystroke (it is kept up to date afterwards). */
  prepare(sort?: LogSort): void;
  readonly size: number;
  search(query: LogQuery): LogSearchResult;
}

/** Above this many changes at once, sort orders are rebuilt instead of updated one insertion at a time. */
const BULK_CHANGE = 200;

/** The in-memory search index; build it with all live contacts, then keep it current with upsert/remove. */
export function createSearchIndex(language = 'zh-CN'): LogSearchIndex {
  const entries: (IndexEntry | null)[] = [];
  let columns = createColumns(0);
  const positions = new Map<string, number>();
  let free: number[] = [];
  let version = 0;
  // Sorted positions per sort key, built on first use and then updated in place on every change, so a
  // keystroke never pays for a sort.
  let sortCache = new Map<LogSort, number[]>();
  // As-you-type: a query that extends the previous one only needs to look at the previous matches.
  let previous: { version: number; text: string; terms: Term[]; matches: Int32Array } | null = null;
  const collator = new Intl.Collator(language, { sensitivity: 'base', numeric: true });

  const at = (i: number) => entries[i] as IndexEntry;
  // Ascending by the key, then by last contact among equals, so the order is stable and meaningful.
  const byLast = (a: number, b: number) => at(a).lastAt - at(b).lastAt || a - b;
  const compare: Record<LogSort, (a: number, b: number) => number> = {
    last: byLast,
    first: (a, b) => at(a).firstAt - at(b).firstAt || byLast(a, b),
    count: (a, b) => at(a).count - at(b).count || byLast(a, b),
    risk: (a, b) => getRiskRank(at(a).risk) - getRiskRank(at(b).risk) || byLast(a, b),
    name: (a, b) => collator.compare(at(a).name, at(b).name) || byLast(a, b),
  };

  function removeFromOrders(position: number) {
    for (const order of sortCache.values()) {
      const k = order.indexOf(position);
      if (k >= 0) order.splice(k, 1);
    }
  }

  function insertIntoOrders(position: number) {
    for (const [sort, order] of sortCache) {
      const cmp = compare[sort];
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cmp(order[mid] as number, position) <= 0) lo = mid + 1;
        else hi = mid;
      }
      order.splice(lo, 0, position);
    }
  }

  function removeEntry(id: string, keepOrders: boolean) {
    const position = positions.get(id);
    if (position === undefined) return;
    if (keepOrders) removeFromOrders(position);
    entries[position] = null;
    positions.delete(id);
    free.push(position);
  }

  function setEntry(contact: LogContact, keepOrders: boolean) {
    if (contact.deletedAt !== null) {
      removeEntry(contact.id, keepOrders);
      return;
    }
    const entry = createEntry(contact);
    let position = positions.get(contact.id);
    if (position !== undefined) {
      if (keepOrders) removeFromOrders(position);
      entries[position] = entry;
    } else {
      position = free.pop() ?? entries.length;
      entries[position] = entry;
      positions.set(contact.id, position);
    }
    if (position >= columns.status.length) columns = createColumns(Math.max(64, entries.length * 2), columns);
    columns.status[position] = STATUS_CODE.get(entry.status) ?? 0;
    columns.risk[position] = RISK_CODE.get(entry.risk) ?? 0;
    const times = entry.eventTimes;
    columns.eventMin[position] = times.length ? (times[0] as number) : Number.NaN;
    columns.eventMax[position] = times.length ? (times[times.length - 1] as number) : Number.NaN;
    if (keepOrders) insertIntoOrders(position);
  }

  function changed(ordersKept: boolean) {
    version++;
    previous = null;
    if (!ordersKept) sortCache = new Map();
  }

  function getSortOrder(sort: LogSort): number[] {
    const cached = sortCache.get(sort);
    if (cached) return cached;
    const order: number[] = [];
    for (let i = 0; i < entries.length; i++) if (entries[i]) order.push(i);
    order.sort(compare[sort]);
    sortCache.set(sort, order);
    return order;
  }

  // Two match buffers used in turn (this keystroke's matches are read from the other one), so typing
  // allocates nothing in proportion to the log.
  let buffers: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];
  let current = 0;

  function findTextMatches(text: string): Int32Array | null {
    const terms = parseQuery(text);
    if (terms.length === 0) {
      previous = null;
      return null;
    }
    const key = foldText(text).trim();
    if (buffers[0].length < entries.length) {
      buffers = [new Int32Array(entries.length * 2), new Int32Array(entries.length * 2)];
      previous = null;
    }
    const narrowFrom = previous && canNarrow(previous, key, terms) ? previous.matches : null;
    current = 1 - current;
    const out = buffers[current] as Int32Array;
    let n = 0;
    const count = narrowFrom ? narrowFrom.length : entries.length;
    for (let k = 0; k < count; k++) {
      const i = narrowFrom ? (narrowFrom[k] as number) : k;
      const entry = entries[i];
      if (!entry) continue;
      let all = true;
      for (const term of terms) {
        if (!matchesTerm(entry, term)) {
          all = false;
          break;
        }
      }
      if (all) out[n++] = i;
    }
    const matches = out.subarray(0, n);
    previous = { version, text: key, terms, matches };
    return matches;
  }

  // Narrowing to the previous matches is sound only when the query just grew at its end and each earlier
  // term kept its kind (a "+" that became "+8" turns from a text term into a number term).
  function canNarrow(last: { version: number; text: string; terms: Term[] }, key: string, terms: Term[]): boolean {
    if (last.version !== version || !key.startsWith(last.text) || terms.length < last.terms.length) return false;
    return last.terms.every((term, i) => term.digits.length > 0 === (terms[i] as Term).digits.length > 0);
  }

  let marks = new Uint8Array(0);

  return {
    upsert(contact) {
      setEntry(contact, true);
      changed(true);
    },
    upsertMany(contacts) {
      const list = [...contacts];
      const keepOrders = list.length <= BULK_CHANGE;
      for (const contact of list) setEntry(contact, keepOrders);
      changed(keepOrders);
    },
    remove(id) {
      removeEntry(id, true);
      changed(true);
    },
    clear() {
      entries.length = 0;
      positions.clear();
      free = [];
      changed(false);
    },
    prepare(sort = 'last') {
      getSortOrder(sort);
    },
    get size() {
      return positions.size;
    },
    search(query) {
      const sort = query.sort ?? 'last';
      const descending = query.descending ?? sort !== 'name';
      const matches = findTextMatches(query.text ?? '');
      const check = createFilterCheck(query.filters, entries, columns);
      if (matches && matches.length * 16 >= positions.size) {
        if (marks.length < entries.length) marks = new Uint8Array(entries.length * 2);
        else marks.fill(0, 0, entries.length);
        for (const i of matches) marks[i] = 1;
      }
      const limit = query.limit ?? Number.POSITIVE_INFINITY;
      const ids: string[] = [];
      let total = 0;
      // Few matches: sorting them beats walking the whole cached order.
      if (matches && matches.length * 16 < positions.size) {
        const sorted = Array.from(matches).sort(compare[sort]);
        const n = sorted.length;
        for (let k = 0; k < n; k++) {
          const i = sorted[descending ? n - 1 - k : k] as number;
          if (check && !check(i)) continue;
          if (total++ < limit) ids.push((entries[i] as IndexEntry).id);
        }
        return { ids, total };
      }
      const order = getSortOrder(sort);
      const n = order.length;
      for (let k = 0; k < n; k++) {
        const i = order[descending ? n - 1 - k : k] as number;
        if (matches && marks[i] !== 1) continue;
        if (check && !check(i)) continue;
        if (total++ < limit) ids.push((entries[i] as IndexEntry).id);
      }
      return { ids, total };
    },
  };
}

/** Builds an index holding the given contacts. */
export function buildSearchIndex(contacts: Iterable<LogContact>, language?: string): LogSearchIndex {
  const index = createSearchIndex(language);
  index.upsertMany(contacts);
  return index;
}
