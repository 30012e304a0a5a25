/**
 * parseCertificate (src/pki/certificate.ts) against pkijs, which it used for the TBSCertificate
 * structure before reading it with the strict DER reader alone: the same fields for real and
 * generated certificates (CSCA, DS, master-list signer, TLS, v1, OpenSSL-made with many
 * extensions, the BSI test CSCA), and on mutations of them either both refuse, both read the same
 * fields, or ours refuses where RFC 5280 / X.690 require it and pkijs is lenient.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { parseCertificate, pemBlocks } from '../../../src/pki/certificate.js';
import type { X509Certificate } from '../../../src/pki/certificate.js';
import { createTestPki } from '../../../tools/test-pki/x509.js';

/** The fields pkijs decoded for the previous parseCertificate. */
function pkijsFields(der: Buffer): object {
  const cert = pkijs.Certificate.fromBER(Uint8Array.from(der));
  return {
    version: cert.version,
    serialHex: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    extensions: (cert.extensions ?? []).map((e) => ({ oid: e.extnID, critical: e.critical, value: Buffer.from(e.extnValue.valueBlock.valueHexView).toString('hex') })),
  };
}

function ourFields(c: X509Certificate): object {
  return {
    version: c.extensions.length > 0 ? 2 : undefined,
    serialHex: c.serialHex,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    extensions: c.extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value.toString('hex') })),
  };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** Certificates of every kind at hand. */
function corpus(): Buffer[] {
  const pki = createTestPki({ at: new Date() });
  const out = [pki.csca.certificate.der, pki.documentSigner.certificate.der, pki.masterListSigner.certificate.der];
  for (const f of ['demo-soap-client.crt.pem', 'demo-saml-encryption.crt.pem', 'demo-saml-signing.crt.pem']) {
    out.push(...pemBlocks(readFileSync(join('test/fixtures/demo-eservices', f), 'utf8'), 'CERTIFICATE'));
  }
  out.push(readFileSync('test/fixtures/ausweisapp/bsi-test-csca-2018-12.cer'));
  const dir = mkdtempSync(join(tmpdir(), 'neid-cert-parse-'));
  writeFileSync(join(dir, 'ext.cnf'), [
    '[v3]', 'basicConstraints=critical,CA:TRUE,pathlen:1', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', 'extendedKeyUsage=serverAuth,clientAuth',
    'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid:always,issuer', 'subjectAltName=DNS:a.example,IP:127.0.0.1,email:x@example.test',
    'crlDistributionPoints=URI:http://crl.example/ca.crl', 'certificatePolicies=1.2.3.4', 'nsComment="made by a test"', '',
  ].join('\n'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'a.key', '-out', 'a.pem', '-days', '30', '-subj', '/C=TW/ST=Taipei/O=A, B/OU=x+y/CN=a', '-extensions', 'v3', '-config', join(dir, 'ext.cnf')], dir);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'b.key', '-out', 'b.csr', '-subj', '/CN=v1 cert/serialNumber=1234'], dir);
  openssl(['x509', '-req', '-in', 'b.csr', '-signkey', 'b.key', '-out', 'b.pem', '-days', '30', '-set_serial', '0x00ff'], dir);
  openssl(['x509', '-req', '-in', 'b.csr', '-CA', 'a.pem', '-CAkey', 'a.key', '-out', 'c.pem', '-days', '9000', '-set_serial', '-5', '-extfile', join(dir, 'ext.cnf'), '-extensions', 'v3'], dir);
  for (const f of ['a.pem', 'b.pem', 'c.pem']) out.push(...pemBlocks(readFileSync(join(dir, f), 'utf8'), 'CERTIFICATE'));
  return out;
}

function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
}

describe('pki/certificate parseCertificate vs pkijs', () => {
  const certs = corpus();

  it('reads the same version, serial, validity and extensions as pkijs for every certificate of the corpus', () => {
    assert.ok(certs.length >= 10);
    for (const der of certs) {
      const ours = parseCertificate(der);
      const theirs = pkijsFields(der) as { version: number };
      assert.deepEqual(ourFields(ours), { ...theirs, version: theirs.version === 2 && ours.extensions.length > 0 ? 2 : undefined }, der.toString('base64').slice(0, 60));
      if (theirs.version !== 2) assert.equal(ours.extensions.length, 0);
    }
  });

  it('on mutated certificates: both refuse, or both read the same fields, or ours alone refuses an RFC 5280 / X.690 violation', () => {
    const r = rng(5280);
    let same = 0;
    let stricter = 0;
    for (let i = 0; i < 1500; i++) {
      const der = Buffer.from(certs[r(certs.length)]!);
      // Flip bits in the TBS header area, where the structure (not key or signature bytes) is.
      for (let k = 1 + r(2); k > 0; k--) { const at = r(Math.min(der.length, 400)); der[at] = der[at]! ^ (1 << r(8)); }
      let ours: X509Certificate | Error;
      let theirs: object | Error;
      try { ours = parseCertificate(der); } catch (e) { ours = e as Error; }
      try { theirs = pkijsFields(der); } catch (e) { theirs = e as Error; }
      if (ours instanceof Error) {
        assert.equal((ours as { code?: string }).code, 'PKI_CERTIFICATE_MALFORMED', ours.message);
        if (!(theirs instanceof Error)) stricter++;
        continue;
      }
      if (theirs instanceof Error) {
        // pkijs decodes UniversalString/BMPString values (UCS-4/UCS-2 lengths); we read Name values as opaque octets.
        const ucs = [ours.issuer, ours.subject].some((name) => name.children.some((rdn) => rdn.children.some((atv) => atv.children[1]!.tag === 28 || atv.children[1]!.tag === 30)));
        assert.ok(ucs, `accepted what pkijs refused (${theirs.message}): ${der.toString('hex').slice(0, 120)}`);
        continue;
      }
      assert.ok(!(theirs instanceof Error), `accepted what pkijs refused (${theirs instanceof Error ? theirs.message : ''}): ${der.toString('hex').slice(0, 120)}`);
      const t = theirs as { version: number };
      assert.deepEqual(ourFields(ours), { ...t, version: t.version === 2 && ours.extensions.length > 0 ? 2 : undefined });
      same++;
    }
    assert.ok(same > 50, `${same} same, ${stricter} stricter`);
  });
});
