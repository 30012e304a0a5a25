import assert from 'node:assert/strict';
import { fromHex, hex } from '../../../../src/shared/bytes.js';
import {
  chainCommand, decodeCommandApdu, decodeResponseApdu, encodeCommandApdu, encodeResponseApdu, getResponseCommand,
  hasMoreData, repeatWithExactLe, sw1, sw2, transmitWithChaining,
} from '../../../../src/eid/card/apdu.js';
import type { CommandApdu, ResponseApdu } from '../../../../src/eid/card/apdu.js';
import { ApduError } from '../../../../src/eid/card/errors.js';
import { SW } from '../../../../src/eid/card/status-words.js';

const cmd = (cla: number, ins: number, p1: number, p2: number, data: string, le: number | null): CommandApdu =>
  ({ cla, ins, p1, p2, data: fromHex(data), le });

describe('iso7816-4 §5.1 command APDU', () => {
  // [name, model, exact hex]
  const vectors: [string, CommandApdu, string][] = [
    ['case 1', cmd(0x00, 0x22, 0xc1, 0xa4, '', null), '0022c1a4'],
    ['case 2S, Ne=8 (GET CHALLENGE)', cmd(0x00, 0x84, 0x00, 0x00, '', 8), '0084000008'],
    ['case 2S, Ne=256 → Le 00', cmd(0x00, 0xb0, 0x81, 0x00, '', 256), '00b0810000'],
    ['case 2E, Ne=65536 → 00 0000', cmd(0x00, 0xb0, 0x81, 0x00, '', 65536), '00b08100000000'],
    ['case 2E, Ne=257', cmd(0x00, 0xb0, 0x81, 0x00, '', 257), '00b08100000101'],
    ['case 3S (SELECT eID application)', cmd(0x00, 0xa4, 0x04, 0x0c, 'E80704007F00070302', null), '00a4040c09e80704007f00070302'],
    ['case 4S, Ne=256', cmd(0x00, 0x86, 0x00, 0x00, '7C00', 256), '00860000027c0000'],
    ['case 4S, Ne=36', cmd(0x00, 0x86, 0x00, 0x00, '7C00', 0x24), '00860000027c0024'],
    ['case 3E (Nc=256)', cmd(0x00, 0x2a, 0x00, 0xbe, '11'.repeat(256), null), '002a00be000100' + '11'.repeat(256)],
    ['case 4E (Nc=1, Ne=65536): Le without leading 00', cmd(0x0c, 0xb0, 0x81, 0x00, 'AA', 65536), '0cb08100000001aa0000'],
    ['case 4E (Nc=300, Ne=300)', cmd(0x00, 0x86, 0x00, 0x00, '22'.repeat(300), 300), '0086000000012c' + '22'.repeat(300) + '012c'],
  ];
  for (const [name, model, wire] of vectors) {
    it(`${name}: encode → exact hex, decode → fields`, () => {
      assert.equal(hex(encodeCommandApdu(model)), wire);
      assert.deepEqual(decodeCommandApdu(fromHex(wire)), model);
    });
  }

  it('le = 0 encodes as the maximum of the chosen form', () => {
    assert.equal(hex(encodeCommandApdu(cmd(0, 0xb0, 0x81, 0, '', 0))), '00b0810000');
    assert.equal(hex(encodeCommandApdu(cmd(0, 0xb0, 0x81, 0, '', 0), { extended: true })), '00b08100000000');
  });

  it('extended form can be forced', () => {
    assert.equal(hex(encodeCommandApdu(cmd(0, 0x86, 0, 0, '7C00', 256), { extended: true })), '008600000000027c000100');
    assert.equal(hex(encodeCommandApdu(cmd(0, 0x22, 0xc1, 0xa4, '', null), { extended: true })), '0022c1a4');
  });

  describe('malformed or out-of-range', () => {
    const bad: [string, string][] = [
      ['3-byte header', '00a404'],
      ['short Lc longer than data', '00a4040c09e807'],
      ['short Lc with two trailing bytes', '00a4040c01aa0000'],
      ['short Lc 00 with data', '00a4040c00aa'],
      ['extended length field truncated', '00b0810000'.slice(0, 10) + '00'],
      ['extended Lc 0000 with Le', '00b08100000000' + '0000'],
      ['extended Lc does not match', '00860000000003aabb'],
      ['extended Lc with one Le byte', '00860000000001aa00'],
    ];
    for (const [name, input] of bad) {
      it(`${name} → APDU_MALFORMED`, () => {
        assert.throws(() => decodeCommandApdu(fromHex(input)), (e: unknown) => e instanceof ApduError && e.code === 'APDU_MALFORMED');
      });
    }
    it('invalid header bytes → APDU_INVALID_FIELD (CLA FF, INS 6X/9X)', () => {
      assert.throws(() => decodeCommandApdu(fromHex('FFA40000')), { code: 'APDU_INVALID_FIELD' });
      assert.throws(() => decodeCommandApdu(fromHex('00610000')), { code: 'APDU_INVALID_FIELD' });
      assert.throws(() => encodeCommandApdu(cmd(0, 0x90, 0, 0, '', null)), { code: 'APDU_INVALID_FIELD' });
      assert.throws(() => encodeCommandApdu(cmd(0, 0xa4, 256, 0, '', null)), { code: 'APDU_INVALID_FIELD' });
    });
    it('Nc > 65535 or Ne outside 0..65536 → APDU_INVALID_FIELD', () => {
      assert.throws(() => encodeCommandApdu({ ...cmd(0, 0xd6, 0, 0, '', null), data: Buffer.alloc(65536) }), { code: 'APDU_INVALID_FIELD' });
      assert.throws(() => encodeCommandApdu(cmd(0, 0xb0, 0, 0, '', 65537)), { code: 'APDU_INVALID_FIELD' });
      assert.throws(() => encodeCommandApdu(cmd(0, 0xb0, 0, 0, '', -1)), { code: 'APDU_INVALID_FIELD' });
    });
  });
});

