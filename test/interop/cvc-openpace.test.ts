/**
 * Independent check of the CVC layer with OpenPACE (Debian package `openpace`): `cvc-print` parses
 * and verifies the chains we generate, and the chains `cvc-create` generates are parsed and verified
 * by our code. Fails (does not skip) when the tools are missing: `apt-get install openpace`.
 *
 * Findings pinned here:
 *  - cvc-print reads our EXPLICIT-tag CertificateDescription; cvc-create writes IMPLICIT tags, which
 *    our parser rejects with CVC_DESCRIPTION_IMPLICIT_TAGS (accepted only with acceptImplicitTags).
 *  - cvc-print's "certificate description matches certificate" line is not evidence: Debian's build
 *    (1.1.2+git20220117) prints it for a tampered description too (CVC_check_description returns -1,
 *    which cvc-print treats as true). The description hash is therefore checked with `openssl dgst`
 *    against the raw id-description bytes of our certificate instead.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEcKeyPair, pointOfPublicKey } from '../../src/eid/eac/domain-parameters.js';
import { buildCvcChain, trustPointFromCvca, verifyCvcChain } from '../../src/eid/eac/cvc/chain.js';
import { atRightNames } from '../../src/eid/eac/cvc/chat.js';
import { checkDescriptionHash, parseCertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import { parseCvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import { createDevelopmentPki } from '../../tools/test-pki/cvc-chain.js';
import type { DevelopmentPki } from '../../tools/test-pki/cvc-chain.js';

function run(cmd: string, args: readonly string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error !== undefined) throw new Error(`${cmd} could not be run (install the Debian package openpace): ${r.error.message}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('interop: CV certificates with OpenPACE cvc-print / cvc-create', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    // Must fail, not skip, when OpenPACE is absent.
    for (const tool of ['cvc-print', 'cvc-create', 'openssl']) {
      const r = run(tool, tool === 'openssl' ? ['version'] : ['--version']);
      assert.equal(r.status, 0, `${tool} --version failed: ${r.stderr}`);
    }
    dir = mkdtempSync(join(tmpdir(), 'neid-cvc-openpace-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('our chain → cvc-print', () => {
    let pki: DevelopmentPki;
    let trustDir: string;
    before(() => {
      pki = createDevelopmentPki({
        today: '261120', rights: ['AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG1', 'READ_DG4', 'READ_DG17'], withLink: true,
        description: {
          format: 'plain', issuerName: 'Test DV', issuerUrl: 'https://dv.example', subjectName: 'Test eService',
          subjectUrl: 'https://idp.example', termsOfUsage: 'Name, address', commCertificates: [Buffer.alloc(32, 0x11)],
        },
        sector: { sector1Hash: Buffer.alloc(32, 0x22) },
      });
      // cvc-print --cvc-dir looks the issuer up by the CAR as the file name.
      trustDir = join(dir, 'trust');
      mkdirSync(trustDir);
      for (const c of [pki.cvca, pki.secondCvca, pki.dv]) if (c !== undefined) writeFileSync(join(trustDir, c.parsed.chr), c.certificate);
      writeFileSync(join(dir, 'cvca.cvcert'), pki.cvca.certificate);
      writeFileSync(join(dir, 'link.cvcert'), pki.link?.certificate ?? Buffer.alloc(0));
      writeFileSync(join(dir, 'dv.cvcert'), pki.dv.certificate);
      writeFileSync(join(dir, 'at.cvcert'), pki.terminal.certificate);
      writeFileSync(join(dir, 'at.desc'), pki.terminal.description ?? Buffer.alloc(0));
    });

    const print = (file: string, extra: readonly string[] = []): string => {
      const r = run('cvc-print', ['--cvc', join(dir, file), '--cvc-dir', trustDir, ...extra]);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };

    it('CVCA (self-signed, explicit domain parameters): parsed and signature verified', () => {
      const out = print('cvca.cvcert');
      assert.match(out, /CAR: DETESTeID00005\n\s+CHR: DETESTeID00005/);
      assert.match(out, /CVCA certificate/);
      assert.match(out, /^certificate verified$/m);
    });

    it('link certificate (new CVCA signed by the old): verified with the old CVCA', () => {
      const out = print('link.cvcert');
      assert.match(out, /CAR: DETESTeID00005\n\s+CHR: DETESTeID00006/);
      assert.match(out, /^certificate verified$/m);
    });

    it('DV certificate: verified with the new CVCA, role and rights as we encoded them', () => {
      const out = print('dv.cvcert');
      assert.match(out, /CAR: DETESTeID00006\n\s+CHR: DEDVTEST00001/);
      assert.match(out, /DV certificate/);
      for (const right of ['Age Verification', 'Restricted Identification', 'Read DG 1 ', 'Read DG 4 ', 'Read DG 17 ']) assert.ok(out.includes(right), right);
      assert.ok(!out.includes('Read DG 5 '));
      assert.match(out, /Effective Date: 2026-11-20\n\s+Expiration Date: 2027-02-18/);
      assert.match(out, /^certificate verified$/m);
    });

    it('terminal certificate with id-description and id-sector; EXPLICIT description readable by OpenPACE', () => {
      const out = print('at.cvcert', ['--description', join(dir, 'at.desc')]);
      assert.match(out, /CAR: DEDVTEST00001\n\s+CHR: DETERM00001/);
      assert.match(out, /Terminal certificate/);
      assert.match(out, /id-description\n\s+id-sector/);
      assert.match(out, /^certificate verified$/m);
      assert.match(out, /subjectName\tTest eService/);
      assert.match(out, /subjectURL\thttps:\/\/idp\.example/);
      assert.match(out, /termsOfUsage\nName, address/);
      assert.match(out, /0000 - 11 11 11 11/);
    });

    it('description hash: openssl dgst over the file equals the raw id-description hash of the certificate', () => {
      const r = run('openssl', ['dgst', '-sha256', '-r', join(dir, 'at.desc')]);
      const digest = Buffer.from(r.stdout.split(' ')[0] ?? '', 'hex');
      assert.equal(digest.length, 32);
      // 73 2D { 06 09 id-description, 80 20 hash } located in the raw bytes, independently of our parser
      const template = Buffer.concat([Buffer.from('732d060904007f000703010301' + '8020', 'hex'), digest]);
      assert.ok(pki.terminal.certificate.includes(template), 'id-description template with the openssl digest not found');
    });

    it('negative control: a tampered signature is reported as not verified', () => {
      const bad = Buffer.from(pki.terminal.certificate);
      bad[bad.length - 5] = (bad[bad.length - 5] as number) ^ 0x01;
      writeFileSync(join(dir, 'bad.cvcert'), bad);
      const out = print('bad.cvcert');
      assert.match(out, /^certificate not verified$/m);
      assert.doesNotMatch(out, /^certificate verified$/m);
    });
  });

  describe('cvc-create chain → our parser and chain verification', () => {
    const paths = (name: string): string => join(dir, 'oc', name);
    let cvcaKeyFile: string;
    before(() => {
      mkdirSync(join(dir, 'oc'));
      cvcaKeyFile = paths('cvca.pkcs8');
      writeFileSync(cvcaKeyFile, generateEcKeyPair('brainpoolP256r1').privateKey.export({ type: 'pkcs8', format: 'der' }));
      writeFileSync(paths('cvca2.pkcs8'), generateEcKeyPair('brainpoolP256r1').privateKey.export({ type: 'pkcs8', format: 'der' }));
      writeFileSync(paths('terms.txt'), 'Terms of usage\n');
      const steps: string[][] = [
        ['--role=cvca', '--type=at', '--chr=DEOPCVCA00001', '--issued=260101', '--expires=291231', `--sign-with=${cvcaKeyFile}`,
          '--scheme=ECDSA_SHA_256', '--read-dg1', '--read-dg4', '--verify-age', `--out-cert=${paths('cvca.cvcert')}`],
        ['--role=cvca', '--type=at', '--chr=DEOPCVCA00002', '--issued=260201', '--expires=301231', `--sign-with=${cvcaKeyFile}`,
          `--sign-as=${paths('cvca.cvcert')}`, `--key=${paths('cvca2.pkcs8')}`, '--scheme=ECDSA_SHA_256', '--read-dg1', '--read-dg4', '--verify-age',
          `--out-cert=${paths('link.cvcert')}`],
        ['--role=dv_domestic', '--chr=DEOPDV000001', '--issued=260301', '--expires=271231', `--sign-with=${paths('cvca2.pkcs8')}`,
          `--sign-as=${paths('link.cvcert')}`, '--scheme=ECDSA_SHA_256', '--read-dg1', '--read-dg4', '--verify-age',
          `--out-cert=${paths('dv.cvcert')}`, `--out-key=${paths('dv.pkcs8')}`],
        ['--role=terminal', '--chr=DEOPAT000001', '--issued=260401', '--expires=260601', `--sign-with=${paths('dv.pkcs8')}`,
          `--sign-as=${paths('dv.cvcert')}`, '--scheme=ECDSA_SHA_256', '--read-dg4', '--verify-age', `--cert-desc=${paths('terms.txt')}`,
          '--issuer-name=OpenPACE DV', '--issuer-url=https://dv.example', '--subject-name=OpenPACE AT', '--subject-url=https://at.example',
          `--out-cert=${paths('at.cvcert')}`, `--out-key=${paths('at.pkcs8')}`, `--out-desc=${paths('at.desc')}`],
      ];
      for (const args of steps) {
        const r = run('cvc-create', args);
        assert.equal(r.status, 0, `cvc-create ${args.join(' ')}: ${r.stderr}`);
      }
    });

    it('parses CVCA, link, DV and terminal certificates', () => {
      const cvca = parseCvCertificate(readFileSync(paths('cvca.cvcert')));
      assert.equal(cvca.chr, 'DEOPCVCA00001');
      assert.equal(cvca.chat.role, 'cvca');
      assert.equal(cvca.publicKey.curve, 'brainpoolP256r1');
      const link = parseCvCertificate(readFileSync(paths('link.cvcert')));
      assert.deepEqual([link.car, link.chr, link.chat.role], ['DEOPCVCA00001', 'DEOPCVCA00002', 'cvca']);
      const dv = parseCvCertificate(readFileSync(paths('dv.cvcert')));
      assert.deepEqual([dv.car, dv.chr, dv.chat.role, dv.effectiveDate, dv.expirationDate], ['DEOPCVCA00002', 'DEOPDV000001', 'dv-official', '260301', '271231']);
      assert.deepEqual(atRightNames(dv.chat), ['AGE_VERIFICATION', 'READ_DG1', 'READ_DG4']);
      const at = parseCvCertificate(readFileSync(paths('at.cvcert')));
      assert.equal(at.chat.role, 'terminal');
      assert.deepEqual(atRightNames(at.chat), ['AGE_VERIFICATION', 'READ_DG4']);
      // the key in the certificate is the one cvc-create wrote out (despite the name, an RFC 5915 ECPrivateKey)
      const atKey = createPrivateKey({ key: readFileSync(paths('at.pkcs8')), format: 'der', type: 'sec1' });
      assert.deepEqual(at.publicKey.point, pointOfPublicKey(atKey));
    });

    it('builds and verifies [link, DV, terminal] from the old CVCA as trust point', () => {
      const pool = ['cvca', 'link', 'dv'].map((n) => parseCvCertificate(readFileSync(paths(`${n}.cvcert`))));
      const at = parseCvCertificate(readFileSync(paths('at.cvcert')));
      const chain = buildCvcChain(at, pool, ['DEOPCVCA00001']);
      const [cvca] = pool;
      const [link] = chain;
      assert.ok(cvca !== undefined && link !== undefined);
      const trustPoint = trustPointFromCvca(cvca);
      assert.deepEqual(chain.map((c) => c.chr), ['DEOPCVCA00002', 'DEOPDV000001', 'DEOPAT000001']);
      const r = verifyCvcChain([trustPoint], chain, { currentDate: '260415', clock: 'accurate' });
      assert.equal(r.trustPoint.chr, 'DEOPCVCA00002');
      assert.deepEqual(atRightNames(r.effectiveChat), ['AGE_VERIFICATION', 'READ_DG4']);
      // and a flipped bit in the DV certificate's signature is caught
      const dvBad = Buffer.from(readFileSync(paths('dv.cvcert')));
      dvBad[dvBad.length - 3] = (dvBad[dvBad.length - 3] as number) ^ 0x01;
      assert.throws(() => verifyCvcChain([trustPoint], [link, parseCvCertificate(dvBad), at], { currentDate: '260415' }),
        { code: 'CVC_SIGNATURE_INVALID' });
    });

    it('cvc-create description: IMPLICIT tags rejected by default, readable on request, its hash matches', () => {
      const desc = readFileSync(paths('at.desc'));
      assert.throws(() => parseCertificateDescription(desc), { code: 'CVC_DESCRIPTION_IMPLICIT_TAGS' });
      const d = parseCertificateDescription(desc, { acceptImplicitTags: true });
      assert.deepEqual([d.format, d.issuerName, d.issuerUrl, d.subjectName, d.subjectUrl, d.termsOfUsage],
        ['plain', 'OpenPACE DV', 'https://dv.example', 'OpenPACE AT', 'https://at.example', 'Terms of usage\n']);
      const at = parseCvCertificate(readFileSync(paths('at.cvcert')));
      checkDescriptionHash(at, desc);
      assert.throws(() => checkDescriptionHash(at, Buffer.concat([desc, Buffer.from([0])])), { code: 'CVC_DESCRIPTION_HASH_MISMATCH' });
    });
  });
});
