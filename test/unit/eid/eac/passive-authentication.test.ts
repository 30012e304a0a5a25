import assert from 'node:assert/strict';
import { buildCardSecurity, ID_SECURITY_OBJECT } from '../../../../src/eid/eac/card-security.js';
import { generateEcKeyPair } from '../../../../src/eid/eac/domain-parameters.js';
import { verifyCardSecurity } from '../../../../src/eid/eac/passive-authentication.js';
import { encodeSecurityInfos, explicitEcParameters, selectChipAuthentication } from '../../../../src/eid/eac/security-infos.js';
import type { SecurityInfo } from '../../../../src/eid/eac/security-infos.js';
import { buildSignedData } from '../../../../src/pki/cms.js';
import { TrustStore } from '../../../../src/pki/trust-store.js';
import { fixedClock } from '../../../../src/shared/clock.js';
import { buildCrl, createTestPki } from '../../../../tools/test-pki/x509.js';
import type { TestPki } from '../../../../tools/test-pki/x509.js';

const AT = new Date('2026-03-01T12:00:00Z');
const clock = fixedClock(AT);
const caKey = generateEcKeyPair('brainpoolP256r1');
const INFOS: SecurityInfo[] = [
  { type: 'PACEInfo', protocol: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 },
  { type: 'TerminalAuthenticationInfo', protocol: '0.4.0.127.0.7.2.2.2', version: 2, efCvca: null },
  { type: 'ChipAuthenticationInfo', protocol: '0.4.0.127.0.7.2.2.3.2.2', version: 2, keyId: 0x29 },
  { type: 'ChipAuthenticationPublicKeyInfo', protocol: '0.4.0.127.0.7.2.2.1.2',
    algorithm: { algorithm: '0.4.0.127.0.7.2.2.1.2', parameters: { kind: 'explicit', ec: explicitEcParameters('brainpoolP256r1') } },
    publicKey: caKey.publicPoint, keyId: 0x29 },
];

/** Flips one bit of the first occurrence of `needle` (at `offset` inside it). */
function flip(bytes: Buffer, needle: Buffer, offset = 0): Buffer {
  const copy = Buffer.from(bytes);
  const at = copy.indexOf(needle);
  assert.ok(at >= 0, 'needle not found');
  copy[at + offset]! ^= 0x01;
  return copy;
}

