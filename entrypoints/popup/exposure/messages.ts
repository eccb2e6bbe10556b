import type { ExposureError, ExposureErrorCode } from '@/utils/exposure';
import { t } from '@/utils/i18n';
import type { PhoneErrorReason } from '@/utils/phone';

// Library code returns codes; these turn them into sentences. Written as t('literal') calls so the
// locale test sees every key.

const REASON_MESSAGES: Record<PhoneErrorReason, () => string> = {
  empty: () => t('exposure.reasonEmpty'),
  'not-a-number': () => t('exposure.reasonNotANumber'),
  'too-short': () => t('exposure.reasonTooShort'),
  'too-long': () => t('exposure.reasonTooLong'),
  'invalid-country-code': () => t('exposure.reasonInvalidCountryCode'),
  invalid: () => t('exposure.reasonInvalid'),
};

export function getReasonMessage(reason: PhoneErrorReason): string {
  return REASON_MESSAGES[reason]();
}

const ERROR_MESSAGES: Record<ExposureErrorCode, (error: ExposureError) => string> = {
  'not-configured': () => t('exposure.errorNotConfigured'),
  unreachable: () => t('exposure.errorUnreachable'),
  'key-changed': () => t('exposure.errorKeyChanged'),
  'proof-invalid': () => t('exposure.errorProofInvalid'),
  malformed: () => t('exposure.errorMalformed'),
  'rate-limited': (error) =>
    error.retryAfter !== undefined
      ? t('exposure.errorRateLimited', [error.retryAfter])
      : t('exposure.errorRateLimitedLater'),
  'server-error': () => t('exposure.errorServerError'),
};

export function getErrorMessage(error: ExposureError): string {
  return ERROR_MESSAGES[error.code](error);
}

const FIELD_MESSAGES: Record<string, () => string> = {
  name: () => t('exposure.fieldName'),
  phone: () => t('exposure.fieldPhone'),
  id_number: () => t('exposure.fieldIdNumber'),
  loan_amount: () => t('exposure.fieldLoanAmount'),
  loan_status: () => t('exposure.fieldLoanStatus'),
  address: () => t('exposure.fieldAddress'),
  contacts: () => t('exposure.fieldContacts'),
  photos: () => t('exposure.fieldPhotos'),
  email: () => t('exposure.fieldEmail'),
  employer: () => t('exposure.fieldEmployer'),
  bank_card: () => t('exposure.fieldBankCard'),
};

/** A leaked field's name in the UI language; a field this version does not know keeps the server's name. */
export function getFieldLabel(field: string): string {
  return Object.hasOwn(FIELD_MESSAGES, field) ? (FIELD_MESSAGES[field] as () => string)() : field;
}
