import assert from 'node:assert/strict';
import { mseSetDst } from '../../../../src/eid/card/commands/mse-set-dst.js';
import { psoVerifyCertificate } from '../../../../src/eid/card/commands/pso-verify-certificate.js';
import { externalAuthenticate } from '../../../../src/eid/card/commands/external-authenticate.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { generateEcKeyPair } from '../../../../src/eid/eac/domain-parameters.js';
import { certify, chatBytes, FULL_RIGHTS, makePki, TestTerminal } from './fixture.js';

describe('software card: Terminal Authentication v2 (TR-03110-3 §B.11.4–§B.11.6, TR-03110-2 §2.5)', () => {
  const pki = makePki();

  async function paced(): Promise<TestTerminal> {
    const t = TestTerminal.create(pki);
    await t.pace('pin', t.json.passwords.pin, chatBytes(FULL_RIGHTS));
    return t;
  }

  it('MSE:Set DST with an unknown CAR → 6A88', async () => {
    const t = await paced();
    assert.equal(t.sw(mseSetDst('TWCVCA00009')), SW.REFERENCE_DATA_NOT_FOUND);
    // The terminal certificate before the DV: its CAR (the DV) is not known yet.
    assert.equal(t.sw(mseSetDst('TWDVTEST00001')), SW.REFERENCE_DATA_NOT_FOUND);
  });

  it('TA commands need the PACE channel (plain → 6982)', () => {
    const t = TestTerminal.create(pki);
    assert.equal(t.sw(mseSetDst('TWCVCA00001')), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('a certificate signed by another key → 6300; one whose CAR is not the selected key → 6A80', async () => {
    const t = await paced();
    const forged = certify({ car: 'TWCVCA00001', chr: 'TWDVTEST00001', role: 'dv-official', rights: FULL_RIGHTS, issuer: generateEcKeyPair('brainpoolP256r1') });
    assert.deepEqual(t.verifyChain([forged.cert]), [SW.SUCCESS, SW.VERIFICATION_FAILED]);
    assert.equal(t.sw(mseSetDst('TWCVCA00001')), SW.SUCCESS);
    assert.equal(t.sw(psoVerifyCertificate(pki.terminal.cert)), SW.WRONG_DATA);
  });

  it('an expired terminal certificate is rejected against the card date', async () => {
    const old = makePki({ terminalExpiration: '260531' }); // card date 2026-06-01
    const t = TestTerminal.create(old);
    await t.pace('pin', t.json.passwords.pin, chatBytes(FULL_RIGHTS));
    assert.deepEqual(t.verifyChain([old.dv.cert, old.terminal.cert]), [SW.SUCCESS, SW.SUCCESS, SW.SUCCESS, SW.CONDITIONS_NOT_SATISFIED]);
  });

  it('a DV cannot sign a DV, a terminal cannot come straight from the CVCA', async () => {
    const t = await paced();
    const cvcaAsIssuer = certify({ car: 'TWCVCA00001', chr: 'TWTERM000009', role: 'terminal', rights: FULL_RIGHTS, issuer: pki.cvca.key });
    assert.deepEqual(t.verifyChain([cvcaAsIssuer.cert]), [SW.SUCCESS, SW.CONDITIONS_NOT_SATISFIED]);
    const dvByDv = certify({ car: 'TWDVTEST00001', chr: 'TWDVTEST00002', role: 'dv-official', rights: FULL_RIGHTS, issuer: pki.dv.key });
    assert.deepEqual(t.verifyChain([pki.dv.cert, dvByDv.cert]), [SW.SUCCESS, SW.SUCCESS, SW.SUCCESS, SW.CONDITIONS_NOT_SATISFIED]);
  });

  it('the card date moves forward to the effective date of a domestic terminal certificate', async () => {
    const later = certify({ car: 'TWDVTEST00001', chr: 'TWTERM000002', role: 'terminal', rights: FULL_RIGHTS, issuer: pki.dv.key, effective: '260715', expiration: '261231' });
    const t = await paced();
    assert.deepEqual(t.verifyChain([pki.dv.cert, later.cert]), [SW.SUCCESS, SW.SUCCESS, SW.SUCCESS, SW.SUCCESS]);
    assert.equal(t.card.toJSON().currentDate, '2026-07-15');
    // Now the old terminal certificate (valid until 2026-08-31) still passes, one ending 2026-07-14 would not.
    const stale = certify({ car: 'TWDVTEST00001', chr: 'TWTERM000003', role: 'terminal', rights: FULL_RIGHTS, issuer: pki.dv.key, effective: '260601', expiration: '260714' });
    assert.deepEqual(t.verifyChain([stale.cert]), [SW.SUCCESS, SW.CONDITIONS_NOT_SATISFIED]);
  });

  it('a CVCA link certificate becomes the new trust point (old kept second); PACE then names both CARs', async () => {
    const nextKey = generateEcKeyPair('brainpoolP256r1');
    const link = certify({ car: 'TWCVCA00001', chr: 'TWCVCA00002', role: 'cvca', rights: FULL_RIGHTS, issuer: pki.cvca.key, subject: nextKey, effective: '260301', expiration: '301231' });
    const t = await paced();
    assert.deepEqual(t.verifyChain([link.cert]), [SW.SUCCESS, SW.SUCCESS]);
    assert.deepEqual(t.card.toJSON().trustPoints.map((tp) => tp.chr), ['TWCVCA00002', 'TWCVCA00001']);
    await t.pace('pin', t.json.passwords.pin, chatBytes(FULL_RIGHTS));
    assert.deepEqual(t.cars, ['TWCVCA00002', 'TWCVCA00001']);
    // A DV of the new generation verifies with the new trust point.
    const dv2 = certify({ car: 'TWCVCA00002', chr: 'TWDVTEST00002', role: 'dv-official', rights: FULL_RIGHTS, issuer: nextKey });
    assert.deepEqual(t.verifyChain([dv2.cert]), [SW.SUCCESS, SW.SUCCESS]);
  });

  it('an expired trust point verifies no DV (6985) but still a link certificate to its successor', async () => {
    const t = TestTerminal.create(pki, { currentDate: '2030-01-01' }); // trust point expires 2029-12-31
    await t.pace('pin', t.json.passwords.pin, chatBytes(FULL_RIGHTS));
    const dv = certify({ car: 'TWCVCA00001', chr: 'TWDVTEST00003', role: 'dv-official', rights: FULL_RIGHTS, issuer: pki.cvca.key, effective: '291201', expiration: '300601' });
    assert.deepEqual(t.verifyChain([dv.cert]), [SW.SUCCESS, SW.CONDITIONS_NOT_SATISFIED]);
    const link = certify({ car: 'TWCVCA00001', chr: 'TWCVCA00002', role: 'cvca', rights: FULL_RIGHTS, issuer: pki.cvca.key, effective: '291201', expiration: '321231' });
    assert.deepEqual(t.verifyChain([link.cert]), [SW.SUCCESS, SW.SUCCESS]);
  });

  it('bad TA signature → 6300, and the challenge is spent (retry without GET CHALLENGE → 6985)', async () => {
    const t = await paced();
    t.verifyChain([pki.dv.cert, pki.terminal.cert]);
    assert.equal(await t.terminalAuthentication(pki.terminal, { tamper: true }), SW.VERIFICATION_FAILED);
    assert.equal(t.sw(externalAuthenticate(Buffer.alloc(64, 1))), SW.CONDITIONS_NOT_SATISFIED);
    // A signature by another key fails the same way.
    assert.equal(await t.terminalAuthentication(pki.terminal, { signer: pki.dv.key.privateKey }), SW.VERIFICATION_FAILED);
    assert.equal(await t.terminalAuthentication(pki.terminal), SW.SUCCESS);
  });

  it('MSE:Set AT for TA must name the verified terminal certificate (else 6A88)', async () => {
    const t = await paced();
    t.verifyChain([pki.dv.cert]);
    assert.equal(await t.terminalAuthentication(pki.terminal), SW.REFERENCE_DATA_NOT_FOUND);
  });

  it('PACE with CAN: TA needs the CAN-allowed right (6982 without it)', async () => {
    const t = TestTerminal.create(pki);
    await t.pace('can', t.json.passwords.can, chatBytes(['READ_DG4']));
    t.verifyChain([pki.dv.cert, pki.terminal.cert]);
    assert.equal(await t.terminalAuthentication(pki.terminal), SW.SECURITY_STATUS_NOT_SATISFIED);
    await t.pace('can', t.json.passwords.can, chatBytes(['READ_DG4', 'CAN_ALLOWED']));
    t.verifyChain([pki.dv.cert, pki.terminal.cert]);
    assert.equal(await t.terminalAuthentication(pki.terminal), SW.SUCCESS);
  });

  it('CA v2 refuses an ephemeral key other than the one announced in TA (6982)', async () => {
    const t = await paced();
    t.verifyChain([pki.dv.cert, pki.terminal.cert]);
    assert.equal(await t.terminalAuthentication(pki.terminal), SW.SUCCESS);
    assert.equal(t.chipAuthentication(generateEcKeyPair('brainpoolP256r1').publicPoint), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('CA v2 needs TA first (6982)', async () => {
    const t = await paced();
    t.ephemeral = { curve: 'brainpoolP256r1', privateScalar: Buffer.alloc(32, 1), publicPoint: generateEcKeyPair('brainpoolP256r1').publicPoint };
    assert.equal(t.chipAuthentication(), SW.SECURITY_STATUS_NOT_SATISFIED);
  });
});
