// Public surface of the scam-script matcher: the catalogue, the matcher and its result types.
export { SCAM_CATALOGUE, SCAM_CATALOGUE_VERSION } from './catalogue';
export { checkText, createScamMatcher, SCAM_THRESHOLD, type ScamMatcher, SUSPICIOUS_THRESHOLD } from './match';
export { type NormalisedText, normalisedString, normaliseText, toOriginalSpan } from './normalise';
export type {
  LocalisedText,
  ScamCatalogue,
  ScamCategory,
  ScamCheckResult,
  ScamExplanation,
  ScamLanguage,
  ScamMatch,
  ScamScript,
  ScamVerdict,
} from './types';
