/**
 * Serial numbers for the certificates the IdP makes itself (development TLS certificates,
 * self-signed SAML key certificates): 126 random bits, positive and minimally encoded.
 *
 * @spec rfc5280 §4.1.2.2 (positive, unique, at most 20 octets); x690 §8.3.2 (no leading 0x00 octet)
 */
import { randomBytes } from 'node:crypto';

/** 16 octets whose first is 0x40–0x7f: never negative, never a redundant leading zero (which OpenSSL rejects). */
export function randomSerialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x3f) | 0x40;
  return serial;
}
