import { stringify } from 'csv-stringify/browser/esm/sync';
import type { LogContact } from './model';

/**
 * CSV for spreadsheets, through csv-stringify (RFC 4180 quoting of commas, quotes and line breaks). A UTF-8
 * byte order mark makes Excel read Chinese correctly; CRLF line ends suit Excel on Windows; cells starting
 * with = + - @ get a leading ' so a scammer's text can never run as a spreadsheet formula. The JSON export
 * stays the lossless format; CSV is for reading and sorting.
 */

export const CSV_CONTACT_COLUMNS = [
  'e164',
  'numberAsEntered',
  'name',
  'channel',
  'firstAt',
  'lastAt',
  'count',
  'status',
  'risk',
  'scripts',
  'tags',
  'said',
  'demanded',
  'notes',
] as const;
export type CsvContactColumn = (typeof CSV_CONTACT_COLUMNS)[number];

export const CSV_EVENT_COLUMNS = [
  'e164',
  'numberAsEntered',
  'name',
  'at',
  'channel',
  'said',
  'demanded',
  'scripts',
  'status',
  'risk',
] as const;
export type CsvEventColumn = (typeof CSV_EVENT_COLUMNS)[number];

export interface CsvOptions {
  /** One row per contact (default) or one row per event of the timeline. */
  rows?: 'contacts' | 'events';
  /** Localised header per column; the column id is used where missing. */
  headers?: Partial<Record<CsvContactColumn | CsvEventColumn, string>>;
  /** Localised value labels, e.g. { call: '电话', reported: '已举报' }; codes are used where missing. */
  labels?: Record<string, string>;
  /** Formats a time; default "YYYY-MM-DD HH:mm" in local time, which spreadsheets parse as a date. */
  formatTime?: (ms: number) => string;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function formatCsvTime(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function createLogCsv(contacts: Iterable<LogContact>, options: CsvOptions = {}): string {
  const label = (code: string) => options.labels?.[code] ?? code;
  const time = options.formatTime ?? formatCsvTime;
  const list = (values: string[]) => values.map(label).join('; ');
  const rows: string[][] = [];
  const live = [...contacts].filter((contact) => contact.deletedAt === null);
  if (options.rows === 'events') {
    rows.push(CSV_EVENT_COLUMNS.map((column) => options.headers?.[column] ?? column));
    for (const contact of live) {
      for (const event of contact.events) {
        if (event.deletedAt !== null) continue;
        rows.push([
          contact.number.e164 ?? '',
          event.numberInput || contact.number.input,
          contact.name,
          time(event.at),
          label(event.channel),
          event.said,
          event.demanded,
          list(event.scripts),
          label(contact.status),
          label(contact.risk),
        ]);
      }
    }
  } else {
    rows.push(CSV_CONTACT_COLUMNS.map((column) => options.headers?.[column] ?? column));
    for (const contact of live) {
      rows.push([
        contact.number.e164 ?? '',
        contact.numberInputs.join('; ') || contact.number.input,
        contact.name,
        label(contact.channel),
        time(contact.firstAt),
        time(contact.lastAt),
        String(contact.count),
        label(contact.status),
        label(contact.risk),
        list(contact.scripts),
        contact.tags.join('; '),
        contact.said,
        contact.demanded,
        contact.notes,
      ]);
    }
  }
  // csv-stringify quotes fields holding the record delimiter (CRLF) but not a lone LF, which would still
  // split the row in Excel: quote any line break.
  return stringify(rows, { bom: true, escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}
