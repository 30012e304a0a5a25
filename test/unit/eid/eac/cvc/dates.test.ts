import assert from 'node:assert/strict';
import { compareCvcDates, cvcDateAddDays, cvcDateFromDate, cvcDateToDate, decodeCvcDate, encodeCvcDate } from '../../../../../src/eid/eac/cvc/dates.js';
import { formatCertificateReference, parseCertificateReference } from '../../../../../src/eid/eac/cvc/reference.js';
import { hex } from '../../../../../src/shared/bytes.js';

describe('tr03110-3 §D.2 CVC dates (dates.ts)', () => {
  it('one unpacked BCD digit per byte', () => {
    assert.equal(hex(encodeCvcDate('240229')), '020400020209');
    assert.equal(decodeCvcDate(Buffer.from([0, 9, 1, 2, 3, 1])), '091231');
  });
  it('rejects non-digits, wrong length and impossible days', () => {
    for (const bad of [[0, 9, 1, 2, 3, 10], [0x30, 9, 1, 2, 3, 1], [0, 9, 1, 2, 3], [0, 9, 1, 3, 0, 1], [2, 5, 0, 2, 2, 9], [2, 5, 0, 0, 0, 1], [2, 5, 0, 4, 3, 1]]) {
      assert.throws(() => decodeCvcDate(Buffer.from(bad)), { code: 'CVC_DATE_INVALID' }, JSON.stringify(bad));
    }
    assert.throws(() => encodeCvcDate('2501O1'), { code: 'CVC_DATE_INVALID' });
  });
  it('converts to and from UTC days, adds days, compares', () => {
    assert.equal(cvcDateFromDate(new Date('2026-12-01T23:59:59Z')), '261201');
    assert.equal(cvcDateToDate('261201').toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(cvcDateAddDays('241231', 60), '250301');
    assert.equal(cvcDateAddDays('250301', -1), '250228');
    assert.ok(compareCvcDates('250101', '241231') > 0);
    assert.equal(compareCvcDates('250101', '250101'), 0);
    assert.throws(() => cvcDateFromDate(new Date('2100-01-01Z')), { code: 'CVC_DATE_INVALID' });
  });
});

describe('tr03110-3 §A.6.1 certificate references (reference.ts)', () => {
  it('splits country code, mnemonic, sequence number', () => {
    assert.deepEqual(parseCertificateReference('DETESTeID00005'), { countryCode: 'DE', holderMnemonic: 'TESTeID', sequenceNumber: '00005' });
    assert.deepEqual(parseCertificateReference('DEDVeIDDTR101415'), { countryCode: 'DE', holderMnemonic: 'DVeIDDTR1', sequenceNumber: '01415' });
    assert.deepEqual(parseCertificateReference('DE00001'), { countryCode: 'DE', holderMnemonic: '', sequenceNumber: '00001' });
    assert.equal(formatCertificateReference({ countryCode: 'TW', holderMnemonic: 'NEIDCVCA', sequenceNumber: '00001' }), 'TWNEIDCVCA00001');
  });
  it('rejects malformed references', () => {
    for (const bad of ['de00001', 'DE0001', 'DETESTeID1234500001', 'DETEST\neID00001', 'DETESTeID0000-', '']) {
      assert.throws(() => parseCertificateReference(bad), { code: 'CVC_REFERENCE_INVALID' }, bad);
    }
  });
});
