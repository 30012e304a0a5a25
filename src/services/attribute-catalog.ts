/**
 * The attribute ids an eService can be approved for, per data profile, with what the registry needs to
 * know about each: the data group that carries it (→ CHAT read bit) or the special function
 * (restricted identification, age / place verification), and whether MOI must approve it explicitly.
 *
 * @spec SPEC §4.1 (profile tw), tr03130-1 §3.2 / eid-protocol §4.2 (profile de)
 *
 * INTERIM: a local copy of the ids defined by the data profiles (src/eid/profiles, card engineer).
 * Once that module is committed this file delegates to getProfile(); the ids must stay identical.
 */
import type { ProfileId } from './profile-id.js';

export type AttributeKind = 'dg' | 'restricted-id' | 'age-verification' | 'place-verification' | 'document-validity';

export interface RegistryAttribute {
  id: string;
  /** Data group on the chip, null for RI / auxiliary verification / derived attributes. */
  dg: number | null;
  kind: AttributeKind;
  /** seed 002 表8: encrypted-zone fields each need MOI's explicit approval. */
  requiresApproval: boolean;
}

const dg = (id: string, n: number, requiresApproval = false): RegistryAttribute => ({ id, dg: n, kind: 'dg', requiresApproval });
const special = (id: string, kind: Exclude<AttributeKind, 'dg'>): RegistryAttribute => ({ id, dg: null, kind, requiresApproval: false });

// SPEC §4.1 table: DG numbers and the "explicit approval" column.
const TW: readonly RegistryAttribute[] = [
  dg('DocumentType', 1), dg('IssuingState', 2), dg('DateOfRenewal', 3), dg('ChineseName', 4), dg('RomanizedName', 5),
  dg('NationalIdNumber', 6), dg('CardNumber', 7), dg('DateOfBirth', 8), dg('PlaceOfBirth', 9, true), dg('Nationality', 10),
  dg('Sex', 11, true), dg('MaritalStatus', 12), dg('MilitaryServiceStatus', 13), dg('DateOfIssue', 14),
  dg('FatherName', 15, true), dg('MotherName', 16, true), dg('HouseholdAddress', 17), dg('HouseholdAreaCode', 18),
  dg('SpouseName', 19, true), dg('Photo', 20, true), dg('CAN', 21, true),
  special('RestrictedID', 'restricted-id'), special('AgeVerification', 'age-verification'),
  special('PlaceVerification', 'place-verification'), special('DocumentValidity', 'document-validity'),
];

// TR-03130-1 PersonalData names with the DG map of eid-protocol §4.2. In Germany every field is
// granted by the authorization certificate (Berechtigungszertifikat); there is no extra MOI approval.
const DE: readonly RegistryAttribute[] = [
  dg('DocumentType', 1), dg('IssuingState', 2), dg('DateOfExpiry', 3), dg('GivenNames', 4), dg('FamilyNames', 5),
  dg('ArtisticName', 6), dg('AcademicTitle', 7), dg('DateOfBirth', 8), dg('PlaceOfBirth', 9), dg('Nationality', 10),
  dg('BirthName', 13), dg('PlaceOfResidence', 17), dg('CommunityID', 18), dg('ResidencePermitI', 19),
  special('RestrictedID', 'restricted-id'), special('AgeVerification', 'age-verification'),
  special('PlaceVerification', 'place-verification'), special('DocumentValidity', 'document-validity'),
];

const CATALOG: Record<ProfileId, readonly RegistryAttribute[]> = { tw: TW, de: DE };

export function registryAttributes(profile: ProfileId): readonly RegistryAttribute[] {
  return CATALOG[profile];
}

export function findAttribute(profile: ProfileId, id: string): RegistryAttribute | undefined {
  return CATALOG[profile].find((a) => a.id === id);
}
