import assert from 'node:assert/strict';
import { parseCertificate, parseCertificates, pemBlocks, toPem } from '../../../src/pki/certificate.js';
import { createTestPki } from '../../../tools/test-pki/x509.js';

const AT = new Date('2026-03-01T12:00:00Z');

describe('rfc5280 §4.1 X.509 certificate parsing', () => {
  const pki = createTestPki({ at: AT });
  const csca = pki.csca.certificate;
  const ds = pki.documentSigner.certificate;

  it('reads names, validity, extensions and the key', () => {
    assert.equal(csca.subjectText, 'C=TW, O=New eID Test, CN=New eID Test CSCA');
    assert.equal(ds.issuerText, csca.subjectText);
    assert.equal(csca.selfIssued, true);
    assert.equal(ds.selfIssued, false);
    assert.deepEqual(csca.basicConstraints, { ca: true, pathLen: 0 });
    assert.equal(ds.basicConstraints, null);
    assert.deepEqual([...csca.keyUsage ?? []].sort(), ['cRLSign', 'keyCertSign']);
    assert.deepEqual([...ds.keyUsage ?? []], ['digitalSignature']);
    assert.ok(ds.authorityKeyIdentifier?.equals(csca.subjectKeyIdentifier ?? Buffer.alloc(0)));
    assert.equal(ds.serialNumber, 0x10n);
    assert.equal(ds.publicKey.asymmetricKeyDetails?.namedCurve, 'brainpoolP256r1');
    assert.equal(csca.signatureAlgorithm, '1.2.840.10045.4.3.2');
    assert.ok(ds.notBefore.getTime() < AT.getTime() && AT.getTime() < ds.notAfter.getTime());
    assert.deepEqual(pki.masterListSigner.certificate.extKeyUsage, ['2.23.136.1.1.3']);
  });

  it('round-trips through PEM; several blocks in one text', () => {
    const text = toPem(csca.der, 'CERTIFICATE') + toPem(ds.der, 'CERTIFICATE');
    const certs = parseCertificates(text);
    assert.equal(certs.length, 2);
    assert.ok(certs[1]!.der.equals(ds.der));
    assert.equal(parseCertificates(ds.der).length, 1);
  });

  describe('malformed input', () => {
    it('truncated / trailing bytes / not a SEQUENCE → PKI_CERTIFICATE_MALFORMED', () => {
      assert.throws(() => parseCertificate(ds.der.subarray(0, ds.der.length - 1)), { code: 'PKI_CERTIFICATE_MALFORMED' });
      assert.throws(() => parseCertificate(Buffer.concat([ds.der, Buffer.from([0])])), { code: 'PKI_CERTIFICATE_MALFORMED' });
      const wrongTag = Buffer.from(ds.der);
      wrongTag[0] = 0x31;
      assert.throws(() => parseCertificate(wrongTag), { code: 'PKI_CERTIFICATE_MALFORMED' });
      assert.throws(() => parseCertificate(Buffer.from('300302010a', 'hex')), { code: 'PKI_CERTIFICATE_MALFORMED' });
    });

    it('outer signatureAlgorithm different from tbsCertificate.signature → PKI_CERTIFICATE_MALFORMED', () => {
      const copy = Buffer.from(ds.der);
      const alg = Buffer.from('06082a8648ce3d040302', 'hex'); // ecdsa-with-SHA256
      const last = copy.lastIndexOf(alg);
      copy[last + alg.length - 1] = 0x03; // → ecdsa-with-SHA384 in the outer field only
      assert.throws(() => parseCertificate(copy), { code: 'PKI_CERTIFICATE_MALFORMED' });
    });

    it('bad PEM → PKI_PEM_INVALID', () => {
      assert.throws(() => parseCertificates('-----BEGIN CERTIFICATE-----\n*not base64*\n-----END CERTIFICATE-----\n'), { code: 'PKI_PEM_INVALID' });
      assert.throws(() => parseCertificates('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n'), { code: 'PKI_PEM_INVALID' });
      assert.throws(() => parseCertificates('hello'), { code: 'PKI_PEM_INVALID' });
      assert.deepEqual(pemBlocks('no pem here', 'CERTIFICATE'), []);
    });
  });
});
