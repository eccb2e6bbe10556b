/** Private exposure check (phone-exposure-v1): the client, the manifest and watched-number monitoring. */
export {
  type BlindedInput,
  blindInput,
  type CheckExposureOptions,
  checkExposure,
  createExposureChecker,
  DEFAULT_TIMEOUT_MS,
  EXPOSURE_ERROR_CODES,
  type ExposedDataset,
  type ExposureChecker,
  type ExposureError,
  type ExposureErrorCode,
  type ExposureResult,
  type ExposureServerOptions,
  type FetchLike,
  getVerifiedManifest,
  parseRetryAfter,
} from './client';
export { formatPublishedDate, getDatasetTitle, getReportRegion, type ReportRegion } from './display';
export { type Manifest, type ManifestDataset, parseManifest } from './manifest';
export {
  EXPOSURE_ALARM_NAME,
  type MonitorSummary,
  runExposureMonitor,
  setupExposureMonitoring,
} from './monitor';
export { type AddWatchResult, addWatch, getWatches, MAX_WATCH_LABEL_LENGTH, removeWatch } from './watches';
