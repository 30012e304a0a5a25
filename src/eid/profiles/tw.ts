/**
 * Profile `tw`: the Taiwan New eID data groups (SPEC §4.1) and their exact encodings.
 * docs/profiles.md has the same table for readers; the software card and the server both use
 * this module, so the two can never disagree.
 *
 * @spec SPEC §4.1, tr03110-4 §2 (DGn = [APPLICATION n]), taiwan-pki §4.2-4.3 (national ID), §6.1 (ROC dates), §6.2 (area codes)
 *
 * Every DG is `[APPLICATION n] { one data object }` (tag 0x60+n), DER lengths:
 * - free text: UTF8String (0C), NFC, any Unicode incl. non-BMP (CNS 11643 characters in CJK Ext-B+);
 * - codes (document type, state, nationality, ID and card numbers, sex, marital status): PrintableString (13),
 *   as TR-03110 does for its code fields;
 * - dates: NumericString (12) of 8 digits YYYYMMDD, Gregorian (ROC dates are a presentation form only);
 * - household area code and CAN: NumericString digits;
 * - photo: OCTET STRING (04) holding a JPEG (SOI FFD8 … EOI FFD9).
 */
import { ASN1, malformed } from './dg-codec.js';
import { buildProfile, dateField, personDate, photoField, textField } from './profile-base.js';
import type { FieldCodec } from './profile-base.js';
import { checkNationalId } from './taiwan-id.js';
import { ProfileError } from './types.js';
import type { AttributeDef, DataProfile, PersonData, PersonSecrets, PersonValue } from './types.js';

type Def = Omit<AttributeDef, 'kind'>;
const dg = (d: Def): AttributeDef => ({ ...d, kind: 'dg' });

/** SPEC §4.1, row by row. */
export const TW_ATTRIBUTES: readonly AttributeDef[] = [
  dg({ id: 'DocumentType', dg: 1, oidcClaim: 'document_type', zone: 'public', requiresApproval: false }),
  dg({ id: 'IssuingState', dg: 2, oidcClaim: 'issuing_state', zone: 'public', requiresApproval: false }),
  dg({ id: 'DateOfRenewal', dg: 3, oidcClaim: 'date_of_renewal', zone: 'public', requiresApproval: false }),
  dg({ id: 'ChineseName', dg: 4, oidcClaim: 'name', zone: 'public', requiresApproval: false }),
  dg({ id: 'RomanizedName', dg: 5, oidcClaim: 'name_romanized', zone: 'public', requiresApproval: false }),
  dg({ id: 'NationalIdNumber', dg: 6, oidcClaim: 'national_id', zone: 'public', requiresApproval: false }),
  dg({ id: 'CardNumber', dg: 7, oidcClaim: 'card_number', zone: 'public', requiresApproval: false }),
  dg({ id: 'DateOfBirth', dg: 8, oidcClaim: 'birthdate', zone: 'public', requiresApproval: false }),
  dg({ id: 'PlaceOfBirth', dg: 9, oidcClaim: 'place_of_birth', zone: 'encrypted', requiresApproval: true }),
  dg({ id: 'Nationality', dg: 10, oidcClaim: 'nationality', zone: 'public', requiresApproval: false }),
  dg({ id: 'Sex', dg: 11, oidcClaim: 'gender', zone: 'encrypted', requiresApproval: true }),
  dg({ id: 'MaritalStatus', dg: 12, oidcClaim: 'marital_status', zone: 'public', requiresApproval: false }),
  dg({ id: 'MilitaryServiceStatus', dg: 13, oidcClaim: 'military_service_status', zone: 'public', requiresApproval: false }),
  dg({ id: 'DateOfIssue', dg: 14, oidcClaim: 'date_of_issue', zone: 'public', requiresApproval: false }),
  dg({ id: 'FatherName', dg: 15, oidcClaim: 'father_name', zone: 'encrypted', requiresApproval: true }),
  dg({ id: 'MotherName', dg: 16, oidcClaim: 'mother_name', zone: 'encrypted', requiresApproval: true }),
  dg({ id: 'HouseholdAddress', dg: 17, oidcClaim: 'address', zone: 'public', requiresApproval: false }),
  dg({ id: 'HouseholdAreaCode', dg: 18, oidcClaim: 'household_area_code', zone: 'household', requiresApproval: false }),
  dg({ id: 'SpouseName', dg: 19, oidcClaim: 'spouse_name', zone: 'encrypted', requiresApproval: true }),
  dg({ id: 'Photo', dg: 20, oidcClaim: 'picture', zone: 'encrypted', requiresApproval: true }),
  dg({ id: 'CAN', dg: 21, oidcClaim: 'can', zone: 'encrypted', requiresApproval: true }),
  { id: 'RestrictedID', dg: null, oidcClaim: 'sub', zone: 'none', requiresApproval: false, kind: 'restricted-id' },
  { id: 'AgeVerification', dg: null, oidcClaim: 'age_over_<N>', zone: 'none', requiresApproval: false, kind: 'age-verification' },
  { id: 'PlaceVerification', dg: null, oidcClaim: 'place_verified', zone: 'none', requiresApproval: false, kind: 'place-verification' },
  { id: 'DocumentValidity', dg: null, oidcClaim: 'document_validity', zone: 'none', requiresApproval: false, kind: 'document-validity' },
];

/**
 * 戶役政 village code (taiwan-pki §6.2: county 5 digits `(09|10|63|64|65|66|67|68)0\d{2}`, + district 3,
 * + village 3) followed by the 鄰 number as 3 digits: 14 digits. Place verification matches a
 * prefix of 5, 8, 11 or 14 digits, so the digits are stored one per byte (NumericString), not BCD.
 */
