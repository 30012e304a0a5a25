/**
 * Test PKI builder: CSCA (self-signed CA), Document Signer, master-list signer, CRL, CSCA master list.
 * The TBS structures are built with pkijs/asn1js; signatures are computed with node:crypto over the
 * TBS DER because WebCrypto has no brainpool curves. For tests and the `neid pki` tooling only:
 * a production CSCA lives in an HSM and is never built here.
 *
 * @spec rfc5280 §4.1, §5.1; rfc7093 §2; icao9303-12 §7.1 (certificate profiles), §9 (master list)
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digest, signData } from '../../src/pki/algorithms.js';
import type { DigestName } from '../../src/pki/algorithms.js';
import { ExtensionOid, KeyUsage, parseCertificate } from '../../src/pki/certificate.js';
import type { KeyUsageName, X509Certificate } from '../../src/pki/certificate.js';
import { derBitString, derBoolean, derInteger, derOctetString, derOid, derSequence, derSetOf, derTlv } from '../../src/pki/der.js';
import { buildMasterList, MasterListOid } from '../../src/pki/master-list.js';

export type TestCurve = 'brainpoolP256r1' | 'brainpoolP384r1' | 'P-384';

const OPENSSL_CURVE: Readonly<Record<TestCurve, string>> = { brainpoolP256r1: 'brainpoolP256r1', brainpoolP384r1: 'brainpoolP384r1', 'P-384': 'secp384r1' };

export interface KeyPair { readonly privateKey: KeyObject; readonly publicKey: KeyObject }

export function generateSigningKey(curve: TestCurve): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: OPENSSL_CURVE[curve] });
}

export type NameAttribute = 'C' | 'O' | 'OU' | 'CN' | 'serialNumber';
export type NameSpec = readonly (readonly [NameAttribute, string])[];

const NAME_OIDS: Readonly<Record<NameAttribute, string>> = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3', serialNumber: '2.5.4.5' };

/** One attribute per RDN (RFC 5280 §4.1.2.4 practice); encoded with asn1js, handed to pkijs. */
function buildName(spec: NameSpec): pkijs.RelativeDistinguishedNames {
  const rdns = spec.map(([attr, value]) => {
    // RFC 5280 App. A: countryName and serialNumber are PrintableString; the rest UTF8String.
    const str = attr === 'C' || attr === 'serialNumber' ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value });
    return derSetOf([derSequence([derOid(NAME_OIDS[attr]), Buffer.from(str.toBER())])]);
  });
  return pkijs.RelativeDistinguishedNames.fromBER(Uint8Array.from(derSequence(rdns)));
}

function nameFromCertificateSubject(cert: X509Certificate): pkijs.RelativeDistinguishedNames {
  return pkijs.RelativeDistinguishedNames.fromBER(Uint8Array.from(cert.subject.raw));
}

function algorithmIdentifier(der: Buffer): pkijs.AlgorithmIdentifier {
  return pkijs.AlgorithmIdentifier.fromBER(Uint8Array.from(der));
}

function keyUsageBits(names: readonly KeyUsageName[]): Buffer {
  const bits = names.map((n) => KeyUsage[n]);
  const max = Math.max(...bits);
  const bytes = Buffer.alloc((max >> 3) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  // X.690 §11.2.2: DER drops trailing zero bits of a named bit list.
  const unused = 7 - (max & 7);
  return Buffer.concat([Buffer.from([unused]), bytes]);
}

/** RFC 7093 §2 method 1: leftmost 160 bits of SHA-256 over the subjectPublicKey BIT STRING value. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const info = pkijs.PublicKeyInfo.fromBER(publicKey.export({ type: 'spki', format: 'der' }));
  return digest('sha256', Buffer.from(info.subjectPublicKey.valueBlock.valueHexView)).subarray(0, 20);
}

export interface CertificateTemplate {
  readonly subject: NameSpec;
  readonly publicKey: KeyObject;
  readonly serialNumber?: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** CA certificate (basicConstraints cA TRUE, critical). */
  readonly ca?: { readonly pathLen?: number };
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage?: readonly string[];
  readonly hash: DigestName;
  /** Absent: self-signed with `selfPrivateKey`. */
  readonly issuer?: { readonly certificate: X509Certificate; readonly privateKey: KeyObject };
  readonly selfPrivateKey?: KeyObject;
  /** Extra extensions, e.g. an unknown critical one for negative tests. */
  readonly extraExtensions?: readonly { readonly oid: string; readonly critical: boolean; readonly value: Buffer }[];
  readonly omitKeyIdentifiers?: boolean;
}

