/**
 * Certificate path validation, the subset of RFC 5280 §6.1 that a CSCA → (link) → DS / master-list
 * signer hierarchy needs: signatures, validity at one clock time (shell model), name chaining,
 * AKI/SKI, basicConstraints and pathLenConstraint, keyUsage / extKeyUsage, critical extensions,
 * and a revocation hook per certificate. Policy and name-constraint processing are not implemented;
 * certificates that mark those extensions critical are rejected.
 *
 * @spec rfc5280 §6.1.3 (basic certificate processing), §6.1.4 (preparation for the next certificate), §4.2
 * @spec icao9303-12 §5 (PKI hierarchy), §7.1 (certificate profiles)
 */
import { PkiError } from './algorithms.js';
import { verifySignature } from './algorithms.js';
import { ExtensionOid, namesEqual } from './certificate.js';
import type { KeyUsageName, X509Certificate } from './certificate.js';

/** Extensions we process or that are informational; any other critical extension fails validation. */
const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  ExtensionOid.BASIC_CONSTRAINTS, ExtensionOid.KEY_USAGE, ExtensionOid.EXT_KEY_USAGE, ExtensionOid.SUBJECT_KEY_IDENTIFIER,
  ExtensionOid.AUTHORITY_KEY_IDENTIFIER, ExtensionOid.SUBJECT_ALT_NAME, ExtensionOid.ISSUER_ALT_NAME,
  ExtensionOid.CRL_DISTRIBUTION_POINTS, ExtensionOid.PRIVATE_KEY_USAGE_PERIOD, ExtensionOid.DOCUMENT_TYPE_LIST,
  // With initial-policy-set = any-policy and no explicit policy required, RFC 5280 §6.1 accepts any policy.
  ExtensionOid.CERTIFICATE_POLICIES,
]);

export interface PathValidationInput {
  readonly target: X509Certificate;
  /** Untrusted certificates that may sit between target and anchor (e.g. CSCA link certificates). */
  readonly intermediates?: readonly X509Certificate[];
  readonly trustAnchors: readonly X509Certificate[];
  readonly at: Date;
  /** keyUsage bit the target must assert (when it has a keyUsage extension it must have this bit; absent keyUsage fails). */
  readonly requiredKeyUsage?: KeyUsageName;
  /** extKeyUsage purpose the target must list. */
  readonly requiredExtKeyUsage?: string;
  /** Called for every certificate below the anchor with its issuer; throws to reject (CRL check). */
  readonly checkRevocation?: (certificate: X509Certificate, issuer: X509Certificate) => void;
}

export interface ValidatedPath {
  /** target first, trust anchor last. */
  readonly path: readonly X509Certificate[];
  readonly anchor: X509Certificate;
}

const MAX_PATH = 6;

function fail(code: 'PKI_CERT_EXPIRED' | 'PKI_CERT_NOT_YET_VALID' | 'PKI_ISSUER_NOT_FOUND' | 'PKI_SIGNATURE_INVALID' | 'PKI_KEY_IDENTIFIER_MISMATCH'
  | 'PKI_NOT_A_CA' | 'PKI_PATH_LENGTH_EXCEEDED' | 'PKI_KEY_USAGE' | 'PKI_UNKNOWN_CRITICAL_EXTENSION' | 'PKI_NAME_CHAINING', cert: X509Certificate, reason: string): never {
  throw new PkiError(code, `${reason}: ${cert.subjectText}`, { detail: { subject: cert.subjectText, serial: cert.serialHex } });
}

/** RFC 5280 §6.1.3 (a)(2): validity, and (§6.1.4 (o)) unrecognised critical extensions. */
export function checkCertificateItself(cert: X509Certificate, at: Date): void {
  if (at.getTime() < cert.notBefore.getTime()) fail('PKI_CERT_NOT_YET_VALID', cert, `not valid before ${cert.notBefore.toISOString()}`);
  if (at.getTime() > cert.notAfter.getTime()) fail('PKI_CERT_EXPIRED', cert, `expired ${cert.notAfter.toISOString()}`);
  for (const e of cert.extensions) {
    if (e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid)) fail('PKI_UNKNOWN_CRITICAL_EXTENSION', cert, `unrecognised critical extension ${e.oid}`);
  }
}

