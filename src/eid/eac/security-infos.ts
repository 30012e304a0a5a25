/**
 * SecurityInfos: the content of EF.CardAccess and (signed) of EF.CardSecurity. Decodes and encodes
 * the infos the terminal needs; every other SecurityInfo is kept as OID + raw DER so that it
 * round-trips unchanged (eIDSecurityInfo, PrivilegedTerminalInfo, PSA, MobileEIDTypeInfo, ...).
 *
 * @spec tr03110-3 §A.1.1 (SecurityInfos), §A.1.1.1 (PACE), §A.1.1.2 (CA), §A.1.1.3 (TA), §A.1.1.4 (RI),
 *       §A.1.1.5 (CardInfoLocator), §A.1.2 (id-PK public keys), §D.3.3 (SubjectPublicKeyInfo)
 * @spec bsi-tr03111 §5.1.1 (ECParameters), x690 §11.6 (SET OF ordering)
 *
 * ```asn1
 * SecurityInfos ::= SET OF SecurityInfo
 * SecurityInfo ::= SEQUENCE { protocol OBJECT IDENTIFIER, requiredData ANY DEFINED BY protocol,
 *                             optionalData ANY DEFINED BY protocol OPTIONAL }
 * PACEInfo ::= SEQUENCE { protocol, version INTEGER, parameterId INTEGER OPTIONAL }
 * PACEDomainParameterInfo ::= SEQUENCE { protocol, domainParameter AlgorithmIdentifier, parameterId INTEGER OPTIONAL }
 * ChipAuthenticationInfo ::= SEQUENCE { protocol, version INTEGER, keyId INTEGER OPTIONAL }
 * ChipAuthenticationDomainParameterInfo ::= SEQUENCE { protocol, domainParameter AlgorithmIdentifier, keyId INTEGER OPTIONAL }
 * ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol, chipAuthenticationPublicKey SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }
 * TerminalAuthenticationInfo ::= SEQUENCE { protocol, version INTEGER, efCVCA FileID OPTIONAL }
 * FileID ::= SEQUENCE { fid OCTET STRING (SIZE(2)), sfid OCTET STRING (SIZE(1)) OPTIONAL }
 * RestrictedIdentificationInfo ::= SEQUENCE { protocol, params ProtocolParams, maxKeyLen INTEGER OPTIONAL }
 * ProtocolParams ::= SEQUENCE { version INTEGER, keyId INTEGER, authorizedOnly BOOLEAN }
 * RestrictedIdentificationDomainParameterInfo ::= SEQUENCE { protocol, domainParameter AlgorithmIdentifier }
 * CardInfoLocator ::= SEQUENCE { protocol id-CI, url IA5String, efCardInfo FileID OPTIONAL }
 * ECParameters ::= SEQUENCE { version INTEGER(1), fieldID SEQUENCE { prime-field, p INTEGER },
 *                  curve SEQUENCE { a OCTET STRING, b OCTET STRING, seed BIT STRING OPTIONAL },
 *                  base OCTET STRING, order INTEGER, cofactor INTEGER OPTIONAL }
 * ```
 */
import type { KeyObject } from 'node:crypto';
import { IdpError } from '../../errors/idp-error.js';
import type { ErrorCode } from '../../errors/catalog.js';
import {
  bytesToBigInt, derBitString, derElementLength, derBoolean, derIa5String, derInteger, derOctetString, derOid, derSequence, derSetOf,
  fixedBytes, isUniversal, parseDer, readBitStringBytes, readBoolean, readIa5String, readInteger, readOctetString,
  readOid, readSequence, readSmallUint, Tag,
} from '../../pki/der.js';
import type { DerNode, Fail } from '../../pki/der.js';
import { domainParameters, domainParametersByOid, EacCryptoError, domainParametersByStandardizedId, publicKeyFromPoint } from './domain-parameters.js';
import type { CurveName, DomainParameters } from './domain-parameters.js';

export class SecurityInfoError extends IdpError {}

const BSI = '0.4.0.127.0.7';

