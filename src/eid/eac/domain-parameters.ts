/**
 * Elliptic-curve domain parameters for EAC (PACE, TA, CA, RI) and the key operations on them:
 * key generation, import of raw points/scalars, peer-point validation, ECDH (x-coordinate) and
 * ECDSA in the TR-03111 plain format. All key operations run in node:crypto (OpenSSL).
 *
 * @spec tr03110-3 §A.1.1.1 (Table 4: standardized domain parameters), §A.2.2 (ECDH, Comp())
 * @spec bsi-tr03111 (public-key validation; ECKA-DH; plain ECDSA signature format r||s)
 * @spec rfc5639 §3.4, §3.6 (brainpoolP256r1, brainpoolP384r1), fips186-4 §D.1.2.4 (P-384)
 * @spec rfc5480 §2 (SubjectPublicKeyInfo), rfc5915 §3 + rfc5208 §5 (EC private key in PKCS#8)
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { IdpError } from '../../errors/idp-error.js';

export class EacCryptoError extends IdpError {}

export type CurveName = 'brainpoolP256r1' | 'brainpoolP384r1' | 'P-384';

export interface DomainParameters {
  readonly name: CurveName;
  /** Named-curve OID (RFC 5639 / SEC 2). */
  readonly oid: string;
  /** TR-03110-3 Table 4 standardized domain parameter id (PACEInfo.parameterId, CA/RI domain parameter info). */
  readonly standardizedId: number;
  /** Field element length in bytes (= length of Comp(), of an ECDH secret and of each half of a plain signature). */
  readonly fieldSize: number;
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  /** Order of the base point. */
  readonly n: bigint;
  /** Cofactor (1 for all supported curves). */
  readonly h: bigint;
  /** Name OpenSSL / node:crypto uses (`namedCurve`). */
  readonly opensslName: string;
}

// RFC 5639 §3.4
const BRAINPOOL_P256R1: DomainParameters = Object.freeze({
  name: 'brainpoolP256r1',
  oid: '1.3.36.3.3.2.8.1.1.7',
  standardizedId: 13,
  fieldSize: 32,
  p: 0xa9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377n,
  a: 0x7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9n,
  b: 0x26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6n,
  gx: 0x8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262n,
  gy: 0x547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997n,
  n: 0xa9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7n,
  h: 1n,
  opensslName: 'brainpoolP256r1',
});

// RFC 5639 §3.6
const BRAINPOOL_P384R1: DomainParameters = Object.freeze({
  name: 'brainpoolP384r1',
  oid: '1.3.36.3.3.2.8.1.1.11',
  standardizedId: 16,
  fieldSize: 48,
  p: 0x8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53n,
  a: 0x7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826n,
  b: 0x04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11n,
  gx: 0x1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1en,
  gy: 0x8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315n,
  n: 0x8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565n,
  h: 1n,
  opensslName: 'brainpoolP384r1',
});

// FIPS 186-4 §D.1.2.4 (SEC 2 secp384r1)
const P384_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn;
const NIST_P384: DomainParameters = Object.freeze({
  name: 'P-384',
  oid: '1.3.132.0.34',
  standardizedId: 15,
  fieldSize: 48,
  p: P384_P,
  a: P384_P - 3n,
  b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
  gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  h: 1n,
  opensslName: 'secp384r1',
});

const ALL: readonly DomainParameters[] = [BRAINPOOL_P256R1, BRAINPOOL_P384R1, NIST_P384];

/** The curve used when nothing else is configured (the German eID card uses brainpoolP256r1). */
export const DEFAULT_CURVE: CurveName = 'brainpoolP256r1';

function unsupported(what: string, detail: Record<string, unknown>): EacCryptoError {
  return new EacCryptoError('EAC_UNSUPPORTED_DOMAIN_PARAMETERS', `unsupported domain parameters: ${what}`, { detail });
}

export function domainParameters(name: CurveName): DomainParameters {
  const found = ALL.find((d) => d.name === name);
  if (found === undefined) throw unsupported('curve name', { name });
  return found;
}

/** TR-03110-3 §A.1.1.1 Table 4; ids 0–12, 14, 17, 18 (MODP groups, other curves) are not supported. */
export function domainParametersByStandardizedId(id: number): DomainParameters {
  const found = ALL.find((d) => d.standardizedId === id);
  if (found === undefined) throw unsupported('standardized id', { id });
  return found;
}

export function domainParametersByOid(oid: string): DomainParameters {
  const found = ALL.find((d) => d.oid === oid);
  if (found === undefined) throw unsupported('curve OID', { oid });
  return found;
}

