/**
 * What survives between two authentications on one card object: a new PACE (MSE:Set AT for PACE)
 * ends the security status of the previous one, reset() is a power cycle, and the PIN retry counter
 * (persistent state) survives both.
 *
 * @spec tr03110-2 §3.5.1 (PIN retry counter), tr03110-3 §B.11.1 (MSE:Set AT for PACE), §F (SM channel)
 */
import assert from 'node:assert/strict';
import { mseSetAtPace } from '../../../../src/eid/card/commands/mse-set-at.js';
import { readBinarySfi } from '../../../../src/eid/card/commands/read-binary.js';
import { selectApplication } from '../../../../src/eid/card/commands/select.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { PACE_OID } from '../../../../src/eid/eac/pace.js';
import { makePki, TestTerminal } from './fixture.js';

const PACE_PIN = { protocolOid: PACE_OID.ECDH_GM_AES_CBC_CMAC_128, password: 'PIN' } as const;
const CARD_ACCESS_SFI = 0x1c;

describe('software card: state between two authentications', () => {
  const pki = makePki();

  it('a new PACE (MSE:Set AT) ends the rights of the previous TA/CA, even inside its SM channel', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    assert.equal(t.sw(selectApplication()), SW.SUCCESS);
    assert.equal(t.sw(readBinarySfi(1)), SW.SUCCESS, 'DG1 readable after TA + CA');
    assert.equal(t.sw(mseSetAtPace(PACE_PIN)), SW.SUCCESS);
    assert.equal(t.sw(readBinarySfi(1)), SW.SECURITY_STATUS_NOT_SATISFIED, 'the new PACE has not been followed by TA + CA');
  });

  it('reset(): the MF is current again (EF.CardAccess readable by SFI), no SM channel, no rights', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    assert.equal(t.sw(selectApplication()), SW.SUCCESS);
    const sm = t.sm;
    t.card.reset();
    t.sm = sm;
    assert.equal(t.sw(readBinarySfi(1)), SW.SECURE_MESSAGING_NOT_SUPPORTED, 'the SM keys are gone');
    assert.equal(t.sw(readBinarySfi(CARD_ACCESS_SFI), true), SW.SUCCESS, 'EF.CardAccess lives in the MF');
    assert.equal(t.sw(selectApplication(), true), SW.SUCCESS);
    assert.equal(t.sw(readBinarySfi(1), true), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('without reset() the eID application stays selected: EF.CardAccess by SFI is not found (6A82), as on a real chip', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    assert.equal(t.sw(selectApplication()), SW.SUCCESS);
    assert.equal(t.sw(readBinarySfi(CARD_ACCESS_SFI), true), SW.FILE_NOT_FOUND);
  });

  it('the PIN retry counter persists: wrong PIN once, reset(), MSE:Set AT still answers 63C2 and the counter is 2', async () => {
    const t = TestTerminal.create(pki);
    await assert.rejects(t.pace('pin', '000000'), (err: { sw?: number }) => err.sw === SW.PIN_RETRY_2);
    t.card.reset();
    t.sm = undefined;
    assert.equal(t.card.toJSON().pinRetryCounter, 2);
    assert.equal(t.sw(mseSetAtPace(PACE_PIN), true), SW.PIN_RETRY_2, 'a new PACE does not reset the counter either');
    assert.equal(t.card.toJSON().pinRetryCounter, 2);
    await assert.rejects(t.pace('pin', '000000'), (err: { sw?: number }) => err.sw === SW.PIN_SUSPENDED, 'the second wrong PIN after the reset suspends it');
    assert.equal(t.card.toJSON().pinRetryCounter, 1);
  });
});
