import assert from 'node:assert/strict';
import { isNormalProcessing, isWarning, isWarningRetries, SW, swConstantName, swName } from '../../../../src/eid/card/status-words.js';

describe('iso7816-4 §5.6 status words', () => {
  it('names the contract status words with their values', () => {
    assert.equal(SW.SUCCESS, 0x9000);
    assert.equal(SW.SECURITY_STATUS_NOT_SATISFIED, 0x6982);
    assert.equal(SW.SM_DATA_OBJECTS_MISSING, 0x6987);
    assert.equal(SW.SM_DATA_OBJECTS_INCORRECT, 0x6988);
    assert.equal(SW.SECURE_MESSAGING_NOT_SUPPORTED, 0x6882);
    assert.equal(SW.NO_PRECISE_DIAGNOSIS, 0x6f00);
    assert.equal(swConstantName(0x6a88), 'REFERENCE_DATA_NOT_FOUND');
  });
  it('has no two names for one value', () => {
    const values = Object.values(SW);
    assert.equal(new Set(values).size, values.length);
  });
  it('swName gives hex, constant and ISO wording', () => {
    assert.equal(swName(0x6982), '6982 SECURITY_STATUS_NOT_SATISFIED (Security status not satisfied)');
    assert.equal(swName(0x6a81), '6A81 FUNCTION_NOT_SUPPORTED (Function not supported)');
    assert.equal(swName(0x6110), '6110 BYTES_REMAINING (16 bytes still available)');
    assert.equal(swName(0x6c00), '6C00 WRONG_LE (exact length 256)');
    assert.equal(swName(0x63c5), '63C5 VERIFICATION_FAILED (counter 5)');
    assert.match(swName(0x63c1), /^63C1 PIN_SUSPENDED/);
    assert.equal(swName(0x6789), '6789 UNKNOWN');
  });
  it('63Cx counters: PACE PIN states', () => {
    assert.equal(isWarningRetries(0x63c2), 2);
    assert.equal(isWarningRetries(0x63c1), 1);
    assert.equal(isWarningRetries(0x63c0), 0);
    assert.equal(isWarningRetries(0x6300), null);
    assert.equal(isWarningRetries(0x6983), null);
    assert.equal(isWarningRetries(0x9000), null);
  });
  it('classifies normal processing and warnings', () => {
    assert.equal(isNormalProcessing(0x9000), true);
    assert.equal(isNormalProcessing(0x6104), true);
    assert.equal(isNormalProcessing(0x6282), false);
    assert.equal(isWarning(0x6282), true);
    assert.equal(isWarning(0x63c2), true);
    assert.equal(isWarning(0x6982), false);
  });
});
