import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeCommandApdu, decodeResponseApdu, encodeCommandApdu, encodeResponseApdu } from '../../../../src/eid/card/apdu.js';
import type { CommandApdu, ResponseApdu } from '../../../../src/eid/card/apdu.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { encodeTlv } from '../../../../src/eid/card/tlv.js';
import { aesCmac } from '../../../../src/eid/eac/cmac.js';
import type { SmCipher } from '../../../../src/eid/eac/kdf.js';
import { padIso9797M2, SecureMessaging, statusWordForSmError, unpadIso9797M2 } from '../../../../src/eid/eac/secure-messaging.js';
import type { SmKeys } from '../../../../src/eid/eac/secure-messaging.js';
import { fromHex, hex } from '../../../../src/shared/bytes.js';

interface KatFile {
  kEnc: string; kMac: string;
  fresh: { title: string; plain: string; protected: string }[];
  sequence: { plain: string; protected: string[] };
}
const kat = JSON.parse(readFileSync(new URL('../../../vectors/ausweisapp-sm/aes128-commands.json', import.meta.url), 'utf8')) as KatFile;
const katKeys: SmKeys = { kEnc: Buffer.from(kat.kEnc, 'latin1'), kMac: Buffer.from(kat.kMac, 'latin1'), cipher: 'AES-128' };

function keysFor(cipher: SmCipher): SmKeys {
  const n = { 'AES-128': 16, 'AES-192': 24, 'AES-256': 32 }[cipher];
  return { kEnc: randomBytes(n), kMac: randomBytes(n), cipher };
}

function pair(keys: SmKeys): { terminal: SecureMessaging; chip: SecureMessaging } {
  return { terminal: new SecureMessaging(keys, 'terminal'), chip: new SecureMessaging(keys, 'chip') };
}

/** Terminal → wire bytes → chip, as the software card sees it. */
function overTheWire(terminal: SecureMessaging, chip: SecureMessaging, command: CommandApdu): { wire: Buffer; received: CommandApdu } {
  const wire = encodeCommandApdu(terminal.wrapCommand(command));
  return { wire, received: chip.unwrapCommand(decodeCommandApdu(wire)) };
}

function responseOverTheWire(chip: SecureMessaging, terminal: SecureMessaging, response: ResponseApdu): ResponseApdu {
  return terminal.unwrapResponse(decodeResponseApdu(encodeResponseApdu(chip.wrapResponse(response))));
}

/** Independent re-statement of TR-03110-3 §F.2 for hand-built responses: IV, encryption, MAC. */
function sscBlock(ssc: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(ssc, 12);
  return b;
}
function handEncrypt(keys: SmKeys, ssc: number, plainPadded: Buffer): Buffer {
  const ecb = createCipheriv('aes-128-ecb', keys.kEnc, null).setAutoPadding(false);
  const iv = Buffer.concat([ecb.update(sscBlock(ssc)), ecb.final()]);
  const cbc = createCipheriv('aes-128-cbc', keys.kEnc, iv).setAutoPadding(false);
  return Buffer.concat([cbc.update(plainPadded), cbc.final()]);
}
function handResponseMac(keys: SmKeys, ssc: number, dos: Buffer): Buffer {
  return aesCmac(keys.kMac, padIso9797M2(Buffer.concat([sscBlock(ssc), dos]))).subarray(0, 8);
}