describe('iso7816-4 §5.1 response APDU', () => {
  it('encode → exact hex, decode → fields', () => {
    assert.equal(hex(encodeResponseApdu({ data: fromHex('7C00'), sw: 0x9000 })), '7c009000');
    const r = decodeResponseApdu(fromHex('7C006282'));
    assert.equal(hex(r.data), '7c00');
    assert.equal(r.sw, SW.END_OF_FILE);
    assert.equal(decodeResponseApdu(fromHex('6982')).data.length, 0);
    assert.equal(sw1(0x63c2), 0x63);
    assert.equal(sw2(0x63c2), 0xc2);
  });
  it('fewer than 2 bytes → APDU_RESPONSE_TOO_SHORT; bad SW → APDU_INVALID_FIELD', () => {
    assert.throws(() => decodeResponseApdu(fromHex('90')), { code: 'APDU_RESPONSE_TOO_SHORT' });
    assert.throws(() => decodeResponseApdu(new Uint8Array(0)), { code: 'APDU_RESPONSE_TOO_SHORT' });
    assert.throws(() => decodeResponseApdu(new Uint8Array(65539)), { code: 'APDU_INVALID_FIELD' });
    assert.throws(() => encodeResponseApdu({ data: Buffer.alloc(0), sw: 0x10000 }), { code: 'APDU_INVALID_FIELD' });
  });
});

describe('iso7816-4 §5.1.1.1 command chaining', () => {
  it('splits into CLA|10 parts without Le, the last keeps CLA and Le', () => {
    const parts = chainCommand(cmd(0x00, 0x2a, 0x00, 0xbe, '01'.repeat(300), 256), 255);
    assert.equal(parts.length, 2);
    assert.equal(hex(encodeCommandApdu(parts[0] as CommandApdu)), '102a00beff' + '01'.repeat(255));
    assert.equal(hex(encodeCommandApdu(parts[1] as CommandApdu)), '002a00be2d' + '01'.repeat(45) + '00');
  });
  it('keeps SM class bits (0C → 1C) and exact multiples', () => {
    const parts = chainCommand(cmd(0x0c, 0x86, 0x00, 0x00, '02'.repeat(20), null), 10);
    assert.deepEqual(parts.map((p) => [p.cla, p.data.length, p.le]), [[0x1c, 10, null], [0x0c, 10, null]]);
  });
  it('returns a fitting command unchanged', () => {
    const c = cmd(0x00, 0x86, 0, 0, '7C00', null);
    assert.deepEqual(chainCommand(c), [c]);
  });
  it('refuses proprietary CLA, an already-set chaining bit, bad chunk size → APDU_CHAINING_INVALID', () => {
    assert.throws(() => chainCommand(cmd(0x80, 0x20, 0, 0, '00'.repeat(300), null)), { code: 'APDU_CHAINING_INVALID' });
    assert.throws(() => chainCommand(cmd(0x10, 0x86, 0, 0, '00'.repeat(300), null)), { code: 'APDU_CHAINING_INVALID' });
    assert.throws(() => chainCommand(cmd(0x00, 0x86, 0, 0, '00', null), 0), { code: 'APDU_CHAINING_INVALID' });
  });
});

