// Public surface of the scam-script matcher: the catalogue, the matcher and its result types.
export { SCAM_CATALOGUE, SCAM_CATALOGUE_VERSION } from './catalogue';
export { checkText, createScamMatcher, SCAM_THRESHOLD, type ScamMatcher, SUSPICIOUS_THRESHOLD } from './match';
export { type NormalisedText, normalisedString, normaliseText, toOriginalSpan } from './normalise';
export {
  createPageScanner,
  type PageCheckAnswer,
  type PageFinding,
  type PageScanner,
  type PageScanOptions,
  splitBatchText,
} from './page-scan';
export type {
  LocalisedText,
  ScamBatchResult,
  ScamCatalogue,
  ScamCategory,
  ScamCheckResult,
  ScamExplanation,
  ScamLanguage,
  ScamMatch,
  ScamScript,
  ScamVerdict,
} from './types';
