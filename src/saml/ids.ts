/**
 * SAML identifiers and timestamps: IDs with 160+ bits of randomness (xs:ID is an NCName, so they
 * start with "_"), and xs:dateTime in UTC without fractional seconds.
 *
 * @spec saml-core §1.3.4 (ID "MUST … less than or equal to 2^-128 probability" of collision, 160 bits recommended), §1.3.3 (UTC times)
 */
import { randomBytes } from 'node:crypto';

export function samlId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

export function samlInstant(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
