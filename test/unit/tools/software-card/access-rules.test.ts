import assert from 'node:assert/strict';
import { readBinaryOddIns, readBinaryOffset, readBinarySfi } from '../../../../src/eid/card/commands/read-binary.js';
import { selectApplication, selectElementaryFile } from '../../../../src/eid/card/commands/select.js';
import { encodeCommandApdu } from '../../../../src/eid/card/apdu.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { decodeTlv } from '../../../../src/eid/card/tlv.js';
import { fromHex } from '../../../../src/shared/bytes.js';
import { FULL_RIGHTS, makePki, TestTerminal } from './fixture.js';

describe('software card: file access (ISO 7816-4 §7.1–§7.2, TR-03110-4 §2.2.3.2)', () => {
  const pki = makePki();
  const dg = (t: TestTerminal, n: number): Buffer => fromHex(t.json.files.dataGroups[String(n)] as string);

  it('EF.CardAccess and EF.CardSecurity are readable without SM (by SFI and by SELECT FID)', () => {
    const t = TestTerminal.create(pki);
    const byShortId = t.send(readBinarySfi(0x1c));
    assert.equal(byShortId.sw, SW.SUCCESS);
    assert.deepEqual(byShortId.data, fromHex(t.json.files.cardAccess));
    assert.equal(t.sw(selectElementaryFile(0x011d)), SW.SUCCESS);
    const bySelect = t.send(readBinaryOffset(0));
    assert.deepEqual(bySelect.data, fromHex(t.json.files.cardSecurity));
  });

  it('DGs need SM: plain READ BINARY → 6982, also after PACE without TA', async () => {
    const t = TestTerminal.create(pki);
    assert.equal(t.sw(selectApplication()), SW.SUCCESS);
    assert.equal(t.sw(readBinarySfi(4)), SW.SECURITY_STATUS_NOT_SATISFIED);
    await t.pace('pin', t.json.passwords.pin);
    assert.equal(t.sw(selectApplication()), SW.SUCCESS);
    assert.equal(t.sw(readBinarySfi(4)), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('effective CHAT: a DG outside the PACE CHAT → 6982, inside → 9000', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki, ['READ_DG4', 'READ_DG8']);
    t.sw(selectApplication());
    assert.equal(t.send(readBinarySfi(4)).sw, SW.SUCCESS);
    assert.equal(t.send(readBinarySfi(9)).sw, SW.SECURITY_STATUS_NOT_SATISFIED);
    assert.equal(t.send(selectElementaryFile(0x0109)).sw, SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('effective CHAT: a DG outside the terminal certificate → 6982 even if the PACE CHAT has it', async () => {
    const narrow = makePki({ terminalRights: ['READ_DG4'] });
    const t = TestTerminal.create(narrow);
    await t.eac(narrow, FULL_RIGHTS);
    t.sw(selectApplication());
    assert.equal(t.send(readBinarySfi(4)).sw, SW.SUCCESS);
    assert.equal(t.send(readBinarySfi(5)).sw, SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('READ BINARY: SFI with offset, current EF with offset, short Le, end of file 6282, offset beyond 6B00, odd INS', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    t.sw(selectApplication());
    const full = dg(t, 17);
    assert.ok(full.length > 20);
    const part = t.send(readBinarySfi(17, 3, 10));
    assert.equal(part.sw, SW.SUCCESS);
    assert.deepEqual(part.data, full.subarray(3, 13));
    const tail = t.send(readBinaryOffset(full.length - 4, 10));
    assert.equal(tail.sw, SW.END_OF_FILE);
    assert.deepEqual(tail.data, full.subarray(full.length - 4));
    assert.equal(t.send(readBinaryOffset(full.length + 1, 10)).sw, SW.WRONG_P1P2);
    const odd = t.send(readBinaryOddIns(5));
    assert.equal(odd.sw, SW.SUCCESS);
    assert.deepEqual(decodeTlv(odd.data).value, full.subarray(5));
    assert.equal(t.send({ cla: 0, ins: 0xb0, p1: 0x84, p2: 0, data: Buffer.alloc(0), le: null }).sw, SW.WRONG_LENGTH);
    assert.equal(t.send(readBinarySfi(22)).sw, SW.FILE_NOT_FOUND);
  });

  it('READ BINARY without a current EF → 6986; unknown AID → 6A82', () => {
    const t = TestTerminal.create(pki);
    assert.equal(t.sw(readBinaryOffset(0)), SW.COMMAND_NOT_ALLOWED_NO_CURRENT_EF);
    assert.equal(t.sw(selectApplication(Buffer.from('a000000247100199', 'hex'))), SW.FILE_NOT_FOUND);
  });

  it('an SM error (bad MAC) answers 6988 in plain and ends the channel', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    const wrapped = t.sm!.wrapCommand(selectApplication());
    const bytes = encodeCommandApdu(wrapped);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0xff; // inside DO8E
    assert.deepEqual(t.raw(bytes), Buffer.from([0x69, 0x88]));
    t.sm = undefined;
    // The channel is gone: everything authenticated through it too.
    t.sw(selectApplication());
    assert.equal(t.sw(readBinarySfi(4)), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('a plain command during SM ends the channel (TR-03110-3 §F)', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    const sm = t.sm!;
    assert.equal(t.sw(selectApplication(), true), SW.SUCCESS);
    t.sm = sm;
    assert.equal(t.sw(readBinarySfi(4)), SW.SECURE_MESSAGING_NOT_SUPPORTED);
  });
});