/** Domain parameters of an EC KeyObject (public or private). */
export function domainParametersOfKey(key: KeyObject): DomainParameters {
  if (key.asymmetricKeyType !== 'ec') {
    throw new EacCryptoError('EAC_INVALID_KEY', 'not an elliptic-curve key', { detail: { type: key.asymmetricKeyType } });
  }
  const namedCurve = key.asymmetricKeyDetails?.namedCurve;
  const found = ALL.find((d) => d.opensslName === namedCurve);
  if (found === undefined) throw unsupported('key curve', { namedCurve });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Integers ↔ octet strings (TR-03111 FE2OS / I2OS with the fixed field length).

export function bigintToBytes(value: bigint, length: number): Buffer {
  if (value < 0n) throw new RangeError('negative integer');
  const hexText = value.toString(16).padStart(length * 2, '0');
  if (hexText.length > length * 2) throw new RangeError(`integer does not fit into ${length} bytes`);
  return Buffer.from(hexText, 'hex');
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}

function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

// ---------------------------------------------------------------------------------------------
// Points

export interface AffinePoint { readonly x: bigint; readonly y: bigint }

/**
 * Decodes and validates an uncompressed point 04||X||Y (TR-03111 uncompressed encoding; TR-03110 always transmits
 * uncompressed points). BSI TR-03111 public-key validation: coordinates in [0, p-1], curve
 * equation holds, not the point at infinity; with cofactor h = 1 every such point lies in the subgroup
 * of order n, so no n·Q check is needed. This is the invalid-curve defence for every peer point.
 */
export function decodePoint(curve: CurveName, point: Uint8Array): AffinePoint {
  const dp = domainParameters(curve);
  const invalid = (reason: string): EacCryptoError =>
    new EacCryptoError('EAC_INVALID_POINT', `invalid ${curve} point: ${reason}`, { detail: { curve, reason, length: point.length } });
  if (point.length === 1 && point[0] === 0x00) throw invalid('point at infinity');
  if (point.length !== 1 + 2 * dp.fieldSize) throw invalid('wrong length for an uncompressed point');
  if (point[0] !== 0x04) throw invalid('not in uncompressed form');
  const x = bytesToBigint(point.subarray(1, 1 + dp.fieldSize));
  const y = bytesToBigint(point.subarray(1 + dp.fieldSize));
  if (x >= dp.p || y >= dp.p) throw invalid('coordinate not a field element');
  if (!isOnCurve(dp, x, y)) throw invalid('not on the curve');
  // h = 1 for every supported curve (asserted by the tests); a cofactor > 1 would need an n·Q = O check here.
  return { x, y };
}

export function isOnCurve(dp: DomainParameters, x: bigint, y: bigint): boolean {
  return mod(y * y - (x * x * x + dp.a * x + dp.b), dp.p) === 0n;
}

/** 04||X||Y with fixed-length coordinates. */
export function encodePoint(curve: CurveName, point: AffinePoint): Buffer {
  const { fieldSize } = domainParameters(curve);
  return Buffer.concat([Buffer.of(0x04), bigintToBytes(point.x, fieldSize), bigintToBytes(point.y, fieldSize)]);
}

// ---------------------------------------------------------------------------------------------
// DER wrappers (RFC 5480 SPKI, RFC 5208 PKCS#8 around an RFC 5915 ECPrivateKey)

const ID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

function algorithmIdentifier(dp: DomainParameters): asn1js.Sequence {
  return new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: ID_EC_PUBLIC_KEY }), new asn1js.ObjectIdentifier({ value: dp.oid })] });
}

function toDer(value: asn1js.BaseBlock): Buffer {
  return Buffer.from(value.toBER(false));
}

export interface EcKeyPair {
  readonly curve: CurveName;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Uncompressed 04||X||Y. */
  readonly publicPoint: Buffer;
}

export function generateEcKeyPair(curve: CurveName): EcKeyPair {
  const dp = domainParameters(curve);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: dp.opensslName });
  return { curve, privateKey, publicKey, publicPoint: pointOfPublicKey(publicKey) };
}

/** Imports an uncompressed peer point as a public KeyObject after full validation (EAC_INVALID_POINT). */
export function publicKeyFromPoint(curve: CurveName, point: Uint8Array): KeyObject {
  const dp = domainParameters(curve);
  decodePoint(curve, point);
  const spki = new asn1js.Sequence({ value: [algorithmIdentifier(dp), new asn1js.BitString({ valueHex: Uint8Array.from(point) })] });
  return createPublicKey({ key: toDer(spki), format: 'der', type: 'spki' });
}

