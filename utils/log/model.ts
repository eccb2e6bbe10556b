/** Records of the contact log and the pure functions that build and merge them (no storage here). */

export const CHANNELS = ['call', 'sms', 'chat', 'email', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CONTACT_STATUSES = ['new', 'blocked', 'reported', 'resolved'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export const RISK_LEVELS = ['unknown', 'low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Where an event came from, so a report can say "logged from a scam check". */
export const EVENT_SOURCES = ['manual', 'quick-add', 'scam-check', 'context-menu', 'import'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Free-text fields are capped so one paste cannot make the log unusable; 20 000 chars is a long SMS thread. */
export const MAX_TEXT_LENGTH = 20_000;
export const MAX_SHORT_TEXT_LENGTH = 200;
export const MAX_TAGS = 50;

export interface ContactNumber {
  /** Exactly as first entered ("138-0013-8000", "95555", "scam@example.com"). */
  input: string;
  /** E.164 when the input normalises, else null (the number is kept as entered). */
  e164: string | null;
  /** National format of a normalised number ("138 0013 8000"), for search by local digits. */
  national: string | null;
}

export interface LogEvent {
  /** Stable id: import de-duplicates events by it. */
  id: string;
  at: number;
  channel: Channel;
  /** The number as entered for this event (formats differ between events of one contact). */
  numberInput: string;
  said: string;
  demanded: string;
  /** Ids of scam scripts the matcher found in what they said. */
  scripts: string[];
  source: EventSource;
  createdAt: number;
  updatedAt: number;
  /** Soft delete: kept until the user empties the trash, so a delete can be undone. */
  deletedAt: number | null;
  deleteToken: string | null;
}

/** Metadata of a screenshot or recording; the bytes live in their own table so lists never load them. */
export interface AttachmentMeta {
  id: string;
  eventId: string | null;
  name: string;
  type: string;
  size: number;
  addedAt: number;
  deletedAt: number | null;
  deleteToken: string | null;
}

export interface LogContact {
  id: string;
  /** What "the same number" means: E.164, else "raw:" + the compacted input, else "anon:" + id. */
  numberKey: string;
  number: ContactNumber;
  /** Every distinct way the number was entered, so any of them finds the contact. */
  numberInputs: string[];
  /** A name or label: "claims to be bank support". */
  name: string;
  /** Channel of the latest event. */
  channel: Channel;
  firstAt: number;
  lastAt: number;
  /** Number of live events. */
  count: number;
  /** What they said, in the user's words (events keep their own text too). */
  said: string;
  /** What they demanded: money, ID photos, an app install… (for the report). */
  demanded: string;
  scripts: string[];
  risk: RiskLevel;
  status: ContactStatus;
  notes: string;
  tags: string[];
  events: LogEvent[];
  attachments: AttachmentMeta[];
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  deleteToken: string | null;
}

/** What a caller provides to log one contact event. */
export interface NewEntry {
  number: string;
  name?: string;
  channel?: Channel;
  at?: number;
  said?: string;
  demanded?: string;
  scripts?: string[];
  risk?: RiskLevel;
  status?: ContactStatus;
  notes?: string;
  tags?: string[];
  source?: EventSource;
}

/** Fields of a contact the user can edit directly. */
export type ContactPatch = Partial<
  Pick<LogContact, 'name' | 'said' | 'demanded' | 'scripts' | 'risk' | 'status' | 'notes' | 'tags'>
>;

export type EventPatch = Partial<Pick<LogEvent, 'at' | 'channel' | 'said' | 'demanded' | 'scripts'>>;

const RISK_RANK: Record<RiskLevel, number> = { unknown: 0, low: 1, medium: 2, high: 3 };

export function getRiskRank(risk: RiskLevel): number {
  return RISK_RANK[risk];
}

export function getHigherRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return RISK_RANK[a] >= RISK_RANK[b] ? a : b;
}

export function createId(): string {
  return crypto.randomUUID();
}

function unionStrings(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return [...a];
  const seen = new Set(a);
  const out = [...a];
  for (const item of b) {
    if (!seen.has(item)) {
      seen.add(item);
      out.push(item);
    }
  }
  return out;
}

export function cleanList(values: readonly string[] | undefined): string[] {
  return unionStrings(
    [],
    (values ?? []).map((value) => value.trim()).filter((value) => value.length > 0),
  );
}

export function isLiveEvent(event: LogEvent): boolean {
  return event.deletedAt === null;
}

/**
 * Derived fields (count, first and last contact, latest channel) from the live events, sorted by time.
 * Called after every change so they can never drift from the timeline.
 */
export function recomputeContact(contact: LogContact): LogContact {
  contact.events.sort((a, b) => a.at - b.at || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const live = contact.events.filter(isLiveEvent);
  contact.count = live.length;
  const first = live[0];
  const last = live[live.length - 1];
  contact.firstAt = first ? first.at : contact.createdAt;
  contact.lastAt = last ? last.at : contact.createdAt;
  if (last) contact.channel = last.channel;
  return contact;
}

export function createEvent(entry: NewEntry, now: number, id = createId()): LogEvent {
  return {
    id,
    at: entry.at ?? now,
    channel: entry.channel ?? 'call',
    numberInput: entry.number.trim(),
    said: entry.said?.trim() ?? '',
    demanded: entry.demanded?.trim() ?? '',
    scripts: cleanList(entry.scripts),
    source: entry.source ?? 'manual',
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    deleteToken: null,
  };
}

export function createContact(
  entry: NewEntry,
  number: ContactNumber,
  numberKey: string,
  event: LogEvent,
  now: number,
  id = createId(),
): LogContact {
  const input = entry.number.trim();
  return recomputeContact({
    id,
    numberKey: numberKey || `anon:${id}`,
    number,
    numberInputs: input ? [input] : [],
    name: entry.name?.trim() ?? '',
    channel: event.channel,
    firstAt: event.at,
    lastAt: event.at,
    count: 1,
    said: entry.said?.trim() ?? '',
    demanded: entry.demanded?.trim() ?? '',
    scripts: cleanList(entry.scripts),
    risk: entry.risk ?? 'unknown',
    status: entry.status ?? 'new',
    notes: entry.notes?.trim() ?? '',
    tags: cleanList(entry.tags),
    events: [event],
    attachments: [],
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    deleteToken: null,
  });
}

/** Adds one event to an existing contact: the fields the entry brings fill in or raise what the contact has. */
export function addEventToContact(contact: LogContact, entry: NewEntry, event: LogEvent, now: number): LogContact {
  const input = entry.number.trim();
  if (input && !contact.numberInputs.includes(input)) contact.numberInputs.push(input);
  contact.events.push(event);
  if (!contact.name && entry.name?.trim()) contact.name = entry.name.trim();
  if (!contact.said && event.said) contact.said = event.said;
  if (!contact.demanded && event.demanded) contact.demanded = event.demanded;
  contact.scripts = unionStrings(contact.scripts, event.scripts);
  contact.tags = unionStrings(contact.tags, cleanList(entry.tags));
  if (entry.risk) contact.risk = getHigherRisk(contact.risk, entry.risk);
  if (entry.status && entry.status !== 'new') contact.status = entry.status;
  if (entry.notes?.trim()) contact.notes = appendText(contact.notes, entry.notes.trim());
  contact.updatedAt = now;
  return recomputeContact(contact);
}

/** Joins two texts unless one already holds the other, so merging twice does not repeat them. */
function appendText(target: string, extra: string): string {
  if (!extra || target.includes(extra)) return target;
  if (!target || extra.includes(target)) return extra;
  return `${target}\n\n${extra}`;
}

function mergeById<T extends { id: string; updatedAt?: number; addedAt?: number }>(
  target: T[],
  source: T[],
): { items: T[]; changed: boolean } {
  const byId = new Map(target.map((item) => [item.id, item]));
  let changed = false;
  for (const item of source) {
    const existing = byId.get(item.id);
    // The same record on both sides: the later edit wins (a deletion counts as an edit).
    if (!existing || (item.updatedAt ?? item.addedAt ?? 0) > (existing.updatedAt ?? existing.addedAt ?? 0)) {
      byId.set(item.id, item);
      changed = true;
    }
  }
  return { items: changed ? [...byId.values()] : target, changed };
}

/**
 * Merges `source` into `target` (same number): events and attachments by id, lists by union, texts appended
 * when different, the higher risk, a status other than "new". Nothing from either side is dropped.
 * Returns whether `target` changed, so merging the same backup twice writes nothing.
 */
export function mergeContactInto(target: LogContact, source: LogContact, now: number): boolean {
  const before = [
    target.numberInputs.length,
    target.number.e164,
    target.name,
    target.said,
    target.demanded,
    target.notes,
    target.scripts.length,
    target.tags.length,
    target.risk,
    target.status,
    target.createdAt,
  ];
  const events = mergeById(target.events, source.events);
  const attachments = mergeById(target.attachments, source.attachments);
  target.events = events.items;
  target.attachments = attachments.items;
  target.numberInputs = unionStrings(target.numberInputs, source.numberInputs);
  if (!target.number.e164 && source.number.e164) target.number = source.number;
  if (!target.name) target.name = source.name;
  else if (source.name && source.name !== target.name) target.notes = appendText(target.notes, source.name);
  target.said = appendText(target.said, source.said);
  target.demanded = appendText(target.demanded, source.demanded);
  target.notes = appendText(target.notes, source.notes);
  target.scripts = unionStrings(target.scripts, source.scripts);
  target.tags = unionStrings(target.tags, source.tags);
  target.risk = getHigherRisk(target.risk, source.risk);
  if (target.status === 'new') target.status = source.status;
  target.createdAt = Math.min(target.createdAt, source.createdAt);
  const after = [
    target.numberInputs.length,
    target.number.e164,
    target.name,
    target.said,
    target.demanded,
    target.notes,
    target.scripts.length,
    target.tags.length,
    target.risk,
    target.status,
    target.createdAt,
  ];
  const changed = events.changed || attachments.changed || before.some((value, i) => value !== after[i]);
  if (changed) target.updatedAt = Math.max(now, target.updatedAt, source.updatedAt);
  recomputeContact(target);
  return changed;
}

export function mergeContact(target: LogContact, source: LogContact, now: number): LogContact {
  mergeContactInto(target, source, now);
  return target;
}

export function applyContactPatch(contact: LogContact, patch: ContactPatch, now: number): LogContact {
  if (patch.name !== undefined) contact.name = patch.name.trim();
  if (patch.said !== undefined) contact.said = patch.said.trim();
  if (patch.demanded !== undefined) contact.demanded = patch.demanded.trim();
  if (patch.notes !== undefined) contact.notes = patch.notes.trim();
  if (patch.scripts !== undefined) contact.scripts = cleanList(patch.scripts);
  if (patch.tags !== undefined) contact.tags = cleanList(patch.tags);
  if (patch.risk !== undefined) contact.risk = patch.risk;
  if (patch.status !== undefined) contact.status = patch.status;
  contact.updatedAt = now;
  return contact;
}

export function applyEventPatch(contact: LogContact, event: LogEvent, patch: EventPatch, now: number): LogContact {
  if (patch.at !== undefined) event.at = patch.at;
  if (patch.channel !== undefined) event.channel = patch.channel;
  if (patch.said !== undefined) event.said = patch.said.trim();
  if (patch.demanded !== undefined) event.demanded = patch.demanded.trim();
  if (patch.scripts !== undefined) {
    event.scripts = cleanList(patch.scripts);
    contact.scripts = unionStrings(contact.scripts, event.scripts);
  }
  event.updatedAt = now;
  contact.updatedAt = now;
  return recomputeContact(contact);
}

/** A deep copy, so callers never hold a reference into the store's memory. */
export function cloneContact(contact: LogContact): LogContact {
  return structuredClone(contact);
}
