import assert from 'node:assert/strict';
import { readBinarySfi } from '../../../../src/eid/card/commands/read-binary.js';
import { selectApplication } from '../../../../src/eid/card/commands/select.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { createChat, decodeChat, encodeChat } from '../../../../src/eid/eac/cvc/chat.js';
import { generateEcKeyPair } from '../../../../src/eid/eac/domain-parameters.js';
import { hex } from '../../../../src/shared/bytes.js';
import { SoftwareCard } from '../../../../tools/software-card/software-card.js';
import { certify, chatBytes, FULL_RIGHTS, makeCardJson, makePki, TestTerminal } from './fixture.js';

/** TR-03110-3 §C.4: the effective authorization includes the CHAT of the CVCA the chip trusts. */
describe('software card: the trust point\'s CVCA CHAT bounds the effective authorization', () => {
  const withoutDg9 = FULL_RIGHTS.filter((r) => r !== 'READ_DG9');
  const narrow = makePki({ cvcaRights: withoutDg9 });

  async function readDgs(t: TestTerminal, dgs: readonly number[]): Promise<number[]> {
    t.sw(selectApplication());
    return dgs.map((dg) => t.send(readBinarySfi(dg)).sw);
  }

  it('issuing stores the CVCA certificate\'s CHAT (7F4C) with the trust point', () => {
    const json = makeCardJson(narrow);
    const stored = json.trustPoints[0]?.chat;
    assert.equal(stored, hex(encodeChat(narrow.cvca.parsed.chat)));
    assert.equal(decodeChat(Buffer.from(stored ?? '', 'hex')).role, 'cvca');
  });

  it('a right the DV and terminal have but the CVCA lacks (READ_DG9) → 6982; the others → 9000', async () => {
    const t = TestTerminal.create(narrow);
    await t.eac(narrow, FULL_RIGHTS);
    assert.deepEqual(await readDgs(t, [4, 9, 10]), [SW.SUCCESS, SW.SECURITY_STATUS_NOT_SATISFIED, SW.SUCCESS]);
  });

  it('the same chain under a CVCA with every right reads DG9', async () => {
    const full = makePki();
    const t = TestTerminal.create(full);
    await t.eac(full, FULL_RIGHTS);
    assert.deepEqual(await readDgs(t, [9]), [SW.SUCCESS]);
  });

  it('card.json written before the CHAT was stored still loads; its trust point grants all rights', async () => {
    const json = makeCardJson(narrow);
    const legacy = { ...json, trustPoints: json.trustPoints.map(({ chat: _chat, ...rest }) => rest) };
    const card = SoftwareCard.fromJSON(JSON.parse(JSON.stringify(legacy)));
    assert.equal(card.toJSON().trustPoints[0]?.chat, undefined);
    const t = new TestTerminal(card, legacy);
    await t.eac(narrow, FULL_RIGHTS);
    assert.deepEqual(await readDgs(t, [9]), [SW.SUCCESS]);
  });

  const badChats: [string, string][] = [
    ['a terminal CHAT', hex(encodeChat(createChat({ role: 'terminal', rights: ['READ_DG1'] })))],
    ['a truncated CVCA CHAT', hex(encodeChat(createChat({ role: 'cvca', rights: ['READ_DG1'] })).subarray(0, 8))],
    ['a non-CHAT TLV', '5f2001aa'],
    ['trailing bytes', `${hex(encodeChat(createChat({ role: 'cvca', rights: ['READ_DG1'] })))}00`],
  ];
  for (const [name, chat] of badChats) {
    it(`card.json with ${name} as trust-point CHAT → SOFTCARD_JSON_INVALID`, () => {
      const json = makeCardJson(narrow);
      const broken = { ...json, trustPoints: json.trustPoints.map((tp) => ({ ...tp, chat })) };
      assert.throws(() => SoftwareCard.fromJSON(broken), { code: 'SOFTCARD_JSON_INVALID' });
    });
  }

  it('a link certificate replaces the trust point\'s CHAT with the new CVCA\'s; chains below it are bound by that', async () => {
    const nextKey = generateEcKeyPair('brainpoolP256r1');
    const noDg10 = FULL_RIGHTS.filter((r) => r !== 'READ_DG10');
    const link = certify({ car: 'TWCVCA00001', chr: 'TWCVCA00002', role: 'cvca', rights: noDg10, issuer: narrow.cvca.key, subject: nextKey, effective: '260301', expiration: '301231' });
    const dv2 = certify({ car: 'TWCVCA00002', chr: 'TWDVTEST00002', role: 'dv-official', rights: FULL_RIGHTS, issuer: nextKey });
    const term2 = certify({ car: 'TWDVTEST00002', chr: 'TWTERM000002', role: 'terminal', rights: FULL_RIGHTS, issuer: dv2.key, effective: '260501', expiration: '260831' });
    const t = TestTerminal.create(narrow);
    await t.pace('pin', t.json.passwords.pin, chatBytes(FULL_RIGHTS));
    assert.deepEqual(t.verifyChain([link.cert, dv2.cert, term2.cert]), Array(6).fill(SW.SUCCESS));
    const [current, previous] = t.card.toJSON().trustPoints;
    assert.equal(current?.chat, hex(encodeChat(link.parsed.chat)));
    assert.equal(previous?.chat, hex(encodeChat(narrow.cvca.parsed.chat)));
    assert.equal(await t.terminalAuthentication(term2), SW.SUCCESS);
    assert.equal(t.chipAuthentication(), SW.SUCCESS);
    // The new CVCA grants DG9 (the old one did not) but not DG10.
    assert.deepEqual(await readDgs(t, [4, 9, 10]), [SW.SUCCESS, SW.SUCCESS, SW.SECURITY_STATUS_NOT_SATISFIED]);
  });
});
