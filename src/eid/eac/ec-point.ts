/**
 * Elliptic-curve point arithmetic for what OpenSSL's ECDH cannot do: PACE Generic Mapping needs the
 * full point H = d·P (not only its x-coordinate), the mapped generator Ĝ = s·G + H, and key agreement
 * on Ĝ instead of the standard base point. Built on @noble/curves' constant-time `multiply`.
 *
 * @spec tr03110-3 §A.3 (PACE Generic Mapping, ECDH), icao9303-11 §4.4 (Generic Mapping)
 * @spec bsi-tr03111 (public-key validation: peer points go through decodePoint first)
 */
import { randomBytes } from 'node:crypto';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import type { WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { bytesToBigint, decodePoint, domainParameters, EacCryptoError, encodePoint } from './domain-parameters.js';
import type { CurveName } from './domain-parameters.js';

export type EcPoint = WeierstrassPoint<bigint>;

const CONSTRUCTORS = new Map<CurveName, WeierstrassPointCons<bigint>>();

function pointClass(curve: CurveName): WeierstrassPointCons<bigint> {
  let cons = CONSTRUCTORS.get(curve);
  if (cons === undefined) {
    const dp = domainParameters(curve);
    cons = weierstrass({ p: dp.p, n: dp.n, h: dp.h, a: dp.a, b: dp.b, Gx: dp.gx, Gy: dp.gy });
    CONSTRUCTORS.set(curve, cons);
  }
  return cons;
}

export function basePoint(curve: CurveName): EcPoint {
  return pointClass(curve).BASE;
}

/** Validated peer point (EAC_INVALID_POINT for infinity, off-curve, non-uncompressed encodings). */
export function pointFromBytes(curve: CurveName, bytes: Uint8Array): EcPoint {
  const { x, y } = decodePoint(curve, bytes);
  const p = pointClass(curve).fromAffine({ x, y });
  p.assertValidity();
  return p;
}

export function pointToBytes(curve: CurveName, point: EcPoint): Buffer {
  if (point.is0()) throw new EacCryptoError('EAC_INVALID_POINT', 'point at infinity has no encoding');
  const { x, y } = point.toAffine();
  return encodePoint(curve, { x, y });
}

/** d·P for a secret scalar d in [1, n-1] (constant time). */
export function multiply(curve: CurveName, point: EcPoint, scalar: bigint): EcPoint {
  const { n } = domainParameters(curve);
  if (scalar < 1n || scalar >= n) throw new EacCryptoError('EAC_INVALID_SCALAR', 'scalar out of range [1, n-1]');
  return point.multiply(scalar);
}

/**
 * Uniform random scalar in [1, n-1]: 64 extra random bits reduced mod n-1, plus 1
 * (FIPS 186-4 §B.4.1, "key pair generation using extra random bits").
 */
export function randomScalar(curve: CurveName): bigint {
  const { n, fieldSize } = domainParameters(curve);
  return (bytesToBigint(randomBytes(fieldSize + 8)) % (n - 1n)) + 1n;
}

/** Scalar from fixed-length bytes, checked against [1, n-1] (EAC_INVALID_SCALAR). */
export function scalarFromBytes(curve: CurveName, bytes: Uint8Array): bigint {
  const { n, fieldSize } = domainParameters(curve);
  const d = bytesToBigint(bytes);
  if (bytes.length > fieldSize || d < 1n || d >= n) throw new EacCryptoError('EAC_INVALID_SCALAR', 'scalar out of range [1, n-1]');
  return d;
}
