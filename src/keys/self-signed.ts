/**
 * Self-signed X.509 certificates for the IdP's own SAML keys. SAML metadata carries keys as
 * certificates (saml-metadata §2.4.1.1 KeyDescriptor/ds:KeyInfo/ds:X509Data); peers trust the key
 * through the signed metadata, not through a CA, so a self-signed certificate is the usual carrier.
 *
 * @spec rfc5280 §4.1 (TBSCertificate), §4.2.1.2 (subjectKeyIdentifier); rfc7093 §2, §4.2.1.3 (keyUsage), §4.2.1.9 (basicConstraints); saml-metadata §2.4.1.1
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import { signData } from '../pki/algorithms.js';
import { derBitString, derBoolean, derInteger, derOctetString, derOid, derSequence, derSetOf, derTlv } from '../pki/der.js';
import { randomSerialNumber } from '../pki/serial-number.js';

export type CertificateUsage = 'signing' | 'encryption';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

function name(commonName: string, organization: string): Buffer {
  const rdn = (oid: string, value: string) => derSetOf([derSequence([derOid(oid), derTlv(0x0c, Buffer.from(value, 'utf8'))])]);
  return derSequence([rdn(OID.organization, organization), rdn(OID.commonName, commonName)]);
}

/** rfc5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? derTlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii')) : derTlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

function keyUsageBits(usage: CertificateUsage): Buffer {
  // rfc5280 §4.2.1.3 bit 0 digitalSignature; bit 2 keyEncipherment (RSA key transport of XML-Enc).
  return usage === 'signing' ? Buffer.from([0x07, 0x80]) : Buffer.from([0x05, 0x20]);
}

export interface SelfSignedOptions {
  privateKey: KeyObject;
  publicKey: KeyObject;
  commonName: string;
  organization: string;
  usage: CertificateUsage;
  notBefore: Date;
  notAfter: Date;
}

export function selfSignedCertificate(o: SelfSignedOptions): X509Certificate {
  const spki = o.publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomSerialNumber();
  const { algorithm } = signData(o.privateKey, 'sha256', Buffer.alloc(0));
  // rfc7093 §2 method 1 style: a hash of the SubjectPublicKeyInfo (here SHA-256, leftmost 160 bits).
  const ski = derOctetString(createHash('sha256').update(spki).digest().subarray(0, 20));
  const extensions = derSequence([
    derSequence([derOid(OID.basicConstraints), derBoolean(true), derOctetString(derSequence([]))]),
    derSequence([derOid(OID.keyUsage), derBoolean(true), derOctetString(derTlv(0x03, keyUsageBits(o.usage)))]),
    derSequence([derOid(OID.subjectKeyIdentifier), derOctetString(ski)]),
  ]);
  const subject = name(o.commonName, o.organization);
  const tbs = derSequence([
    derTlv(0xa0, derInteger(2)),
    derTlv(0x02, serial),
    algorithm,
    subject,
    derSequence([time(o.notBefore), time(o.notAfter)]),
    subject,
    spki,
    derTlv(0xa3, extensions),
  ]);
  const { signature } = signData(o.privateKey, 'sha256', tbs);
  return new X509Certificate(derSequence([tbs, algorithm, derBitString(signature)]));
}
