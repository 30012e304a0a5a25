import assert from 'node:assert/strict';
import { ecdsaSignPlain, ecdsaVerifyPlain, generateEcKeyPair } from '../../../../../src/eid/eac/domain-parameters.js';
import { buildCvcChain, startChain, trustPointFromCvca, verifyChainStep, verifyCvcChain } from '../../../../../src/eid/eac/cvc/chain.js';
import { atRightNames, createChat } from '../../../../../src/eid/eac/cvc/chat.js';
import { parseCvCertificate, signCvCertificate } from '../../../../../src/eid/eac/cvc/cv-certificate.js';
import { checkDescriptionHash, parseCertificateDescription } from '../../../../../src/eid/eac/cvc/certificate-description.js';
import { TA_ECDSA_OIDS } from '../../../../../src/eid/eac/cvc/oids.js';
import { createCvca, createCvcaGeneration, createDevelopmentPki, createDv, createTerminal } from '../../../../../tools/test-pki/cvc-chain.js';

const V = { effectiveDate: '250101', expirationDate: '251231' } as const;

describe('tr03110-3 §C.4 CV certificate chains (chain.ts)', () => {
  const cvca1 = createCvca({ chr: 'DETESTCVCA00001', ...V, expirationDate: '271231' });
  const gen2 = createCvcaGeneration(cvca1, { chr: 'DETESTCVCA00002', effectiveDate: '250601', expirationDate: '281231' });
  const dv = createDv(gen2.cvca, { chr: 'DEDVTEST00001', rights: ['AGE_VERIFICATION', 'READ_DG4', 'READ_DG5', 'RESTRICTED_IDENTIFICATION'], effectiveDate: '250701', expirationDate: '251231' });
  const terminal = createTerminal(dv, {
    chr: 'DETERM00001', rights: ['AGE_VERIFICATION', 'READ_DG4'], effectiveDate: '250801', expirationDate: '250901',
    description: { format: 'plain', issuerName: 'Test DV', subjectName: 'Test eService', subjectUrl: 'https://idp.example', termsOfUsage: 'Test' },
    sector: { sector1Hash: Buffer.alloc(32, 1) },
  });
  const tp1 = trustPointFromCvca(cvca1.parsed);
  const tp2 = trustPointFromCvca(gen2.cvca.parsed);
  const pool = [dv.parsed, cvca1.parsed, gen2.cvca.parsed, gen2.link.parsed];

  describe('building the chain to send', () => {
    it('from the old CVCA: [link, DV, terminal]', () => {
      assert.deepEqual(buildCvcChain(terminal.parsed, pool, ['DETESTCVCA00001']).map((c) => c.chr), ['DETESTCVCA00002', 'DEDVTEST00001', 'DETERM00001']);
    });
    it('from the new CVCA (CAR_curr first): [DV, terminal]', () => {
      assert.deepEqual(buildCvcChain(terminal.parsed, pool, ['DETESTCVCA00002', 'DETESTCVCA00001']).map((c) => c.chr), ['DEDVTEST00001', 'DETERM00001']);
      assert.deepEqual(buildCvcChain(terminal.parsed, pool, ['DETESTCVCA00001', 'DETESTCVCA00002']).map((c) => c.chr), ['DEDVTEST00001', 'DETERM00001']);
    });
    it('unknown CAR', () => {
      assert.throws(() => buildCvcChain(terminal.parsed, pool, ['DETESTCVCA00009']), { code: 'CVC_UNKNOWN_CAR' });
      assert.throws(() => buildCvcChain(terminal.parsed, [gen2.link.parsed], ['DETESTCVCA00001']), { code: 'CVC_UNKNOWN_CAR' });
    });
  });

  describe('verification from the trust point (chip view)', () => {
    it('accepts [link, DV, terminal]; effective CHAT = terminal ∧ DV ∧ CVCA; trust point and date advance', () => {
      const chain = buildCvcChain(terminal.parsed, pool, ['DETESTCVCA00001']);
      const r = verifyCvcChain([tp1], chain, { currentDate: '250115' });
      assert.deepEqual(atRightNames(r.effectiveChat), ['AGE_VERIFICATION', 'READ_DG4']);
      assert.equal(r.effectiveChat.role, 'terminal');
      assert.equal(r.trustPoint.chr, 'DETESTCVCA00002');
      // official domestic DV: its terminal certificate is accurate, so the date moves to 250801
      assert.equal(r.currentDate, '250801');
      assert.equal(r.curve, 'brainpoolP256r1');
      // the returned key is the terminal key: it verifies a TA signature made with the terminal private key
      const sig = ecdsaSignPlain(terminal.keyPair.privateKey, Buffer.from('ta'), 'sha256');
      assert.equal(ecdsaVerifyPlain(r.terminalKey, Buffer.from('ta'), sig, 'sha256'), true);
      assert.equal(r.terminalAlgorithmOid, TA_ECDSA_OIDS.SHA_256);
      // description and sector extension survive the chain
      checkDescriptionHash(r.terminal, terminal.description as Buffer);
      assert.equal(parseCertificateDescription(terminal.description as Buffer).subjectUrl, 'https://idp.example');
    });

    it('a non-official DV\'s terminal certificate does not advance the chip date; the DV itself does', () => {
      const dvN = createDv(gen2.cvca, { chr: 'DEDVTEST00002', role: 'dv-non-official', rights: ['READ_DG4'], effectiveDate: '250701', expirationDate: '251231' });
      const t = createTerminal(dvN, { chr: 'DETERM00002', rights: ['READ_DG4'], effectiveDate: '250801', expirationDate: '250901' });
      assert.equal(verifyCvcChain([tp2], [dvN.parsed, t.parsed], { currentDate: '250115' }).currentDate, '250701');
    });

    it('expired certificate → CVC_EXPIRED (chip and accurate clock)', () => {
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed, terminal.parsed], { currentDate: '250902' }), { code: 'CVC_EXPIRED' });
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed, terminal.parsed], { currentDate: '250902', clock: 'accurate' }), { code: 'CVC_EXPIRED' });
      // the chip date first advances to the DV effective date, then the terminal is checked against it
      const late = createTerminal(dv, { chr: 'DETERM00003', rights: ['READ_DG4'], effectiveDate: '250601', expirationDate: '250630' });
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed, late.parsed], { currentDate: '250101' }), { code: 'CVC_EXPIRED' });
    });

    it('not yet valid → CVC_NOT_YET_VALID with an accurate clock, accepted by the chip clock', () => {
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed, terminal.parsed], { currentDate: '250715', clock: 'accurate' }), { code: 'CVC_NOT_YET_VALID' });
      const r = verifyCvcChain([tp2], [dv.parsed, terminal.parsed], { currentDate: '250801', clock: 'accurate' });
      assert.equal(r.currentDate, '250801');
      assert.equal(verifyCvcChain([tp2], [dv.parsed, terminal.parsed], { currentDate: '250101' }).currentDate, '250801');
    });

    it('terminal rights beyond its DV → CVC_CHAT_ESCALATION; dropped when not strict', () => {
      const greedy = createTerminal(dv, { chr: 'DETERM00004', rights: ['READ_DG4', 'READ_DG8', 'PIN_MANAGEMENT'], ...V });
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed, greedy.parsed], { currentDate: '250801' }), { code: 'CVC_CHAT_ESCALATION' });
      const r = verifyCvcChain([tp2], [dv.parsed, greedy.parsed], { currentDate: '250801', strictChat: false });
      assert.deepEqual(atRightNames(r.effectiveChat), ['READ_DG4']);
      const dvGreedy = createDv(cvca1, { chr: 'DEDVTEST00005', rights: ['READ_DG4'], ...V });
      const limitedCvca = createCvca({ chr: 'DETESTCVCA00007', rights: ['AGE_VERIFICATION'], ...V });
      const dvOver = createDv(limitedCvca, { chr: 'DEDVTEST00007', rights: ['READ_DG4'], ...V, keyPair: dvGreedy.keyPair });
      assert.throws(() => verifyCvcChain([trustPointFromCvca(limitedCvca.parsed)], [dvOver.parsed], { currentDate: '250801' }), { code: 'CVC_CHAT_ESCALATION' });
    });

    it('forged signature (right CHR, other key) → CVC_SIGNATURE_INVALID', () => {
      const fakeDv = createDv(createCvca({ chr: 'DETESTCVCA00002', ...V }), { chr: 'DEDVTEST00001', rights: ['READ_DG4'], ...V });
      assert.throws(() => verifyCvcChain([tp2], [fakeDv.parsed], { currentDate: '250801' }), { code: 'CVC_SIGNATURE_INVALID' });
      const fakeTerminal = createTerminal(fakeDv, { chr: 'DETERM00001', rights: ['READ_DG4'], ...V });
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed, fakeTerminal.parsed], { currentDate: '250801' }), { code: 'CVC_SIGNATURE_INVALID' });
    });

    it('role order: terminal under CVCA, DV under DV, link after DV, chain ending at a DV → CVC_ROLE_INVALID', () => {
      const direct = createTerminal(gen2.cvca, { chr: 'DETERM00005', rights: ['READ_DG4'], ...V });
      assert.throws(() => verifyCvcChain([tp2], [direct.parsed], { currentDate: '250801' }), { code: 'CVC_ROLE_INVALID' });
      const subDv = createDv(dv, { chr: 'DEDVTEST00009', rights: ['READ_DG4'], ...V });
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed, subDv.parsed], { currentDate: '250801' }), { code: 'CVC_ROLE_INVALID' });
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed], { currentDate: '250801' }), { code: 'CVC_ROLE_INVALID' });
      const linkUnderDv = createCvcaGeneration(dv, { chr: 'DETESTCVCA00003', ...V });
      assert.throws(() => verifyCvcChain([tp2], [dv.parsed, linkUnderDv.link.parsed], { currentDate: '250801' }), { code: 'CVC_ROLE_INVALID' });
    });

    it('CAR chain broken, unknown trust point, empty chain', () => {
      assert.throws(() => verifyCvcChain([tp1], [gen2.link.parsed, terminal.parsed], { currentDate: '250801' }), { code: 'CVC_CHAIN_INVALID' });
      assert.throws(() => verifyCvcChain([tp1], [dv.parsed, terminal.parsed], { currentDate: '250801' }), { code: 'CVC_UNKNOWN_CAR' });
      assert.throws(() => verifyCvcChain([tp1], [], { currentDate: '250801' }), { code: 'CVC_CHAIN_INVALID' });
      assert.throws(() => startChain([tp1], 'DETESTCVCA00001', '251301'), { code: 'CVC_DATE_INVALID' });
    });

    it('a DV of another terminal type under an AT CVCA → CVC_CHAT_TYPE_MISMATCH', () => {
      const k = generateEcKeyPair('brainpoolP256r1');
      const isDv = parseCvCertificate(signCvCertificate({
        ...dv.parsed, chr: 'DEDVIS00001', chat: createChat({ terminalType: 'is', role: 'dv-official', rights: [0] }),
        publicKey: { ...dv.parsed.publicKey, point: k.publicPoint },
      }, gen2.cvca.keyPair.privateKey, gen2.cvca.parsed.publicKey.oid));
      assert.throws(() => verifyChainStep(startChain([tp2], isDv.car, '250801'), isDv, { currentDate: '250801' }), { code: 'CVC_CHAT_TYPE_MISMATCH' });
    });

    it('P-384 chain with id-TA-ECDSA-SHA-384', () => {
      const pki = createDevelopmentPki({ today: '250301', curve: 'P-384', rights: ['READ_DG1', 'AGE_VERIFICATION'], withLink: true });
      assert.equal(pki.cvca.parsed.publicKey.oid, TA_ECDSA_OIDS.SHA_384);
      assert.equal(pki.terminal.parsed.signature.length, 96);
      const r = verifyCvcChain([pki.trustPoint], pki.chain, { currentDate: '250301', clock: 'accurate' });
      assert.equal(r.curve, 'P-384');
      assert.equal(r.trustPoint.chr, 'DETESTeID00006');
    });

    it('a CVCA certificate without domain parameters cannot be a trust point', () => {
      assert.throws(() => trustPointFromCvca(dv.parsed), { code: 'CVC_ROLE_INVALID' });
      const bare = parseCvCertificate(signCvCertificate({ ...cvca1.parsed, publicKey: { ...cvca1.parsed.publicKey, domainParameters: undefined, curve: undefined } }, cvca1.keyPair.privateKey, cvca1.parsed.publicKey.oid));
      assert.throws(() => trustPointFromCvca(bare), { code: 'CVC_DOMAIN_PARAMETERS_MISSING' });
    });
  });
});