describe('iso7816-4 §5.1.3 response chaining', () => {
  it('61xx → GET RESPONSE with Le=xx (00 → 256)', () => {
    assert.equal(hasMoreData(0x6110), true);
    assert.equal(hasMoreData(0x9000), false);
    assert.equal(hex(encodeCommandApdu(getResponseCommand({ data: Buffer.alloc(0), sw: 0x6110 }))), '00c0000010');
    assert.equal(hex(encodeCommandApdu(getResponseCommand({ data: Buffer.alloc(0), sw: 0x6100 }, 0x1c))), '0cc0000000');
    assert.throws(() => getResponseCommand({ data: Buffer.alloc(0), sw: 0x9000 }), { code: 'APDU_CHAINING_INVALID' });
  });
  it('6Cxx → same command with exact Ne', () => {
    const again = repeatWithExactLe(cmd(0, 0xb0, 0x81, 0, '', 256), { data: Buffer.alloc(0), sw: 0x6c12 });
    assert.equal(hex(encodeCommandApdu(again)), '00b0810012');
    assert.throws(() => repeatWithExactLe(again, { data: Buffer.alloc(0), sw: 0x6700 }), { code: 'APDU_CHAINING_INVALID' });
  });

  it('transmitWithChaining sends parts, follows 61xx and concatenates data', async () => {
    const sent: string[] = [];
    const answers: ResponseApdu[] = [
      { data: Buffer.alloc(0), sw: 0x9000 },
      { data: fromHex('0102'), sw: 0x6103 },
      { data: fromHex('030405'), sw: 0x9000 },
    ];
    const result = await transmitWithChaining(async (c) => {
      sent.push(hex(encodeCommandApdu(c)).slice(0, 10));
      const a = answers.shift();
      assert.ok(a);
      return a;
    }, cmd(0x00, 0x86, 0, 0, 'AA'.repeat(20), 256), { maxDataLength: 16 });
    assert.deepEqual(sent, ['1086000010', '0086000004', '00c0000003']);
    assert.equal(hex(result.data), '0102030405');
    assert.equal(result.sw, 0x9000);
  });

  it('transmitWithChaining stops at an intermediate error and retries once on 6Cxx', async () => {
    const stop = await transmitWithChaining(async () => ({ data: Buffer.alloc(0), sw: SW.COMMAND_CHAINING_NOT_SUPPORTED }),
      cmd(0, 0x86, 0, 0, 'AA'.repeat(20), null), { maxDataLength: 16 });
    assert.equal(stop.sw, SW.COMMAND_CHAINING_NOT_SUPPORTED);
    const les: (number | null)[] = [];
    const retried = await transmitWithChaining(async (c) => {
      les.push(c.le);
      return les.length === 1 ? { data: Buffer.alloc(0), sw: 0x6c05 } : { data: fromHex('0102030405'), sw: 0x9000 };
    }, cmd(0, 0xb0, 0x81, 0, '', 256));
    assert.deepEqual(les, [256, 5]);
    assert.equal(hex(retried.data), '0102030405');
  });

  it('bounds GET RESPONSE rounds → APDU_CHAINING_INVALID', async () => {
    await assert.rejects(transmitWithChaining(async () => ({ data: fromHex('00'), sw: 0x6101 }), cmd(0, 0xb0, 0x81, 0, '', 1), { maxResponseRounds: 3 }),
      { code: 'APDU_CHAINING_INVALID' });
  });
});
