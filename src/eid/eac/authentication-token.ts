/**
 * Authentication token of PACE and Chip Authentication v2: the MAC over the peer's ephemeral
 * public key, encoded as a public-key data object with the protocol OID.
 *   T = CMAC(K_mac, 7F49 { 06 OID, 86 uncompressed point })  truncated to 8 bytes
 *
 * @spec tr03110-3 §A.2.4.2 (authentication token, ECDH), §D.3.3 (elliptic-curve public key data object)
 * @spec icao9303-11 §4.4 (PACE mutual authentication)
 */
import * as asn1js from 'asn1js';
import { encodeTlv } from '../card/tlv.js';
import { constantTimeEqual } from '../../shared/bytes.js';
import { aesCmac } from './cmac.js';

export const TOKEN_LENGTH = 8;
const TAG_PUBLIC_KEY = 0x7f49;
const TAG_EC_PUBLIC_POINT = 0x86;

/** DER encoding `06 L content` of a dotted OID. */
export function encodeOid(oid: string): Buffer {
  if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid)) throw new RangeError(`not a dotted OID: ${oid}`);
  return Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER(false));
}

/** TR-03110-3 §D.3.3: 7F49 { 06 OID, 86 public point } (domain parameters omitted: they are known). */
export function ecPublicKeyDataObject(oid: string, point: Uint8Array): Buffer {
  return encodeTlv(TAG_PUBLIC_KEY, [encodeOid(oid), encodeTlv(TAG_EC_PUBLIC_POINT, point)]);
}

export function authenticationToken(kMac: Uint8Array, oid: string, peerPublicPoint: Uint8Array): Buffer {
  return aesCmac(kMac, ecPublicKeyDataObject(oid, peerPublicPoint)).subarray(0, TOKEN_LENGTH);
}

/** Constant-time check of a received token. */
export function verifyAuthenticationToken(kMac: Uint8Array, oid: string, peerPublicPoint: Uint8Array, token: Uint8Array): boolean {
  return constantTimeEqual(authenticationToken(kMac, oid, peerPublicPoint), token);
}
