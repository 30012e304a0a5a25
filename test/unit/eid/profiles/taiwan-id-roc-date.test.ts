import assert from 'node:assert/strict';
import { checkNationalId, formatRocDate, gregorianYear, isValidNationalId, nationalIdCheckDigit, parseRocDate, rocYear } from '../../../../src/eid/profiles/index.js';

describe('taiwan-pki §4.2/§4.3 national ID', () => {
  it('accepts the reference vectors and classifies them', () => {
    assert.deepEqual(checkNationalId('A123456789'), { kind: 'national', sex: 'M' });
    assert.deepEqual(checkNationalId('F131104093'), { kind: 'national', sex: 'M' });
    assert.deepEqual(checkNationalId('A800000014'), { kind: 'resident', sex: 'M' });
    assert.deepEqual(checkNationalId('A900000016'), { kind: 'resident', sex: 'F' });
  });
  it('rejects wrong check digits and formats', () => {
    for (const id of ['A123456788', 'A906754477', 'AC17003729', 'A323456789', 'I12345678', '1123456789', 'A1234567890']) {
      assert.throws(() => checkNationalId(id), { code: 'PROFILE_NATIONAL_ID_INVALID' }, id);
      assert.equal(isValidNationalId(id), false);
    }
  });
  it('computes check digits, including out-of-order letters (I, O, W-Z)', () => {
    assert.equal(nationalIdCheckDigit('A12345678'), 9);
    for (const l of ['I', 'O', 'W', 'X', 'Y', 'Z']) {
      const id = `${l}20000000`;
      assert.equal(isValidNationalId(`${id}${nationalIdCheckDigit(id)}`), true, l);
      assert.equal(isValidNationalId(`${id}${(nationalIdCheckDigit(id) + 1) % 10}`), false, l);
    }
  });
});

describe('taiwan-pki §6.1 ROC dates', () => {
  it('converts years with no year 0', () => {
    assert.equal(rocYear(2024), 113);
    assert.equal(rocYear(1912), 1);
    assert.equal(rocYear(1911), -1);
    assert.equal(gregorianYear(-1), 1911);
    assert.equal(gregorianYear(66), 1977);
    assert.throws(() => gregorianYear(0), { code: 'PROFILE_DATE_INVALID' });
  });
  it('formats and parses the common forms', () => {
    assert.equal(formatRocDate('19770101'), '0660101');
    assert.equal(formatRocDate('20241231', 'slash'), '113/12/31');
    assert.equal(formatRocDate('20241231', 'chinese'), '民國113年12月31日');
    assert.equal(formatRocDate('19110101'), '-0010101');
    assert.equal(formatRocDate('19110101', 'chinese'), '民國前1年1月1日');
    assert.equal(parseRocDate('0660101'), '19770101');
    assert.equal(parseRocDate('1131231'), '20241231');
    assert.equal(parseRocDate('113/12/31'), '20241231');
    assert.equal(parseRocDate('民國113年12月31日'), '20241231');
    assert.equal(parseRocDate('-0010101'), '19110101');
    assert.equal(parseRocDate('民國前1年1月1日'), '19110101');
  });
  it('rejects non-existent dates and year 0 instead of rolling over', () => {
    for (const s of ['1130230', '0000101', '113/13/01', '民國0年1月1日', '20241231', '113-12-31']) {
      assert.throws(() => parseRocDate(s), { code: 'PROFILE_DATE_INVALID' }, s);
    }
    assert.throws(() => formatRocDate('20240230'), { code: 'PROFILE_DATE_INVALID' });
  });
});