/** Protocol OIDs (TR-03110-3 §A.1.1, §A.6). Prefixes end with a dot. */
export const SecurityInfoOid = {
  PACE_PREFIX: `${BSI}.2.2.4.`,
  /** id-PACE-DH-GM, -ECDH-GM, -DH-IM, -ECDH-IM, -ECDH-CAM: the OIDs PACEDomainParameterInfo uses. */
  PACE_DOMAIN_PARAMETER: [`${BSI}.2.2.4.1`, `${BSI}.2.2.4.2`, `${BSI}.2.2.4.3`, `${BSI}.2.2.4.4`, `${BSI}.2.2.4.6`],
  PACE_ECDH_GM_AES_CBC_CMAC_128: `${BSI}.2.2.4.2.2`,
  PACE_ECDH_GM_AES_CBC_CMAC_192: `${BSI}.2.2.4.2.3`,
  PACE_ECDH_GM_AES_CBC_CMAC_256: `${BSI}.2.2.4.2.4`,
  CA_PREFIX: `${BSI}.2.2.3.`,
  CA_DH: `${BSI}.2.2.3.1`,
  CA_ECDH: `${BSI}.2.2.3.2`,
  CA_ECDH_3DES_CBC_CBC: `${BSI}.2.2.3.2.1`,
  CA_ECDH_AES_CBC_CMAC_128: `${BSI}.2.2.3.2.2`,
  CA_ECDH_AES_CBC_CMAC_192: `${BSI}.2.2.3.2.3`,
  CA_ECDH_AES_CBC_CMAC_256: `${BSI}.2.2.3.2.4`,
  PK_DH: `${BSI}.2.2.1.1`,
  PK_ECDH: `${BSI}.2.2.1.2`,
  TA: `${BSI}.2.2.2`,
  RI_PREFIX: `${BSI}.2.2.5.`,
  RI_DH: `${BSI}.2.2.5.1`,
  RI_ECDH: `${BSI}.2.2.5.2`,
  RI_ECDH_SHA_256: `${BSI}.2.2.5.2.3`,
  CI: `${BSI}.2.2.6`,
  EID_SECURITY: `${BSI}.2.2.7`,
  PT: `${BSI}.2.2.8`,
  /** TR-03110-3 §A.1.1.1: AlgorithmIdentifier of standardized domain parameters (parameter = INTEGER id). */
  STANDARDIZED_DOMAIN_PARAMETERS: `${BSI}.1.2`,
  EC_PUBLIC_KEY: '1.2.840.10045.2.1',
  PRIME_FIELD: '1.2.840.10045.1.1',
} as const;

// --- Types ---------------------------------------------------------------------------------------

/** X9.62 / TR-03111 explicit prime-field curve. `base` is the encoded point as found (normally 04||x||y). */
export interface ExplicitEcParameters {
  readonly p: bigint; readonly a: bigint; readonly b: bigint; readonly base: Buffer; readonly n: bigint;
  readonly h: bigint | null; readonly seed: Buffer | null;
}

export type DomainParameterSpec =
  | { readonly kind: 'standardized'; readonly id: number }
  | { readonly kind: 'namedCurve'; readonly oid: string }
  | { readonly kind: 'explicit'; readonly ec: ExplicitEcParameters }
  /** Parameters of an algorithm we do not interpret (DH groups, ...): the raw DER. */
  | { readonly kind: 'raw'; readonly der: Buffer };

export interface AlgorithmIdentifier { readonly algorithm: string; readonly parameters: DomainParameterSpec | null }

export interface FileId { readonly fid: Buffer; readonly sfid: Buffer | null }