export function buildCertificate(t: CertificateTemplate): X509Certificate {
  const signingKey = t.issuer?.privateKey ?? t.selfPrivateKey;
  if (signingKey === undefined) throw new TypeError('self-signed certificate needs selfPrivateKey');
  const serial = t.serialNumber ?? BigInt(`0x${randomBytes(8).toString('hex')}`) | 1n;
  const subject = buildName(t.subject);
  const issuer = t.issuer === undefined ? buildName(t.subject) : nameFromCertificateSubject(t.issuer.certificate);
  const ski = keyIdentifier(t.publicKey);
  const aki = t.issuer === undefined ? ski : (t.issuer.certificate.subjectKeyIdentifier ?? keyIdentifier(t.issuer.certificate.publicKey));

  const ext = (oid: string, critical: boolean, value: Buffer): pkijs.Extension =>
    new pkijs.Extension({ extnID: oid, critical, extnValue: new Uint8Array(value).buffer });
  const extensions = [
    ...(t.omitKeyIdentifiers === true ? [] : [
      ext(ExtensionOid.AUTHORITY_KEY_IDENTIFIER, false, derSequence([derTlv(0x80, aki)])),
      ext(ExtensionOid.SUBJECT_KEY_IDENTIFIER, false, derOctetString(ski)),
    ]),
    // RFC 5280 §4.2.1.3: keyUsage SHOULD be critical.
    ext(ExtensionOid.KEY_USAGE, true, derTlv(0x03, keyUsageBits(t.keyUsage))),
    ...(t.ca === undefined ? [] : [ext(ExtensionOid.BASIC_CONSTRAINTS, true, derSequence([derBoolean(true), ...(t.ca.pathLen === undefined ? [] : [derInteger(t.ca.pathLen)])]))]),
    ...(t.extKeyUsage === undefined ? [] : [ext(ExtensionOid.EXT_KEY_USAGE, false, derSequence(t.extKeyUsage.map(derOid)))]),
    ...(t.extraExtensions ?? []).map((e) => ext(e.oid, e.critical, e.value)),
  ];

  const { algorithm } = signData(signingKey, t.hash, Buffer.alloc(0));
  const cert = new pkijs.Certificate({
    version: 2,
    serialNumber: asn1js.Integer.fromBigInt(serial),
    signature: algorithmIdentifier(algorithm),
    issuer,
    subject,
    notBefore: new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: t.notBefore }),
    notAfter: new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: t.notAfter }),
    subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(t.publicKey.export({ type: 'spki', format: 'der' })),
    extensions,
  });
  const tbs = Buffer.from(cert.encodeTBS().toBER());
  const { signature } = signData(signingKey, t.hash, tbs);
  return parseCertificate(derSequence([tbs, algorithm, derBitString(signature)]));
}

export interface CrlTemplate {
  readonly issuer: X509Certificate;
  readonly issuerKey: KeyObject;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | null;
  readonly revoked: readonly { readonly serialNumber: bigint; readonly revocationDate: Date }[];
  readonly crlNumber: bigint;
  readonly hash: DigestName;
  readonly extraExtensions?: readonly { readonly oid: string; readonly critical: boolean; readonly value: Buffer }[];
}

/** X.509 v2 CRL (RFC 5280 §5.1) with cRLNumber and authorityKeyIdentifier. */
export function buildCrl(t: CrlTemplate): Buffer {
  const { algorithm } = signData(t.issuerKey, t.hash, Buffer.alloc(0));
  const aki = t.issuer.subjectKeyIdentifier ?? keyIdentifier(t.issuer.publicKey);
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    signature: algorithmIdentifier(algorithm),
    issuer: nameFromCertificateSubject(t.issuer),
    thisUpdate: new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: t.thisUpdate }),
    ...(t.nextUpdate === null ? {} : { nextUpdate: new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: t.nextUpdate }) }),
    ...(t.revoked.length === 0 ? {} : {
      revokedCertificates: t.revoked.map((r) => new pkijs.RevokedCertificate({
        userCertificate: asn1js.Integer.fromBigInt(r.serialNumber),
        revocationDate: new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: r.revocationDate }),
      })),
    }),
    crlExtensions: new pkijs.Extensions({ extensions: [
      new pkijs.Extension({ extnID: ExtensionOid.AUTHORITY_KEY_IDENTIFIER, critical: false, extnValue: new Uint8Array(derSequence([derTlv(0x80, aki)])).buffer }),
      new pkijs.Extension({ extnID: ExtensionOid.CRL_NUMBER, critical: false, extnValue: new Uint8Array(derInteger(t.crlNumber)).buffer }),
      ...(t.extraExtensions ?? []).map((e) => new pkijs.Extension({ extnID: e.oid, critical: e.critical, extnValue: new Uint8Array(e.value).buffer })),
    ] }),
  });
  // pkijs declares CertificateRevocationList.encodeTBS protected; it is the TBS encoder its own sign() uses.
  const tbs = Buffer.from((crl as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER());
  const { signature } = signData(t.issuerKey, t.hash, tbs);
  return derSequence([tbs, algorithm, derBitString(signature)]);
}