export const TW_AREA_CODE = /^(09|10|63|64|65|66|67|68)0\d{2}\d{3}\d{3}\d{3}$/;
const TW_AREA_PREFIX = /^(09|10|63|64|65|66|67|68)0\d{2}(\d{3}){0,3}$/;

const P = ASN1.PRINTABLE_STRING;
const U = ASN1.UTF8_STRING;
const N = ASN1.NUMERIC_STRING;

// Name text: letters of any script (incl. non-BMP), marks, the middle dot of indigenous names, spaces.
const NAME = /^[\p{L}\p{M}·・‧ -]+$/u;
// 外文姓名 `SURNAME, GIVEN-NAME` (taiwan-pki §6.4), Latin letters incl. diacritics.
const ROMANIZED = /^[\p{Script=Latin}' -]+(, [\p{Script=Latin}' -]+)?$/u;

/** DG6: PrintableString; format and check digit enforced on issue (PROFILE_NATIONAL_ID_INVALID) and on read. */
function nationalIdField(): FieldCodec {
  const base = textField('NationalIdNumber', 6, P, true, { pattern: /^[A-Z][1289]\d{8}$/ });
  return {
    ...base,
    fromJson: (v, what) => {
      if (typeof v === 'string') checkNationalId(v);
      return base.fromJson(v, what);
    },
    decode: (inner, what) => {
      const d = base.decode(inner, what);
      try {
        checkNationalId(d.value as string);
      } catch {
        malformed(`${what}: check digit wrong`);
      }
      return d;
    },
  };
}

const TW_FIELDS: readonly FieldCodec[] = [
  textField('DocumentType', 1, P, true, { pattern: /^TW$/ }),
  textField('IssuingState', 2, P, true, { pattern: /^TWN$/ }),
  dateField('DateOfRenewal', 3, false), // SPEC §4.1: absent for holders 65+
  textField('ChineseName', 4, U, true, { pattern: NAME, maxLength: 60 }),
  textField('RomanizedName', 5, U, false, { pattern: ROMANIZED, maxLength: 100 }),
  nationalIdField(),
  // Card numbers are not publicly specified; we accept 9-12 upper-case letters and digits.
  textField('CardNumber', 7, P, true, { pattern: /^[A-Z0-9]{9,12}$/ }),
  dateField('DateOfBirth', 8, true),
  textField('PlaceOfBirth', 9, U, true, { maxLength: 100 }),
  textField('Nationality', 10, P, true, { pattern: /^TWN$/ }),
  textField('Sex', 11, P, true, { pattern: /^[MF]$/ }),
  textField('MaritalStatus', 12, P, true, { pattern: /^(Married|Single)$/ }),
  textField('MilitaryServiceStatus', 13, U, false, { maxLength: 40 }),
  dateField('DateOfIssue', 14, true),
  textField('FatherName', 15, U, false, { pattern: NAME, maxLength: 60 }),
  textField('MotherName', 16, U, false, { pattern: NAME, maxLength: 60 }),
  textField('HouseholdAddress', 17, U, true, { maxLength: 200 }),
  textField('HouseholdAreaCode', 18, N, true, { pattern: TW_AREA_CODE }),
  textField('SpouseName', 19, U, false, { pattern: NAME, maxLength: 60 }),
  photoField('Photo', 20, true),
  textField('CAN', 21, N, true, { pattern: /^\d{6}$/ }),
];

function crossCheck(attributes: Record<string, PersonValue>, secrets: PersonSecrets): PersonSecrets {
  const id = attributes['NationalIdNumber'];
  if (typeof id !== 'string') return secrets;
  const info = checkNationalId(id); // PROFILE_NATIONAL_ID_INVALID
  // taiwan-pki §4.2/4.3: the second digit codes sex (1/8 male, 2/9 female).
  if (attributes['Sex'] !== info.sex) throw new ProfileError('PROFILE_PERSON_INVALID', 'Sex does not match the sex digit of NationalIdNumber');
  if (attributes['MaritalStatus'] === 'Single' && attributes['SpouseName'] !== undefined) {
    throw new ProfileError('PROFILE_PERSON_INVALID', 'SpouseName given for MaritalStatus Single');
  }
  const can = attributes['CAN'];
  if (typeof can === 'string') {
    if (secrets.can !== undefined && secrets.can !== can) throw new ProfileError('PROFILE_PERSON_INVALID', 'secrets.can differs from the CAN data group');
    return { ...secrets, can };
  }
  return secrets;
}

function verificationData(person: PersonData): { dateOfBirth: string | null; dateOfExpiry: string | null; communityId: Buffer | null } {
  const area = person.attributes['HouseholdAreaCode'];
  return {
    dateOfBirth: personDate(person, 'DateOfBirth'),
    dateOfExpiry: personDate(person, 'DateOfRenewal'),
    communityId: typeof area === 'string' ? Buffer.from(area, 'latin1') : null,
  };
}

/** Place verification input: 5, 8, 11 or 14 digits → the same ASCII bytes as stored in DG18. */
function communityIdFromDigits(digits: string): Buffer {
  if (!TW_AREA_PREFIX.test(digits)) malformed(`'${digits}' is not a 5/8/11/14-digit household area code prefix`, 'PROFILE_COMMUNITY_ID_INVALID');
  return Buffer.from(digits, 'latin1');
}

export const twProfile: DataProfile = buildProfile({ id: 'tw', attributes: TW_ATTRIBUTES, fields: TW_FIELDS, crossCheck, verificationData, communityIdFromDigits });

