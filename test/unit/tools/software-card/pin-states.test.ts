import assert from 'node:assert/strict';
import { mseSetAtPace } from '../../../../src/eid/card/commands/mse-set-at.js';
import { generalAuthenticate } from '../../../../src/eid/card/commands/general-authenticate.js';
import { resetRetryCounter } from '../../../../src/eid/card/commands/reset-retry-counter.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { PACE_OID } from '../../../../src/eid/eac/pace.js';
import { SoftwareCard } from '../../../../tools/software-card/software-card.js';
import { makePki, TestTerminal } from './fixture.js';

describe('software card: PIN life cycle (TR-03110-2 §3.5.1)', () => {
  const pki = makePki();
  const wrong = '000000';

  async function failPin(t: TestTerminal, expected: number): Promise<void> {
    await assert.rejects(t.pace('pin', wrong), (err: { sw?: number }) => err.sw === expected);
  }

  it('wrong PIN: 63C2, then 63C1 (suspended); MSE:Set AT reports the state', async () => {
    const t = TestTerminal.create(pki);
    await failPin(t, SW.PIN_RETRY_2);
    assert.equal(t.card.toJSON().pinRetryCounter, 2);
    assert.equal(t.sw(mseSetAtPace({ protocolOid: PACE_OID.ECDH_GM_AES_CBC_CMAC_128, password: 'PIN' }), true), SW.PIN_RETRY_2);
    await failPin(t, SW.PIN_SUSPENDED);
    assert.equal(t.card.toJSON().pinRetryCounter, 1);
  });

  it('a correct PIN restores the counter to 3', async () => {
    const t = TestTerminal.create(pki);
    await failPin(t, SW.PIN_RETRY_2);
    await t.pace('pin', t.json.passwords.pin);
    assert.equal(t.card.toJSON().pinRetryCounter, 3);
  });

  it('suspended PIN: refused (6985) without CAN, accepted inside a CAN channel (resume)', async () => {
    const t = TestTerminal.create(pki, { pinRetryCounter: 1 });
    assert.equal(t.sw(mseSetAtPace({ protocolOid: PACE_OID.ECDH_GM_AES_CBC_CMAC_128, password: 'PIN' }), true), SW.PIN_SUSPENDED);
    assert.equal(t.sw(generalAuthenticate([], { chained: true }), true), SW.CONDITIONS_NOT_SATISFIED);
    await t.pace('can', t.json.passwords.can);
    await t.pace('pin', t.json.passwords.pin, undefined, t.sm);
    assert.equal(t.card.toJSON().pinRetryCounter, 3);
  });

  it('suspended PIN, wrong again after CAN: blocked 63C0; then MSE 63C0 and GA 6983', async () => {
    const t = TestTerminal.create(pki, { pinRetryCounter: 1 });
    await t.pace('can', t.json.passwords.can);
    await assert.rejects(t.pace('pin', wrong, undefined, t.sm), (err: { sw?: number }) => err.sw === SW.PIN_RETRY_0);
    assert.equal(t.card.toJSON().pinRetryCounter, 0);
    t.sm = undefined;
    assert.equal(t.sw(mseSetAtPace({ protocolOid: PACE_OID.ECDH_GM_AES_CBC_CMAC_128, password: 'PIN' })), SW.PIN_RETRY_0);
    assert.equal(t.sw(generalAuthenticate([], { chained: true })), SW.AUTHENTICATION_METHOD_BLOCKED);
  });

  it('blocked PIN: PACE with PUK, RESET RETRY COUNTER → counter 3, one PUK use spent, PIN works', async () => {
    const t = TestTerminal.create(pki, { pinRetryCounter: 0 });
    await t.pace('puk', t.json.passwords.puk);
    assert.equal(t.sw(resetRetryCounter('PIN')), SW.SUCCESS);
    const after = t.card.toJSON();
    assert.equal(after.pinRetryCounter, 3);
    assert.equal(after.pukUsesLeft, 9);
    await t.pace('pin', t.json.passwords.pin);
  });

  it('RESET RETRY COUNTER needs the PUK channel (PIN channel without PIN management → 6982) and SM (plain → 6982)', async () => {
    const t = TestTerminal.create(pki, { pinRetryCounter: 2 });
    assert.equal(t.sw(resetRetryCounter('PIN'), true), SW.SECURITY_STATUS_NOT_SATISFIED);
    await t.pace('can', t.json.passwords.can);
    assert.equal(t.sw(resetRetryCounter('PIN')), SW.SECURITY_STATUS_NOT_SATISFIED);
    assert.equal(t.card.toJSON().pinRetryCounter, 2);
  });

  it('a used-up PUK is refused (6983)', async () => {
    const t = TestTerminal.create(pki, { pinRetryCounter: 0, pukUsesLeft: 0 });
    await assert.rejects(t.pace('puk', t.json.passwords.puk), (err: { sw?: number }) => err.sw === SW.AUTHENTICATION_METHOD_BLOCKED);
  });

  it('wrong CAN: 6300, the PIN counter is untouched', async () => {
    const t = TestTerminal.create(pki);
    await assert.rejects(t.pace('can', '999999'), (err: { sw?: number }) => err.sw === SW.VERIFICATION_FAILED);
    assert.equal(t.card.toJSON().pinRetryCounter, 3);
  });

  it('the counter survives toJSON → fromJSON (persistent state), the channel does not survive reset()', async () => {
    const t = TestTerminal.create(pki);
    await failPin(t, SW.PIN_RETRY_2);
    const reloaded = SoftwareCard.fromJSON(JSON.parse(JSON.stringify(t.card.toJSON())));
    assert.equal(reloaded.toJSON().pinRetryCounter, 2);
    await t.pace('pin', t.json.passwords.pin);
    t.card.reset();
    // After the power cycle the SM keys are gone: an SM command finds no channel.
    assert.equal(t.sw(resetRetryCounter('PIN')), SW.SECURE_MESSAGING_NOT_SUPPORTED);
  });
});