export interface PaceInfo { readonly type: 'PACEInfo'; readonly protocol: string; readonly version: number; readonly parameterId: number | null }
export interface PaceDomainParameterInfo {
  readonly type: 'PACEDomainParameterInfo'; readonly protocol: string; readonly domainParameter: AlgorithmIdentifier; readonly parameterId: number | null;
}
export interface ChipAuthenticationInfo { readonly type: 'ChipAuthenticationInfo'; readonly protocol: string; readonly version: number; readonly keyId: number | null }
export interface ChipAuthenticationDomainParameterInfo {
  readonly type: 'ChipAuthenticationDomainParameterInfo'; readonly protocol: string; readonly domainParameter: AlgorithmIdentifier; readonly keyId: number | null;
}
export interface ChipAuthenticationPublicKeyInfo {
  readonly type: 'ChipAuthenticationPublicKeyInfo'; readonly protocol: string;
  /** SubjectPublicKeyInfo.algorithm (id-PK-ECDH with the domain parameters). */
  readonly algorithm: AlgorithmIdentifier;
  /** SubjectPublicKeyInfo.subjectPublicKey: the encoded point 04||X||Y. */
  readonly publicKey: Buffer;
  readonly keyId: number | null;
}
export interface TerminalAuthenticationInfo { readonly type: 'TerminalAuthenticationInfo'; readonly protocol: string; readonly version: number; readonly efCvca: FileId | null }
export interface RestrictedIdentificationInfo {
  readonly type: 'RestrictedIdentificationInfo'; readonly protocol: string;
  readonly params: { readonly version: number; readonly keyId: number; readonly authorizedOnly: boolean };
  readonly maxKeyLen: number | null;
}
export interface RestrictedIdentificationDomainParameterInfo {
  readonly type: 'RestrictedIdentificationDomainParameterInfo'; readonly protocol: string; readonly domainParameter: AlgorithmIdentifier;
}
export interface CardInfoLocator { readonly type: 'CardInfoLocator'; readonly protocol: string; readonly url: string; readonly efCardInfo: FileId | null }
/** Any other SecurityInfo: kept byte for byte. */
export interface UnknownSecurityInfo { readonly type: 'Unknown'; readonly protocol: string; readonly raw: Buffer }

export type SecurityInfo =
  | PaceInfo | PaceDomainParameterInfo | ChipAuthenticationInfo | ChipAuthenticationDomainParameterInfo
  | ChipAuthenticationPublicKeyInfo | TerminalAuthenticationInfo | RestrictedIdentificationInfo
  | RestrictedIdentificationDomainParameterInfo | CardInfoLocator | UnknownSecurityInfo;

// --- Decoding ------------------------------------------------------------------------------------

function failer(code: ErrorCode): Fail {
  return (reason: string): never => { throw new SecurityInfoError(code, `SecurityInfos: ${reason}`, { detail: { reason } }); };
}
const malformed: Fail = failer('SECINFO_MALFORMED');
const invalid: Fail = failer('SECINFO_INVALID_INFO');
const badParams: Fail = failer('SECINFO_INVALID_DOMAIN_PARAMETERS');

export interface DecodeSecurityInfosOptions {
  /**
   * Accept 00 bytes after the SET (a transparent file read in full, e.g. EF.CardAccess of a fixed size).
   * Never set it for the signed eContent of EF.CardSecurity.
   */
  allowZeroPadding?: boolean;
}

/** Decodes DER SecurityInfos (EF.CardAccess, or the eContent of EF.CardSecurity). */
export function decodeSecurityInfos(bytes: Uint8Array, options: DecodeSecurityInfosOptions = {}): SecurityInfo[] {
  let input = bytes;
  if (options.allowZeroPadding === true) {
    const length = derElementLength(bytes);
    if (length !== null && length < bytes.byteLength && bytes.subarray(length).every((b) => b === 0)) input = bytes.subarray(0, length);
  }
  const root = parseDer(input, malformed, { trailing: failer('SECINFO_TRAILING_BYTES') });
  if (!isUniversal(root, Tag.SET)) failer('SECINFO_NOT_A_SET')(`outer tag class ${root.cls} number ${root.tag}`);
  if (root.children.length === 0) failer('SECINFO_EMPTY')('no SecurityInfo');
  return root.children.map(decodeSecurityInfo);
}