export interface Issued { readonly certificate: X509Certificate; readonly privateKey: KeyObject }

export interface TestPki {
  readonly curve: TestCurve;
  readonly hash: DigestName;
  readonly csca: Issued;
  readonly documentSigner: Issued;
  /** A second DS of the same CSCA, listed on the CRL. */
  readonly revokedDocumentSigner: Issued;
  /** A DS whose validity ended before `at`. */
  readonly expiredDocumentSigner: Issued;
  readonly masterListSigner: Issued;
  /** CRL of the CSCA (DER), thisUpdate = at − 1 day, nextUpdate = at + 30 days. */
  readonly crl: Buffer;
  /** CSCA master list (DER ContentInfo) holding the CSCA, signed by the master-list signer. */
  readonly masterList: Buffer;
}

const DAY = 86_400_000;

/** A complete test hierarchy valid at `at` (default: now), e.g. `createTestPki({ curve: 'brainpoolP384r1' })`. */
export function createTestPki(options: { curve?: TestCurve; at?: Date; country?: string; name?: string } = {}): TestPki {
  const curve = options.curve ?? 'brainpoolP256r1';
  const hash: DigestName = curve === 'brainpoolP256r1' ? 'sha256' : 'sha384';
  const at = options.at ?? new Date();
  const c = options.country ?? 'TW';
  const org = options.name ?? 'New eID Test';
  const days = (n: number): Date => new Date(Math.floor(at.getTime() / 1000) * 1000 + n * DAY);

  const cscaKey = generateSigningKey(curve);
  const csca = buildCertificate({
    subject: [['C', c], ['O', org], ['CN', `${org} CSCA`]], publicKey: cscaKey.publicKey, selfPrivateKey: cscaKey.privateKey,
    notBefore: days(-365), notAfter: days(365 * 10), ca: { pathLen: 0 }, keyUsage: ['keyCertSign', 'cRLSign'], hash, serialNumber: 1n,
  });
  const issuer = { certificate: csca, privateKey: cscaKey.privateKey };
  const ds = (cn: string, serialNumber: bigint, notBefore: Date, notAfter: Date): Issued => {
    const key = generateSigningKey(curve);
    const certificate = buildCertificate({
      subject: [['C', c], ['O', org], ['CN', cn]], publicKey: key.publicKey, issuer, notBefore, notAfter,
      keyUsage: ['digitalSignature'], hash, serialNumber,
    });
    return { certificate, privateKey: key.privateKey };
  };
  const documentSigner = ds(`${org} Document Signer`, 0x10n, days(-30), days(365 * 3));
  const revokedDocumentSigner = ds(`${org} Document Signer (revoked)`, 0x11n, days(-30), days(365 * 3));
  const expiredDocumentSigner = ds(`${org} Document Signer (expired)`, 0x12n, days(-400), days(-1));
  const mlKey = generateSigningKey(curve);
  const masterListSigner: Issued = {
    certificate: buildCertificate({
      subject: [['C', c], ['O', org], ['CN', `${org} Master List Signer`]], publicKey: mlKey.publicKey, issuer, notBefore: days(-30), notAfter: days(365 * 3),
      keyUsage: ['digitalSignature'], extKeyUsage: [MasterListOid.MASTER_LIST_SIGNING_KEY], hash, serialNumber: 0x20n,
    }),
    privateKey: mlKey.privateKey,
  };
  const crl = buildCrl({
    issuer: csca, issuerKey: cscaKey.privateKey, thisUpdate: days(-1), nextUpdate: days(30),
    revoked: [{ serialNumber: revokedDocumentSigner.certificate.serialNumber, revocationDate: days(-2) }], crlNumber: 1n, hash,
  });
  const masterList = buildMasterList({ certificates: [csca], signer: masterListSigner, hash });
  return { curve, hash, csca: issuer, documentSigner, revokedDocumentSigner, expiredDocumentSigner, masterListSigner, crl, masterList };
}
