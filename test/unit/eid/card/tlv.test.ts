import assert from 'node:assert/strict';
import { fromHex, hex } from '../../../../src/shared/bytes.js';
import {
  child, decodeTlv, decodeTlvExpect, decodeTlvPrefix, decodeTlvs, encodeLength, encodeTag, encodeTlv, encodeTlvNode,
  expectTag, requireChild, tagHex,
} from '../../../../src/eid/card/tlv.js';
import { TlvError } from '../../../../src/eid/card/errors.js';

describe('iso7816-4 §5.2 BER-TLV', () => {
  describe('decode → fields', () => {
    it('reads a one-byte primitive tag', () => {
      const t = decodeTlv(fromHex('06 03 2A 86 48'));
      assert.equal(t.tag, 0x06);
      assert.equal(t.constructed, false);
      assert.equal(hex(t.value), '2a8648');
      assert.deepEqual(t.children, []);
      assert.equal(hex(t.raw), '06032a8648');
    });

    it('reads two-byte tags 7F4E / 5F29 and nested children', () => {
      // CV certificate body head: 7F4E { 5F29 01 00, 42 04 'DEXX' }
      const bytes = fromHex('7F4E 0A 5F29 01 00 42 04 44455858');
      const body = decodeTlv(bytes);
      assert.equal(body.tag, 0x7f4e);
      assert.equal(body.constructed, true);
      assert.equal(body.children.length, 2);
      const profile = requireChild(body, 0x5f29);
      assert.equal(profile.constructed, false);
      assert.equal(hex(profile.value), '00');
      assert.equal(requireChild(body, 0x42).value.toString('latin1'), 'DEXX');
      assert.equal(hex(body.children[1]?.raw ?? Buffer.alloc(0)), '420444455858');
      assert.equal(child(body, 0x5f20), undefined);
    });

    it('reads a three-byte tag', () => {
      const t = decodeTlv(fromHex('5F 81 22 01 AA'));
      assert.equal(t.tag, 0x5f8122);
      assert.equal(hex(t.value), 'aa');
    });

    it('reads 81 / 82 / 83 length forms', () => {
      const v200 = Buffer.alloc(200, 0xab);
      const t1 = decodeTlv(Buffer.concat([fromHex('04 81 C8'), v200]));
      assert.equal(t1.value.length, 200);
      const v300 = Buffer.alloc(300, 0xcd);
      const t2 = decodeTlv(Buffer.concat([fromHex('04 82 01 2C'), v300]));
      assert.equal(t2.value.length, 300);
      const v70000 = Buffer.alloc(70000, 1);
      const t3 = decodeTlv(Buffer.concat([fromHex('04 83 01 11 70'), v70000]), { maxLength: 100000 });
      assert.equal(t3.value.length, 70000);
    });

    it('reads an empty constructed value and a zero-length primitive', () => {
      const [a, b] = decodeTlvs(fromHex('7C 00 80 00'));
      assert.equal(a?.tag, 0x7c);
      assert.equal(a?.constructed, true);
      assert.deepEqual(a?.children, []);
      assert.equal(b?.value.length, 0);
    });

    it('decodes a concatenation, the empty input, and a prefix with rest', () => {
      assert.deepEqual(decodeTlvs(new Uint8Array(0)), []);
      const list = decodeTlvs(fromHex('80 01 01 81 02 0203'));
      assert.deepEqual(list.map((t) => t.tag), [0x80, 0x81]);
      const { tlv, rest } = decodeTlvPrefix(fromHex('86 01 FF 90 00'));
      assert.equal(tlv.tag, 0x86);
      assert.equal(hex(rest), '9000');
    });

    it('copies: mutating the input does not change decoded values', () => {
      const input = fromHex('04 02 0102');
      const t = decodeTlv(input);
      input[2] = 0xee;
      assert.equal(hex(t.value), '0102');
    });

    it('honours BER non-minimal lengths only when asked', () => {
      const t = decodeTlv(fromHex('04 81 02 0102'), { allowNonMinimalLength: true });
      assert.equal(hex(t.value), '0102');
    });
  });

  describe('encode → exact hex', () => {
    it('short, 81, 82 and 83 length forms', () => {
      assert.equal(hex(encodeLength(0)), '00');
      assert.equal(hex(encodeLength(0x7f)), '7f');
      assert.equal(hex(encodeLength(0x80)), '8180');
      assert.equal(hex(encodeLength(0xff)), '81ff');
      assert.equal(hex(encodeLength(0x100)), '820100');
      assert.equal(hex(encodeLength(0xffff)), '82ffff');
      assert.equal(hex(encodeLength(0x10000)), '83010000');
      assert.equal(hex(encodeLength(0xffffff)), '83ffffff');
    });

    it('one-, two- and three-byte tags', () => {
      assert.equal(hex(encodeTlv(0x06, fromHex('2A8648'))), '06032a8648');
      assert.equal(hex(encodeTlv(0x5f29, fromHex('00'))), '5f290100');
      assert.equal(hex(encodeTlv(0x5f8122, fromHex('AA'))), '5f812201aa');
      assert.equal(hex(encodeTag(0x7f21)), '7f21');
    });

    it('constructed from an array of children', () => {
      const enc = encodeTlv(0x7f4e, [encodeTlv(0x5f29, fromHex('00')), encodeTlv(0x42, Buffer.from('DEXX', 'latin1'))]);
      assert.equal(hex(enc), '7f4e0a5f290100420444455858');
      assert.equal(hex(encodeTlv(0x7c, [])), '7c00');
    });

    it('long value gets 82 length and round-trips', () => {
      const v = Buffer.alloc(0x1b6, 7);
      const enc = encodeTlv(0x7f21, [encodeTlv(0x5f37, v.subarray(0, 0x1b1))]);
      assert.equal(hex(enc.subarray(0, 8)), '7f218201b65f3782');
      const dec = decodeTlv(enc);
      assert.equal(hex(encodeTlvNode(dec)), hex(enc));
      assert.equal(hex(dec.raw), hex(enc));
    });

    it('rejects tags that are not well-formed tag fields', () => {
      for (const bad of [0, -1, 0x1f, 0x5f, 0x5f80, 0x5f1e, 0x7f81, 0x0120, 0x1000000, 1.5, 0xff]) {
        assert.throws(() => encodeTag(bad), { code: 'TLV_BAD_TAG' }, `tag ${bad}`);
      }
      assert.throws(() => encodeLength(0x1000000), { code: 'TLV_LENGTH_TOO_LARGE' });
      assert.throws(() => encodeLength(-1), { code: 'TLV_BAD_LENGTH' });
    });

    it('formats tags for messages', () => {
      assert.equal(tagHex(0x86), '86');
      assert.equal(tagHex(0x7f21), '7F21');
      assert.equal(tagHex(0x5f8122), '5F8122');
    });
  });

  describe('malformed input', () => {
    const cases: [string, string, string][] = [
      ['empty input', '', 'TLV_TRUNCATED'],
      ['tag only', '04', 'TLV_TRUNCATED'],
      ['multi-byte tag truncated', '7F', 'TLV_TRUNCATED'],
      ['three-byte tag truncated', '5F 81', 'TLV_TRUNCATED'],
      ['value truncated', '04 03 0102', 'TLV_TRUNCATED'],
      ['81 length byte missing', '04 81', 'TLV_TRUNCATED'],
      ['82 length bytes truncated', '04 82 01', 'TLV_TRUNCATED'],
      ['child overruns parent', '30 03 04 05 0102', 'TLV_TRUNCATED'],
      ['indefinite length', '30 80 0400 0000', 'TLV_INDEFINITE_LENGTH'],
      ['reserved length FF', '04 FF', 'TLV_BAD_LENGTH'],
      ['four length bytes', '04 84 00000001 01', 'TLV_LENGTH_TOO_LARGE'],
      ['non-minimal 81', '04 81 05 0102030405', 'TLV_NON_MINIMAL_LENGTH'],
      ['non-minimal 82', '04 82 0080' + '00'.repeat(0x80), 'TLV_NON_MINIMAL_LENGTH'],
      ['non-minimal 83', '04 83 00FFFF', 'TLV_NON_MINIMAL_LENGTH'],
      ['padding 00 as tag', '00 01 01', 'TLV_BAD_TAG'],
      ['padding FF as tag', 'FF 01 01', 'TLV_BAD_TAG'],
      ['long-form tag with number < 31', '5F 1E 01 00', 'TLV_BAD_TAG'],
      ['first subsequent tag byte 80', '5F 80 21 01 00', 'TLV_BAD_TAG'],
      ['four-byte tag', '5F 81 81 01 01 00', 'TLV_BAD_TAG'],
      ['bad tag inside constructed', '7C 03 00 01 00', 'TLV_BAD_TAG'],
      ['trailing bytes', '04 01 00 90', 'TLV_TRAILING_BYTES'],
    ];
    for (const [name, input, code] of cases) {
      it(`${name} → ${code}`, () => {
        assert.throws(() => decodeTlv(fromHex(input)), (err: unknown) => err instanceof TlvError && err.code === code);
      });
    }

    it('value longer than maxLength → TLV_LENGTH_TOO_LARGE (checked before reading the value)', () => {
      assert.throws(() => decodeTlv(fromHex('04 82 0101')), { code: 'TLV_TRUNCATED' });
      assert.throws(() => decodeTlv(fromHex('04 82 0101'), { maxLength: 256 }), { code: 'TLV_LENGTH_TOO_LARGE' });
      assert.throws(() => decodeTlv(fromHex('04 83 010001')), { code: 'TLV_LENGTH_TOO_LARGE' });
    });

    it('nesting deeper than maxDepth → TLV_TOO_DEEP', () => {
      let enc: Buffer = encodeTlv(0x04, fromHex('00'));
      for (let i = 0; i < 16; i++) enc = encodeTlv(0x30, [enc]); // depth 17
      assert.throws(() => decodeTlv(enc), { code: 'TLV_TOO_DEEP' });
      assert.equal(decodeTlv(enc, { maxDepth: 17 }).tag, 0x30);
      assert.throws(() => decodeTlv(fromHex('30 02 30 00'), { maxDepth: 1 }), { code: 'TLV_TOO_DEEP' });
      assert.equal(decodeTlv(fromHex('30 02 30 00'), { maxDepth: 2 }).children.length, 1);
    });

    it('trailing bytes inside a constructed value are part of its children, not ignored', () => {
      assert.throws(() => decodeTlv(fromHex('30 03 04 00 05')), { code: 'TLV_TRUNCATED' });
    });

    it('requireChild / expectTag / decodeTlvExpect name the missing or wrong tag', () => {
      const t = decodeTlv(fromHex('7C 02 80 00'));
      assert.throws(() => requireChild(t, 0x86), { code: 'TLV_MISSING_TAG' });
      assert.throws(() => expectTag(t, 0x7d), { code: 'TLV_UNEXPECTED_TAG' });
      assert.equal(expectTag(t, 0x7c), t);
      assert.throws(() => decodeTlvExpect(fromHex('7C 00'), 0x7f21), { code: 'TLV_UNEXPECTED_TAG' });
      assert.equal(decodeTlvExpect(fromHex('7F21 00'), 0x7f21).tag, 0x7f21);
    });
  });
});
