/** The private log of suspicious contacts: records, storage, search, import/export, lock, caller hints. */
export {
  checkAttachment,
  isAllowedAttachmentType,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_CONTACT,
} from './attachments';
export {
  assessCaller,
  CALLER_RULES,
  type CallerAssessment,
  type CallerFinding,
  type CallerFindingCode,
  type CallerLookup,
  type CallerRule,
  type FindingSeverity,
  getHistoryFindings,
  type RuleSource,
} from './caller-heuristics';
export { DEFAULT_KDF_COST, MIN_PASSPHRASE_LENGTH } from './crypto';
export {
  CSV_CONTACT_COLUMNS,
  CSV_EVENT_COLUMNS,
  type CsvOptions,
  createLogCsv,
  formatCsvTime,
} from './csv';
export { isLogError, LOG_ERROR_CODES, LogError, type LogErrorCode } from './errors';
export {
  createExportDocument,
  ENCRYPTED_LOG_FORMAT,
  type ExportedLog,
  LOG_FORMAT,
  LOG_FORMAT_VERSION,
  MAX_IMPORT_BYTES,
} from './format';
export {
  type AttachmentMeta,
  CHANNELS,
  type Channel,
  CONTACT_STATUSES,
  type ContactNumber,
  type ContactPatch,
  type ContactStatus,
  EVENT_SOURCES,
  type EventPatch,
  type EventSource,
  getRiskRank,
  type LogContact,
  type LogEvent,
  MAX_SHORT_TEXT_LENGTH,
  MAX_TEXT_LENGTH,
  type NewEntry,
  RISK_LEVELS,
  type RiskLevel,
} from './model';
export { compactInput, getDigits, resolveNumber } from './number';
export { type ScamCheckToLog, saveScamCheckToLog } from './scam-bridge';
export {
  buildSearchIndex,
  LOG_SORTS,
  type LogFilters,
  type LogQuery,
  type LogSearchIndex,
  type LogSearchResult,
  type LogSort,
} from './search';
export {
  type AddResult,
  addLogEntry,
  createLogStore,
  type ImportResult,
  type LogState,
  LogStore,
  type LogStoreOptions,
} from './store';
