/**
 * Development TLS server certificates: self-signed RSA-3072 end-entity certificates with the loopback
 * names in subjectAltName, for the TLS-2 (TLS-PSK, RSA_PSK suites) endpoint and the SOAP listener.
 * Clients trust them by pinning the certificate itself (dev only; production provisions its own).
 *
 * @spec rfc5280 §4.1 (TBSCertificate), §4.2.1.3 (keyUsage), §4.2.1.6 (subjectAltName), §4.2.1.9 (basicConstraints), §4.2.1.12 (extKeyUsage)
 * @spec tr03130-1 §2.3.2 (TLS-2: RSA key of at least 3072 bits)
 */
import { createHash, generateKeyPair, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { signData } from '../pki/algorithms.js';
import { derBitString, derBoolean, derInteger, derOctetString, derOid, derSequence, derSetOf, derTlv } from '../pki/der.js';
import { randomSerialNumber } from '../pki/serial-number.js';

const generate = promisify(generateKeyPair);

export interface DevTlsCertificate {
  /** PKCS#8 PEM. */
  key: string;
  cert: string;
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

function utcTime(d: Date): Buffer {
  return derTlv(0x17, Buffer.from(`${d.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`, 'ascii'));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // Expand :: for IPv6 (only the loopback forms are used here, but do it properly).
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.concat(groups.map((g) => { const b = Buffer.alloc(2); b.writeUInt16BE(parseInt(g, 16)); return b; }));
}

export function tlsServerCertificate(o: { privateKey: KeyObject; publicKey: KeyObject; commonName: string; names: readonly string[]; notBefore: Date; notAfter: Date }): X509Certificate {
  const spki = o.publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomSerialNumber();
  const { algorithm } = signData(o.privateKey, 'sha256', Buffer.alloc(0));
  const rdn = (oid: string, value: string) => derSetOf([derSequence([derOid(oid), derTlv(0x0c, Buffer.from(value, 'utf8'))])]);
  const subject = derSequence([rdn(OID.organization, 'New eID IdP (development)'), rdn(OID.commonName, o.commonName)]);
  // rfc5280 §4.2.1.6: dNSName [2] IA5String, iPAddress [7] OCTET STRING.
  const san = derSequence(o.names.map((n) => (isIP(n) === 0 ? derTlv(0x82, Buffer.from(n, 'ascii')) : derTlv(0x87, ipBytes(n)))));
  const extensions = derSequence([
    derSequence([derOid(OID.basicConstraints), derBoolean(true), derOctetString(derSequence([]))]),
    // digitalSignature | keyEncipherment: RSA_PSK transports the premaster secret under the RSA key (rfc4279 §4).
    derSequence([derOid(OID.keyUsage), derBoolean(true), derOctetString(derTlv(0x03, Buffer.from([0x05, 0xa0])))]),
    derSequence([derOid(OID.extKeyUsage), derOctetString(derSequence([derOid(OID.serverAuth)]))]),
    derSequence([derOid(OID.subjectAltName), derOctetString(san)]),
    derSequence([derOid(OID.subjectKeyIdentifier), derOctetString(derOctetString(createHash('sha256').update(spki).digest().subarray(0, 20)))]),
  ]);
  const tbs = derSequence([
    derTlv(0xa0, derInteger(2)), derTlv(0x02, serial), algorithm, subject,
    derSequence([utcTime(o.notBefore), utcTime(o.notAfter)]), subject, spki, derTlv(0xa3, extensions),
  ]);
  const { signature } = signData(o.privateKey, 'sha256', tbs);
  return new X509Certificate(derSequence([tbs, algorithm, derBitString(signature)]));
}

/** A fresh RSA-3072 key and a self-signed server certificate for localhost / 127.0.0.1 / ::1. */
export async function createDevTlsCertificate(commonName: string, at: Date = new Date(), days = 365): Promise<DevTlsCertificate> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: 3072, publicExponent: 0x10001 });
  const cert = tlsServerCertificate({
    privateKey, publicKey, commonName, names: ['localhost', '127.0.0.1', '::1'],
    notBefore: new Date(at.getTime() - 86_400_000), notAfter: new Date(at.getTime() + days * 86_400_000),
  });
  return { key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), cert: cert.toString() };
}
