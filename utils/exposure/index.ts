/** Private exposure check (phone-exposure-v1): the client, the manifest and watched-number monitoring. */
export {
  type CheckExposureOptions,
  checkExposure,
  DEFAULT_TIMEOUT_MS,
  EXPOSURE_ERROR_CODES,
  type ExposedDataset,
  type ExposureError,
  type ExposureErrorCode,
  type ExposureResult,
  type ExposureServerOptions,
  type FetchLike,
  getVerifiedManifest,
  parseRetryAfter,
} from './client';
export { type Manifest, type ManifestDataset, parseManifest } from './manifest';
