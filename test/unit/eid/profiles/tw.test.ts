import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, hex } from '../../../../src/shared/bytes.js';
import { encodeTlv } from '../../../../src/eid/card/tlv.js';
import { getProfile } from '../../../../src/eid/profiles/index.js';
import type { PersonData } from '../../../../src/eid/profiles/index.js';

const tw = getProfile('tw');
const fixture = (): Record<string, unknown> => JSON.parse(readFileSync(new URL('../../../fixtures/persons/tw-citizen.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const withAttrs = (patch: Record<string, unknown>, drop: string[] = []): Record<string, unknown> => {
  const f = fixture();
  const attrs = { ...(f['attributes'] as Record<string, unknown>), ...patch };
  for (const d of drop) delete attrs[d];
  return { ...f, attributes: attrs };
};

describe('SPEC §4.1 profile tw', () => {
  let person: PersonData;
  before(() => {
    person = tw.validatePerson(fixture());
  });

  it('lists every row of SPEC §4.1 with DG, claim, zone and approval', () => {
    const rows = tw.attributes.map((a) => `${a.id}|${a.dg ?? '-'}|${a.oidcClaim}|${a.zone}|${a.requiresApproval ? 'y' : 'n'}|${a.kind}`);
    assert.deepEqual(rows, [
      'DocumentType|1|document_type|public|n|dg', 'IssuingState|2|issuing_state|public|n|dg', 'DateOfRenewal|3|date_of_renewal|public|n|dg',
      'ChineseName|4|name|public|n|dg', 'RomanizedName|5|name_romanized|public|n|dg', 'NationalIdNumber|6|national_id|public|n|dg',
      'CardNumber|7|card_number|public|n|dg', 'DateOfBirth|8|birthdate|public|n|dg', 'PlaceOfBirth|9|place_of_birth|encrypted|y|dg',
      'Nationality|10|nationality|public|n|dg', 'Sex|11|gender|encrypted|y|dg', 'MaritalStatus|12|marital_status|public|n|dg',
      'MilitaryServiceStatus|13|military_service_status|public|n|dg', 'DateOfIssue|14|date_of_issue|public|n|dg',
      'FatherName|15|father_name|encrypted|y|dg', 'MotherName|16|mother_name|encrypted|y|dg', 'HouseholdAddress|17|address|public|n|dg',
      'HouseholdAreaCode|18|household_area_code|household|n|dg', 'SpouseName|19|spouse_name|encrypted|y|dg', 'Photo|20|picture|encrypted|y|dg',
      'CAN|21|can|encrypted|y|dg', 'RestrictedID|-|sub|none|n|restricted-id', 'AgeVerification|-|age_over_<N>|none|n|age-verification',
      'PlaceVerification|-|place_verified|none|n|place-verification', 'DocumentValidity|-|document_validity|none|n|document-validity',
    ]);
    assert.equal(tw.attribute('Photo')?.dg, 20);
    assert.equal(tw.attributeForDg(4)?.id, 'ChineseName');
    assert.equal(tw.attribute('GivenNames'), undefined);
  });

  it('encodes exact bytes: DG1 PrintableString, DG4 non-BMP UTF8String, DG8 NumericString, DG18, DG21', () => {
    const dgs = tw.encodeDataGroups(person);
    assert.equal(hex(dgs.get(1) ?? Buffer.alloc(0)), '610413025457');
    // 陳 E999B3, 𠀋 (U+2000B) F0A0808B, 安 E5AE89
    assert.equal(hex(dgs.get(4) ?? Buffer.alloc(0)), '640c0c0ae999b3f0a0808be5ae89');
    assert.equal(hex(dgs.get(8) ?? Buffer.alloc(0)), '680a1208' + Buffer.from('19900520').toString('hex'));
    assert.equal(hex(dgs.get(18) ?? Buffer.alloc(0)), '7210120e' + Buffer.from('63000010001005').toString('hex'));
    assert.equal(hex(dgs.get(21) ?? Buffer.alloc(0)), '75081206' + Buffer.from('482913').toString('hex'));
    const photo = dgs.get(20) ?? Buffer.alloc(0);
    assert.equal(hex(photo.subarray(0, 10)), '74820173048201' + '6fffd8');
  });

  it('every DG round-trips through the card encoding', () => {
    const dgs = tw.encodeDataGroups(person);
    assert.deepEqual([...dgs.keys()], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21]); // fixture has no DG13
    for (const [n, bytes] of dgs) {
      const d = tw.decodeDataGroup(n, bytes);
      const def = tw.attributeForDg(n);
      assert.equal(d.attribute, def?.id);
      const original = person.attributes[d.attribute];
      if (Buffer.isBuffer(original)) assert.ok(Buffer.isBuffer(d.value) && d.value.equals(original), `DG${n}`);
      else if (typeof original === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(original)) assert.equal(d.value, original.replace(/-/g, ''), `DG${n}`);
      else assert.equal(d.value, original, `DG${n}`);
    }
    assert.equal(tw.decodeDataGroup(4, dgs.get(4) ?? Buffer.alloc(0)).value, '陳𠀋安');
  });

  it('missing optional DGs (DateOfRenewal for 65+, SpouseName, RomanizedName) are absent, not empty', () => {
    const p = tw.validatePerson(withAttrs({ MaritalStatus: 'Single', DateOfBirth: '1950-03-01' }, ['DateOfRenewal', 'SpouseName', 'RomanizedName']));
    const dgs = tw.encodeDataGroups(p);
    assert.equal(dgs.has(3), false);
    assert.equal(dgs.has(19), false);
    assert.equal(dgs.has(5), false);
    assert.equal(tw.verificationData(p).dateOfExpiry, null);
  });

  it('verification data: birth date, renewal date and DG18 digits; area-code prefixes as ASCII', () => {
    const v = tw.verificationData(person);
    assert.equal(v.dateOfBirth, '19900520');
    assert.equal(v.dateOfExpiry, '20360520');
    assert.equal(v.communityId?.toString('latin1'), '63000010001005');
    assert.equal(hex(tw.communityIdFromDigits('63000010')), Buffer.from('63000010').toString('hex'));
    assert.ok(v.communityId?.subarray(0, 8).equals(tw.communityIdFromDigits('63000010')));
    assert.throws(() => tw.communityIdFromDigits('6300'), { code: 'PROFILE_COMMUNITY_ID_INVALID' });
    assert.throws(() => tw.communityIdFromDigits('12000'), { code: 'PROFILE_COMMUNITY_ID_INVALID' });
  });

  it('CAN goes into secrets; PIN/PUK validated', () => {
    assert.deepEqual(person.secrets, { pin: '123456', puk: '1234567890', can: '482913' });
    assert.throws(() => tw.validatePerson({ ...fixture(), secrets: { pin: '12345' } }), { code: 'PROFILE_PERSON_INVALID' });
    assert.throws(() => tw.validatePerson({ ...fixture(), secrets: { can: '111111' } }), { code: 'PROFILE_PERSON_INVALID' });
    assert.throws(() => tw.validatePerson({ ...fixture(), secrets: { pin2: '1' } }), { code: 'PROFILE_PERSON_INVALID' });
  });

  describe('person validation', () => {
    it('rejects invalid national IDs (checksum, format, legacy resident format)', () => {
      for (const id of ['F234567815', 'A123456788', 'a123456789', 'A323456789', 'AC17003729', 'A12345678']) {
        assert.throws(() => tw.validatePerson(withAttrs({ NationalIdNumber: id })), { code: 'PROFILE_NATIONAL_ID_INVALID' }, id);
      }
    });
    it('rejects sex inconsistent with the national ID', () => {
      assert.throws(() => tw.validatePerson(withAttrs({ Sex: 'M' })), { code: 'PROFILE_PERSON_INVALID' });
    });
    it('accepts a new-format resident number (A800000014, male)', () => {
      assert.equal(tw.validatePerson(withAttrs({ NationalIdNumber: 'A800000014', Sex: 'M' })).attributes['NationalIdNumber'], 'A800000014');
    });
    it('rejects impossible dates and non-ISO dates with PROFILE_DATE_INVALID', () => {
      assert.throws(() => tw.validatePerson(withAttrs({ DateOfBirth: '1990-02-30' })), { code: 'PROFILE_DATE_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ DateOfBirth: '19900520' })), { code: 'PROFILE_DATE_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ DateOfIssue: '2023-13-01' })), { code: 'PROFILE_DATE_INVALID' });
    });
    it('rejects a photo that is not a JPEG', () => {
      assert.throws(() => tw.validatePerson(withAttrs({ Photo: Buffer.from('89504e470d0a1a0a', 'hex').toString('base64') })), { code: 'PROFILE_PHOTO_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ Photo: 'not base64!' })), { code: 'PROFILE_PERSON_INVALID' });
    });
    it('rejects missing required, unknown and wrongly typed attributes, and files without testOnly', () => {
      assert.throws(() => tw.validatePerson(withAttrs({}, ['ChineseName'])), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ GivenNames: 'X' })), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ ChineseName: 42 })), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ HouseholdAreaCode: '6300001000100' })), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ ChineseName: '陳\u0000安' })), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ ChineseName: 'A\ud800' })), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson(withAttrs({ MaritalStatus: 'Single' })), { code: 'PROFILE_PERSON_INVALID' }); // spouse present
      assert.throws(() => tw.validatePerson({ ...fixture(), testOnly: false }), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson({ ...fixture(), profile: 'de' }), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson({ ...fixture(), extra: 1 }), { code: 'PROFILE_PERSON_INVALID' });
      assert.throws(() => tw.validatePerson([]), { code: 'PROFILE_PERSON_INVALID' });
    });
    it('normalises names to NFC (no folding of variants)', () => {
      const decomposed = 'Ａ'.normalize('NFC') === 'Ａ' ? 'CHE\u0301N, AN' : 'CHEN, AN';
      const p = tw.validatePerson(withAttrs({ RomanizedName: decomposed }));
      assert.equal(p.attributes['RomanizedName'], 'CHÉN, AN');
    });
  });

  describe('malformed DG bytes', () => {
    it('wrong outer tag → TLV_UNEXPECTED_TAG', () => {
      assert.throws(() => tw.decodeDataGroup(4, fromHex('650c0c0ae999b3f0a0808be5ae89')), { code: 'TLV_UNEXPECTED_TAG' });
    });
    it('truncated and trailing bytes → TLV codes', () => {
      assert.throws(() => tw.decodeDataGroup(4, fromHex('640c0c0ae999b3')), { code: 'TLV_TRUNCATED' });
      assert.throws(() => tw.decodeDataGroup(1, fromHex('61041302545700')), { code: 'TLV_TRAILING_BYTES' });
    });
    it('wrong inner type, two children, invalid UTF-8 → PROFILE_DG_MALFORMED', () => {
      assert.throws(() => tw.decodeDataGroup(4, encodeTlv(0x64, encodeTlv(0x13, Buffer.from('ABC')))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => tw.decodeDataGroup(1, fromHex('61081302545713025457')), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => tw.decodeDataGroup(4, encodeTlv(0x64, encodeTlv(0x0c, fromHex('e999')))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => tw.decodeDataGroup(4, encodeTlv(0x64, encodeTlv(0x0c, fromHex('eda080')))), { code: 'PROFILE_DG_MALFORMED' }); // CESU surrogate
      assert.throws(() => tw.decodeDataGroup(1, encodeTlv(0x61, encodeTlv(0x13, Buffer.from('T_')))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => tw.decodeDataGroup(6, encodeTlv(0x66, encodeTlv(0x13, Buffer.from('A12345678')))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => tw.decodeDataGroup(4, fromHex('6400')), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => tw.decodeDataGroup(6, encodeTlv(0x66, encodeTlv(0x13, Buffer.from('A123456788')))), { code: 'PROFILE_DG_MALFORMED' });
      assert.equal(tw.decodeDataGroup(6, encodeTlv(0x66, encodeTlv(0x13, Buffer.from('A123456789')))).value, 'A123456789');
    });
    it('bad dates → PROFILE_DATE_INVALID, non-digit dates → PROFILE_DG_MALFORMED', () => {
      assert.throws(() => tw.decodeDataGroup(8, encodeTlv(0x68, encodeTlv(0x12, Buffer.from('19900230')))), { code: 'PROFILE_DATE_INVALID' });
      assert.throws(() => tw.decodeDataGroup(8, encodeTlv(0x68, encodeTlv(0x12, Buffer.from('1990052')))), { code: 'PROFILE_DATE_INVALID' });
      assert.throws(() => tw.decodeDataGroup(8, encodeTlv(0x68, encodeTlv(0x12, Buffer.from('1990-5-2')))), { code: 'PROFILE_DG_MALFORMED' });
    });
    it('photo without SOI/EOI → PROFILE_PHOTO_INVALID; not an OCTET STRING → PROFILE_DG_MALFORMED', () => {
      assert.throws(() => tw.decodeDataGroup(20, encodeTlv(0x74, encodeTlv(0x04, fromHex('89504e470d0a1a0a')))), { code: 'PROFILE_PHOTO_INVALID' });
      assert.throws(() => tw.decodeDataGroup(20, encodeTlv(0x74, encodeTlv(0x04, fromHex('ffd8ffe000')))), { code: 'PROFILE_PHOTO_INVALID' });
      assert.throws(() => tw.decodeDataGroup(20, encodeTlv(0x74, encodeTlv(0x0c, fromHex('ffd8ffd9')))), { code: 'PROFILE_DG_MALFORMED' });
    });
    it('a DG the profile does not define → PROFILE_DG_UNKNOWN', () => {
      assert.throws(() => tw.decodeDataGroup(22, fromHex('760100')), { code: 'PROFILE_DG_UNKNOWN' });
      assert.throws(() => tw.decodeDataGroup(0, fromHex('600100')), { code: 'PROFILE_DG_UNKNOWN' });
    });
  });

  it('getProfile rejects unknown ids', () => {
    assert.throws(() => getProfile('xx' as 'tw'), { code: 'PROFILE_UNKNOWN' });
  });
});
