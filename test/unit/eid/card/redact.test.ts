import assert from 'node:assert/strict';
import { fromHex } from '../../../../src/shared/bytes.js';
import { redactCommandApdu, redactResponseApdu } from '../../../../src/eid/card/redact.js';

describe('redacted APDU log form', () => {
  const secret = 'E59BBDE6B091'; // bytes that must never show up in a log line
  it('shows header, Nc and Ne of a command, never data', () => {
    const line = redactCommandApdu(fromHex(`0C D6 00 00 06 ${secret} 00`));
    assert.equal(line, '0C D6 00 00 Nc=6 Ne=256');
    assert.ok(!line.toUpperCase().includes(secret));
    assert.equal(redactCommandApdu({ cla: 0, ins: 0xb0, p1: 0x81, p2: 0, data: Buffer.alloc(0), le: null }), '00 B0 81 00 Nc=0 Ne=absent');
  });
  it('shows length and SW of a response, never data', () => {
    const line = redactResponseApdu(fromHex(`${secret} 9000`));
    assert.equal(line, 'len=6 SW=9000 SUCCESS (No further qualification)');
    assert.ok(!line.toUpperCase().includes(secret));
    assert.equal(redactResponseApdu({ data: Buffer.alloc(0), sw: 0x6982 }), 'len=0 SW=6982 SECURITY_STATUS_NOT_SATISFIED (Security status not satisfied)');
  });
  it('unparseable bytes give their length only', () => {
    assert.equal(redactCommandApdu(fromHex(`00 A4 04 0C 09 ${secret}`)), 'command APDU (unparseable, 11 bytes)');
    assert.equal(redactResponseApdu(fromHex('90')), 'response APDU (unparseable, 1 bytes)');
  });
});
