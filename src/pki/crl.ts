/**
 * X.509 v2 CRLs: parse, verify against the issuing CSCA, check freshness at a clock time, look up
 * revoked serial numbers. Only complete, direct CRLs (ICAO: the CSCA signs its own CRL) are supported;
 * delta CRLs, indirect CRLs and issuing distribution points are critical extensions and are rejected.
 *
 * @spec rfc5280 §5.1 (CertificateList), §5.2 (CRL extensions), §5.3 (entry extensions), §6.3.3 (b), (f), (g)
 * @spec icao9303-12 §7.1.4 (CRL profile)
 *
 * ```asn1
 * CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
 * TBSCertList ::= SEQUENCE { version Version OPTIONAL, signature AlgorithmIdentifier, issuer Name, thisUpdate Time,
 *   nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE { userCertificate CertificateSerialNumber,
 *   revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL, crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 * ```
 */
import { createHash } from 'node:crypto';
import { PkiError, verifySignature } from './algorithms.js';
import { ExtensionOid, namesEqual, nameToText, pemBlocks } from './certificate.js';
import type { CertificateExtension, X509Certificate } from './certificate.js';
import {
  isContext, isUniversal, parseDer, parseTime, readBitStringBytes, readBoolean, readInteger, readOctetString, readOid, readSequence, Tag,
} from './der.js';
import type { DerNode, Fail } from './der.js';

export interface RevokedEntry { readonly serialNumber: bigint; readonly revocationDate: Date }

export interface X509Crl {
  readonly der: Buffer;
  readonly tbs: Buffer;
  readonly issuer: DerNode;
  readonly issuerText: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | null;
  readonly crlNumber: bigint | null;
  readonly authorityKeyIdentifier: Buffer | null;
  readonly signatureAlgorithm: string;
  readonly signature: Buffer;
  readonly extensions: readonly CertificateExtension[];
  /** Keyed by serialNumber.toString(16). */
  readonly revoked: ReadonlyMap<string, RevokedEntry>;
}

const KNOWN_CRL_EXTENSIONS: ReadonlySet<string> = new Set([ExtensionOid.AUTHORITY_KEY_IDENTIFIER, ExtensionOid.CRL_NUMBER, ExtensionOid.ISSUER_ALT_NAME]);
/** reasonCode and invalidityDate (RFC 5280 §5.3.1, §5.3.2); certificateIssuer (indirect CRL) is not supported. */
const KNOWN_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([ExtensionOid.CRL_REASON, '2.5.29.24']);

const malformed: Fail = (reason: string): never => { throw new PkiError('PKI_CRL_MALFORMED', `CRL: ${reason}`, { detail: { reason } }); };

function readExtensions(node: DerNode, what: string, known: ReadonlySet<string>): CertificateExtension[] {
  const list = readSequence(node, what, malformed, 1).map((e) => {
    const f = readSequence(e, 'Extension', malformed, 2, 3);
    const oid = readOid(f[0], 'extnID', malformed);
    const critical = f.length === 3 ? readBoolean(f[1], 'critical', malformed) : false;
    return { oid, critical, value: readOctetString(f[f.length - 1], 'extnValue', malformed) };
  });
  for (const e of list) {
    // RFC 5280 §5.2: a CRL with an unrecognised critical extension must not be used.
    if (e.critical && !known.has(e.oid)) throw new PkiError('PKI_UNKNOWN_CRITICAL_EXTENSION', `CRL: unrecognised critical extension ${e.oid}`, { detail: { oid: e.oid } });
  }
  return list;
}

