import { entry } from './types.js';

/**
 * Codes of the card layer (BER-TLV, APDU, status words) and of the data profiles.
 * A malformed card answer or data group ends the eID login: to the eID client it is an internal
 * error (TR-03112-1 /al/common#internalError), to the eService an authentication failure.
 */
const cardFailure = {
  http: 502, saml: ['Responder', 'AuthnFailed'], oidc: 'access_denied', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
} as const;

export const cardCodes = {
  // BER-TLV (ISO/IEC 8825-1, ISO/IEC 7816-4 §5.2)
  TLV_TRUNCATED: entry('BER-TLV ends before its tag, length or value is complete', cardFailure),
  TLV_TRAILING_BYTES: entry('Bytes follow the single BER-TLV that was expected', cardFailure),
  TLV_INDEFINITE_LENGTH: entry('BER-TLV uses the indefinite length form (0x80), not allowed in ISO 7816-4 / DER', cardFailure),
  TLV_LENGTH_TOO_LARGE: entry('BER-TLV length exceeds the configured limit or uses more than 3 length bytes', cardFailure),
  TLV_NON_MINIMAL_LENGTH: entry('BER-TLV length not in its shortest form (DER, X.690 §10.1)', cardFailure),
  TLV_BAD_LENGTH: entry('BER-TLV length octet 0xFF is reserved (X.690 §8.1.3.5)', cardFailure),
  TLV_TOO_DEEP: entry('BER-TLV nesting deeper than the configured limit', cardFailure),
  TLV_BAD_TAG: entry('BER-TLV tag field invalid (padding byte, non-minimal or longer than 3 bytes)', cardFailure),
  TLV_MISSING_TAG: entry('A required data object is missing from a BER-TLV structure', cardFailure),
  TLV_UNEXPECTED_TAG: entry('A BER-TLV data object has a different tag than expected', cardFailure),
  // APDU (ISO/IEC 7816-4 §5.1)
  APDU_MALFORMED: entry('Command APDU bytes fit none of the cases 1-4 (short or extended)', cardFailure),
  APDU_INVALID_FIELD: entry('Command APDU field out of range (header byte, Nc or Ne)', cardFailure),
  APDU_RESPONSE_TOO_SHORT: entry('Response APDU shorter than its two status bytes', cardFailure),
  APDU_CHAINING_INVALID: entry('Command or response chaining cannot be applied or was violated', cardFailure),
  // Status words (ISO/IEC 7816-4 §5.6)
  CARD_STATUS_ERROR: entry('The card answered with an error status word', cardFailure),
  // Data profiles (SPEC §4)
  PROFILE_UNKNOWN: entry('No data profile with this id'),
  PROFILE_PERSON_INVALID: entry('Person data (card issuance input) violates the profile'),
  PROFILE_NATIONAL_ID_INVALID: entry('National ID number fails the format or checksum rule'),
  PROFILE_DG_UNKNOWN: entry('The profile defines no such data group', cardFailure),
  PROFILE_DG_MALFORMED: entry('A data group read from the card does not have the profile encoding', cardFailure),
  PROFILE_DATE_INVALID: entry('A date is not a valid calendar date in the expected form', cardFailure),
  PROFILE_COMMUNITY_ID_INVALID: entry('Community ID / household area code prefix for place verification is malformed', { http: 400, saml: ['Requester'], oidc: 'invalid_request', eidMinor: 'common#schemaViolation', expose: true }),
  PROFILE_PHOTO_INVALID: entry('The photo is not a JPEG (no SOI marker FFD8)', cardFailure),
} as const;
