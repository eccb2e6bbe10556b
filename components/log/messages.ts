import { t } from '@/utils/i18n';
import type {
  CallerFinding,
  CallerFindingCode,
  Channel,
  ContactNumber,
  ContactStatus,
  LogErrorCode,
  RiskLevel,
} from '@/utils/log';
import { isLogError } from '@/utils/log';
import { normalizePhone } from '@/utils/phone';
import { getScriptLabel } from './scripts';

// Library code returns codes; these turn them into sentences. Written as t('literal') calls so the
// locale test sees every key, and as Records so the compiler sees every code.

const MiB = (bytes: number | undefined) => Math.round((bytes ?? 0) / (1024 * 1024));

const ERROR_MESSAGES: Record<LogErrorCode, (error: { path?: string; limit?: number }) => string> = {
  'not-json': () => t('log.error.notJson'),
  'wrong-format': () => t('log.error.wrongFormat'),
  'unsupported-version': () => t('log.error.unsupportedVersion'),
  'invalid-record': (e) => t('log.error.invalidRecord', [e.path ?? '?']),
  'too-large': (e) =>
    e.limit !== undefined && e.limit > 1_000_000 ? t('log.error.tooLarge', [MiB(e.limit)]) : t('log.error.tooMany'),
  'duplicate-id': (e) => t('log.error.duplicateId', [e.path ?? '?']),
  'passphrase-required': () => t('log.error.passphraseRequired'),
  'passphrase-too-short': (e) => t('log.error.passphraseTooShort', [e.limit ?? 8]),
  'wrong-passphrase': () => t('log.error.wrongPassphrase'),
  locked: () => t('log.error.locked'),
  'not-locked': () => t('log.error.notLocked'),
  'already-locked': () => t('log.error.alreadyLocked'),
  'crypto-unavailable': () => t('log.error.cryptoUnavailable'),
  'number-required': () => t('log.error.numberRequired'),
  'text-too-long': (e) => t('log.error.textTooLong', [e.limit ?? 0]),
  'contact-not-found': () => t('log.error.contactNotFound'),
  'event-not-found': () => t('log.error.eventNotFound'),
  'attachment-not-found': () => t('log.error.attachmentNotFound'),
  'undo-not-found': () => t('log.error.undoNotFound'),
  'attachment-too-large': (e) => t('log.error.attachmentTooLarge', [MiB(e.limit)]),
  'attachment-empty': () => t('log.error.attachmentEmpty'),
  'attachment-type-not-allowed': () => t('log.error.attachmentTypeNotAllowed'),
  'too-many-attachments': (e) => t('log.error.tooManyAttachments', [e.limit ?? 0]),
  'storage-full': () => t('log.error.storageFull'),
  'concurrent-change': () => t('log.error.concurrentChange'),
};

/** A localised sentence for any error a log operation throws. */
export function getLogErrorMessage(error: unknown): string {
  if (isLogError(error)) return ERROR_MESSAGES[error.code](error);
  return t('log.error.unexpected', [error instanceof Error ? error.message : String(error)]);
}

const CHANNEL_LABELS: Record<Channel, () => string> = {
  call: () => t('log.channel.call'),
  sms: () => t('log.channel.sms'),
  chat: () => t('log.channel.chat'),
  email: () => t('log.channel.email'),
  other: () => t('log.channel.other'),
};

export function getChannelLabel(channel: Channel): string {
  return CHANNEL_LABELS[channel]();
}

const STATUS_LABELS: Record<ContactStatus, () => string> = {
  new: () => t('log.status.new'),
  blocked: () => t('log.status.blocked'),
  reported: () => t('log.status.reported'),
  resolved: () => t('log.status.resolved'),
};

export function getStatusLabel(status: ContactStatus): string {
  return STATUS_LABELS[status]();
}

const RISK_LABELS: Record<RiskLevel, () => string> = {
  unknown: () => t('log.risk.unknown'),
  low: () => t('log.risk.low'),
  medium: () => t('log.risk.medium'),
  high: () => t('log.risk.high'),
};

export function getRiskLabel(risk: RiskLevel): string {
  return RISK_LABELS[risk]();
}

