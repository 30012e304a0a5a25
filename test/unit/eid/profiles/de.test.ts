import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, hex } from '../../../../src/shared/bytes.js';
import { encodeTlv } from '../../../../src/eid/card/tlv.js';
import { getProfile } from '../../../../src/eid/profiles/index.js';
import type { PersonData } from '../../../../src/eid/profiles/index.js';

const de = getProfile('de');
const fixture = (): Record<string, unknown> => JSON.parse(readFileSync(new URL('../../../fixtures/persons/de-citizen.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const withAttrs = (patch: Record<string, unknown>, drop: string[] = []): Record<string, unknown> => {
  const f = fixture();
  const attrs = { ...(f['attributes'] as Record<string, unknown>), ...patch };
  for (const d of drop) delete attrs[d];
  return { ...f, attributes: attrs };
};
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

describe('tr03130-1 profile de', () => {
  let person: PersonData;
  before(() => {
    person = de.validatePerson(fixture());
  });

  it('uses the TR-03130-1 names and the eid-protocol §4.2 DG map', () => {
    assert.deepEqual(de.attributes.filter((a) => a.kind === 'dg').map((a) => `${a.id}:${a.dg}`), [
      'DocumentType:1', 'IssuingState:2', 'DateOfExpiry:3', 'GivenNames:4', 'FamilyNames:5', 'ArtisticName:6', 'AcademicTitle:7',
      'DateOfBirth:8', 'PlaceOfBirth:9', 'Nationality:10', 'BirthName:13', 'PlaceOfResidence:17', 'CommunityID:18',
      'ResidencePermitI:19', 'ResidencePermitII:20',
    ]);
    assert.deepEqual(de.attributes.filter((a) => a.kind !== 'dg').map((a) => a.id), ['RestrictedID', 'AgeVerification', 'PlaceVerification', 'DocumentValidity']);
    assert.ok(de.attributes.every((a) => !a.requiresApproval && a.zone === 'none'));
  });

  it('encodes the AusweisApp simulator bytes (TR-03127 encodings)', () => {
    const dgs = de.encodeDataGroups(person);
    assert.equal(hex(dgs.get(1) ?? Buffer.alloc(0)), '610413024944');
    assert.equal(hex(dgs.get(2) ?? Buffer.alloc(0)), '6203130144');
    assert.equal(hex(dgs.get(3) ?? Buffer.alloc(0)), '630a1208' + utf8('20291031'));
    assert.equal(hex(dgs.get(6) ?? Buffer.alloc(0)), '66020c00');
    assert.equal(hex(dgs.get(8) ?? Buffer.alloc(0)), '680a1208' + utf8('19640812'));
    assert.equal(hex(dgs.get(9) ?? Buffer.alloc(0)), '690aa1080c06' + utf8('BERLIN'));
    assert.equal(hex(dgs.get(17) ?? Buffer.alloc(0)),
      '712c302a' + 'aa110c0f' + utf8('HEIDESTRASSE 17') + 'ab070c05' + utf8('KÖLN') + 'ad03130144' + 'ae071305' + utf8('51147'));
    assert.equal(hex(dgs.get(18) ?? Buffer.alloc(0)), '7209040702760503150000');
    assert.equal(hex(dgs.get(19) ?? Buffer.alloc(0)), '7316a1140c12' + utf8('RESIDENCE PERMIT 1'));
  });

  it('every DG round-trips; places decode structured and as one line', () => {
    for (const [n, bytes] of de.encodeDataGroups(person)) {
      const d = de.decodeDataGroup(n, bytes);
      assert.equal(d.attribute, de.attributeForDg(n)?.id);
    }
    const res = de.decodeDataGroup(17, de.encodeDataGroups(person).get(17) ?? Buffer.alloc(0));
    assert.equal(res.value, 'HEIDESTRASSE 17, 51147 KÖLN, D');
    assert.deepEqual(res.place, { kind: 'structured', street: 'HEIDESTRASSE 17', city: 'KÖLN', country: 'D', zipCode: '51147' });
    assert.deepEqual(de.decodeDataGroup(9, fromHex('690aa1080c06' + utf8('BERLIN'))).place, { kind: 'freetext', text: 'BERLIN' });
    assert.equal(de.decodeDataGroup(18, fromHex('7209040702760503150000')).value.toString('hex'), '02760503150000');
    assert.equal(de.decodeDataGroup(5, de.encodeDataGroups(person).get(5) ?? Buffer.alloc(0)).value, 'MUSTERMANN');
  });

  it('noPlaceInfo and partial birth dates (DateString with spaces)', () => {
    const p = de.validatePerson(withAttrs({ PlaceOfResidence: { noPlaceInfo: 'keine Hauptwohnung in Deutschland' }, DateOfBirth: '1964    ' }));
    const dgs = de.encodeDataGroups(p);
    assert.equal(hex(dgs.get(8) ?? Buffer.alloc(0)), '680a1208' + utf8('1964    '));
    assert.equal(de.decodeDataGroup(8, dgs.get(8) ?? Buffer.alloc(0)).value, '1964    ');
    assert.deepEqual(de.decodeDataGroup(17, dgs.get(17) ?? Buffer.alloc(0)).place, { kind: 'noPlaceInfo', text: 'keine Hauptwohnung in Deutschland' });
    assert.equal(de.verificationData(p).dateOfBirth, '1964    ');
    assert.throws(() => de.validatePerson(withAttrs({ DateOfBirth: '    0812' })), { code: 'PROFILE_DATE_INVALID' });
    assert.throws(() => de.validatePerson(withAttrs({ DateOfBirth: '196413  ' })), { code: 'PROFILE_DATE_INVALID' });
  });

  it('missing optional DGs are absent; verification data and BCD community-ID prefixes', () => {
    const p = de.validatePerson(withAttrs({}, ['ArtisticName', 'AcademicTitle', 'BirthName', 'CommunityID', 'ResidencePermitI', 'PlaceOfResidence']));
    assert.deepEqual([...de.encodeDataGroups(p).keys()], [1, 2, 3, 4, 5, 8, 9, 10]);
    assert.equal(de.verificationData(p).communityId, null);
    const v = de.verificationData(person);
    assert.equal(v.dateOfExpiry, '20291031');
    assert.equal(v.communityId?.toString('hex'), '02760503150000');
    assert.equal(hex(de.communityIdFromDigits('02760503')), '02760503');
    assert.throws(() => de.communityIdFromDigits('0276050'), { code: 'PROFILE_COMMUNITY_ID_INVALID' });
    assert.throws(() => de.communityIdFromDigits('12760503'), { code: 'PROFILE_COMMUNITY_ID_INVALID' });
  });

  it('rejects malformed person data', () => {
    assert.throws(() => de.validatePerson(withAttrs({ DocumentType: 'IDX' })), { code: 'PROFILE_PERSON_INVALID' });
    assert.throws(() => de.validatePerson(withAttrs({ IssuingState: 'd' })), { code: 'PROFILE_PERSON_INVALID' });
    assert.throws(() => de.validatePerson(withAttrs({ PlaceOfBirth: { city: 'BERLIN' } })), { code: 'PROFILE_PERSON_INVALID' });
    assert.throws(() => de.validatePerson(withAttrs({ PlaceOfBirth: { freetext: 'X', city: 'Y' } })), { code: 'PROFILE_PERSON_INVALID' });
    assert.throws(() => de.validatePerson(withAttrs({ PlaceOfResidence: { city: 'KÖLN', country: 'Deutschland' } })), { code: 'PROFILE_PERSON_INVALID' });
    assert.throws(() => de.validatePerson(withAttrs({ CommunityID: '0276050315000' })), { code: 'PROFILE_PERSON_INVALID' });
    assert.throws(() => de.validatePerson(withAttrs({ DateOfExpiry: '2029-02-29' })), { code: 'PROFILE_DATE_INVALID' });
    assert.throws(() => de.validatePerson(withAttrs({ ChineseName: '陳' })), { code: 'PROFILE_PERSON_INVALID' });
  });

  describe('malformed DG bytes', () => {
    it('Place: missing city, out of order, unknown component, wrong country type → PROFILE_DG_MALFORMED', () => {
      const country = encodeTlv(0xad, encodeTlv(0x13, Buffer.from('D')));
      const city = encodeTlv(0xab, encodeTlv(0x0c, Buffer.from('KÖLN')));
      assert.throws(() => de.decodeDataGroup(17, encodeTlv(0x71, encodeTlv(0x30, [country]))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => de.decodeDataGroup(17, encodeTlv(0x71, encodeTlv(0x30, [country, city]))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => de.decodeDataGroup(17, encodeTlv(0x71, encodeTlv(0x30, [city, city, country]))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => de.decodeDataGroup(17, encodeTlv(0x71, encodeTlv(0x30, [city, encodeTlv(0xaf, encodeTlv(0x0c, Buffer.from('x'))), country]))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => de.decodeDataGroup(17, encodeTlv(0x71, encodeTlv(0x30, [city, encodeTlv(0xad, encodeTlv(0x0c, Buffer.from('D')))]))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => de.decodeDataGroup(9, encodeTlv(0x69, encodeTlv(0xa3, encodeTlv(0x0c, Buffer.from('x'))))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => de.decodeDataGroup(9, encodeTlv(0x69, encodeTlv(0x0c, Buffer.from('BERLIN')))), { code: 'PROFILE_DG_MALFORMED' });
    });
    it('ResidencePermit without [1], CommunityID not BCD, DG3 not a date', () => {
      assert.throws(() => de.decodeDataGroup(19, encodeTlv(0x73, encodeTlv(0x0c, Buffer.from('X')))), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => de.decodeDataGroup(18, fromHex('720904070276050315000F')), { code: 'PROFILE_DG_MALFORMED' });
      assert.throws(() => de.decodeDataGroup(3, encodeTlv(0x63, encodeTlv(0x12, Buffer.from('20291131')))), { code: 'PROFILE_DATE_INVALID' });
      assert.throws(() => de.decodeDataGroup(11, fromHex('6b03130146')), { code: 'PROFILE_DG_UNKNOWN' });
      assert.throws(() => de.decodeDataGroup(1, fromHex('6104130249')), { code: 'TLV_TRUNCATED' });
    });
  });
});
