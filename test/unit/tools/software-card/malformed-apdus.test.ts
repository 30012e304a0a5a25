import assert from 'node:assert/strict';
import { SW } from '../../../../src/eid/card/status-words.js';
import { encodeCommandApdu } from '../../../../src/eid/card/apdu.js';
import { SoftwareCard } from '../../../../tools/software-card/software-card.js';
import { makeCardJson, makePki, TestTerminal } from './fixture.js';

const sw = (r: Buffer): number => (r.length === 2 ? r.readUInt16BE(0) : -1);

describe('software card: malformed commands always get a status word (ISO 7816-4 §5.1, §5.6)', () => {
  const pki = makePki();
  const card = (): SoftwareCard => SoftwareCard.fromJSON(makeCardJson(pki));
  const hex = (h: string): Buffer => Buffer.from(h.replace(/\s/g, ''), 'hex');

  const cases: [string, string, number][] = [
    ['empty', '', SW.WRONG_LENGTH],
    ['3-byte header', '00a404', SW.WRONG_LENGTH],
    ['Lc longer than data', '00a4040c09e807', SW.WRONG_LENGTH],
    ['CLA FF', 'ffa4040c00', SW.CLA_NOT_SUPPORTED],
    ['INS 6x', '0060000000', SW.INS_NOT_SUPPORTED],
    ['unknown INS', '00ca000000', SW.INS_NOT_SUPPORTED],
    ['proprietary class outside VERIFY', '80a4040c09e80704007f00070302', SW.CLA_NOT_SUPPORTED],
    ['logical channel 1', '01a4040c09e80704007f00070302', SW.LOGICAL_CHANNEL_NOT_SUPPORTED],
    ['SM without a channel', '0ca4040c09e80704007f00070302', SW.SECURE_MESSAGING_NOT_SUPPORTED],
    ['SM header not authenticated (CLA 08)', '08a4040c09e80704007f00070302', SW.SECURE_MESSAGING_NOT_SUPPORTED],
    ['chaining on SELECT', '10a4040c09e80704007f00070302', SW.COMMAND_CHAINING_NOT_SUPPORTED],
    ['SELECT P2 00', '00a4040009e80704007f00070302', SW.INCORRECT_P1P2],
    ['SELECT with response data but no Le', '00a4040409e80704007f00070302', SW.WRONG_LENGTH],
    ['MSE P1P2 unknown', '0022ffff00', SW.INCORRECT_P1P2],
    ['MSE:Set AT PACE with truncated TLV', '0022c1a4028001', SW.WRONG_DATA],
    ['MSE:Set AT PACE without 83', '0022c1a40c800a04007f00070202040202', SW.WRONG_DATA],
    ['MSE:Set AT PACE, protocol not offered (DH-IM)', '0022c1a40f800a04007f00070202040302830103', SW.REFERENCE_DATA_NOT_FOUND],
    ['MSE:Set AT PACE, unknown OID', '0022c1a40f800a04007f00070202040909830103', SW.REFERENCE_DATA_NOT_FOUND],
    ['MSE:Set AT PACE, MRZ', '0022c1a40f800a04007f00070202040202830101', SW.REFERENCE_DATA_NOT_FOUND],
    ['MSE:Set AT PACE, bad password ref', '0022c1a40f800a04007f00070202040202830109', SW.WRONG_DATA],
    ['MSE:Set AT PACE, bad CHAT', '0022c1a415800a04007f000702020402028301037f4c03060100', SW.WRONG_DATA],
    ['GA without MSE', '00860000027c0000', SW.CONDITIONS_NOT_SATISFIED],
    ['GA P1P2 not 0000', '00860001027c0000', SW.INCORRECT_P1P2],
    ['PSO:Verify Certificate without a PACE channel', '002a00be', SW.SECURITY_STATUS_NOT_SATISFIED],
    ['PSO other P1P2', '002a009e00', SW.INCORRECT_P1P2],
    ['GET CHALLENGE with Le 4', '0084000004', SW.WRONG_LENGTH],
    ['GET CHALLENGE P1 01', '0084010008', SW.INCORRECT_P1P2],
    ['EXTERNAL AUTHENTICATE P1 01', '008201000100', SW.INCORRECT_P1P2],
    ['VERIFY P1 00 (PIN verify not offered)', '0020000306313233343536', SW.INCORRECT_P1P2],
    ['READ BINARY SFI form with bits 7-6 set', '00b0e40000', SW.INCORRECT_P1P2],
    ['READ BINARY B1 without DO54', '00b10000020102ff', SW.WRONG_DATA],
    ['RESET RETRY COUNTER plain', '002c030300', SW.SECURITY_STATUS_NOT_SATISFIED],
  ];

  for (const [name, apdu, expected] of cases) {
    it(`${name} → ${expected.toString(16).toUpperCase()}`, () => {
      const r = card().transmit(hex(apdu));
      assert.equal(r.length, 2, 'no data on errors');
      assert.equal(sw(r).toString(16), expected.toString(16));
    });
  }

  it('random byte strings (deterministic LCG) never throw and always end in a status word', () => {
    const c = card();
    let seed = 0x1234567;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 400; i++) {
      const length = next() % 40;
      const bytes = Buffer.from(Array.from({ length }, next));
      if (length > 1 && i % 2 === 0) bytes[0] = 0x00; // reach the handlers, not only the CLA check
      const r = c.transmit(bytes);
      assert.ok(r.length >= 2);
    }
  });

  it('garbage under an open SM channel: plain 6987/6988, never an exception', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    for (const data of ['', '01', '8e08', '8e080000000000000000', '870901ffffffffffffffff8e080000000000000000', '9701008e0800']) {
      const r = t.raw(encodeCommandApdu({ cla: 0x0c, ins: 0xb0, p1: 0x84, p2: 0, data: Buffer.from(data, 'hex'), le: 256 }));
      assert.ok(([SW.SM_DATA_OBJECTS_MISSING, SW.SM_DATA_OBJECTS_INCORRECT] as number[]).includes(sw(r)), `${data}: ${sw(r).toString(16)}`);
      await t.eac(pki);
    }
  });
});
