import assert from 'node:assert/strict';
import { toPem } from '../../../src/pki/certificate.js';
import { buildSignedData, verifySignedData } from '../../../src/pki/cms.js';
import { buildMasterList, decodeCscaMasterList, encodeCscaMasterList, MasterListOid, verifyMasterList } from '../../../src/pki/master-list.js';
import { TrustStore } from '../../../src/pki/trust-store.js';
import { buildCertificate, buildCrl, createTestPki, generateSigningKey } from '../../../tools/test-pki/x509.js';

const AT = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

describe('icao9303-12 §9 CSCA master list and the trust store', () => {
  const home = createTestPki({ at: AT });
  const foreign = createTestPki({ at: AT, country: 'DE', name: 'Foreign' });
  // A master list of the home state carrying the foreign CSCA (the usual use: import other states' CSCAs).
  const ml = buildMasterList({ certificates: [home.csca.certificate, foreign.csca.certificate], signer: home.masterListSigner, hash: 'sha256' });

  it('verifies the signer path and returns the listed CSCAs', () => {
    const v = verifyMasterList(ml, { trustAnchors: [home.csca.certificate], at: AT });
    assert.equal(v.cscas.length, 2);
    assert.ok(v.cscas.some((c) => c.der.equals(foreign.csca.certificate.der)));
    assert.equal(v.signerPath.path.length, 2);
  });

  it('CscaMasterList encodes as SEQUENCE { v0, SET OF Certificate } and decodes back', () => {
    const der = encodeCscaMasterList([home.csca.certificate]);
    assert.deepEqual(der.subarray(0, 1), Buffer.from([0x30]));
    assert.deepEqual(der.subarray(der.indexOf(Buffer.from('020100', 'hex')), der.indexOf(Buffer.from('020100', 'hex')) + 3), Buffer.from('020100', 'hex'));
    assert.ok(decodeCscaMasterList(der)[0]!.der.equals(home.csca.certificate.der));
    assert.throws(() => decodeCscaMasterList(Buffer.from('30050201013100', 'hex')), { code: 'PKI_MASTER_LIST_INVALID' });
    assert.throws(() => decodeCscaMasterList(Buffer.from('30050201003000', 'hex')), { code: 'PKI_MASTER_LIST_INVALID' });
  });

  it('the trust store imports CSCAs from a verified master list; a DS of the foreign state then validates', () => {
    const store = new TrustStore();
    store.addCscas(toPem(home.csca.certificate.der, 'CERTIFICATE'));
    assert.throws(() => store.validate(foreign.documentSigner.certificate, { at: AT, requireCrl: false }), { code: 'PKI_ISSUER_NOT_FOUND' });
    assert.equal(store.addMasterList(ml, AT), 2);
    assert.equal(store.cscas.length, 2);
    store.addCrl(foreign.crl);
    assert.equal(store.validate(foreign.documentSigner.certificate, { at: AT }).path.length, 2);
    assert.throws(() => store.validate(foreign.revokedDocumentSigner.certificate, { at: AT }), { code: 'PKI_CERT_REVOKED' });
  });

  it('a master list whose signer is not certified by a trusted CSCA is rejected', () => {
    assert.throws(() => verifyMasterList(ml, { trustAnchors: [foreign.csca.certificate], at: AT }), { code: 'PKI_ISSUER_NOT_FOUND' });
    assert.throws(() => new TrustStore().addMasterList(ml, AT), { code: 'PKI_ISSUER_NOT_FOUND' });
  });

  it('a signer without extKeyUsage id-icao-cscaMasterListSigningKey → PKI_KEY_USAGE', () => {
    const bad = buildMasterList({ certificates: [foreign.csca.certificate], signer: home.documentSigner, hash: 'sha256' });
    assert.throws(() => verifyMasterList(bad, { trustAnchors: [home.csca.certificate], at: AT }), { code: 'PKI_KEY_USAGE' });
  });

  it('a revoked master-list signer is rejected when its CSCA CRL is loaded', () => {
    const store = new TrustStore();
    store.addCsca(home.csca.certificate);
    store.addCrl(buildCrl({ issuer: home.csca.certificate, issuerKey: home.csca.privateKey, thisUpdate: new Date(AT.getTime() - DAY), nextUpdate: new Date(AT.getTime() + DAY),
      revoked: [{ serialNumber: home.masterListSigner.certificate.serialNumber, revocationDate: new Date(AT.getTime() - DAY) }], crlNumber: 5n, hash: 'sha256' }));
    assert.throws(() => store.addMasterList(ml, AT), { code: 'PKI_CERT_REVOKED' });
  });

  it('CMS layer: tampered content, wrong content type, tampered signature', () => {
    const tampered = Buffer.from(ml);
    tampered[tampered.indexOf(Buffer.from('Foreign CSCA', 'latin1'))]! ^= 1;
    assert.throws(() => verifyMasterList(tampered, { trustAnchors: [home.csca.certificate], at: AT }), { code: 'CMS_DIGEST_MISMATCH' });
    const other = buildSignedData({ eContentType: '1.2.840.113549.1.7.1', content: encodeCscaMasterList([]), signer: home.masterListSigner, hash: 'sha256' });
    assert.throws(() => verifyMasterList(other, { trustAnchors: [home.csca.certificate], at: AT }), { code: 'CMS_UNEXPECTED_CONTENT_TYPE' });
    const sig = Buffer.from(ml);
    sig[sig.length - 4]! ^= 1;
    assert.throws(() => verifySignedData(sig, { expectedContentType: MasterListOid.CSCA_MASTER_LIST }), { code: 'CMS_SIGNATURE_INVALID' });
    assert.throws(() => verifySignedData(ml.subarray(0, 50)), { code: 'CMS_MALFORMED' });
  });

  it('TrustStore rejects non-CA certificates and CRLs no stored CSCA signed', () => {
    const store = new TrustStore();
    assert.throws(() => store.addCsca(home.documentSigner.certificate), { code: 'PKI_NOT_A_CA' });
    store.addCsca(home.csca.certificate);
    assert.throws(() => store.addCrl(foreign.crl), { code: 'PKI_CRL_SIGNATURE_INVALID' });
    const key = generateSigningKey('brainpoolP256r1');
    const noCertSign = buildCertificate({ subject: [['CN', 'x']], publicKey: key.publicKey, selfPrivateKey: key.privateKey, notBefore: AT, notAfter: new Date(AT.getTime() + DAY), ca: {}, keyUsage: ['cRLSign'], hash: 'sha256' });
    assert.throws(() => store.addCsca(noCertSign), { code: 'PKI_KEY_USAGE' });
  });

  it('validate() without any CRL of the CSCA → PKI_CRL_MISSING', () => {
    const store = new TrustStore();
    store.addCsca(home.csca.certificate);
    assert.throws(() => store.validate(home.documentSigner.certificate, { at: AT }), { code: 'PKI_CRL_MISSING' });
  });
});
