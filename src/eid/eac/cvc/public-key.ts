/**
 * EC public keys in CV certificates (7F49): the algorithm OID the key is used with (id-TA-ECDSA-*),
 * optionally the complete domain parameters (CVCA and link certificates), and the public point.
 *
 * @spec tr03110-3 §D.3.3 (elliptic curve public keys), §A.6.4 (id-TA OIDs), §C.1.3 (public key in CVCs)
 * @spec bsi-tr03111 §3.1.2 (public key validation)
 *
 * ```
 * 7F49 { 06 OID, [81 p, 82 a, 83 b, 84 G, 85 r (order), 86 Y, 87 f (cofactor)] — domain parameters all or none
 *        86 Y (mandatory) }                                                       in this order
 * ```
 */
import type { KeyObject } from 'node:crypto';
import type { Tlv } from '../../card/tlv.js';
import { encodeTlv } from '../../card/tlv.js';
import {
  bigintToBytes, bytesToBigint, decodePoint, domainParameters, domainParametersOfKey, pointOfPublicKey, publicKeyFromPoint,
} from '../domain-parameters.js';
import type { CurveName, DomainParameters, HashName } from '../domain-parameters.js';
import { CvcError } from './errors.js';
import { TA_ECDSA_OIDS, TA_RSA_PREFIX, decodeOidValue, encodeOidValue } from './oids.js';

export const TAG_PUBLIC_KEY = 0x7f49;
const TAG_OID = 0x06;
const T = { P: 0x81, A: 0x82, B: 0x83, G: 0x84, N: 0x85, Y: 0x86, F: 0x87 } as const;

export interface EcDomainParameterValues {
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  /** Base point, uncompressed 04||X||Y. */
  readonly g: Buffer;
  /** Order r of the base point. */
  readonly n: bigint;
  /** Cofactor f, when encoded. */
  readonly f: bigint | undefined;
}

export interface CvcPublicKey {
  /** id-TA-ECDSA-SHA-*: the signature algorithm this key is used with. */
  readonly oid: string;
  /** Public point Y, uncompressed 04||X||Y. */
  readonly point: Buffer;
  /** Present in CVCA and link certificates (TR-03110-3 §C.1.3). */
  readonly domainParameters: EcDomainParameterValues | undefined;
  /** The supported curve the explicit domain parameters are equal to (undefined without parameters). */
  readonly curve: CurveName | undefined;
}

const HASH_BY_OID: ReadonlyMap<string, HashName> = new Map([
  [TA_ECDSA_OIDS.SHA_1, 'sha1'],
  [TA_ECDSA_OIDS.SHA_224, 'sha224'],
  [TA_ECDSA_OIDS.SHA_256, 'sha256'],
  [TA_ECDSA_OIDS.SHA_384, 'sha384'],
  [TA_ECDSA_OIDS.SHA_512, 'sha512'],
]);

/** Hash of an id-TA-ECDSA-* OID (CVC_UNSUPPORTED_ALGORITHM for RSA and anything else). */
export function hashOfTaAlgorithm(oid: string): HashName {
  const hash = HASH_BY_OID.get(oid);
  if (hash === undefined) {
    const what = oid.startsWith(TA_RSA_PREFIX) ? 'id-TA-RSA keys are not supported' : 'not an id-TA-ECDSA algorithm';
    throw new CvcError('CVC_UNSUPPORTED_ALGORITHM', `${what}: ${oid}`, { detail: { oid } });
  }
  return hash;
}

function keyError(message: string, cause?: unknown): CvcError {
  return new CvcError('CVC_PUBLIC_KEY_INVALID', message, cause === undefined ? {} : { cause });
}

/** The supported curve with exactly these parameters. */
function curveOf(v: EcDomainParameterValues): CurveName {
  for (const name of ['brainpoolP256r1', 'brainpoolP384r1', 'P-384'] as const) {
    const dp = domainParameters(name);
    if (dp.p === v.p && dp.a === v.a && dp.b === v.b && dp.n === v.n && (v.f === undefined || v.f === dp.h)
      && v.g.equals(bigPoint(dp))) return name;
  }
  throw new CvcError('CVC_UNSUPPORTED_DOMAIN_PARAMETERS', 'explicit domain parameters are not brainpoolP256r1, brainpoolP384r1 or P-384');
}

function bigPoint(dp: DomainParameters): Buffer {
  return Buffer.concat([Buffer.from([0x04]), bigintToBytes(dp.gx, dp.fieldSize), bigintToBytes(dp.gy, dp.fieldSize)]);
}

/** Checks Y against the curve (on curve, not infinity: TR-03111 §3.1.2). */
function checkPoint(curve: CurveName, point: Buffer): void {
  try {
    decodePoint(curve, point);
  } catch (err) {
    throw keyError(`public point is not a valid ${curve} point`, err);
  }
}

