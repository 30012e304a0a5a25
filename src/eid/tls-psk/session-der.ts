/**
 * Reads the PSK identity out of an OpenSSL SSL_SESSION (the DER that `tlsSocket.getSession()` and the
 * `newSession` event hand out). It is how a resumed TLS session stays bound to its eID session.
 *
 * @spec rfc4279 §2 (PSK identity; OpenSSL ssl/ssl_asn1.c SSL_SESSION_ASN1 encodes it as [8] EXPLICIT OCTET STRING)
 */
import * as asn1js from 'asn1js';

export function pskIdentityOfSession(der: Uint8Array): string | null {
  const parsed = asn1js.fromBER(Uint8Array.from(der));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return null;
  for (const element of parsed.result.valueBlock.value) {
    const { tagClass, tagNumber } = element.idBlock;
    if (tagClass !== 3 || tagNumber !== 8) continue; // context-specific [8]
    const inner = (element as asn1js.Constructed).valueBlock?.value?.[0];
    if (inner instanceof asn1js.OctetString) return Buffer.from(inner.valueBlock.valueHexView).toString('latin1');
  }
  return null;
}
