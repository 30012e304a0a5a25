/**
 * X.509 certificate parsing (our strict DER reader for the structure and for the extension values
 * we act on) and PEM helpers.
 *
 * @spec rfc5280 §4.1 (Certificate), §4.2.1.1 (AKI), §4.2.1.2 (SKI), §4.2.1.3 (keyUsage),
 *       §4.2.1.9 (basicConstraints), §4.2.1.12 (extKeyUsage); rfc7468 §2, §5 (PEM)
 *
 * ```asn1
 * Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
 * ```
 */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ErrorCode } from '../errors/catalog.js';
import { PkiError } from './algorithms.js';
import {
  expectUniversal, isContext, parseDer, parseTime, readBitStringBytes, readBoolean, readOctetString, readOid, readSequence, readSmallUint, Tag, isUniversal,
} from './der.js';
import type { DerNode, Fail } from './der.js';

export const ExtensionOid = {
  SUBJECT_KEY_IDENTIFIER: '2.5.29.14',
  KEY_USAGE: '2.5.29.15',
  PRIVATE_KEY_USAGE_PERIOD: '2.5.29.16',
  SUBJECT_ALT_NAME: '2.5.29.17',
  ISSUER_ALT_NAME: '2.5.29.18',
  BASIC_CONSTRAINTS: '2.5.29.19',
  CRL_NUMBER: '2.5.29.20',
  CRL_REASON: '2.5.29.21',
  CRL_DISTRIBUTION_POINTS: '2.5.29.31',
  CERTIFICATE_POLICIES: '2.5.29.32',
  AUTHORITY_KEY_IDENTIFIER: '2.5.29.35',
  EXT_KEY_USAGE: '2.5.29.37',
  /** ICAO 9303-12 §7.1.1.3: Document Type List (DS certificates). */
  DOCUMENT_TYPE_LIST: '2.23.136.1.1.6.2',
} as const;

/** RFC 5280 §4.2.1.3 bit numbers. */
export const KeyUsage = {
  digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, dataEncipherment: 3, keyAgreement: 4, keyCertSign: 5, cRLSign: 6, encipherOnly: 7, decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KeyUsage;

export interface CertificateExtension { readonly oid: string; readonly critical: boolean; readonly value: Buffer }

export interface X509Certificate {
  readonly der: Buffer;
  /** tbsCertificate exactly as encoded: the signed bytes. */
  readonly tbs: Buffer;
  readonly serialNumber: bigint;
  /** Lower-case hex of the serial's content octets (stable key for CRL lookups). */
  readonly serialHex: string;
  readonly issuer: DerNode;
  readonly subject: DerNode;
  /** RFC 4514-like display form, for logs and errors only (never for matching). */
  readonly subjectText: string;
  readonly issuerText: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  readonly spki: Buffer;
  readonly signatureAlgorithm: string;
  readonly signature: Buffer;
  readonly extensions: readonly CertificateExtension[];
  readonly basicConstraints: { readonly ca: boolean; readonly pathLen: number | null } | null;
  readonly keyUsage: ReadonlySet<KeyUsageName> | null;
  readonly extKeyUsage: readonly string[] | null;
  readonly subjectKeyIdentifier: Buffer | null;
  readonly authorityKeyIdentifier: Buffer | null;
  readonly selfIssued: boolean;
}

function failWith(code: ErrorCode, what: string): Fail {
  return (reason: string): never => { throw new PkiError(code, `${what}: ${reason}`, { detail: { reason } }); };
}

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
};

/** Display form of a Name; values of unknown string types are shown as hex. */
export function nameToText(name: DerNode): string {
  return name.children.map((rdn) => rdn.children.map((atv) => {
    const [type, value] = atv.children;
    const oid = type === undefined ? '?' : readOid(type, 'AttributeType', failWith('PKI_CERTIFICATE_MALFORMED', 'Name'));
    const text = value === undefined ? '' : value.content.toString('utf8');
    return `${ATTRIBUTE_NAMES[oid] ?? oid}=${text}`;
  }).join('+')).join(', ');
}

/** RFC 5280 §4.1.2.4: Name ::= RDNSequence, SEQUENCE OF SET SIZE (1..MAX) OF SEQUENCE { type OID, value ANY }. */
function readName(node: DerNode | undefined, what: string, fail: Fail): DerNode {
  for (const rdn of readSequence(node, what, fail)) {
    if (!isUniversal(rdn, Tag.SET) || rdn.children.length === 0) fail(`${what}: RelativeDistinguishedName is not a non-empty SET`);
    for (const atv of rdn.children) readOid(readSequence(atv, `${what} AttributeTypeAndValue`, fail, 2, 2)[0], `${what} AttributeType`, fail);
  }
  return node!;
}

