import assert from 'node:assert/strict';
import { validateCertificatePath } from '../../../src/pki/chain.js';
import { parseCertificate } from '../../../src/pki/certificate.js';
import { buildCertificate, createTestPki, generateSigningKey } from '../../../tools/test-pki/x509.js';

const AT = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

describe('rfc5280 §6.1 certificate path validation', () => {
  const pki = createTestPki({ at: AT });
  const csca = pki.csca.certificate;
  const anchors = [csca];
  const issue = (over: Partial<Parameters<typeof buildCertificate>[0]> = {}) => buildCertificate({
    subject: [['C', 'TW'], ['CN', 'leaf']], publicKey: generateSigningKey('brainpoolP256r1').publicKey, issuer: pki.csca,
    notBefore: new Date(AT.getTime() - DAY), notAfter: new Date(AT.getTime() + DAY), keyUsage: ['digitalSignature'], hash: 'sha256', ...over,
  });

  it('validates DS → CSCA and returns the path', () => {
    const r = validateCertificatePath({ target: pki.documentSigner.certificate, trustAnchors: anchors, at: AT, requiredKeyUsage: 'digitalSignature' });
    assert.equal(r.path.length, 2);
    assert.ok(r.anchor.der.equals(csca.der));
  });

  it('§6.1.3 (a)(2) validity: expired and not yet valid', () => {
    assert.throws(() => validateCertificatePath({ target: pki.expiredDocumentSigner.certificate, trustAnchors: anchors, at: AT }), { code: 'PKI_CERT_EXPIRED' });
    assert.throws(() => validateCertificatePath({ target: pki.documentSigner.certificate, trustAnchors: anchors, at: new Date(AT.getTime() - 40 * DAY) }), { code: 'PKI_CERT_NOT_YET_VALID' });
    // The anchor's own validity counts too (shell model).
    assert.throws(() => validateCertificatePath({ target: issue({ notAfter: new Date(AT.getTime() + 4000 * DAY) }), trustAnchors: anchors, at: new Date(AT.getTime() + 3700 * DAY) }), { code: 'PKI_CERT_EXPIRED' });
  });

  it('§6.1.3 (a)(1) signature: a changed TBS byte → PKI_SIGNATURE_INVALID', () => {
    const ds = pki.documentSigner.certificate;
    const copy = Buffer.from(ds.der);
    const cn = copy.indexOf(Buffer.from('Document Signer', 'latin1'));
    copy[cn] = 0x64; // 'D' → 'd': still a valid certificate, wrong signature
    assert.throws(() => validateCertificatePath({ target: parseCertificate(copy), trustAnchors: anchors, at: AT }), { code: 'PKI_SIGNATURE_INVALID' });
  });

  it('unknown issuer, and same issuer name with another key', () => {
    const other = createTestPki({ at: AT, country: 'DE', name: 'Other' });
    assert.throws(() => validateCertificatePath({ target: pki.documentSigner.certificate, trustAnchors: [other.csca.certificate], at: AT }), { code: 'PKI_ISSUER_NOT_FOUND' });
    const impostor = createTestPki({ at: AT });
    assert.throws(() => validateCertificatePath({ target: pki.documentSigner.certificate, trustAnchors: [impostor.csca.certificate], at: AT }), { code: 'PKI_KEY_IDENTIFIER_MISMATCH' });
    const noAki = issue({ omitKeyIdentifiers: true, issuer: impostor.csca });
    assert.throws(() => validateCertificatePath({ target: noAki, trustAnchors: anchors, at: AT }), { code: 'PKI_SIGNATURE_INVALID' });
  });

  it('§6.1.4 (k) an issuer that is not a CA → PKI_NOT_A_CA', () => {
    const leaf = issue({ issuer: pki.documentSigner });
    assert.throws(() => validateCertificatePath({ target: leaf, intermediates: [pki.documentSigner.certificate], trustAnchors: anchors, at: AT }), { code: 'PKI_NOT_A_CA' });
  });

  it('§6.1.4 (l) pathLenConstraint 0 forbids an intermediate CA', () => {
    const subKey = generateSigningKey('brainpoolP256r1');
    const sub = issue({ subject: [['C', 'TW'], ['CN', 'sub CA']], publicKey: subKey.publicKey, ca: {}, keyUsage: ['keyCertSign', 'cRLSign'] });
    const leaf = issue({ issuer: { certificate: sub, privateKey: subKey.privateKey } });
    assert.throws(() => validateCertificatePath({ target: leaf, intermediates: [sub], trustAnchors: anchors, at: AT }), { code: 'PKI_PATH_LENGTH_EXCEEDED' });
  });

  it('§6.1.4 (o) unknown critical extension → PKI_UNKNOWN_CRITICAL_EXTENSION; non-critical is ignored', () => {
    const critical = issue({ extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: Buffer.from('0500', 'hex') }] });
    assert.throws(() => validateCertificatePath({ target: critical, trustAnchors: anchors, at: AT }), { code: 'PKI_UNKNOWN_CRITICAL_EXTENSION' });
    const plain = issue({ extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: false, value: Buffer.from('0500', 'hex') }] });
    assert.equal(validateCertificatePath({ target: plain, trustAnchors: anchors, at: AT }).path.length, 2);
  });

  it('keyUsage / extKeyUsage requirements of the target → PKI_KEY_USAGE', () => {
    assert.throws(() => validateCertificatePath({ target: issue({ keyUsage: ['keyAgreement'] }), trustAnchors: anchors, at: AT, requiredKeyUsage: 'digitalSignature' }), { code: 'PKI_KEY_USAGE' });
    assert.throws(() => validateCertificatePath({ target: pki.documentSigner.certificate, trustAnchors: anchors, at: AT, requiredExtKeyUsage: '2.23.136.1.1.3' }), { code: 'PKI_KEY_USAGE' });
    assert.equal(validateCertificatePath({ target: pki.masterListSigner.certificate, trustAnchors: anchors, at: AT, requiredExtKeyUsage: '2.23.136.1.1.3' }).path.length, 2);
  });

  it('an issuer without keyCertSign → PKI_KEY_USAGE', () => {
    const subKey = generateSigningKey('brainpoolP256r1');
    const badCa = issue({ subject: [['C', 'TW'], ['CN', 'CA without keyCertSign']], publicKey: subKey.publicKey, selfPrivateKey: subKey.privateKey, issuer: undefined, ca: {}, keyUsage: ['cRLSign'] });
    const leaf = issue({ issuer: { certificate: badCa, privateKey: subKey.privateKey } });
    assert.throws(() => validateCertificatePath({ target: leaf, trustAnchors: [badCa], at: AT }), { code: 'PKI_KEY_USAGE' });
  });

  it('the revocation hook is called for each certificate below the anchor', () => {
    const seen: string[] = [];
    validateCertificatePath({ target: pki.documentSigner.certificate, trustAnchors: anchors, at: AT, checkRevocation: (c, issuer) => seen.push(`${c.serialHex}<${issuer.serialHex}`) });
    assert.deepEqual(seen, ['10<01']);
  });
});
