import assert from 'node:assert/strict';
import { toPem } from '../../../src/pki/certificate.js';
import { checkCrlFreshness, checkNotRevoked, parseCrl, revocationEntry, verifyCrlSignature } from '../../../src/pki/crl.js';
import { buildCrl, createTestPki } from '../../../tools/test-pki/x509.js';

const AT = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

describe('rfc5280 §5 CRL', () => {
  const pki = createTestPki({ at: AT });
  const csca = pki.csca.certificate;
  const crl = parseCrl(pki.crl);

  it('parses issuer, dates, number, AKI and revoked serials (DER and PEM)', () => {
    assert.equal(crl.issuerText, csca.subjectText);
    assert.equal(crl.crlNumber, 1n);
    assert.ok(crl.authorityKeyIdentifier?.equals(csca.subjectKeyIdentifier ?? Buffer.alloc(0)));
    assert.equal(crl.thisUpdate.getTime(), Math.floor(AT.getTime() / 1000) * 1000 - DAY);
    assert.equal(crl.revoked.size, 1);
    assert.ok(revocationEntry(crl, pki.revokedDocumentSigner.certificate));
    assert.equal(revocationEntry(crl, pki.documentSigner.certificate), undefined);
    assert.ok(parseCrl(toPem(pki.crl, 'X509 CRL')).der.equals(pki.crl));
  });

  it('§6.3.3 (f) verifies the CSCA signature; another CSCA or a changed byte fails', () => {
    verifyCrlSignature(crl, csca);
    const other = createTestPki({ at: AT });
    assert.throws(() => verifyCrlSignature(crl, other.csca.certificate), { code: 'PKI_CRL_SIGNATURE_INVALID' });
    const copy = Buffer.from(pki.crl);
    copy[copy.indexOf(Buffer.from('New eID Test CSCA', 'latin1'))]! ^= 0x20;
    assert.throws(() => verifyCrlSignature(parseCrl(copy), csca), { code: 'PKI_CRL_SIGNATURE_INVALID' });
    assert.throws(() => verifyCrlSignature(crl, pki.documentSigner.certificate), { code: 'PKI_CRL_SIGNATURE_INVALID' });
  });

  it('§6.3.3 (a)(2) freshness: before thisUpdate, after nextUpdate, no nextUpdate', () => {
    checkCrlFreshness(crl, AT);
    assert.throws(() => checkCrlFreshness(crl, new Date(AT.getTime() - 2 * DAY)), { code: 'PKI_CRL_NOT_YET_VALID' });
    assert.throws(() => checkCrlFreshness(crl, new Date(AT.getTime() + 31 * DAY)), { code: 'PKI_CRL_STALE' });
    const open = parseCrl(buildCrl({ issuer: csca, issuerKey: pki.csca.privateKey, thisUpdate: new Date(AT.getTime() - DAY), nextUpdate: null, revoked: [], crlNumber: 2n, hash: 'sha256' }));
    assert.equal(open.nextUpdate, null);
    assert.equal(open.revoked.size, 0);
    assert.throws(() => checkCrlFreshness(open, AT), { code: 'PKI_CRL_STALE' });
  });

  it('checkNotRevoked: revoked → PKI_CERT_REVOKED, others pass', () => {
    checkNotRevoked(crl, pki.documentSigner.certificate, csca, AT);
    assert.throws(() => checkNotRevoked(crl, pki.revokedDocumentSigner.certificate, csca, AT), { code: 'PKI_CERT_REVOKED' });
  });

  describe('malformed input', () => {
    it('truncated / trailing / wrong outer tag → PKI_CRL_MALFORMED', () => {
      assert.throws(() => parseCrl(pki.crl.subarray(0, pki.crl.length - 2)), { code: 'PKI_CRL_MALFORMED' });
      assert.throws(() => parseCrl(Buffer.concat([pki.crl, Buffer.from([0])])), { code: 'PKI_CRL_MALFORMED' });
      const wrong = Buffer.from(pki.crl);
      wrong[0] = 0x31;
      assert.throws(() => parseCrl(wrong), { code: 'PKI_CRL_MALFORMED' });
      assert.throws(() => parseCrl(Buffer.from('3000', 'hex')), { code: 'PKI_CRL_MALFORMED' });
    });

    it('version other than v2 → PKI_CRL_MALFORMED', () => {
      const copy = Buffer.from(pki.crl);
      copy[copy.indexOf(Buffer.from('020101', 'hex')) + 2] = 0x02;
      assert.throws(() => parseCrl(copy), { code: 'PKI_CRL_MALFORMED' });
    });

    it('unrecognised critical CRL extension (e.g. deltaCRLIndicator) → PKI_UNKNOWN_CRITICAL_EXTENSION', () => {
      const base = { issuer: csca, issuerKey: pki.csca.privateKey, thisUpdate: AT, nextUpdate: new Date(AT.getTime() + DAY), revoked: [], crlNumber: 3n, hash: 'sha256' } as const;
      const delta = buildCrl({ ...base, extraExtensions: [{ oid: '2.5.29.27', critical: true, value: Buffer.from('020102', 'hex') }] });
      assert.throws(() => parseCrl(delta), { code: 'PKI_UNKNOWN_CRITICAL_EXTENSION' });
      const informational = buildCrl({ ...base, extraExtensions: [{ oid: '1.3.6.1.4.1.99999.2', critical: false, value: Buffer.from('0500', 'hex') }] });
      assert.equal(parseCrl(informational).extensions.length, 3);
    });

    it('bad PEM → PKI_PEM_INVALID', () => {
      assert.throws(() => parseCrl('-----BEGIN X509 CRL-----\n!!\n-----END X509 CRL-----'), { code: 'PKI_PEM_INVALID' });
      assert.throws(() => parseCrl('not pem'), { code: 'PKI_PEM_INVALID' });
    });
  });
});
