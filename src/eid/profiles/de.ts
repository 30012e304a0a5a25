/**
 * Profile `de`: the German eID card data groups with the TR-03130-1 PersonalData names, encoded as
 * the card (TR-03127) and the AusweisApp simulator encode them, so that the server can be proven
 * against real eID clients.
 *
 * @spec tr03130-1 §3.2.2 (PersonalDataType), tr03110-4 §2 (data groups), eid-protocol §4.2 (DG map), §4.3 (read data)
 *
 * ```text
 * DG1  61 { 13 DocumentType 'ID' }          DG8  68 { 12 'YYYYMMDD' (spaces = unknown) }
 * DG2  62 { 13 IssuingState 'D' }           DG9  69 { GeneralPlace }
 * DG3  63 { 12 DateOfExpiry 'YYYYMMDD' }    DG10 6A { 13 Nationality 'D' }
 * DG4  64 { 0C GivenNames }                 DG13 6D { 0C BirthName }
 * DG5  65 { 0C FamilyNames }                DG17 71 { GeneralPlace }  (PlaceOfResidence)
 * DG6  66 { 0C ArtisticName (may be empty)} DG18 72 { 04 CommunityID, BCD e.g. 02760503150000 }
 * DG7  67 { 0C AcademicTitle (may be empty)} DG19 73 { A1 { 0C ResidencePermitI } }   DG20 74 { A1 { 0C ResidencePermitII } }
 * ```
 */
import { ASN1, malformed } from './dg-codec.js';
import { buildProfile, dateField, octetField, personDate, placeField, taggedTextField, textField } from './profile-base.js';
import type { FieldCodec } from './profile-base.js';
import type { AttributeDef, DataProfile, PersonData, PersonSecrets, VerificationData } from './types.js';

const dg = (id: string, n: number, oidcClaim: string): AttributeDef => ({ id, dg: n, oidcClaim, zone: 'none', requiresApproval: false, kind: 'dg' });

/** TR-03130-1 v2.4 PersonalData order; in Germany the authorization certificate alone grants each field. */
export const DE_ATTRIBUTES: readonly AttributeDef[] = [
  dg('DocumentType', 1, 'document_type'),
  dg('IssuingState', 2, 'issuing_state'),
  dg('DateOfExpiry', 3, 'date_of_expiry'),
  dg('GivenNames', 4, 'given_name'),
  dg('FamilyNames', 5, 'family_name'),
  dg('ArtisticName', 6, 'artistic_name'),
  dg('AcademicTitle', 7, 'academic_title'),
  dg('DateOfBirth', 8, 'birthdate'),
  dg('PlaceOfBirth', 9, 'place_of_birth'),
  dg('Nationality', 10, 'nationality'),
  dg('BirthName', 13, 'birth_family_name'),
  dg('PlaceOfResidence', 17, 'address'),
  dg('CommunityID', 18, 'community_id'),
  dg('ResidencePermitI', 19, 'residence_permit_i'),
  dg('ResidencePermitII', 20, 'residence_permit_ii'),
  { id: 'RestrictedID', dg: null, oidcClaim: 'sub', zone: 'none', requiresApproval: false, kind: 'restricted-id' },
  { id: 'AgeVerification', dg: null, oidcClaim: 'age_over_<N>', zone: 'none', requiresApproval: false, kind: 'age-verification' },
  { id: 'PlaceVerification', dg: null, oidcClaim: 'place_verified', zone: 'none', requiresApproval: false, kind: 'place-verification' },
  { id: 'DocumentValidity', dg: null, oidcClaim: 'document_validity', zone: 'none', requiresApproval: false, kind: 'document-validity' },
];

const P = ASN1.PRINTABLE_STRING;
const U = ASN1.UTF8_STRING;
// TR-03130 XSD: DocumentType [A-Z ]{2}, ICAOCountry [A-Z ]{1,3}.
const DOCUMENT_TYPE = /^[A-Z ]{2}$/;
const ICAO_COUNTRY = /^[A-Z ]{1,3}$/;
/** DG18 on the card: 7 bytes BCD (country 0276, Land, Regierungsbezirk, Kreis, Gemeinde). */
const COMMUNITY_ID_HEX = /^0[0-9]{13}$/;
/** TR-03130 XSD PlaceVerificationRequest/CommunityID: prefixes of 4, 6, 8, 10 or 14 digits. */
const COMMUNITY_ID_PREFIX = /^0[0-9]{3}([0-9]{2}(0[0-9]([0-9]{2}(0[0-9]{3})?)?)?)?$/;

const DE_FIELDS: readonly FieldCodec[] = [
  textField('DocumentType', 1, P, true, { pattern: DOCUMENT_TYPE }),
  textField('IssuingState', 2, P, true, { pattern: ICAO_COUNTRY }),
  dateField('DateOfExpiry', 3, true),
  textField('GivenNames', 4, U, true, { maxLength: 200 }),
  textField('FamilyNames', 5, U, true, { maxLength: 200 }),
  textField('ArtisticName', 6, U, false, { maxLength: 200, allowEmpty: true }),
  textField('AcademicTitle', 7, U, false, { maxLength: 120, allowEmpty: true }),
  dateField('DateOfBirth', 8, true, true),
  placeField('PlaceOfBirth', 9, true),
  textField('Nationality', 10, P, true, { pattern: ICAO_COUNTRY }),
  textField('BirthName', 13, U, false, { maxLength: 200 }),
  placeField('PlaceOfResidence', 17, false),
  octetField('CommunityID', 18, false, COMMUNITY_ID_HEX),
  taggedTextField('ResidencePermitI', 19, 0xa1, false),
  taggedTextField('ResidencePermitII', 20, 0xa1, false),
];

function verificationData(person: PersonData): VerificationData {
  const community = person.attributes['CommunityID'];
  return {
    dateOfBirth: personDate(person, 'DateOfBirth'),
    dateOfExpiry: personDate(person, 'DateOfExpiry'),
    communityId: Buffer.isBuffer(community) ? community : null,
  };
}

/** The TR-03130 digits of a community-ID prefix packed as BCD, two digits per byte ('027605' → 02 76 05). */
function communityIdFromDigits(digits: string): Buffer {
  if (!COMMUNITY_ID_PREFIX.test(digits)) malformed(`'${digits}' is not a TR-03130 CommunityID prefix`, 'PROFILE_COMMUNITY_ID_INVALID');
  return Buffer.from(digits, 'hex');
}

export const deProfile: DataProfile = buildProfile({
  id: 'de', attributes: DE_ATTRIBUTES, fields: DE_FIELDS, crossCheck: (_a, s: PersonSecrets) => s, verificationData, communityIdFromDigits,
});