/** Uncompressed point of an EC public (or private) KeyObject. */
export function pointOfPublicKey(key: KeyObject): Buffer {
  const dp = domainParametersOfKey(key);
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const parsed = asn1js.fromBER(Uint8Array.from(der));
  const seq = parsed.result;
  if (parsed.offset === -1 || !(seq instanceof asn1js.Sequence)) {
    throw new EacCryptoError('EAC_INVALID_KEY', 'cannot parse SubjectPublicKeyInfo');
  }
  const bits = seq.valueBlock.value[1];
  if (!(bits instanceof asn1js.BitString) || bits.valueBlock.unusedBits !== 0) {
    throw new EacCryptoError('EAC_INVALID_KEY', 'SubjectPublicKeyInfo has no subjectPublicKey');
  }
  const point = Buffer.from(bits.valueBlock.valueHexView);
  if (point.length !== 1 + 2 * dp.fieldSize || point[0] !== 0x04) {
    throw new EacCryptoError('EAC_INVALID_KEY', 'public key is not an uncompressed point');
  }
  return point;
}

/**
 * Imports a private scalar d (big-endian, any length up to the field size) as a private KeyObject.
 * d must be in [1, n-1] (EAC_INVALID_SCALAR). OpenSSL derives the public point on import.
 */
export function privateKeyFromScalar(curve: CurveName, d: Uint8Array): KeyObject {
  const dp = domainParameters(curve);
  const scalar = bytesToBigint(d);
  if (d.length > dp.fieldSize || scalar < 1n || scalar >= dp.n) {
    throw new EacCryptoError('EAC_INVALID_SCALAR', `private scalar out of range for ${curve}`, { detail: { curve, length: d.length } });
  }
  // RFC 5915 §3: privateKey is an OCTET STRING of ceiling(log2(n)/8) bytes, i.e. fixed length.
  const ecPrivateKey = new asn1js.Sequence({
    value: [new asn1js.Integer({ value: 1 }), new asn1js.OctetString({ valueHex: Uint8Array.from(bigintToBytes(scalar, dp.fieldSize)) })],
  });
  const pkcs8 = new asn1js.Sequence({
    value: [new asn1js.Integer({ value: 0 }), algorithmIdentifier(dp), new asn1js.OctetString({ valueHex: Uint8Array.from(toDer(ecPrivateKey)) })],
  });
  return createPrivateKey({ key: toDer(pkcs8), format: 'der', type: 'pkcs8' });
}

/** Private scalar of an EC private KeyObject, fixed field length (for storing ephemeral keys). */
export function scalarOfPrivateKey(key: KeyObject): Buffer {
  const dp = domainParametersOfKey(key);
  if (key.type !== 'private') throw new EacCryptoError('EAC_INVALID_KEY', 'not a private key');
  const parsed = asn1js.fromBER(Uint8Array.from(key.export({ format: 'der', type: 'sec1' })));
  const seq = parsed.result;
  const octets = seq instanceof asn1js.Sequence ? seq.valueBlock.value[1] : undefined;
  if (parsed.offset === -1 || !(octets instanceof asn1js.OctetString)) {
    throw new EacCryptoError('EAC_INVALID_KEY', 'cannot parse ECPrivateKey');
  }
  return bigintToBytes(bytesToBigint(octets.valueBlock.valueHexView), dp.fieldSize);
}

/**
 * ECKA-DH (TR-03111): the x-coordinate of d·Q as a fixed-length octet string (FE2OS), which is
 * also TR-03110's shared secret K. The peer point is validated first (invalid-curve attacks).
 */
export function ecdhSharedX(curve: CurveName, privateKey: KeyObject, peerPoint: Uint8Array): Buffer {
  const dp = domainParameters(curve);
  if (domainParametersOfKey(privateKey).name !== curve || privateKey.type !== 'private') {
    throw new EacCryptoError('EAC_INVALID_KEY', `private key is not a ${curve} private key`);
  }
  const publicKey = publicKeyFromPoint(curve, peerPoint);
  const secret = diffieHellman({ privateKey, publicKey });
  // OpenSSL returns the field-length x-coordinate already; normalise defensively.
  return bigintToBytes(bytesToBigint(secret), dp.fieldSize);
}

// ---------------------------------------------------------------------------------------------
// ECDSA, TR-03111 plain format: r || s, each I2OS(·, ceil(log2 n / 8)).

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export function ecdsaSignPlain(privateKey: KeyObject, data: Uint8Array, hash: HashName): Buffer {
  domainParametersOfKey(privateKey);
  return sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

/** False for any invalid signature, including one of the wrong length (never throws for bad signatures). */
export function ecdsaVerifyPlain(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array, hash: HashName): boolean {
  const dp = domainParametersOfKey(publicKey);
  if (signature.length !== 2 * dp.fieldSize) return false;
  return verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
}
