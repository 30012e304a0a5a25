import assert from 'node:assert/strict';
import { constantTimeEqual, fromHex, hex } from '../../../src/shared/bytes.js';

describe('shared/bytes', () => {
  it('round-trips hex and rejects odd or non-hex input', () => {
    assert.equal(hex(fromHex('00 ff:10')), '00ff10');
    assert.throws(() => fromHex('abc'), TypeError);
    assert.throws(() => fromHex('zz'), TypeError);
  });
  it('compares in constant time and treats length mismatch as unequal', () => {
    assert.equal(constantTimeEqual(fromHex('0102'), fromHex('0102')), true);
    assert.equal(constantTimeEqual(fromHex('0102'), fromHex('0103')), false);
    assert.equal(constantTimeEqual(fromHex('01'), fromHex('0102')), false);
  });
});