function decodeSecurityInfo(node: DerNode): SecurityInfo {
  const fields = readSequence(node, 'SecurityInfo', invalid, 2, 3);
  const protocol = readOid(fields[0], 'SecurityInfo.protocol', invalid);
  const [, f1, f2] = fields;
  const what = (name: string): string => `${name} (${protocol})`;
  const optUint = (n: DerNode | undefined, name: string): number | null => (n === undefined ? null : readSmallUint(n, what(name), invalid));

  if (protocol.startsWith(SecurityInfoOid.PACE_PREFIX)) {
    // PACEDomainParameterInfo uses the bare key-agreement OIDs; PACEInfo the full cipher suite OIDs.
    if ((SecurityInfoOid.PACE_DOMAIN_PARAMETER as readonly string[]).includes(protocol)) {
      return { type: 'PACEDomainParameterInfo', protocol, domainParameter: decodeAlgorithmIdentifier(f1, what('PACEDomainParameterInfo.domainParameter')), parameterId: optUint(f2, 'parameterId') };
    }
    return { type: 'PACEInfo', protocol, version: readSmallUint(f1, what('PACEInfo.version'), invalid), parameterId: optUint(f2, 'parameterId') };
  }
  if (protocol === SecurityInfoOid.CA_DH || protocol === SecurityInfoOid.CA_ECDH) {
    return { type: 'ChipAuthenticationDomainParameterInfo', protocol, domainParameter: decodeAlgorithmIdentifier(f1, what('domainParameter')), keyId: optUint(f2, 'keyId') };
  }
  if (protocol.startsWith(SecurityInfoOid.CA_PREFIX)) {
    return { type: 'ChipAuthenticationInfo', protocol, version: readSmallUint(f1, what('ChipAuthenticationInfo.version'), invalid), keyId: optUint(f2, 'keyId') };
  }
  if (protocol === SecurityInfoOid.PK_DH || protocol === SecurityInfoOid.PK_ECDH) {
    const spki = readSequence(f1, what('SubjectPublicKeyInfo'), invalid, 2, 2);
    return {
      type: 'ChipAuthenticationPublicKeyInfo', protocol,
      algorithm: decodeAlgorithmIdentifier(spki[0], what('SubjectPublicKeyInfo.algorithm')),
      publicKey: readBitStringBytes(spki[1], what('subjectPublicKey'), invalid),
      keyId: optUint(f2, 'keyId'),
    };
  }
  if (protocol === SecurityInfoOid.TA) {
    return { type: 'TerminalAuthenticationInfo', protocol, version: readSmallUint(f1, what('version'), invalid), efCvca: f2 === undefined ? null : decodeFileId(f2, what('efCVCA')) };
  }
  if (protocol === SecurityInfoOid.RI_DH || protocol === SecurityInfoOid.RI_ECDH) {
    if (f2 !== undefined) invalid(`${what('RestrictedIdentificationDomainParameterInfo')}: unexpected third element`);
    return { type: 'RestrictedIdentificationDomainParameterInfo', protocol, domainParameter: decodeAlgorithmIdentifier(f1, what('domainParameter')) };
  }
  if (protocol.startsWith(SecurityInfoOid.RI_PREFIX)) {
    const p = readSequence(f1, what('ProtocolParams'), invalid, 3, 3);
    return {
      type: 'RestrictedIdentificationInfo', protocol,
      params: { version: readSmallUint(p[0], what('version'), invalid), keyId: readSmallUint(p[1], what('keyId'), invalid), authorizedOnly: readBoolean(p[2], what('authorizedOnly'), invalid) },
      maxKeyLen: optUint(f2, 'maxKeyLen'),
    };
  }
  if (protocol === SecurityInfoOid.CI) {
    return { type: 'CardInfoLocator', protocol, url: readIa5String(f1, what('url'), invalid), efCardInfo: f2 === undefined ? null : decodeFileId(f2, what('efCardInfo')) };
  }
  return { type: 'Unknown', protocol, raw: node.raw };
}

