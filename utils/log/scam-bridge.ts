import type { ExposureGuardDB } from '@/utils/db';
import type { CountryCode } from '@/utils/phone';
import { type Channel, RISK_LEVELS, type RiskLevel } from './model';
import { type AddResult, addLogEntry } from './store';

/** What the scam panel hands over when the user presses "Save to log" on a check result. */
export interface ScamCheckToLog {
  /** The message or call transcript that was checked. */
  text: string;
  /** Who sent it, if known; without a number the entry becomes its own contact, named by `name`. */
  number?: string;
  name?: string;
  /** Matched scripts as the matcher reports them: ids, or objects with an id. */
  scripts: readonly (string | { id: string })[];
  /** The matcher's risk level; values the log does not know are stored as "unknown". */
  risk?: string;
  channel?: Channel;
  /** What they demanded, if the matcher or the user extracted it. */
  demanded?: string;
  at?: number;
}

function toRisk(value: string | undefined): RiskLevel {
  return RISK_LEVELS.includes(value as RiskLevel) ? (value as RiskLevel) : 'unknown';
}

/**
 * Saves a scam-check result as an event on the sender's contact (merged by number like any entry; queued
 * for a locked log). Throws LogError('number-required') when neither number nor name is given.
 */
export function saveScamCheckToLog(
  check: ScamCheckToLog,
  options: { defaultCountry: CountryCode; db?: ExposureGuardDB; now?: number },
): Promise<AddResult> {
  return addLogEntry(
    {
      number: check.number ?? '',
      name: check.name ?? '',
      channel: check.channel ?? 'sms',
      at: check.at,
      said: check.text,
      demanded: check.demanded ?? '',
      scripts: check.scripts.map((script) => (typeof script === 'string' ? script : script.id)),
      risk: toRisk(check.risk),
      source: 'scam-check',
    },
    options,
  );
}
