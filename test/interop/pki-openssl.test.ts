/**
 * Independent checks of our X.509 / CRL / CMS output with the OpenSSL CLI, and of our verifier with
 * OpenSSL-made CMS. OpenSSL is required: a missing binary fails these tests (ENOENT), it never skips them.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCardSecurity } from '../../src/eid/eac/card-security.js';
import { generateEcKeyPair } from '../../src/eid/eac/domain-parameters.js';
import { verifyCardSecurity } from '../../src/eid/eac/passive-authentication.js';
import { encodeSecurityInfos, explicitEcParameters } from '../../src/eid/eac/security-infos.js';
import type { SecurityInfo } from '../../src/eid/eac/security-infos.js';
import { toPem } from '../../src/pki/certificate.js';
import { encodeCscaMasterList } from '../../src/pki/master-list.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { systemClock } from '../../src/shared/clock.js';
import { createTestPki } from '../../tools/test-pki/x509.js';
import type { TestCurve, TestPki } from '../../tools/test-pki/x509.js';

function openssl(args: readonly string[]): { status: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'latin1' });
  if (r.error !== undefined) throw r.error; // ENOENT when openssl is missing: the test fails
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const caKey = generateEcKeyPair('brainpoolP256r1');
const INFOS: SecurityInfo[] = [
  { type: 'PACEInfo', protocol: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 },
  { type: 'ChipAuthenticationInfo', protocol: '0.4.0.127.0.7.2.2.3.2.2', version: 2, keyId: 1 },
  { type: 'ChipAuthenticationPublicKeyInfo', protocol: '0.4.0.127.0.7.2.2.1.2',
    algorithm: { algorithm: '0.4.0.127.0.7.2.2.1.2', parameters: { kind: 'explicit', ec: explicitEcParameters('brainpoolP256r1') } },
    publicKey: caKey.publicPoint, keyId: 1 },
];

describe('interop: our PKI objects checked by the openssl CLI', () => {
  it('openssl is installed', () => {
    const version = execFileSync('openssl', ['version'], { encoding: 'latin1' });
    assert.match(version, /^OpenSSL 3\./);
  });

  for (const curve of ['brainpoolP256r1', 'brainpoolP384r1', 'P-384'] as const satisfies readonly TestCurve[]) {
    describe(curve, () => {
      let dir: string;
      let pki: TestPki;
      const file = (name: string): string => join(dir, name);

      before(() => {
        dir = mkdtempSync(join(tmpdir(), 'neid-pki-'));
        pki = createTestPki({ curve, at: new Date() });
        writeFileSync(file('csca.pem'), toPem(pki.csca.certificate.der, 'CERTIFICATE'));
        writeFileSync(file('ds.pem'), toPem(pki.documentSigner.certificate.der, 'CERTIFICATE'));
        writeFileSync(file('ds.key'), pki.documentSigner.privateKey.export({ type: 'pkcs8', format: 'pem' }));
        writeFileSync(file('revoked-ds.pem'), toPem(pki.revokedDocumentSigner.certificate.der, 'CERTIFICATE'));
        writeFileSync(file('crl.pem'), toPem(pki.crl, 'X509 CRL'));
        // `openssl cms` has no -CRLfile: with -crl_check it takes CRLs from the CAfile.
        writeFileSync(file('csca-crl.pem'), toPem(pki.csca.certificate.der, 'CERTIFICATE') + toPem(pki.crl, 'X509 CRL'));
        writeFileSync(file('ml.der'), pki.masterList);
      });
      after(() => rmSync(dir, { recursive: true, force: true }));

      it('openssl verify -crl_check accepts the DS and rejects the revoked DS', () => {
        const good = openssl(['verify', '-CAfile', file('csca.pem'), '-crl_check', '-CRLfile', file('crl.pem'), file('ds.pem')]);
        assert.equal(good.status, 0, good.out);
        assert.match(good.out, /ds\.pem: OK/);
        const revoked = openssl(['verify', '-CAfile', file('csca.pem'), '-crl_check', '-CRLfile', file('crl.pem'), file('revoked-ds.pem')]);
        assert.notEqual(revoked.status, 0, revoked.out);
        assert.match(revoked.out, /certificate revoked/);
      });

      it('openssl crl verifies our CRL signature and lists the revoked serial', () => {
        const r = openssl(['crl', '-in', file('crl.pem'), '-CAfile', file('csca.pem'), '-noout', '-text']);
        assert.equal(r.status, 0, r.out);
        assert.match(r.out, /verify OK/);
        assert.match(r.out, new RegExp(`Serial Number: ${pki.revokedDocumentSigner.certificate.serialHex.toUpperCase()}`));
      });

      it('openssl cms -verify accepts our EF.CardSecurity and outputs exactly the SecurityInfos', () => {
        writeFileSync(file('cs.der'), buildCardSecurity({ securityInfos: INFOS, documentSigner: pki.documentSigner }));
        const r = openssl(['cms', '-verify', '-inform', 'DER', '-in', file('cs.der'), '-CAfile', file('csca-crl.pem'), '-crl_check', '-binary', '-out', file('content.der')]);
        assert.equal(r.status, 0, r.out);
        assert.deepEqual(readFileSync(file('content.der')), encodeSecurityInfos(INFOS));
      });

      it('openssl cms -verify rejects a tampered EF.CardSecurity and one signed by the revoked DS', () => {
        const cs = buildCardSecurity({ securityInfos: INFOS, documentSigner: pki.documentSigner });
        const tampered = Buffer.from(cs);
        tampered[cs.indexOf(caKey.publicPoint) + 5]! ^= 1;
        writeFileSync(file('tampered.der'), tampered);
        assert.notEqual(openssl(['cms', '-verify', '-inform', 'DER', '-in', file('tampered.der'), '-CAfile', file('csca.pem'), '-out', file('x.der')]).status, 0);
        writeFileSync(file('revoked-cs.der'), buildCardSecurity({ securityInfos: INFOS, documentSigner: pki.revokedDocumentSigner }));
        const r = openssl(['cms', '-verify', '-inform', 'DER', '-in', file('revoked-cs.der'), '-CAfile', file('csca-crl.pem'), '-crl_check', '-out', file('x.der')]);
        assert.notEqual(r.status, 0);
        assert.match(r.out, /certificate revoked/);
      });

      it('our passive authentication accepts an EF.CardSecurity signed by openssl cms -sign', () => {
        writeFileSync(file('infos.der'), encodeSecurityInfos(INFOS));
        const r = openssl(['cms', '-sign', '-binary', '-nodetach', '-econtent_type', '0.4.0.127.0.7.3.2.1', '-in', file('infos.der'),
          '-signer', file('ds.pem'), '-inkey', file('ds.key'), '-md', pki.hash, '-outform', 'DER', '-out', file('openssl-cs.der')]);
        assert.equal(r.status, 0, r.out);
        const store = new TrustStore();
        store.addCscas(readFileSync(file('csca.pem'), 'latin1'));
        store.addCrl(readFileSync(file('crl.pem'), 'latin1'));
        const result = verifyCardSecurity(readFileSync(file('openssl-cs.der')), { trustStore: store, clock: systemClock });
        assert.deepEqual(result.securityInfosDer, encodeSecurityInfos(INFOS));
      });

      it('openssl cms -cmsout -print parses the master list; -verify yields the CscaMasterList', () => {
        const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file('ml.der')]);
        assert.equal(printed.status, 0, printed.out);
        assert.match(printed.out, /contentType: pkcs7-signedData/);
        assert.match(printed.out, /eContentType: .*\(2\.23\.136\.1\.1\.2\)/);
        assert.match(printed.out, /Master List Signer/);
        const verified = openssl(['cms', '-verify', '-inform', 'DER', '-in', file('ml.der'), '-CAfile', file('csca.pem'), '-purpose', 'any', '-binary', '-out', file('ml-content.der')]);
        assert.equal(verified.status, 0, verified.out);
        assert.deepEqual(readFileSync(file('ml-content.der')), encodeCscaMasterList([pki.csca.certificate]));
      });
    });
  }
});