function decodeFileId(node: DerNode, what: string): FileId {
  const f = readSequence(node, what, invalid, 1, 2);
  const fid = readOctetString(f[0], `${what}.fid`, invalid);
  if (fid.byteLength !== 2) invalid(`${what}.fid: SIZE(2) required`);
  const sfid = f[1] === undefined ? null : readOctetString(f[1], `${what}.sfid`, invalid);
  if (sfid !== null && sfid.byteLength !== 1) invalid(`${what}.sfid: SIZE(1) required`);
  return { fid, sfid };
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } with EAC parameter forms. */
export function decodeAlgorithmIdentifier(node: DerNode | undefined, what: string): AlgorithmIdentifier {
  const f = readSequence(node, what, badParams, 1, 2);
  const algorithm = readOid(f[0], `${what}.algorithm`, badParams);
  const params = f[1];
  if (params === undefined) return { algorithm, parameters: null };
  if (algorithm === SecurityInfoOid.STANDARDIZED_DOMAIN_PARAMETERS) {
    return { algorithm, parameters: { kind: 'standardized', id: readSmallUint(params, `${what}.parameters`, badParams) } };
  }
  if (algorithm === SecurityInfoOid.EC_PUBLIC_KEY || algorithm === SecurityInfoOid.PK_ECDH) {
    if (isUniversal(params, Tag.OID)) return { algorithm, parameters: { kind: 'namedCurve', oid: readOid(params, `${what}.parameters`, badParams) } };
    if (isUniversal(params, Tag.INTEGER)) return { algorithm, parameters: { kind: 'standardized', id: readSmallUint(params, `${what}.parameters`, badParams) } };
    return { algorithm, parameters: { kind: 'explicit', ec: decodeExplicitEc(params, `${what}.parameters`) } };
  }
  return { algorithm, parameters: { kind: 'raw', der: params.raw } };
}

function decodeExplicitEc(node: DerNode, what: string): ExplicitEcParameters {
  const f = readSequence(node, `${what} (ECParameters)`, badParams, 5, 6);
  if (readInteger(f[0], `${what}.version`, badParams) !== 1n) badParams(`${what}.version must be 1`);
  const fieldId = readSequence(f[1], `${what}.fieldID`, badParams, 2, 2);
  if (readOid(fieldId[0], `${what}.fieldType`, badParams) !== SecurityInfoOid.PRIME_FIELD) badParams(`${what}: only prime fields are supported`);
  const p = readInteger(fieldId[1], `${what}.p`, badParams);
  const curve = readSequence(f[2], `${what}.curve`, badParams, 2, 3);
  const a = bytesToBigInt(readOctetString(curve[0], `${what}.a`, badParams));
  const b = bytesToBigInt(readOctetString(curve[1], `${what}.b`, badParams));
  const seed = curve[2] === undefined ? null : readBitStringBytes(curve[2], `${what}.seed`, badParams);
  const base = readOctetString(f[3], `${what}.base`, badParams);
  const n = readInteger(f[4], `${what}.order`, badParams);
  const h = f[5] === undefined ? null : readInteger(f[5], `${what}.cofactor`, badParams);
  if (p <= 3n || n <= 1n) badParams(`${what}: p or order out of range`);
  return { p, a, b, base, n, h, seed };
}

// --- Encoding ------------------------------------------------------------------------------------

/** DER SecurityInfos; the SET OF is sorted (X.690 §11.6), so decode → encode of DER input is the identity. */
export function encodeSecurityInfos(infos: readonly SecurityInfo[]): Buffer {
  if (infos.length === 0) failer('SECINFO_EMPTY')('no SecurityInfo to encode');
  return derSetOf(infos.map(encodeSecurityInfo));
}