/** Decodes a 7F49 node strictly (order, all-or-none domain parameters, known algorithm and curve). */
export function publicKeyFromTlv(tlv: Tlv): CvcPublicKey {
  if (tlv.tag !== TAG_PUBLIC_KEY) throw new CvcError('CVC_WRONG_TAG', 'expected public key 7F49');
  const [oidNode, ...rest] = tlv.children;
  if (oidNode?.tag !== TAG_OID) throw keyError('public key must start with the algorithm OID (06)');
  const oid = decodeOidValue(oidNode.value);
  hashOfTaAlgorithm(oid);
  const found = new Map<number, Buffer>();
  let last = 0;
  for (const node of rest) {
    // TR-03110-3 §D.3.3: context-specific data objects 81..87, each at most once, in ascending order.
    if (node.tag < T.P || node.tag > T.F || node.constructed) throw keyError(`unexpected data object ${node.tag.toString(16)} in 7F49`);
    if (node.tag <= last) throw keyError(`data object ${node.tag.toString(16)} repeated or out of order in 7F49`);
    last = node.tag;
    found.set(node.tag, node.value);
  }
  const point = found.get(T.Y);
  if (point === undefined) throw keyError('public point 86 missing');
  const params = [T.P, T.A, T.B, T.G, T.N].map((t) => found.get(t));
  const present = params.filter((v) => v !== undefined).length;
  if (present !== 0 && present !== 5) throw keyError('domain parameters must be complete (81 p, 82 a, 83 b, 84 G, 85 r) or absent');
  if (present === 0) {
    if (found.has(T.F)) throw keyError('cofactor 87 without domain parameters');
    if (point.length === 0 || point[0] !== 0x04 || point.length % 2 !== 1) throw keyError('public point must be uncompressed 04||X||Y');
    return { oid, point, domainParameters: undefined, curve: undefined };
  }
  const [p, a, b, g, n] = params as [Buffer, Buffer, Buffer, Buffer, Buffer];
  const f = found.get(T.F);
  const values: EcDomainParameterValues = {
    p: bytesToBigint(p), a: bytesToBigint(a), b: bytesToBigint(b), g, n: bytesToBigint(n), f: f === undefined ? undefined : bytesToBigint(f),
  };
  const curve = curveOf(values);
  checkPoint(curve, point);
  return { oid, point, domainParameters: values, curve };
}

/** Public key of a certificate for a given curve (explicit parameters included or not). */
export function createCvcPublicKey(oid: string, curve: CurveName, point: Uint8Array, withDomainParameters: boolean): CvcPublicKey {
  hashOfTaAlgorithm(oid);
  const pt = Buffer.from(point);
  checkPoint(curve, pt);
  if (!withDomainParameters) return { oid, point: pt, domainParameters: undefined, curve: undefined };
  const dp = domainParameters(curve);
  return { oid, point: pt, domainParameters: { p: dp.p, a: dp.a, b: dp.b, g: bigPoint(dp), n: dp.n, f: dp.h }, curve };
}

/** Public key of a certificate from a KeyObject. */
export function cvcPublicKeyFromKeyObject(oid: string, key: KeyObject, withDomainParameters: boolean): CvcPublicKey {
  return createCvcPublicKey(oid, domainParametersOfKey(key).name, pointOfPublicKey(key), withDomainParameters);
}

/** 7F49 encoding; integers as fixed-length octet strings of the field (p, a, b) or order (r) size. */
export function encodePublicKey(key: CvcPublicKey): Buffer {
  hashOfTaAlgorithm(key.oid);
  const parts: Buffer[] = [encodeTlv(TAG_OID, encodeOidValue(key.oid))];
  const v = key.domainParameters;
  if (v !== undefined) {
    const size = key.curve === undefined ? Math.ceil(v.p.toString(16).length / 2) : domainParameters(key.curve).fieldSize;
    const orderSize = Math.ceil(v.n.toString(16).length / 2);
    parts.push(
      encodeTlv(T.P, bigintToBytes(v.p, size)), encodeTlv(T.A, bigintToBytes(v.a, size)), encodeTlv(T.B, bigintToBytes(v.b, size)),
      encodeTlv(T.G, v.g), encodeTlv(T.N, bigintToBytes(v.n, orderSize)),
    );
  }
  parts.push(encodeTlv(T.Y, key.point));
  if (v?.f !== undefined) parts.push(encodeTlv(T.F, bigintToBytes(v.f, Math.max(1, Math.ceil(v.f.toString(16).length / 2)))));
  return encodeTlv(TAG_PUBLIC_KEY, parts);
}

/**
 * node:crypto key for signature verification. DV and terminal keys carry no domain parameters:
 * `inheritedCurve` (from the CVCA of the chain, TR-03110-3 §C.1.3) is then required.
 */
export function keyObjectOf(key: CvcPublicKey, inheritedCurve?: CurveName): KeyObject {
  // A key with explicit parameters (CVCA, link certificate) uses its own, which may differ from the
  // previous generation's (curve change at a CVCA rollover).
  const curve = key.curve ?? inheritedCurve;
  if (curve === undefined) throw new CvcError('CVC_DOMAIN_PARAMETERS_MISSING', 'public key has no domain parameters and none are inherited');
  try {
    return publicKeyFromPoint(curve, key.point);
  } catch (err) {
    throw keyError(`public point is not a valid ${curve} point`, err);
  }
}
