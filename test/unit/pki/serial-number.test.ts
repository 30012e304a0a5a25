import assert from 'node:assert/strict';
import { randomSerialNumber } from '../../../src/pki/serial-number.js';

describe('pki/serial-number: serials of the IdP\'s own certificates', () => {
  it('always 16 octets, positive and minimally encoded (first octet 0x40–0x7f), and random', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const s = randomSerialNumber();
      assert.equal(s.length, 16);
      // x690 §8.3.2: a leading 0x00 before an octet < 0x80 is not DER; rfc5280 §4.1.2.2: positive.
      assert.ok((s[0] as number) >= 0x40 && (s[0] as number) <= 0x7f, `first octet ${s[0]}`);
      seen.add(s.toString('hex'));
    }
    assert.equal(seen.size, 20_000);
  });
});
