/**
 * The CVCA's CHAT in the effective authorization (TR-03110-3 §C.4, TR-03110-2 §2.7): a right the DV
 * and the terminal have but the CVCA lacks (READ_DG9) is refused by the card and left out by the
 * server when its certificate pool holds the CVCA, whether that CVCA is the card's trust point or
 * arrives as a link certificate.
 */
import assert from 'node:assert/strict';
import { readBinarySfi } from '../../src/eid/card/commands/read-binary.js';
import { SW } from '../../src/eid/card/status-words.js';
import { chatAllows, decodeChat, dgReadBit } from '../../src/eid/eac/cvc/chat.js';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { startEac } from '../../src/eid/eac/terminal/index.js';
import { createCvcaGeneration, createDv } from '../../tools/test-pki/cvc-chain.js';
import { continueChannel, createWorld, DV_RIGHTS, issue, load, runEac, terminal, terminalConfig } from '../support/eac-world.js';
import type { ConfigOptions } from '../support/eac-world.js';

const WITHOUT_DG9: AtRight[] = DV_RIGHTS.filter((r) => r !== 'READ_DG9');
const TERMINAL_RIGHTS: AtRight[] = ['READ_DG4', 'READ_DG9'];
const OPTIONS: ConfigOptions = { required: ['READ_DG4'], optional: ['READ_DG9'], sectors: null };

function hasCode(code: string, check: (err: { detail?: Record<string, unknown> }) => boolean = () => true) {
  return (err: unknown): boolean => (err as { code?: string }).code === code && check(err as { detail?: Record<string, unknown> });
}

const effectiveOf = (hex: string) => decodeChat(Buffer.from(hex, 'hex'));

describe('e2e EAC: the CVCA CHAT bounds the effective authorization', () => {
  const world = createWorld({ cvcaRights: WITHOUT_DG9 });
  const term = terminal(world, { rights: TERMINAL_RIGHTS });
  /** What the server can check at start when its pool lacks the CVCA (registry chain = DV only). */
  const blindConfig = terminalConfig(world, term, OPTIONS);
  const config = terminalConfig(world, term, { ...OPTIONS, certificates: [world.dv.certificate, world.cvca.certificate] });

  it('the card grants terminal ∧ DV ∧ its trust point\'s CHAT: a server that cannot see the CVCA asks for DG9 and gets 6982', async () => {
    await assert.rejects(runEac(load(issue(world)), blindConfig), hasCode('CARD_STATUS_ERROR', (e) => e.detail?.sw === '6982'));
  });

  it('with the CVCA in the pool, startEac reports the DV\'s rights beyond the CVCA (TA_CHAIN_INVALID, bit of DG9)', () => {
    assert.throws(() => startEac(config), hasCode('TA_CHAIN_INVALID', (e) => ((e.detail?.bits as number[] | undefined) ?? []).includes(dgReadBit(9))));
  });

  it('presented anyway: the server\'s effective CHAT omits DG9 (only DG4 is read) and the card refuses DG9 under SM (6982)', async () => {
    const card = load(issue(world));
    // A server that skipped its start check: the state startEac gives for the same CHATs.
    const run = await runEac(card, config, { start: startEac(blindConfig) });
    const effective = effectiveOf(run.result.effectiveChat);
    assert.equal(chatAllows(effective, 'READ_DG9'), false);
    assert.equal(chatAllows(effective, 'READ_DG4'), true);
    assert.deepEqual(Object.keys(run.result.dataGroups), ['4']);
    const [dg9, dg4] = continueChannel(card, run, [readBinarySfi(9), readBinarySfi(4)]);
    assert.equal(dg9?.sw, SW.SECURITY_STATUS_NOT_SATISFIED);
    assert.equal(dg4?.sw, SW.SUCCESS);
  });

  it('the same chain under a CVCA with READ_DG9 reads DG9 (the CVCA CHAT is what differs)', async () => {
    const full = createWorld();
    const t = terminal(full, { rights: TERMINAL_RIGHTS });
    const c = terminalConfig(full, t, { ...OPTIONS, certificates: [full.dv.certificate, full.cvca.certificate] });
    const run = await runEac(load(issue(full)), c);
    assert.deepEqual(Object.keys(run.result.dataGroups).sort(), ['4', '9']);
  });

  it('link certificate to a CVCA without READ_DG9: the card moves its trust point and both sides use the new CVCA\'s CHAT', async () => {
    const old = createWorld();
    const { cvca: next, link } = createCvcaGeneration(old.cvca, { chr: 'TWCVCAT00002', curve: old.curve, rights: WITHOUT_DG9, effectiveDate: '260301', expirationDate: '301231' });
    const dv = createDv(next, { chr: 'TWDVT0000002', rights: DV_RIGHTS, effectiveDate: '260501', expirationDate: '261231' });
    const t = terminal(old, { rights: TERMINAL_RIGHTS, dv });
    const c = terminalConfig(old, t, { ...OPTIONS, certificates: [link.certificate, dv.certificate] });
    assert.throws(() => startEac(c), hasCode('TA_CHAIN_INVALID'));
    const card = load(issue(old));
    const run = await runEac(card, c, { start: startEac(terminalConfig(old, t, { ...OPTIONS, certificates: [dv.certificate] })) });
    assert.equal(chatAllows(effectiveOf(run.result.effectiveChat), 'READ_DG9'), false);
    assert.deepEqual(Object.keys(run.result.dataGroups), ['4']);
    assert.equal(card.toJSON().trustPoints[0]?.chr, 'TWCVCAT00002');
    const [dg9] = continueChannel(card, run, [readBinarySfi(9)]);
    assert.equal(dg9?.sw, SW.SECURITY_STATUS_NOT_SATISFIED);
  });
});
