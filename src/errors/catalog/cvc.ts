import { EID_AUTHENTICATION_FAILED, entry } from './types.js';

/**
 * Card-verifiable certificates (eid/eac/cvc): parsing, signatures, chains, CHAT, CertificateDescription.
 * Most of these mean our own terminal PKI or configuration is broken; during an eID conversation they
 * end the card session like other EAC failures.
 */
const failed = EID_AUTHENTICATION_FAILED;

export const cvcCodes = {
  CVC_MALFORMED: entry('CV certificate: the BER-TLV encoding is broken (truncated, bad length, bad tag); detail.tlvCode names the TLV error', failed),
  CVC_TRAILING_DATA: entry('CV certificate: bytes after the certificate or after a data object', failed),
  CVC_WRONG_TAG: entry('CV certificate: unexpected data object or data objects in the wrong order (TR-03110-3 Table C.1)', failed),
  CVC_MISSING_ELEMENT: entry('CV certificate: a mandatory data object is missing', failed),
  CVC_PROFILE_UNSUPPORTED: entry('CV certificate: certificate profile identifier is not 0', failed),
  CVC_REFERENCE_INVALID: entry('CV certificate: CAR or CHR is not country code, holder mnemonic and sequence number', failed),
  CVC_DATE_INVALID: entry('CV certificate: effective or expiration date is not six valid YYMMDD digits, or expires before it is effective', failed),
  CVC_OID_INVALID: entry('CV certificate: object identifier encoding is malformed', failed),
  CVC_CHAT_INVALID: entry('CHAT: malformed, unknown terminal type, or wrong length of the discretionary data', failed),
  CVC_CHAT_TYPE_MISMATCH: entry('CHAT: templates of different terminal types (AT / IS / ST) combined', failed),
  CVC_PUBLIC_KEY_INVALID: entry('CV certificate: public key data object malformed or incomplete domain parameters', failed),
  CVC_UNSUPPORTED_ALGORITHM: entry('CV certificate: public key algorithm is not id-TA-ECDSA-SHA-1/224/256/384/512', failed),
  CVC_UNSUPPORTED_DOMAIN_PARAMETERS: entry('CV certificate: explicit domain parameters are not a supported curve', failed),
  CVC_DOMAIN_PARAMETERS_MISSING: entry('CV certificate: a CVCA certificate without domain parameters, or no CVCA to inherit them from', failed),
  CVC_EXTENSION_INVALID: entry('CV certificate: certificate extension (65 / 73) malformed', failed),
  CVC_SIGNATURE_MALFORMED: entry('CV certificate: signature has the wrong length for the issuer curve', failed),
  CVC_SIGNATURE_INVALID: entry('CV certificate: signature does not verify with the issuer public key', failed),
  CVC_UNKNOWN_CAR: entry('CV certificate chain: no certificate path to a CAR the chip knows', failed),
  CVC_EXPIRED: entry('CV certificate: expired relative to the current date', failed),
  CVC_NOT_YET_VALID: entry('CV certificate: effective date lies after the current date', failed),
  CVC_CHAT_ESCALATION: entry('CV certificate chain: a certificate claims rights its issuer does not have', failed),
  CVC_ROLE_INVALID: entry('CV certificate chain: role (CVCA / DV / terminal) not allowed at this position', failed),
  CVC_CHAIN_INVALID: entry('CV certificate chain: CAR of a certificate does not name the previous CHR, or the chain is empty', failed),
  CVC_DESCRIPTION_INVALID: entry('CertificateDescription: DER structure malformed or a mandatory field missing', failed),
  CVC_DESCRIPTION_IMPLICIT_TAGS: entry('CertificateDescription uses IMPLICIT tags (as Debian OpenPACE cvc-create writes); eID clients require EXPLICIT tags', failed),
  CVC_DESCRIPTION_MISSING: entry('Terminal certificate has no id-description extension', failed),
  CVC_DESCRIPTION_HASH_MISMATCH: entry('CertificateDescription hash differs from the id-description extension of the terminal certificate', failed),
} as const;
