import assert from 'node:assert/strict';
import { isValidBusinessNumber } from '../../../src/services/business-number.js';

describe('taiwan-pki §4.4 統一編號 checksum', () => {
  it('accepts the Ministry of Finance test numbers', () => {
    assert.equal(isValidBusinessNumber('04595252'), true);
    assert.equal(isValidBusinessNumber('10458570'), true);
  });

  it('rejects a changed check digit', () => {
    assert.equal(isValidBusinessNumber('04595253'), false);
    assert.equal(isValidBusinessNumber('10458571'), false);
  });

  it('accepts the 7th-digit-7 alternative (sum + 1 divisible by 5) only when the 7th digit is 7', () => {
    // Weights 1,2,1,2,1,2,4,1. 00000074: 7×4 = 28 → 2+8 = 10, + 4 = 14 ≢ 0 (mod 5); 14 + 1 = 15 ✓ (only through the alternative).
    assert.equal(isValidBusinessNumber('00000074'), true);
    // 00000084: 8×4 = 32 → 5, + 4 = 9: invalid, and no alternative without a 7.
    assert.equal(isValidBusinessNumber('00000084'), false);
    // 00000064: 6*4 = 24 → 6, +4 = 10 ✓ by the plain rule.
    assert.equal(isValidBusinessNumber('00000064'), true);
    // 00000075: 10 + 5 = 15 ✓ plain rule, with the 7.
    assert.equal(isValidBusinessNumber('00000075'), true);
  });

  it('rejects anything but exactly 8 ASCII digits', () => {
    for (const bad of ['', '0459525', '045952520', '0459525a', ' 4595252', '０４５９５２５２', '-4595252']) {
      assert.equal(isValidBusinessNumber(bad), false, bad);
    }
  });
});