/** Parses DER, or PEM text with one X509 CRL block. */
export function parseCrl(input: Uint8Array | string): X509Crl {
  let der: Uint8Array;
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const blocks = pemBlocks(text, 'X509 CRL');
    if (blocks.length !== 1) throw new PkiError('PKI_PEM_INVALID', `expected one X509 CRL block, found ${blocks.length}`);
    der = blocks[0]!;
  } else if (typeof input === 'string') {
    throw new PkiError('PKI_PEM_INVALID', 'text is not PEM');
  } else {
    der = input;
  }
  const top = readSequence(parseDer(der, malformed), 'CertificateList', malformed, 3, 3);
  const tbs = readSequence(top[0], 'tbsCertList', malformed, 4, 7);
  let i = 0;
  if (isUniversal(tbs[0]!, Tag.INTEGER)) {
    // RFC 5280 §5.1.2.1: v2 (1) when extensions are present; we require v2.
    if (readInteger(tbs[0], 'version', malformed) !== 1n) malformed('version is not v2');
    i++;
  }
  if (!tbs[i]!.raw.equals(top[1]!.raw)) malformed('signatureAlgorithm differs from tbsCertList.signature');
  i++;
  const issuer = tbs[i++]!;
  if (!isUniversal(issuer, Tag.SEQUENCE)) malformed('issuer is not a Name');
  const thisUpdate = parseTime(tbs[i++]!, malformed);
  let nextUpdate: Date | null = null;
  if (tbs[i] !== undefined && (isUniversal(tbs[i]!, Tag.UTC_TIME) || isUniversal(tbs[i]!, Tag.GENERALIZED_TIME))) nextUpdate = parseTime(tbs[i++]!, malformed);
  const revoked = new Map<string, RevokedEntry>();
  if (tbs[i] !== undefined && isUniversal(tbs[i]!, Tag.SEQUENCE)) {
    for (const entry of readSequence(tbs[i++], 'revokedCertificates', malformed, 1)) {
      const f = readSequence(entry, 'revokedCertificate', malformed, 2, 3);
      const serialNumber = readInteger(f[0], 'userCertificate', malformed);
      if (f[2] !== undefined) readExtensions(f[2], 'crlEntryExtensions', KNOWN_ENTRY_EXTENSIONS);
      revoked.set(serialNumber.toString(16), { serialNumber, revocationDate: parseTime(f[1]!, malformed) });
    }
  }
  let extensions: CertificateExtension[] = [];
  if (tbs[i] !== undefined && isContext(tbs[i]!, 0)) {
    const wrapper = tbs[i++]!;
    if (wrapper.children.length !== 1) malformed('crlExtensions is not [0] EXPLICIT');
    extensions = readExtensions(wrapper.children[0]!, 'crlExtensions', KNOWN_CRL_EXTENSIONS);
  }
  if (i !== tbs.length) malformed('unexpected element in tbsCertList');
  const extFail = malformed;
  const numberExt = extensions.find((e) => e.oid === ExtensionOid.CRL_NUMBER);
  const akiExt = extensions.find((e) => e.oid === ExtensionOid.AUTHORITY_KEY_IDENTIFIER);
  const akiKey = akiExt === undefined ? undefined : readSequence(parseDer(akiExt.value, extFail), 'authorityKeyIdentifier', extFail, 0, 3).find((n) => isContext(n, 0));
  return {
    der: Buffer.from(der),
    tbs: top[0]!.raw,
    issuer,
    issuerText: nameToText(issuer),
    thisUpdate,
    nextUpdate,
    crlNumber: numberExt === undefined ? null : readInteger(parseDer(numberExt.value, extFail), 'cRLNumber', extFail),
    authorityKeyIdentifier: akiKey?.content ?? null,
    signatureAlgorithm: readOid(readSequence(top[1], 'signatureAlgorithm', malformed, 1, 2)[0], 'signatureAlgorithm', malformed),
    signature: readBitStringBytes(top[2], 'signatureValue', malformed),
    extensions,
    revoked,
  };
}

/** RFC 5280 §6.3.3 (f): issuer name, AKI, cRLSign and signature. Freshness is checked separately. */
export function verifyCrlSignature(crl: X509Crl, issuer: X509Certificate): void {
  const bad = (reason: string): never => { throw new PkiError('PKI_CRL_SIGNATURE_INVALID', `CRL of ${crl.issuerText}: ${reason}`); };
  if (!namesEqual(crl.issuer, issuer.subject)) bad('issuer name does not match the certificate subject');
  if (crl.authorityKeyIdentifier !== null && issuer.subjectKeyIdentifier !== null && !crl.authorityKeyIdentifier.equals(issuer.subjectKeyIdentifier)) {
    bad('authorityKeyIdentifier does not match the issuer key');
  }
  // RFC 5280 §4.2.1.3: the key that signs CRLs asserts cRLSign.
  if (issuer.keyUsage !== null && !issuer.keyUsage.has('cRLSign')) bad('issuer keyUsage lacks cRLSign');
  if (!verifySignature(crl.signatureAlgorithm, issuer.publicKey, crl.tbs, crl.signature)) bad('signature does not verify');
}