/** RFC 5280 §6.1.4 (k), (n): the issuer must be a CA allowed to sign certificates. */
function checkIssuerIsCa(issuer: X509Certificate): void {
  if (issuer.basicConstraints?.ca !== true) fail('PKI_NOT_A_CA', issuer, 'issuer is not a CA (basicConstraints)');
  if (issuer.keyUsage !== null && !issuer.keyUsage.has('keyCertSign')) fail('PKI_KEY_USAGE', issuer, 'issuer keyUsage lacks keyCertSign');
}

/** Certificates whose subject can have issued `cert`: name match, then AKI/SKI where both are present. */
function issuerCandidates(cert: X509Certificate, pool: readonly X509Certificate[]): X509Certificate[] {
  const byName = pool.filter((c) => namesEqual(c.subject, cert.issuer) && !c.der.equals(cert.der));
  const aki = cert.authorityKeyIdentifier;
  if (aki === null) return byName;
  return byName.filter((c) => c.subjectKeyIdentifier === null || c.subjectKeyIdentifier.equals(aki));
}

export function validateCertificatePath(input: PathValidationInput): ValidatedPath {
  const { target, at } = input;
  const anchors = input.trustAnchors;
  const intermediates = input.intermediates ?? [];
  const path: X509Certificate[] = [target];
  let current = target;
  for (;;) {
    checkCertificateItself(current, at);
    // A trusted certificate ends the path (the target itself may be trusted, e.g. a CSCA).
    if (anchors.some((a) => a.der.equals(current.der))) break;
    if (path.length > MAX_PATH) fail('PKI_PATH_LENGTH_EXCEEDED', current, 'path too long');
    const anchorCandidates = issuerCandidates(current, anchors);
    const otherCandidates = issuerCandidates(current, intermediates).filter((c) => !path.includes(c));
    const candidates = [...anchorCandidates, ...otherCandidates];
    if (candidates.length === 0) {
      const sameName = [...anchors, ...intermediates].some((c) => namesEqual(c.subject, current.issuer));
      if (sameName) fail('PKI_KEY_IDENTIFIER_MISMATCH', current, 'authorityKeyIdentifier matches no issuer with that name');
      fail('PKI_ISSUER_NOT_FOUND', current, `no trusted issuer "${current.issuerText}"`);
    }
    // RFC 5280 §6.1.3 (a)(1): the signature verifies with the working public key.
    const issuer = candidates.find((c) => verifySignature(current.signatureAlgorithm, c.publicKey, current.tbs, current.signature));
    if (issuer === undefined) fail('PKI_SIGNATURE_INVALID', current, 'signature does not verify with the issuer key');
    checkIssuerIsCa(issuer);
    input.checkRevocation?.(current, issuer);
    path.push(issuer);
    current = issuer;
  }
  const anchor = path[path.length - 1]!;
  // RFC 5280 §6.1.4 (l), (m): pathLenConstraint counts the non-self-issued intermediates below each CA.
  for (let i = 1; i < path.length; i++) {
    const ca = path[i]!;
    const pathLen = ca.basicConstraints?.pathLen ?? null;
    if (pathLen === null) continue;
    const below = path.slice(1, i).filter((c) => !c.selfIssued).length;
    if (below > pathLen) fail('PKI_PATH_LENGTH_EXCEEDED', ca, `pathLenConstraint ${pathLen} exceeded`);
  }
  if (input.requiredKeyUsage !== undefined && (target.keyUsage === null || !target.keyUsage.has(input.requiredKeyUsage))) {
    fail('PKI_KEY_USAGE', target, `keyUsage ${input.requiredKeyUsage} required`);
  }
  if (input.requiredExtKeyUsage !== undefined && (target.extKeyUsage === null || !target.extKeyUsage.includes(input.requiredExtKeyUsage))) {
    fail('PKI_KEY_USAGE', target, `extKeyUsage ${input.requiredExtKeyUsage} required`);
  }
  return { path, anchor };
}
