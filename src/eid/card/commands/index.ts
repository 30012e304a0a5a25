/**
 * Card commands used by EAC: pure builders (→ CommandApdu) and response parsers (ResponseApdu →).
 * One file per command; this index only re-exports.
 *
 * @spec tr03110-3 App. B, iso7816-4 §7
 */
export { CommandError } from './command-error.js';
export { oidValue } from './oid-value.js';
export { expectStatus } from './response.js';
export { selectApplication, selectElementaryFile, EID_APPLICATION_AID, ELEMENTARY_FILES } from './select.js';
export { readBinarySfi, readBinaryOffset, readBinaryOddIns, parseReadBinaryResponse, parseReadBinaryOddInsResponse, LE_EXTENDED_MAX, LE_SHORT_MAX } from './read-binary.js';
export { mseSetAtPace, mseSetAtTa, mseSetAtCa, mseSetAtRi, PACE_PASSWORD, type PacePassword, type MseSetAtPaceOptions, type MseSetAtTaOptions } from './mse-set-at.js';
export { mseSetDst } from './mse-set-dst.js';
export { psoVerifyCertificate } from './pso-verify-certificate.js';
export { getChallenge, parseGetChallengeResponse, TA_CHALLENGE_LENGTH } from './get-challenge.js';
export { externalAuthenticate } from './external-authenticate.js';
export { generalAuthenticate, parseGeneralAuthenticateResponse, type DataObject } from './general-authenticate.js';
export { verifyAuxiliaryData, parseVerifyAuxiliaryDataResponse } from './verify-auxiliary.js';
export { resetRetryCounter, changePin } from './reset-retry-counter.js';
