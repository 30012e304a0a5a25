/**
 * VerifiedCrlCache (src/pki/crl.ts) and its use by the TrustStore: a CRL's signature is verified
 * once per (CRL bytes, CSCA certificate) until its nextUpdate; every other check of a validation
 * (freshness, revocation lookup, the DS signature) still runs each time.
 */
import assert from 'node:assert/strict';
import { parseCrl, VerifiedCrlCache, verifyCrlSignature } from '../../../src/pki/crl.js';
import type { X509Crl } from '../../../src/pki/crl.js';
import type { X509Certificate } from '../../../src/pki/certificate.js';
import { TrustStore } from '../../../src/pki/trust-store.js';
import { buildCrl, createTestPki } from '../../../tools/test-pki/x509.js';

const AT = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

describe('pki/crl VerifiedCrlCache', () => {
  const pki = createTestPki({ at: AT });
  const csca = pki.csca.certificate;
  const crl = parseCrl(pki.crl);
  const nextUpdate = crl.nextUpdate as Date;
  const crlNumbered = (n: bigint, next: Date | null = nextUpdate) => parseCrl(buildCrl({
    issuer: csca, issuerKey: pki.csca.privateKey, thisUpdate: new Date(AT.getTime() - DAY), nextUpdate: next, revoked: [], crlNumber: n, hash: pki.hash,
  }));

  /** A cache whose verifications are counted. */
  function counting(maxEntries?: number): { cache: VerifiedCrlCache; calls: () => number } {
    let calls = 0;
    const verify = (c: X509Crl, issuer: X509Certificate) => { calls++; verifyCrlSignature(c, issuer); };
    return { cache: new VerifiedCrlCache({ ...(maxEntries === undefined ? {} : { maxEntries }), verify }), calls: () => calls };
  }

  it('hit: the same CRL bytes and CSCA are verified once', () => {
    const { cache, calls } = counting();
    cache.verify(crl, csca, AT);
    cache.verify(crl, csca, AT);
    cache.verify(parseCrl(Buffer.from(pki.crl)), csca, new Date(AT.getTime() + DAY));
    assert.equal(calls(), 1);
    assert.equal(cache.size, 1);
  });

  it('miss: another CRL (other bytes) or another issuer certificate is verified', () => {
    const { cache, calls } = counting();
    cache.verify(crl, csca, AT);
    cache.verify(crlNumbered(2n), csca, AT);
    assert.equal(calls(), 2);
    const other = createTestPki({ at: AT }).csca.certificate;
    assert.throws(() => cache.verify(crl, other, AT), { code: 'PKI_CRL_SIGNATURE_INVALID' });
    assert.equal(calls(), 3);
  });

  it('a tampered CRL of the same size is not served from the cache, however often the original was', () => {
    const { cache } = counting();
    cache.verify(crl, csca, AT);
    const revokedSerial = pki.revokedDocumentSigner.certificate.serialNumber;
    const tampered = Buffer.from(pki.crl);
    // The last byte of the signature value: same length, the CRL still parses.
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x01;
    const parsed = parseCrl(tampered);
    assert.equal(parsed.der.length, crl.der.length);
    assert.ok(parsed.revoked.has(revokedSerial.toString(16)));
    assert.throws(() => cache.verify(parsed, csca, AT), { code: 'PKI_CRL_SIGNATURE_INVALID' });
    assert.throws(() => cache.verify(parsed, csca, AT), { code: 'PKI_CRL_SIGNATURE_INVALID' });
  });

  it('a failed verification is not kept: it fails (and is verified) every time', () => {
    const { cache, calls } = counting();
    const other = createTestPki({ at: AT }).csca.certificate;
    for (let i = 0; i < 3; i++) assert.throws(() => cache.verify(crl, other, AT), { code: 'PKI_CRL_SIGNATURE_INVALID' });
    assert.equal(calls(), 3);
    assert.equal(cache.size, 0);
  });

  it('expiry at nextUpdate: served until nextUpdate, verified again after it and then not kept', () => {
    const { cache, calls } = counting();
    cache.verify(crl, csca, AT);
    cache.verify(crl, csca, nextUpdate);
    assert.equal(calls(), 1);
    const after = new Date(nextUpdate.getTime() + 1);
    cache.verify(crl, csca, after);
    assert.equal(calls(), 2);
    assert.equal(cache.size, 0);
    cache.verify(crl, csca, after);
    assert.equal(calls(), 3);
  });

  it('a CRL without nextUpdate (never fresh) is never kept', () => {
    const { cache, calls } = counting();
    const open = crlNumbered(3n, null);
    cache.verify(open, csca, AT);
    cache.verify(open, csca, AT);
    assert.equal(calls(), 2);
    assert.equal(cache.size, 0);
  });

  it('bounded: at most maxEntries, the least recently used dropped first', () => {
    const { cache, calls } = counting(2);
    const [a, b, c] = [crlNumbered(11n), crlNumbered(12n), crlNumbered(13n)];
    cache.verify(a, csca, AT);
    cache.verify(b, csca, AT);
    cache.verify(a, csca, AT); // a is now the most recently used
    cache.verify(c, csca, AT); // drops b
    assert.equal(cache.size, 2);
    assert.equal(calls(), 3);
    cache.verify(a, csca, AT);
    cache.verify(c, csca, AT);
    assert.equal(calls(), 3);
    cache.verify(b, csca, AT);
    assert.equal(calls(), 4);
    assert.equal(cache.size, 2);
  });

  describe('TrustStore', () => {
    function store(): { trust: TrustStore; calls: () => number } {
      const { cache, calls } = counting();
      const trust = new TrustStore({ verifiedCrls: cache });
      trust.addCsca(csca);
      trust.addCrl(pki.crl);
      return { trust, calls };
    }
    const validate = (trust: TrustStore, cert: X509Certificate, at = AT) => trust.validate(cert, { at, requiredKeyUsage: 'digitalSignature' });

    it('validations of many documents verify the CRL signature once', () => {
      const { trust, calls } = store();
      for (let i = 0; i < 5; i++) validate(trust, pki.documentSigner.certificate);
      assert.equal(calls(), 1);
    });

    it('the revocation lookup and the freshness check still run in every validation', () => {
      const { trust, calls } = store();
      validate(trust, pki.documentSigner.certificate);
      assert.throws(() => validate(trust, pki.revokedDocumentSigner.certificate), { code: 'PKI_CERT_REVOKED' });
      assert.equal(calls(), 1);
      // Past nextUpdate nothing is served from the cache (the lookup and the check each verify again), and the CRL is stale.
      assert.throws(() => validate(trust, pki.documentSigner.certificate, new Date(nextUpdate.getTime() + 1)), { code: 'PKI_CRL_STALE' });
      assert.equal(calls(), 3);
    });

    it('a CRL signed by an issuer that is not a stored CSCA is not cached (verified each time)', () => {
      const { trust, calls } = store();
      const notStored = { ...csca } as X509Certificate;
      for (let i = 0; i < 3; i++) assert.equal(trust.crlFor(notStored, AT)?.der.equals(crl.der), true);
      assert.equal(calls(), 0);
      trust.crlFor(csca, AT);
      trust.crlFor(csca, AT);
      assert.equal(calls(), 1);
    });
  });
});