describe('tr03110-3 §A.1.2 EF.CardSecurity: build and passive authentication', () => {
  let pki: TestPki;
  let store: TrustStore;
  let efCardSecurity: Buffer;

  before(() => {
    pki = createTestPki({ curve: 'brainpoolP256r1', at: AT });
    store = new TrustStore();
    store.addCsca(pki.csca.certificate);
    store.addCrl(pki.crl);
    efCardSecurity = buildCardSecurity({ securityInfos: INFOS, documentSigner: pki.documentSigner });
  });

  it('verifies and returns the signed SecurityInfos; the CA key comes from them', () => {
    const result = verifyCardSecurity(efCardSecurity, { trustStore: store, clock });
    assert.deepEqual(result.securityInfosDer, encodeSecurityInfos(INFOS));
    assert.equal(result.securityInfos.length, 4);
    assert.equal(result.documentSigner.serialHex, pki.documentSigner.certificate.serialHex);
    assert.ok(result.csca.der.equals(pki.csca.certificate.der));
    assert.equal(result.digestAlgorithm, 'sha256');
    const ca = selectChipAuthentication(result.securityInfos);
    assert.deepEqual(ca.publicPoint, caKey.publicPoint);
  });

  it('works on brainpoolP384r1 and P-384 hierarchies too (sha384)', () => {
    for (const curve of ['brainpoolP384r1', 'P-384'] as const) {
      const other = createTestPki({ curve, at: AT });
      const s = new TrustStore();
      s.addCsca(other.csca.certificate);
      s.addCrl(other.crl);
      const result = verifyCardSecurity(buildCardSecurity({ securityInfos: INFOS, documentSigner: other.documentSigner }), { trustStore: s, clock });
      assert.equal(result.digestAlgorithm, 'sha384');
    }
  });

  it('one byte flipped in the signed content → PA_CONTENT_TAMPERED', () => {
    const tampered = flip(efCardSecurity, caKey.publicPoint, 10);
    assert.throws(() => verifyCardSecurity(tampered, { trustStore: store, clock }), { code: 'PA_CONTENT_TAMPERED' });
  });

  it('one byte flipped in the signature → PA_SIGNATURE_INVALID', () => {
    // The signature is the last OCTET STRING: ECDSA DER SEQUENCE { r, s }; flip a byte of s.
    const tampered = Buffer.from(efCardSecurity);
    tampered[tampered.length - 5]! ^= 0x01;
    assert.throws(() => verifyCardSecurity(tampered, { trustStore: store, clock }), { code: 'PA_SIGNATURE_INVALID' });
  });

  it('a signed attribute changed (messageDigest kept) → PA_SIGNATURE_INVALID', () => {
    const withTime = buildCardSecurity({ securityInfos: INFOS, documentSigner: pki.documentSigner, signingTime: AT });
    const tampered = flip(withTime, Buffer.from('260301', 'latin1'), 5);
    assert.throws(() => verifyCardSecurity(tampered, { trustStore: store, clock }), { code: 'PA_SIGNATURE_INVALID' });
  });

  it('DS revoked by the CSCA CRL → PA_DS_REVOKED', () => {
    const ef = buildCardSecurity({ securityInfos: INFOS, documentSigner: pki.revokedDocumentSigner });
    assert.throws(() => verifyCardSecurity(ef, { trustStore: store, clock }), { code: 'PA_DS_REVOKED' });
  });

  it('expired DS → PA_DS_EXPIRED; DS not yet valid → PA_DS_EXPIRED', () => {
    const ef = buildCardSecurity({ securityInfos: INFOS, documentSigner: pki.expiredDocumentSigner });
    assert.throws(() => verifyCardSecurity(ef, { trustStore: store, clock }), { code: 'PA_DS_EXPIRED' });
    assert.throws(() => verifyCardSecurity(efCardSecurity, { trustStore: store, clock: fixedClock(new Date(AT.getTime() - 60 * 86_400_000)) }), { code: 'PA_DS_EXPIRED' });
  });

  it('wrong CSCA (same name, other key) and an unknown CSCA → PA_DS_UNTRUSTED', () => {
    const impostor = createTestPki({ curve: 'brainpoolP256r1', at: AT }); // same subject names, different keys
    const wrong = new TrustStore();
    wrong.addCsca(impostor.csca.certificate);
    wrong.addCrl(impostor.crl);
    assert.throws(() => verifyCardSecurity(efCardSecurity, { trustStore: wrong, clock }), { code: 'PA_DS_UNTRUSTED' });
    const foreign = createTestPki({ curve: 'brainpoolP256r1', at: AT, country: 'DE', name: 'Other' });
    const other = new TrustStore();
    other.addCsca(foreign.csca.certificate);
    assert.throws(() => verifyCardSecurity(efCardSecurity, { trustStore: other, clock }), { code: 'PA_DS_UNTRUSTED' });
    assert.throws(() => verifyCardSecurity(efCardSecurity, { trustStore: new TrustStore(), clock }), { code: 'PA_DS_UNTRUSTED' });
  });

  it('no CRL, or a CRL past nextUpdate → PA_REVOCATION_UNKNOWN (unless CRLs are not required)', () => {
    const noCrl = new TrustStore();
    noCrl.addCsca(pki.csca.certificate);
    assert.throws(() => verifyCardSecurity(efCardSecurity, { trustStore: noCrl, clock }), { code: 'PA_REVOCATION_UNKNOWN' });
    assert.equal(verifyCardSecurity(efCardSecurity, { trustStore: noCrl, clock, requireCrl: false }).securityInfos.length, 4);
    const stale = new TrustStore();
    stale.addCsca(pki.csca.certificate);
    stale.addCrl(buildCrl({ issuer: pki.csca.certificate, issuerKey: pki.csca.privateKey, thisUpdate: new Date(AT.getTime() - 40 * 86_400_000), nextUpdate: new Date(AT.getTime() - 86_400_000), revoked: [], crlNumber: 1n, hash: 'sha256' }));
    assert.throws(() => verifyCardSecurity(efCardSecurity, { trustStore: stale, clock }), { code: 'PA_REVOCATION_UNKNOWN' });
  });

  it('wrong eContentType → PA_WRONG_CONTENT_TYPE', () => {
    const ef = buildSignedData({ eContentType: '1.2.840.113549.1.7.1', content: encodeSecurityInfos(INFOS), signer: pki.documentSigner, hash: 'sha256' });
    assert.throws(() => verifyCardSecurity(ef, { trustStore: store, clock }), { code: 'PA_WRONG_CONTENT_TYPE' });
  });

  it('DS certificate without digitalSignature (a CA key) → PA_DS_INVALID', () => {
    const ef = buildCardSecurity({ securityInfos: INFOS, documentSigner: pki.csca });
    assert.throws(() => verifyCardSecurity(ef, { trustStore: store, clock }), { code: 'PA_DS_INVALID' });
  });

  it('signed content that is not SecurityInfos → PA_MALFORMED', () => {
    const ef = buildSignedData({ eContentType: ID_SECURITY_OBJECT, content: Buffer.from('3003020101', 'hex'), signer: pki.documentSigner, hash: 'sha256' });
    assert.throws(() => verifyCardSecurity(ef, { trustStore: store, clock }), { code: 'PA_MALFORMED' });
  });

  describe('malformed CMS → PA_MALFORMED', () => {
    const cases: [string, (ef: Buffer) => Buffer][] = [
      ['empty', () => Buffer.alloc(0)],
      ['truncated', (ef) => ef.subarray(0, ef.length - 1)],
      ['trailing byte', (ef) => Buffer.concat([ef, Buffer.from([0])])],
      ['not SignedData (id-data)', (ef) => flip(ef, Buffer.from('2a864886f70d010702', 'hex'), 8)],
      ['SignedData version 2', (ef) => { const c = Buffer.from(ef); const i = c.indexOf(Buffer.from('020103', 'hex')); c[i + 2] = 2; return c; }],
      ['certificate bytes cut out (lengths inconsistent)', (ef) => {
        const cert = pki.documentSigner.certificate.der;
        const i = ef.indexOf(cert);
        return Buffer.concat([ef.subarray(0, i), ef.subarray(i + cert.length)]);
      }],
      ['signer certificate not included', () => buildSignedData({
        eContentType: ID_SECURITY_OBJECT, content: encodeSecurityInfos(INFOS), signer: pki.documentSigner, hash: 'sha256', includeSignerCertificate: false,
      })],
      ['random bytes', () => Buffer.from('3082010a0282010100', 'hex')],
    ];
    for (const [name, mutate] of cases) {
      it(name, () => {
        assert.throws(() => verifyCardSecurity(mutate(efCardSecurity), { trustStore: store, clock }), { code: 'PA_MALFORMED' });
      });
    }
  });
});