/**
 * CRLs whose signature already verified, so that a CRL is checked once and not in every validation
 * (it is the same for every document its CSCA signed until its nextUpdate). An entry is keyed by the
 * SHA-256 of the whole CRL and of the issuer certificate, so other bytes (a new or a tampered CRL,
 * another certificate) are verified anew; only successful verifications are kept, each until the
 * CRL's nextUpdate (a CRL without one is never fresh and never kept); at most `maxEntries`, the
 * least recently used one dropped first. Holds nothing from a card: the caller passes only issuers
 * it trusts itself (TrustStore: its stored CSCAs).
 */
export class VerifiedCrlCache {
  readonly maxEntries: number;
  readonly #verify: (crl: X509Crl, issuer: X509Certificate) => void;
  /** key → nextUpdate in ms; Map order is use order (oldest first). */
  readonly #entries = new Map<string, number>();

  /** `verify` is verifyCrlSignature (tests count the calls). */
  constructor(options: { maxEntries?: number; verify?: (crl: X509Crl, issuer: X509Certificate) => void } = {}) {
    this.maxEntries = options.maxEntries ?? 1024;
    this.#verify = options.verify ?? verifyCrlSignature;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** verifyCrlSignature(crl, issuer), skipped when these bytes verified before and `at` is not past nextUpdate. */
  verify(crl: X509Crl, issuer: X509Certificate, at: Date): void {
    const key = `${createHash('sha256').update(crl.der).digest('hex')}:${createHash('sha256').update(issuer.der).digest('hex')}`;
    const until = this.#entries.get(key);
    if (until !== undefined) {
      this.#entries.delete(key);
      if (at.getTime() <= until) {
        this.#entries.set(key, until);
        return;
      }
    }
    this.#verify(crl, issuer);
    if (crl.nextUpdate === null || at.getTime() > crl.nextUpdate.getTime()) return;
    this.#entries.set(key, crl.nextUpdate.getTime());
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(oldest);
    }
  }
}

/** RFC 5280 §6.3.3 (a)(2) / §5.1.2.5: usable from thisUpdate until nextUpdate; a CRL without nextUpdate is never fresh. */
export function checkCrlFreshness(crl: X509Crl, at: Date): void {
  if (at.getTime() < crl.thisUpdate.getTime()) throw new PkiError('PKI_CRL_NOT_YET_VALID', `CRL of ${crl.issuerText} issued after the validation time`);
  if (crl.nextUpdate === null || at.getTime() > crl.nextUpdate.getTime()) {
    throw new PkiError('PKI_CRL_STALE', `CRL of ${crl.issuerText} is past nextUpdate`, { detail: { nextUpdate: crl.nextUpdate?.toISOString() ?? null } });
  }
}

export function revocationEntry(crl: X509Crl, cert: X509Certificate): RevokedEntry | undefined {
  return crl.revoked.get(cert.serialNumber.toString(16));
}

/**
 * Signature + freshness + lookup; throws PKI_CERT_REVOKED when the certificate is listed. With
 * `verified`, the signature check goes through that cache (for an issuer the caller trusts itself).
 */
export function checkNotRevoked(crl: X509Crl, cert: X509Certificate, issuer: X509Certificate, at: Date, verified?: VerifiedCrlCache): void {
  if (verified === undefined) verifyCrlSignature(crl, issuer);
  else verified.verify(crl, issuer, at);
  checkCrlFreshness(crl, at);
  const entry = revocationEntry(crl, cert);
  // RFC 5280 §6.3.3 (i): a listed serial number means revoked (reason codes other than removeFromCRL are not distinguished).
  if (entry !== undefined) {
    throw new PkiError('PKI_CERT_REVOKED', `certificate revoked: ${cert.subjectText}`, { detail: { serial: cert.serialHex, revocationDate: entry.revocationDate.toISOString() } });
  }
}