export function encodeSecurityInfo(info: SecurityInfo): Buffer {
  const opt = (v: number | null): Buffer[] => (v === null ? [] : [derInteger(v)]);
  const oid = derOid(info.protocol);
  switch (info.type) {
    case 'PACEInfo': return derSequence([oid, derInteger(info.version), ...opt(info.parameterId)]);
    case 'PACEDomainParameterInfo': return derSequence([oid, encodeAlgorithmIdentifier(info.domainParameter), ...opt(info.parameterId)]);
    case 'ChipAuthenticationInfo': return derSequence([oid, derInteger(info.version), ...opt(info.keyId)]);
    case 'ChipAuthenticationDomainParameterInfo': return derSequence([oid, encodeAlgorithmIdentifier(info.domainParameter), ...opt(info.keyId)]);
    case 'ChipAuthenticationPublicKeyInfo':
      return derSequence([oid, derSequence([encodeAlgorithmIdentifier(info.algorithm), derBitString(info.publicKey)]), ...opt(info.keyId)]);
    case 'TerminalAuthenticationInfo': return derSequence([oid, derInteger(info.version), ...(info.efCvca === null ? [] : [encodeFileId(info.efCvca)])]);
    case 'RestrictedIdentificationInfo':
      return derSequence([oid, derSequence([derInteger(info.params.version), derInteger(info.params.keyId), derBoolean(info.params.authorizedOnly)]), ...opt(info.maxKeyLen)]);
    case 'RestrictedIdentificationDomainParameterInfo': return derSequence([oid, encodeAlgorithmIdentifier(info.domainParameter)]);
    case 'CardInfoLocator': return derSequence([oid, derIa5String(info.url), ...(info.efCardInfo === null ? [] : [encodeFileId(info.efCardInfo)])]);
    case 'Unknown': return Buffer.from(info.raw);
  }
}

function encodeFileId(f: FileId): Buffer {
  return derSequence([derOctetString(f.fid), ...(f.sfid === null ? [] : [derOctetString(f.sfid)])]);
}

export function encodeAlgorithmIdentifier(ai: AlgorithmIdentifier): Buffer {
  const p = ai.parameters;
  if (p === null) return derSequence([derOid(ai.algorithm)]);
  switch (p.kind) {
    case 'standardized': return derSequence([derOid(ai.algorithm), derInteger(p.id)]);
    case 'namedCurve': return derSequence([derOid(ai.algorithm), derOid(p.oid)]);
    case 'raw': return derSequence([derOid(ai.algorithm), p.der]);
    case 'explicit': return derSequence([derOid(ai.algorithm), encodeExplicitEc(p.ec)]);
  }
}

function encodeExplicitEc(ec: ExplicitEcParameters): Buffer {
  // TR-03111 §3.1.3 FE2OS: field elements as octet strings of the field length.
  const size = Math.ceil(ec.p.toString(2).length / 8);
  return derSequence([
    derInteger(1),
    derSequence([derOid(SecurityInfoOid.PRIME_FIELD), derInteger(ec.p)]),
    derSequence([derOctetString(fixedBytes(ec.a, size)), derOctetString(fixedBytes(ec.b, size)), ...(ec.seed === null ? [] : [derBitString(ec.seed)])]),
    derOctetString(ec.base),
    derInteger(ec.n),
    ...(ec.h === null ? [] : [derInteger(ec.h)]),
  ]);
}

/** Explicit ECParameters of one of our curves (the form German eID cards use in ChipAuthenticationPublicKeyInfo). */
export function explicitEcParameters(curve: CurveName): ExplicitEcParameters {
  const d = domainParameters(curve);
  const base = Buffer.concat([Buffer.from([0x04]), fixedBytes(d.gx, d.fieldSize), fixedBytes(d.gy, d.fieldSize)]);
  return { p: d.p, a: d.a, b: d.b, base, n: d.n, h: d.h, seed: null };
}

// --- Interpretation ------------------------------------------------------------------------------

const CURVES: readonly CurveName[] = ['brainpoolP256r1', 'brainpoolP384r1', 'P-384'];

/**
 * The supported curve a parameter spec denotes. Explicit parameters must equal one of our curves in
 * every value (p, a, b, G, n and h if present); anything else throws EAC_UNSUPPORTED_DOMAIN_PARAMETERS.
 */
