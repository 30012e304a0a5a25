/**
 * Passive authentication of EF.CardSecurity (terminal / eID-Server side). From here on the
 * SecurityInfos are trusted: the Chip Authentication public key the server uses MUST come from the
 * result of this function, never from EF.CardAccess or any unsigned source.
 *
 * Steps (each failure has its own PA_* code):
 * 1. parse ContentInfo(SignedData), exactly one SignerInfo, DS certificate included   → PA_MALFORMED
 * 2. eContentType = id-SecurityObject                                                 → PA_WRONG_CONTENT_TYPE
 * 3. messageDigest = H(eContent)                                                      → PA_CONTENT_TAMPERED
 * 4. DS signature over signedAttrs                                                    → PA_SIGNATURE_INVALID
 * 5. DS → CSCA path in the trust store at the clock time (RFC 5280 §6.1)             → PA_DS_UNTRUSTED / PA_DS_EXPIRED / PA_DS_INVALID
 * 6. DS not on the CSCA CRL, CRL signed and fresh                                     → PA_DS_REVOKED / PA_REVOCATION_UNKNOWN
 * 7. eContent decodes as SecurityInfos                                                → PA_MALFORMED
 *
 * @spec tr03110-3 §A.1.2 (EF.CardSecurity), tr03130-1 §2.4.3, §2.4.6
 * @spec icao9303-11 §5.1 (passive authentication), rfc5652 §5.6, rfc5280 §6.1, §6.3
 */
import { IdpError } from '../../errors/idp-error.js';
import type { ErrorCode } from '../../errors/catalog.js';
import type { DigestName } from '../../pki/algorithms.js';
import type { X509Certificate } from '../../pki/certificate.js';
import { verifySignedData } from '../../pki/cms.js';
import type { TrustStore } from '../../pki/trust-store.js';
import type { Clock } from '../../shared/clock.js';
import { ID_SECURITY_OBJECT } from './card-security.js';
import { decodeSecurityInfos } from './security-infos.js';
import type { SecurityInfo } from './security-infos.js';

export class PassiveAuthenticationError extends IdpError {}

export interface PassiveAuthenticationOptions {
  readonly trustStore: TrustStore;
  /** Validation time for certificates and CRL freshness. */
  readonly clock: Clock;
  /** Default true (TR-03130-1 §2.4.3): no fresh CSCA CRL → PA_REVOCATION_UNKNOWN. */
  readonly requireCrl?: boolean;
}

export interface PassiveAuthenticationResult {
  /** The verified SecurityInfos: the only source for the CA public key. */
  readonly securityInfos: readonly SecurityInfo[];
  /** The signed DER SecurityInfos (eContent) exactly as on the card. */
  readonly securityInfosDer: Buffer;
  readonly documentSigner: X509Certificate;
  readonly csca: X509Certificate;
  readonly digestAlgorithm: DigestName;
  readonly signingTime: Date | null;
}

/** Internal PKI/CMS codes → PA codes. Anything not listed stays a PA_MALFORMED / PA_DS_INVALID case. */
const CMS_TO_PA: Readonly<Partial<Record<ErrorCode, ErrorCode>>> = {
  CMS_MALFORMED: 'PA_MALFORMED',
  CMS_SIGNER_NOT_FOUND: 'PA_MALFORMED',
  CMS_SIGNED_ATTRIBUTES_INVALID: 'PA_MALFORMED',
  PKI_CERTIFICATE_MALFORMED: 'PA_MALFORMED',
  PKI_UNSUPPORTED_ALGORITHM: 'PA_MALFORMED',
  CMS_UNEXPECTED_CONTENT_TYPE: 'PA_WRONG_CONTENT_TYPE',
  CMS_DIGEST_MISMATCH: 'PA_CONTENT_TAMPERED',
  CMS_SIGNATURE_INVALID: 'PA_SIGNATURE_INVALID',
};
const PATH_TO_PA: Readonly<Partial<Record<ErrorCode, ErrorCode>>> = {
  PKI_CERT_EXPIRED: 'PA_DS_EXPIRED',
  PKI_CERT_NOT_YET_VALID: 'PA_DS_EXPIRED',
  PKI_CERT_REVOKED: 'PA_DS_REVOKED',
  PKI_CRL_MISSING: 'PA_REVOCATION_UNKNOWN',
  PKI_CRL_STALE: 'PA_REVOCATION_UNKNOWN',
  PKI_CRL_NOT_YET_VALID: 'PA_REVOCATION_UNKNOWN',
  PKI_CRL_SIGNATURE_INVALID: 'PA_REVOCATION_UNKNOWN',
  PKI_ISSUER_NOT_FOUND: 'PA_DS_UNTRUSTED',
  PKI_SIGNATURE_INVALID: 'PA_DS_UNTRUSTED',
  PKI_NAME_CHAINING: 'PA_DS_UNTRUSTED',
  PKI_KEY_IDENTIFIER_MISMATCH: 'PA_DS_UNTRUSTED',
  PKI_NOT_A_CA: 'PA_DS_UNTRUSTED',
  PKI_PATH_LENGTH_EXCEEDED: 'PA_DS_UNTRUSTED',
};

function rethrow(err: unknown, table: Readonly<Partial<Record<ErrorCode, ErrorCode>>>, fallback: ErrorCode): never {
  if (!(err instanceof IdpError)) throw err;
  const code = table[err.code] ?? fallback;
  throw new PassiveAuthenticationError(code, `passive authentication failed: ${err.message}`, { cause: err, detail: { reason: err.code } });
}

export function verifyCardSecurity(efCardSecurity: Uint8Array, options: PassiveAuthenticationOptions): PassiveAuthenticationResult {
  const at = options.clock.now();
  let signed;
  try {
    // Steps 1–4.
    signed = verifySignedData(efCardSecurity, { expectedContentType: ID_SECURITY_OBJECT });
  } catch (err) {
    rethrow(err, CMS_TO_PA, 'PA_MALFORMED');
  }
  let path;
  try {
    // Steps 5–6; ICAO 9303-12 §7.1.1: a DS key is for digitalSignature only.
    path = options.trustStore.validate(signed.signer, {
      at, requiredKeyUsage: 'digitalSignature', requireCrl: options.requireCrl ?? true, intermediates: signed.certificates,
    });
  } catch (err) {
    rethrow(err, PATH_TO_PA, 'PA_DS_INVALID');
  }
  let securityInfos: SecurityInfo[];
  try {
    // Step 7: signed but unparsable content is still not a usable document.
    securityInfos = decodeSecurityInfos(signed.content);
  } catch (err) {
    rethrow(err, {}, 'PA_MALFORMED');
  }
  return {
    securityInfos,
    securityInfosDer: signed.content,
    documentSigner: signed.signer,
    csca: path.anchor,
    digestAlgorithm: signed.digestAlgorithm,
    signingTime: signed.signingTime,
  };
}