describe('eid/eac/secure-messaging (TR-03110-3 App. F, ISO 7816-4 §6)', () => {
  describe('known-answer vectors (AusweisApp test suite, generated with ocard)', () => {
    for (const v of kat.fresh) {
      it(`protects ${v.title}: ${v.plain}`, () => {
        const terminal = new SecureMessaging(katKeys, 'terminal');
        assert.equal(hex(encodeCommandApdu(terminal.wrapCommand(decodeCommandApdu(fromHex(v.plain))))), v.protected);
        assert.equal(terminal.ssc, 1n);
      });
      it(`chip side accepts ${v.title} and recovers the plain command`, () => {
        const chip = new SecureMessaging(katKeys, 'chip');
        const plain = decodeCommandApdu(fromHex(v.plain));
        assert.deepEqual(chip.unwrapCommand(decodeCommandApdu(fromHex(v.protected))), plain);
      });
    }
    it('uses SSC 1, 2, 3, 4 for consecutive commands (IV and MAC change with the counter)', () => {
      kat.sequence.protected.forEach((expected, i) => {
        const terminal = new SecureMessaging(katKeys, 'terminal', BigInt(i));
        assert.equal(hex(encodeCommandApdu(terminal.wrapCommand(decodeCommandApdu(fromHex(kat.sequence.plain))))), expected);
      });
    });
  });

  describe('round trip terminal ↔ chip', () => {
    const data300 = randomBytes(300);
    const cases: { title: string; command: CommandApdu; response: ResponseApdu }[] = [
      { title: 'case 1', command: { cla: 0x00, ins: 0x22, p1: 0x41, p2: 0xa4, data: Buffer.alloc(0), le: null }, response: { data: Buffer.alloc(0), sw: SW.SUCCESS } },
      { title: 'case 2 short (READ BINARY, Ne 256)', command: { cla: 0x00, ins: 0xb0, p1: 0x81, p2: 0x00, data: Buffer.alloc(0), le: 256 }, response: { data: randomBytes(200), sw: SW.SUCCESS } },
      { title: 'case 2 extended (READ BINARY, Ne 65536)', command: { cla: 0x00, ins: 0xb0, p1: 0x81, p2: 0x00, data: Buffer.alloc(0), le: 65536 }, response: { data: randomBytes(1500), sw: SW.SUCCESS } },
      { title: 'case 3 short, data a multiple of the block size', command: { cla: 0x00, ins: 0x22, p1: 0x81, p2: 0xb6, data: randomBytes(32), le: null }, response: { data: Buffer.alloc(0), sw: SW.SUCCESS } },
      { title: 'case 3 extended (PSO:Verify certificate, 300 bytes)', command: { cla: 0x00, ins: 0x2a, p1: 0x00, p2: 0xbe, data: data300, le: null }, response: { data: Buffer.alloc(0), sw: SW.SUCCESS } },
      { title: 'case 4 short (GENERAL AUTHENTICATE)', command: { cla: 0x00, ins: 0x86, p1: 0x00, p2: 0x00, data: randomBytes(69), le: 256 }, response: { data: randomBytes(16), sw: SW.SUCCESS } },
      { title: 'case 4 extended, chained, proprietary CLA', command: { cla: 0x90, ins: 0x20, p1: 0x80, p2: 0x00, data: randomBytes(11), le: 1000 }, response: { data: Buffer.alloc(0), sw: 0x6300 } },
      { title: 'error SW is protected too (DO99 + DO8E)', command: { cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: fromHex('011d'), le: null }, response: { data: Buffer.alloc(0), sw: SW.FILE_NOT_FOUND } },
    ];
    for (const cipher of ['AES-128', 'AES-192', 'AES-256'] as const) {
      for (const t of cases) {
        it(`${cipher}: ${t.title}`, () => {
          const { terminal, chip } = pair(keysFor(cipher));
          const { wire, received } = overTheWire(terminal, chip, t.command);
          assert.equal(wire.readUInt8(0) & 0x0c, 0x0c);
          assert.deepEqual(received, t.command);
          assert.deepEqual(responseOverTheWire(chip, terminal, t.response), t.response);
          assert.equal(terminal.ssc, 2n);
          assert.equal(chip.ssc, 2n);
          // The plaintext never appears on the wire.
          if (t.command.data.length >= 8) assert.equal(wire.includes(t.command.data.subarray(0, 8)), false);
        });
      }
    }

    it('chooses the extended form exactly when Nc or Ne needs it', () => {
      const { terminal } = pair(keysFor('AES-128'));
      const short = terminal.wrapCommand({ cla: 0, ins: 0x86, p1: 0, p2: 0, data: randomBytes(200), le: 256 });
      assert.equal(encodeCommandApdu(short).readUInt8(4) !== 0, true); // short Lc: 87 (1+208) + 97 + 8E = 225
      const t2 = new SecureMessaging(keysFor('AES-128'), 'terminal');
      const long = encodeCommandApdu(t2.wrapCommand({ cla: 0, ins: 0x86, p1: 0, p2: 0, data: randomBytes(240), le: 256 }));
      assert.equal(long.readUInt8(4), 0x00); // extended: 87 alone is 244 bytes of value
    });

    it('keeps working across many exchanges and after export/import through JSON (the Redis hop)', () => {
      let { terminal, chip } = pair(keysFor('AES-256'));
      for (let i = 0; i < 5; i++) {
        const command: CommandApdu = { cla: 0, ins: 0xb0, p1: 0x80 | (i + 1), p2: 0, data: Buffer.alloc(0), le: 256 };
        assert.deepEqual(overTheWire(terminal, chip, command).received, command);
        terminal = SecureMessaging.importState(JSON.parse(JSON.stringify(terminal.exportState())));
        chip = SecureMessaging.importState(JSON.parse(JSON.stringify(chip.exportState())));
        const response = { data: randomBytes(i * 7), sw: SW.SUCCESS };
        assert.deepEqual(responseOverTheWire(chip, terminal, response), response);
      }
      assert.equal(terminal.ssc, 10n);
      assert.equal(terminal.exportState().ssc, '0000000000000000000000000000000a');
    });
  });

  describe('rejections', () => {
    const command: CommandApdu = { cla: 0x00, ins: 0xb0, p1: 0x81, p2: 0x00, data: Buffer.alloc(0), le: 256 };
    const withData: CommandApdu = { cla: 0x00, ins: 0x86, p1: 0x00, p2: 0x00, data: fromHex('7c00'), le: 256 };

    it('MAC failure on a command → SM_MAC_INVALID, 6988, session dropped', () => {
      const { terminal, chip } = pair(keysFor('AES-128'));
      const wire = encodeCommandApdu(terminal.wrapCommand(withData));
      const tampered = Buffer.from(wire);
      tampered.writeUInt8(tampered.readUInt8(tampered.length - 2) ^ 0x01, tampered.length - 2); // last MAC byte
      let caught: unknown;
      assert.throws(() => {
        try { chip.unwrapCommand(decodeCommandApdu(tampered)); } catch (err) { caught = err; throw err; }
      }, { code: 'SM_MAC_INVALID' });
      assert.equal(statusWordForSmError(caught), SW.SM_DATA_OBJECTS_INCORRECT);
      assert.equal(chip.closed, true);
      // TR-03110-3 §F: after the SM error the chip no longer accepts even the correct command.
      assert.throws(() => chip.unwrapCommand(decodeCommandApdu(wire)), { code: 'SM_SESSION_CLOSED' });
    });

    it('tampered header (P1) or cryptogram → SM_MAC_INVALID', () => {
      for (const offset of [2, 8]) {
        const { terminal, chip } = pair(keysFor('AES-128'));
        const wire = Buffer.from(encodeCommandApdu(terminal.wrapCommand(withData)));
        wire.writeUInt8(wire.readUInt8(offset) ^ 0x04, offset);
        assert.throws(() => chip.unwrapCommand(decodeCommandApdu(wire)), { code: 'SM_MAC_INVALID' }, `offset ${offset}`);
      }
    });

    it('MAC failure on a response → SM_MAC_INVALID and the terminal closes', () => {
      const { terminal, chip } = pair(keysFor('AES-128'));
      overTheWire(terminal, chip, command);
      const r = chip.wrapResponse({ data: randomBytes(20), sw: SW.SUCCESS });
      const data = Buffer.from(r.data);
      data.writeUInt8(data.readUInt8(5) ^ 0x80, 5);
      assert.throws(() => terminal.unwrapResponse({ data, sw: r.sw }), { code: 'SM_MAC_INVALID' });
      assert.throws(() => terminal.wrapCommand(command), { code: 'SM_SESSION_CLOSED' });
    });

    it('a replayed command (stale SSC) is rejected', () => {
      const { terminal, chip } = pair(keysFor('AES-128'));
      const { wire } = overTheWire(terminal, chip, withData);
      responseOverTheWire(chip, terminal, { data: Buffer.alloc(0), sw: SW.SUCCESS });
      assert.throws(() => chip.unwrapCommand(decodeCommandApdu(wire)), { code: 'SM_MAC_INVALID' });
    });

    it('a replayed response (stale SSC) is rejected', () => {
      const { terminal, chip } = pair(keysFor('AES-128'));
      overTheWire(terminal, chip, command);
      const first = chip.wrapResponse({ data: fromHex('0102'), sw: SW.SUCCESS });
      terminal.unwrapResponse(first);
      overTheWire(terminal, chip, command);
      assert.throws(() => terminal.unwrapResponse(first), { code: 'SM_MAC_INVALID' });
    });

    it('missing DO8E in a command → SM_DATA_OBJECT_MISSING, 6987', () => {
      const { terminal, chip } = pair(keysFor('AES-128'));
      const wrapped = terminal.wrapCommand(withData);
      const stripped = { ...wrapped, data: wrapped.data.subarray(0, wrapped.data.length - 10) };
      let caught: unknown;
      assert.throws(() => {
        try { chip.unwrapCommand(stripped); } catch (err) { caught = err; throw err; }
      }, { code: 'SM_DATA_OBJECT_MISSING' });
      assert.equal(statusWordForSmError(caught), SW.SM_DATA_OBJECTS_MISSING);
    });

    it('a plain command while SM is active → SM_DATA_OBJECT_MISSING', () => {
      const chip = new SecureMessaging(keysFor('AES-128'), 'chip');
      assert.throws(() => chip.unwrapCommand(command), { code: 'SM_DATA_OBJECT_MISSING' });
      assert.equal(chip.closed, true);
    });

    it('missing DO8E or DO99 in a response, or a plain SM error SW → SM_DATA_OBJECT_MISSING', () => {
      const variants: ((r: ResponseApdu) => ResponseApdu)[] = [
        (r) => ({ data: r.data.subarray(0, r.data.length - 10), sw: r.sw }),
        (r) => ({ data: r.data.subarray(r.data.length - 10), sw: r.sw }),
        () => ({ data: Buffer.alloc(0), sw: SW.SM_DATA_OBJECTS_INCORRECT }),
      ];
      for (const variant of variants) {
        const { terminal, chip } = pair(keysFor('AES-128'));
        overTheWire(terminal, chip, command);
        const r = chip.wrapResponse({ data: randomBytes(3), sw: SW.SUCCESS });
        assert.throws(() => terminal.unwrapResponse(variant(r)), { code: 'SM_DATA_OBJECT_MISSING' });
      }
    });

    it('wrong padding-content indicator (authentic MAC) → SM_PADDING_INVALID', () => {
      const keys = keysFor('AES-128');
      const { terminal, chip } = pair(keys);
      overTheWire(terminal, chip, command); // SSC 1
      const cryptogram = handEncrypt(keys, 2, padIso9797M2(fromHex('0102')));
      const dos = Buffer.concat([encodeTlv(0x87, Buffer.concat([Buffer.of(0x02), cryptogram])), fromHex('99029000')]);
      const data = Buffer.concat([dos, encodeTlv(0x8e, handResponseMac(keys, 2, dos))]);
      assert.throws(() => terminal.unwrapResponse({ data, sw: SW.SUCCESS }), { code: 'SM_PADDING_INVALID' });
    });

    it('broken ISO 9797-1 padding inside the cryptogram (authentic MAC) → SM_PADDING_INVALID', () => {
      const keys = keysFor('AES-128');
      const { terminal, chip } = pair(keys);
      overTheWire(terminal, chip, command);
      const cryptogram = handEncrypt(keys, 2, Buffer.alloc(16, 0x41)); // no 80 marker
      const dos = Buffer.concat([encodeTlv(0x87, Buffer.concat([Buffer.of(0x01), cryptogram])), fromHex('99029000')]);
      const data = Buffer.concat([dos, encodeTlv(0x8e, handResponseMac(keys, 2, dos))]);
      assert.throws(() => terminal.unwrapResponse({ data, sw: SW.SUCCESS }), { code: 'SM_PADDING_INVALID' });
    });

    it('hand-built response following TR-03110-3 §F.2 is accepted (independent check of IV and MAC input)', () => {
      const keys = keysFor('AES-128');
      const { terminal, chip } = pair(keys);
      overTheWire(terminal, chip, command);
      const dos = Buffer.concat([encodeTlv(0x87, Buffer.concat([Buffer.of(0x01), handEncrypt(keys, 2, padIso9797M2(fromHex('cafe')))])), fromHex('99026282')]);
      const data = Buffer.concat([dos, encodeTlv(0x8e, handResponseMac(keys, 2, dos))]);
      assert.deepEqual(terminal.unwrapResponse({ data, sw: 0x6282 }), { data: fromHex('cafe'), sw: 0x6282 });
    });

    it('outer SW differing from DO99, misordered or unknown DOs, bad TLV → SM_DATA_OBJECT_INVALID', () => {
      const keys = keysFor('AES-128');
      const build = (objects: Buffer[]): Buffer => objects.length === 0 ? Buffer.alloc(0) : Buffer.concat(objects);
      const cases: { title: string; r: (k: SmKeys) => ResponseApdu }[] = [
        { title: 'SW mismatch', r: (k) => { const dos = fromHex('99029000'); return { data: build([dos, encodeTlv(0x8e, handResponseMac(k, 2, dos))]), sw: 0x6b00 }; } },
        { title: 'DO99 before DO87', r: (k) => {
          const d87 = encodeTlv(0x87, Buffer.concat([Buffer.of(1), handEncrypt(k, 2, padIso9797M2(fromHex('01')))]));
          const dos = Buffer.concat([fromHex('99029000'), d87]);
          return { data: build([dos, encodeTlv(0x8e, handResponseMac(k, 2, dos))]), sw: 0x9000 };
        } },
        { title: 'unknown DO85', r: (k) => { const dos = Buffer.concat([fromHex('850101'), fromHex('99029000')]); return { data: build([dos, encodeTlv(0x8e, handResponseMac(k, 2, dos))]), sw: 0x9000 }; } },
        { title: 'DO after DO8E', r: (k) => { const dos = fromHex('99029000'); return { data: build([dos, encodeTlv(0x8e, handResponseMac(k, 2, dos)), fromHex('99029000')]), sw: 0x9000 }; } },
        { title: 'truncated TLV', r: () => ({ data: fromHex('990290'), sw: 0x9000 }) },
        { title: 'DO8E of 4 bytes', r: () => ({ data: fromHex('99029000 8e0401020304'), sw: 0x9000 }) },
        { title: 'DO87 not whole blocks', r: (k) => { const dos = Buffer.concat([fromHex('870301aabb'), fromHex('99029000')]); return { data: build([dos, encodeTlv(0x8e, handResponseMac(k, 2, dos))]), sw: 0x9000 }; } },
      ];
      for (const t of cases) {
        const { terminal, chip } = pair(keys);
        overTheWire(terminal, chip, command);
        assert.throws(() => terminal.unwrapResponse(t.r(keys)), { code: 'SM_DATA_OBJECT_INVALID' }, t.title);
      }
    });

    it('enforces alternation and roles → SM_STATE_INVALID', () => {
      const { terminal, chip } = pair(keysFor('AES-128'));
      assert.throws(() => terminal.unwrapResponse({ data: fromHex('99029000'), sw: 0x9000 }), { code: 'SM_STATE_INVALID' });
      assert.throws(() => chip.wrapResponse({ data: Buffer.alloc(0), sw: 0x9000 }), { code: 'SM_STATE_INVALID' });
      assert.throws(() => chip.wrapCommand(command), { code: 'SM_STATE_INVALID' });
      assert.throws(() => terminal.unwrapCommand(command), { code: 'SM_STATE_INVALID' });
      assert.throws(() => terminal.wrapCommand({ ...command, cla: 0x0c }), { code: 'SM_STATE_INVALID' });
    });

    it('rejects malformed stored state and wrong key lengths', () => {
      const good = new SecureMessaging(keysFor('AES-192'), 'chip').exportState();
      for (const bad of [null, 1, {}, { ...good, v: 2 }, { ...good, role: 'x' }, { ...good, cipher: 'DES' }, { ...good, kEnc: 'zz' },
        { ...good, kMac: good.kMac.slice(2) }, { ...good, ssc: '01' }, { ...good, phase: 'x' }, { ...good, closed: 'no' }]) {
        assert.throws(() => SecureMessaging.importState(bad), { code: 'SM_STATE_INVALID' }, JSON.stringify(bad));
      }
      assert.throws(() => new SecureMessaging({ kEnc: Buffer.alloc(16), kMac: Buffer.alloc(24), cipher: 'AES-128' }, 'chip'), { code: 'EAC_INVALID_KEY' });
    });

    it('ISO/IEC 9797-1 method 2 padding: always adds 80, strips exactly it', () => {
      assert.equal(hex(padIso9797M2(Buffer.alloc(0))), '80' + '00'.repeat(15));
      assert.equal(padIso9797M2(Buffer.alloc(16)).length, 32);
      assert.deepEqual(unpadIso9797M2(padIso9797M2(fromHex('0080'))), fromHex('0080'));
      assert.throws(() => unpadIso9797M2(Buffer.alloc(16)), { code: 'SM_PADDING_INVALID' });
      assert.throws(() => unpadIso9797M2(Buffer.concat([fromHex('80'), Buffer.alloc(16)])), { code: 'SM_PADDING_INVALID' });
    });
  });
});