export function curveOfDomainParameters(spec: DomainParameterSpec): DomainParameters {
  switch (spec.kind) {
    case 'standardized': return domainParametersByStandardizedId(spec.id);
    case 'namedCurve': return domainParametersByOid(spec.oid);
    case 'explicit': {
      const ec = spec.ec;
      for (const name of CURVES) {
        const ref = explicitEcParameters(name);
        if (ec.p === ref.p && ec.a === ref.a && ec.b === ref.b && ec.n === ref.n && ec.base.equals(ref.base) && (ec.h === null || ec.h === ref.h)) {
          return domainParameters(name);
        }
      }
      throw new EacCryptoError('EAC_UNSUPPORTED_DOMAIN_PARAMETERS', 'explicit domain parameters of an unsupported curve');
    }
    case 'raw': throw new EacCryptoError('EAC_UNSUPPORTED_DOMAIN_PARAMETERS', 'domain parameters of an unsupported algorithm');
  }
}

export interface ChipAuthenticationSelection {
  readonly info: ChipAuthenticationInfo;
  readonly publicKeyInfo: ChipAuthenticationPublicKeyInfo;
  readonly curve: CurveName;
  /** The chip's static CA public key, validated to lie on the curve. */
  readonly publicKey: KeyObject;
  /** 04||X||Y as in the SecurityInfos. */
  readonly publicPoint: Buffer;
}

/**
 * Selects the Chip Authentication v2 key (ECDH) the terminal must use.
 * TR-03110-3 §A.1.1.2: keyId MUST be present if the chip has more than one CA key; the public key comes
 * from ChipAuthenticationPublicKeyInfo with the same keyId. Callers pass verified SecurityInfos
 * (EF.CardSecurity after passive authentication), never EF.CardAccess.
 */
export function selectChipAuthentication(infos: readonly SecurityInfo[], keyId?: number): ChipAuthenticationSelection {
  const notFound: Fail = failer('SECINFO_CA_NOT_FOUND');
  const candidates = infos.filter((i): i is ChipAuthenticationInfo =>
    i.type === 'ChipAuthenticationInfo' && i.version === 2 && i.protocol.startsWith(`${SecurityInfoOid.CA_ECDH}.`) && (keyId === undefined || i.keyId === keyId));
  if (candidates.length === 0) notFound(`no ChipAuthenticationInfo v2 (ECDH)${keyId === undefined ? '' : ` with keyId ${keyId}`}`);
  if (candidates.length > 1) failer('SECINFO_CA_KEY_AMBIGUOUS')(`${candidates.length} ChipAuthenticationInfo v2 entries`);
  const info = candidates[0]!;
  const keys = infos.filter((i): i is ChipAuthenticationPublicKeyInfo => i.type === 'ChipAuthenticationPublicKeyInfo' && i.protocol === SecurityInfoOid.PK_ECDH);
  const sameId = keys.filter((k) => k.keyId === info.keyId);
  // Without keyIds a single key is unambiguous (TR-03110-3 §A.1.1.2 makes keyId optional then).
  const matching = sameId.length > 0 ? sameId : info.keyId === null && keys.length === 1 ? keys : [];
  if (matching.length === 0) notFound(`no ChipAuthenticationPublicKeyInfo for keyId ${String(info.keyId)}`);
  if (matching.length > 1) failer('SECINFO_CA_KEY_AMBIGUOUS')(`${matching.length} public keys for keyId ${String(info.keyId)}`);
  const publicKeyInfo = matching[0]!;
  let spec = publicKeyInfo.algorithm.parameters;
  if (spec === null) {
    // Parameters may be given once in ChipAuthenticationDomainParameterInfo instead of in the key.
    const dp = infos.find((i): i is ChipAuthenticationDomainParameterInfo => i.type === 'ChipAuthenticationDomainParameterInfo' && i.keyId === info.keyId);
    spec = dp?.domainParameter.parameters ?? null;
  }
  if (spec === null) notFound('no domain parameters for the Chip Authentication key');
  const curve = curveOfDomainParameters(spec).name;
  return { info, publicKeyInfo, curve, publicKey: publicKeyFromPoint(curve, publicKeyInfo.publicKey), publicPoint: publicKeyInfo.publicKey };
}