const RISK_BADGES: Record<Exclude<RiskLevel, 'unknown'>, () => string> = {
  low: () => t('log.riskBadge.low'),
  medium: () => t('log.riskBadge.medium'),
  high: () => t('log.riskBadge.high'),
};

/** "High risk" for a badge that stands alone in a list row; null for an unrated contact (nothing to say). */
export function getRiskBadgeLabel(risk: RiskLevel): string | null {
  return risk === 'unknown' ? null : RISK_BADGES[risk]();
}

/** How many times, in words: "once" reads better than "1 times". */
export function getEventCountLabel(count: number): string {
  return count === 1 ? t('log.list.eventsOne') : t('log.list.events', [count]);
}

/**
 * A number as people read it: "+86 138 0013 8000" rather than the stored "+8613800138000"; numbers that
 * do not normalise (short codes, handles) as entered.
 */
export function formatContactNumber(number: ContactNumber): string {
  if (!number.e164) return number.input;
  // E.164 parses the same whatever the default country; the default only matters without "+".
  const phone = normalizePhone(number.e164, 'CN');
  return phone.ok ? phone.international : number.e164;
}

/** "A, B and C" / "A、B和C" in the page language. */
export function formatList(items: readonly string[]): string {
  return getListParts(items)
    .map((part) => (part.index === null ? part.value : items[part.index]))
    .join('');
}

/**
 * The pieces of formatList(items): each item by its index, and the separators between them, so a UI
 * can wrap every item in its own element.
 */
export function getListParts(items: readonly string[]): { index: number | null; value: string }[] {
  try {
    const format = new Intl.ListFormat(document.documentElement.lang || undefined, { type: 'conjunction' });
    let next = 0;
    return format
      .formatToParts(items)
      .map((part) =>
        part.type === 'element' ? { index: next++, value: part.value } : { index: null, value: part.value },
      );
  } catch {
    return items.flatMap((value, index) =>
      index === 0
        ? [{ index, value }]
        : [
            { index: null, value: ', ' },
            { index, value },
          ],
    );
  }
}

/** Every code label, for the CSV export's value labels. */
export function getValueLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [code, label] of [
    ...Object.entries(CHANNEL_LABELS),
    ...Object.entries(STATUS_LABELS),
    ...Object.entries(RISK_LABELS),
  ]) {
    labels[code] = label();
  }
  return labels;
}

const FINDING_MESSAGES: Record<CallerFindingCode, (params: (string | number)[]) => string> = {
  'virtual-operator-range': (p) => t('log.finding.virtualOperatorRange', [String(p[0])]),
  'official-short-number': (p) => t('log.finding.officialShortNumber', [String(p[0])]),
  'claims-short-number-from-mobile': (p) => t('log.finding.claimsShortNumberFromMobile', [String(p[0])]),
  'international-short-number-lookalike': (p) =>
    t('log.finding.internationalShortNumberLookalike', [String(p[0]), String(p[1])]),
  'international-claims-institution': (p) =>
    t('log.finding.internationalClaimsInstitution', [getRegionName(String(p[0])), String(p[1])]),
  'international-number': (p) => t('log.finding.internationalNumber', [getRegionName(String(p[0]))]),
  'invalid-number': (p) => t('log.finding.invalidNumber', [String(p[0])]),
  'seen-before': (p) => t('log.finding.seenBefore', [Number(p[0]), formatDateTime(Number(p[1]))]),
  'previously-blocked': () => t('log.finding.previouslyBlocked'),
  'previously-reported': () => t('log.finding.previouslyReported'),
  'matched-scripts': (p) => t('log.finding.matchedScripts', [formatList(String(p[0]).split(', ').map(getScriptLabel))]),
  'high-risk-logged': () => t('log.finding.highRiskLogged'),
};

export function getFindingMessage(finding: CallerFinding): string {
  return FINDING_MESSAGES[finding.code](finding.params);
}

function getRegionName(code: string): string {
  try {
    return new Intl.DisplayNames([document.documentElement.lang || 'zh-CN'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(ms);
}

export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium' }).format(ms);
}
