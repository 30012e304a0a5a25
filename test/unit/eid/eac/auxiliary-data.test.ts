import assert from 'node:assert/strict';
import { ageVerificationDate, calendarDate, decodeAuxiliaryData, encodeAuxiliaryData, interpretVerifications, requestedChecks } from '../../../../src/eid/eac/auxiliary-data.js';

describe('tr03110-3 §A.6.5 authenticated auxiliary data', () => {
  it('encodes 67 {73 DOB, 73 CommunityID, 73 DateOfExpiry} with 53 values, and decodes back', () => {
    const bytes = encodeAuxiliaryData({ bornOnOrBefore: '20070101', communityIdPrefix: Buffer.from('0276', 'hex'), validOn: '20250601' })!;
    assert.equal(bytes.toString('hex'),
      '673f' +
      '7315060904007f000703010401' + '5308' + Buffer.from('20070101').toString('hex') +
      '730f060904007f000703010403' + '53020276' +
      '7315060904007f000703010402' + '5308' + Buffer.from('20250601').toString('hex'));
    assert.deepEqual(decodeAuxiliaryData(bytes), { bornOnOrBefore: '20070101', communityIdPrefix: Buffer.from('0276', 'hex'), validOn: '20250601' });
    assert.equal(encodeAuxiliaryData({}), undefined);
  });

  it('age date = today − N years; 29 Feb → 28 Feb in a non-leap year', () => {
    assert.equal(ageVerificationDate(18, '20250315'), '20070315');
    assert.equal(ageVerificationDate(18, '20240229'), '20060228');
    assert.equal(ageVerificationDate(20, '20240229'), '20040229');
    assert.throws(() => ageVerificationDate(0, '20250101'), { code: 'AUX_DATA_INVALID' });
    assert.throws(() => ageVerificationDate(18, '20250230'), { code: 'AUX_DATA_INVALID' });
  });

  it('calendarDate uses the holder time zone', () => {
    assert.equal(calendarDate(new Date('2025-03-14T17:00:00Z'), 'Asia/Taipei'), '20250315');
    assert.equal(calendarDate(new Date('2025-03-14T17:00:00Z'), 'UTC'), '20250314');
  });

  it('rejects malformed aux data with AUX_DATA_INVALID', () => {
    const dob = '7315060904007f000703010401' + '5308' + Buffer.from('20070101').toString('hex');
    const cases = [
      '6600', // wrong outer tag
      '6700', // empty
      `6729${dob}${dob}`.replace('6729', '672a'.slice(0, 4)), // repeated (length fixed below)
      '670d730b060904007f0007030104095300', // unknown OID .9
      '67097307060204005301aa'.slice(0, 22), // 73 without proper OID/53 order
      '6717' + '7315060904007f000703010401' + '530a' + Buffer.from('2007-01-01').toString('hex'), // bad date
    ];
    cases[2] = `672e${dob}${dob}`;
    for (const c of cases) assert.throws(() => decodeAuxiliaryData(Buffer.from(c, 'hex')), (e: { code: string }) => e.code === 'AUX_DATA_INVALID' || e.code.startsWith('TLV_'), c);
    assert.throws(() => decodeAuxiliaryData(Buffer.from('6600', 'hex')), { code: 'AUX_DATA_INVALID' });
    assert.throws(() => decodeAuxiliaryData(Buffer.from(`672e${dob}${dob}`, 'hex')), { code: 'AUX_DATA_INVALID' });
    assert.throws(() => decodeAuxiliaryData(Buffer.from('6705', 'hex')), { code: 'TLV_TRUNCATED' });
    assert.throws(() => encodeAuxiliaryData({ communityIdPrefix: Buffer.alloc(0) }), { code: 'AUX_DATA_INVALID' });
  });

  it('interprets VERIFY outcomes per requested check', () => {
    assert.deepEqual(requestedChecks({ bornOnOrBefore: '20000101', validOn: '20250101' }), ['age', 'validity']);
    assert.deepEqual(interpretVerifications(new Map([['age', true], ['validity', false]])), { ageVerified: true, documentValid: false });
  });
});
