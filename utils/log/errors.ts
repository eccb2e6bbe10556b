/**
 * Every way a log operation can refuse. Library code throws LogError with one of these codes; the UI maps
 * each code to a localised sentence (log.error.<code>), so messages never come from here.
 */
export const LOG_ERROR_CODES = [
  // Import / file validation
  'not-json',
  'wrong-format',
  'unsupported-version',
  'invalid-record',
  'too-large',
  'duplicate-id',
  // Passphrase lock
  'passphrase-required',
  'passphrase-too-short',
  'wrong-passphrase',
  'locked',
  'not-locked',
  'already-locked',
  'crypto-unavailable',
  // Records
  'number-required',
  'text-too-long',
  'contact-not-found',
  'event-not-found',
  'attachment-not-found',
  'undo-not-found',
  // Attachments
  'attachment-too-large',
  'attachment-empty',
  'attachment-type-not-allowed',
  'too-many-attachments',
  // Storage
  'storage-full',
  'concurrent-change',
] as const;

export type LogErrorCode = (typeof LOG_ERROR_CODES)[number];

export class LogError extends Error {
  readonly code: LogErrorCode;
  /** Where in an imported file the problem is, e.g. "contacts[3].events[0].at". */
  readonly path: string | undefined;
  /** A number for the message, e.g. the size limit in bytes. */
  readonly limit: number | undefined;

  constructor(code: LogErrorCode, options: { path?: string; limit?: number; cause?: unknown } = {}) {
    super(options.path ? `${code} at ${options.path}` : code, { cause: options.cause });
    this.name = 'LogError';
    this.code = code;
    this.path = options.path;
    this.limit = options.limit;
  }
}

export function isLogError(error: unknown, code?: LogErrorCode): error is LogError {
  return error instanceof LogError && (code === undefined || error.code === code);
}

/** IndexedDB quota errors become a coded error so the UI can say "storage is full" instead of failing silently. */
export function toStorageError(error: unknown): unknown {
  const name = (error as { name?: string; inner?: { name?: string } } | null)?.name;
  const inner = (error as { inner?: { name?: string } } | null)?.inner?.name;
  if (name === 'QuotaExceededError' || inner === 'QuotaExceededError')
    return new LogError('storage-full', { cause: error });
  return error;
}
