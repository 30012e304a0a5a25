import { EID_AUTHENTICATION_FAILED, entry } from './types.js';

/**
 * SecurityInfos (EF.CardAccess / EF.CardSecurity), X.509 / CRL / CMS (src/pki) and passive authentication.
 * During an eID conversation a PA_* failure means the document is not genuine or not valid:
 * TR-03130-1 §3.4 getResult#invalidDocument. Other codes end the card session as an internal failure.
 */
const failed = EID_AUTHENTICATION_FAILED;
const invalidDocument = { http: 403, saml: ['Responder', 'AuthnFailed'], oidc: 'access_denied', ecardMinor: '/al/common#internalError', eidMinor: 'getResult#invalidDocument' } as const;
/** Operator input (PEM/DER files, master lists loaded by the CLI): a bad file, not a failed login. */
const badInput = { http: 400, expose: true } as const;

export const pkiCodes = {
  SECINFO_MALFORMED: entry('SecurityInfos: not valid DER (truncated, indefinite or non-minimal length, bad tag)', failed),
  SECINFO_TRAILING_BYTES: entry('SecurityInfos: bytes after the outer SET', failed),
  SECINFO_NOT_A_SET: entry('SecurityInfos: outer element is not a SET OF SecurityInfo', failed),
  SECINFO_EMPTY: entry('SecurityInfos: the SET OF SecurityInfo is empty', failed),
  SECINFO_INVALID_INFO: entry('SecurityInfos: an element does not match the structure defined for its protocol OID', failed),
  SECINFO_INVALID_DOMAIN_PARAMETERS: entry('SecurityInfos: domain parameters malformed (AlgorithmIdentifier / ECParameters)', failed),
  SECINFO_CA_NOT_FOUND: entry('SecurityInfos: no Chip Authentication v2 info / public key for the selected keyId', invalidDocument),
  SECINFO_CA_KEY_AMBIGUOUS: entry('SecurityInfos: several Chip Authentication keys and no keyId to select one', invalidDocument),

  PKI_PEM_INVALID: entry('PEM text has no or a malformed CERTIFICATE / X509 CRL block', badInput),
  PKI_CERTIFICATE_MALFORMED: entry('X.509 certificate is not valid DER or lacks a mandatory field', failed),
  PKI_CRL_MALFORMED: entry('X.509 CRL is not valid DER or lacks a mandatory field', failed),
  PKI_UNSUPPORTED_ALGORITHM: entry('Signature or digest algorithm not supported', failed),
  PKI_SIGNATURE_INVALID: entry('Certificate signature does not verify with the issuer key', failed),
  PKI_CERT_EXPIRED: entry('Certificate notAfter is before the validation time', failed),
  PKI_CERT_NOT_YET_VALID: entry('Certificate notBefore is after the validation time', failed),
  PKI_ISSUER_NOT_FOUND: entry('No trusted issuer (trust anchor) for the certificate', failed),
  PKI_NAME_CHAINING: entry('Issuer name of a certificate does not match the subject of its issuer', failed),
  PKI_KEY_IDENTIFIER_MISMATCH: entry('authorityKeyIdentifier does not match the issuer subjectKeyIdentifier', failed),
  PKI_NOT_A_CA: entry('Issuer certificate is not a CA (basicConstraints cA absent or false)', failed),
  PKI_PATH_LENGTH_EXCEEDED: entry('basicConstraints pathLenConstraint exceeded', failed),
  PKI_KEY_USAGE: entry('keyUsage / extendedKeyUsage does not permit this use of the key', failed),
  PKI_UNKNOWN_CRITICAL_EXTENSION: entry('Certificate or CRL carries a critical extension we do not process', failed),
  PKI_CERT_REVOKED: entry('Certificate serial number is on the issuer CRL', failed),
  PKI_CRL_MISSING: entry('No CRL of the issuer is available although revocation checking is required', failed),
  PKI_CRL_SIGNATURE_INVALID: entry('CRL signature does not verify with the issuer key, or the issuer does not match', failed),
  PKI_CRL_STALE: entry('CRL nextUpdate is absent or before the validation time', failed),
  PKI_CRL_NOT_YET_VALID: entry('CRL thisUpdate is after the validation time', failed),
  PKI_MASTER_LIST_INVALID: entry('CSCA master list malformed (content type, version, certificate list)', badInput),

  CMS_MALFORMED: entry('CMS ContentInfo / SignedData malformed or not supported (RFC 5652)', failed),
  CMS_UNEXPECTED_CONTENT_TYPE: entry('CMS eContentType is not the one expected', failed),
  CMS_SIGNED_ATTRIBUTES_INVALID: entry('CMS signedAttrs missing, or contentType / messageDigest attribute missing or wrong', failed),
  CMS_DIGEST_MISMATCH: entry('CMS messageDigest does not equal the digest of the encapsulated content', failed),
  CMS_SIGNATURE_INVALID: entry('CMS SignerInfo signature does not verify', failed),
  CMS_SIGNER_NOT_FOUND: entry('CMS signer certificate (sid) not among the included certificates', failed),

  PA_MALFORMED: entry('Passive authentication: EF.CardSecurity is not a well-formed CMS SignedData', invalidDocument),
  PA_WRONG_CONTENT_TYPE: entry('Passive authentication: eContentType is not id-SecurityObject', invalidDocument),
  PA_CONTENT_TAMPERED: entry('Passive authentication: SecurityInfos digest does not match the signed messageDigest', invalidDocument),
  PA_SIGNATURE_INVALID: entry('Passive authentication: Document Signer signature over EF.CardSecurity does not verify', invalidDocument),
  PA_DS_UNTRUSTED: entry('Passive authentication: Document Signer does not chain to a trusted CSCA', invalidDocument),
  PA_DS_EXPIRED: entry('Passive authentication: Document Signer (or its CSCA) certificate not valid at the validation time', invalidDocument),
  PA_DS_REVOKED: entry('Passive authentication: Document Signer certificate is revoked by the CSCA CRL', invalidDocument),
  PA_REVOCATION_UNKNOWN: entry('Passive authentication: no valid, fresh CRL of the CSCA to check the Document Signer', invalidDocument),
  PA_DS_INVALID: entry('Passive authentication: Document Signer certificate not usable (keyUsage, extensions, algorithm)', invalidDocument),
} as const;