export function parseCertificate(der: Uint8Array): X509Certificate {
  const fail: Fail = failWith('PKI_CERTIFICATE_MALFORMED', 'certificate');
  const root = parseDer(der, fail);
  const top = readSequence(root, 'Certificate', fail, 3, 3);
  const tbsNode = top[0]!;
  const tbsFields = readSequence(tbsNode, 'tbsCertificate', fail, 6, 10);
  let i = 0;
  // RFC 5280 §4.1.2.1: version [0] EXPLICIT, DEFAULT v1 (0); v2 = 1, v3 = 2.
  let version = 0;
  if (isContext(tbsFields[0]!, 0)) {
    const wrapper = tbsFields[i++]!;
    if (!wrapper.constructed || wrapper.children.length !== 1) fail('version is not [0] EXPLICIT');
    version = readSmallUint(wrapper.children[0], 'version', fail);
    if (version > 2) fail(`unknown version ${version + 1}`);
  }
  // RFC 5280 §4.1.2.2: a non-empty INTEGER (content octets kept as they are, as CAs write them).
  const serial = expectUniversal(tbsFields[i++], Tag.INTEGER, 'serialNumber', fail);
  if (serial.content.byteLength === 0) fail('serialNumber: empty INTEGER');
  const innerAlg = tbsFields[i++]!;
  // RFC 5280 §4.1.1.2: signatureAlgorithm MUST equal tbsCertificate.signature.
  if (!innerAlg.raw.equals(top[1]!.raw)) fail('signatureAlgorithm differs from tbsCertificate.signature');
  const issuer = readName(tbsFields[i++], 'issuer', fail);
  const validity = readSequence(tbsFields[i++], 'validity', fail, 2, 2);
  const notBefore = parseTime(validity[0]!, fail);
  const notAfter = parseTime(validity[1]!, fail);
  const subject = readName(tbsFields[i++], 'subject', fail);
  const spki = expectUniversal(tbsFields[i++], Tag.SEQUENCE, 'subjectPublicKeyInfo', fail);
  // RFC 5280 §4.1.2.8: issuerUniqueID [1], subjectUniqueID [2] (v2 or v3), §4.1.2.9: extensions [3] EXPLICIT (v3).
  for (const tag of [1, 2]) {
    if (tbsFields[i] !== undefined && isContext(tbsFields[i]!, tag)) {
      if (tbsFields[i]!.constructed || version < 1) fail(`${tag === 1 ? 'issuer' : 'subject'}UniqueID not a v2/v3 [${tag}] IMPLICIT BIT STRING`);
      i++;
    }
  }
  let extensions: CertificateExtension[] = [];
  if (tbsFields[i] !== undefined && isContext(tbsFields[i]!, 3)) {
    const wrapper = tbsFields[i++]!;
    if (!wrapper.constructed || wrapper.children.length !== 1) fail('extensions are not [3] EXPLICIT');
    if (version !== 2) fail('extensions require version 3');
    extensions = readSequence(wrapper.children[0], 'extensions', fail, 1).map((e) => {
      const f = readSequence(e, 'Extension', fail, 2, 3);
      const oid = readOid(f[0], 'extnID', fail);
      const critical = f.length === 3 ? readBoolean(f[1], 'critical', fail) : false;
      return { oid, critical, value: readOctetString(f[f.length - 1], 'extnValue', fail) };
    });
  }
  if (i !== tbsFields.length) fail('unexpected element in tbsCertificate');

  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spki.raw, format: 'der', type: 'spki' });
  } catch (err) {
    fail(`subjectPublicKeyInfo not usable: ${(err as Error).message}`);
  }

  const seen = new Set<string>();
  for (const e of extensions) {
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(e.oid)) fail(`duplicate extension ${e.oid}`);
    seen.add(e.oid);
  }
  const ext = (oid: string): CertificateExtension | undefined => extensions.find((e) => e.oid === oid);
  const extFail: Fail = failWith('PKI_CERTIFICATE_MALFORMED', 'certificate extension');

  const bc = ext(ExtensionOid.BASIC_CONSTRAINTS);
  let basicConstraints: X509Certificate['basicConstraints'] = null;
  if (bc !== undefined) {
    const f = readSequence(parseDer(bc.value, extFail), 'basicConstraints', extFail, 0, 2);
    let i = 0;
    let ca = false;
    if (f[i] !== undefined && isUniversal(f[i]!, Tag.BOOLEAN)) {
      ca = readBoolean(f[i], 'cA', extFail);
      // X.690 §11.5: a DEFAULT value is not encoded in DER.
      if (!ca) extFail('cA FALSE encoded explicitly');
      i++;
    }
    const pathLen = f[i] === undefined ? null : readSmallUint(f[i], 'pathLenConstraint', extFail);
    basicConstraints = { ca, pathLen };
  }
  const ku = ext(ExtensionOid.KEY_USAGE);
  let keyUsage: Set<KeyUsageName> | null = null;
  if (ku !== undefined) {
    const node = parseDer(ku.value, extFail);
    if (!isUniversal(node, Tag.BIT_STRING) || node.content.byteLength < 2) extFail('keyUsage is not a non-empty BIT STRING');
    const bits = node.content.subarray(1);
    keyUsage = new Set((Object.keys(KeyUsage) as KeyUsageName[]).filter((name) => {
      const bit = KeyUsage[name];
      return ((bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
    }));
  }
  const eku = ext(ExtensionOid.EXT_KEY_USAGE);
  const extKeyUsage = eku === undefined ? null : readSequence(parseDer(eku.value, extFail), 'extKeyUsage', extFail, 1).map((n) => readOid(n, 'KeyPurposeId', extFail));
  const ski = ext(ExtensionOid.SUBJECT_KEY_IDENTIFIER);
  const subjectKeyIdentifier = ski === undefined ? null : readOctetString(parseDer(ski.value, extFail), 'subjectKeyIdentifier', extFail);
  const aki = ext(ExtensionOid.AUTHORITY_KEY_IDENTIFIER);
  let authorityKeyIdentifier: Buffer | null = null;
  if (aki !== undefined) {
    const f = readSequence(parseDer(aki.value, extFail), 'authorityKeyIdentifier', extFail, 0, 3);
    const keyId = f.find((n) => isContext(n, 0));
    if (keyId !== undefined) {
      if (keyId.constructed) extFail('keyIdentifier must be primitive');
      authorityKeyIdentifier = keyId.content;
    }
  }

  const signature = readBitStringBytes(top[2], 'signatureValue', fail);
  const signatureAlgorithm = readOid(readSequence(top[1], 'signatureAlgorithm', fail, 1, 2)[0], 'signatureAlgorithm', fail);
  const serialHex = serial.content.toString('hex');
  return {
    der: root.raw,
    tbs: tbsNode.raw,
    serialNumber: BigInt(`0x${serialHex || '0'}`),
    serialHex,
    issuer,
    subject,
    subjectText: nameToText(subject),
    issuerText: nameToText(issuer),
    notBefore,
    notAfter,
    publicKey,
    spki: spki.raw,
    signatureAlgorithm,
    signature,
    extensions,
    basicConstraints,
    keyUsage,
    extKeyUsage,
    subjectKeyIdentifier,
    authorityKeyIdentifier,
    selfIssued: namesEqual(issuer, subject),
  };
}

/**
 * RFC 5280 §7.1 name matching, subset: equal DER, or the same RDN sequence whose attribute values
 * match after RFC 4518-style folding (case, leading/trailing and repeated spaces). The string
 * type may differ (PrintableString vs UTF8String), which real CSCA/DS pairs do.
 */
export function namesEqual(a: DerNode, b: DerNode): boolean {
  if (a.raw.equals(b.raw)) return true;
  if (a.children.length !== b.children.length) return false;
  return a.children.every((rdnA, i) => {
    const rdnB = b.children[i]!;
    if (rdnA.children.length !== rdnB.children.length) return false;
    const key = (atv: DerNode): string => {
      const [type, value] = atv.children;
      return `${type?.content.toString('hex') ?? ''}=${(value?.content.toString('utf8') ?? '').trim().replace(/\s+/g, ' ').toLowerCase()}`;
    };
    const keysB = new Set(rdnB.children.map(key));
    return rdnA.children.every((atv) => keysB.has(key(atv)));
  });
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** All PEM blocks with the given label (RFC 7468 §2), e.g. 'CERTIFICATE', 'X509 CRL'. */
export function pemBlocks(text: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    if (m[1] !== label) continue;
    const body = m[2]!.replace(/\s+/g, '');
    // RFC 7468 §3: strict base64 alphabet.
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new PkiError('PKI_PEM_INVALID', `malformed base64 in PEM ${label}`);
    }
    out.push(Buffer.from(body, 'base64'));
  }
  return out;
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

/** Parses DER, or PEM text/bytes holding one or more CERTIFICATE blocks. */
export function parseCertificates(input: Uint8Array | string): X509Certificate[] {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const blocks = pemBlocks(text, 'CERTIFICATE');
    if (blocks.length === 0) throw new PkiError('PKI_PEM_INVALID', 'no CERTIFICATE block in PEM text');
    return blocks.map(parseCertificate);
  }
  if (typeof input === 'string') throw new PkiError('PKI_PEM_INVALID', 'text is not PEM');
  return [parseCertificate(input)];
}
