/** Phone numbers: normalisation to E.164, as-you-type formatting and the default country. */
export type { CountryCode } from 'libphonenumber-js/max';
export {
  getCountryFromLocale,
  getDefaultCountry,
  getSupportedCountries,
  isCountryCode,
} from './country';
export { formatPhoneAsYouType, getCaretAfterFormat } from './format';
export {
  type NormalizedPhone,
  normalizePhone,
  PHONE_ERROR_REASONS,
  type PhoneErrorReason,
  type PhoneNormalization,
} from './normalize';
