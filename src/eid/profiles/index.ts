/**
 * Data profiles (SPEC §4): `tw` (default, Taiwan New eID) and `de` (German eID card, TR-03130-1 names).
 *
 * @spec SPEC §4, tr03130-1 §3.2
 */
import { deProfile } from './de.js';
import { twProfile } from './tw.js';
import { ProfileError } from './types.js';
import type { DataProfile, ProfileId } from './types.js';

export type {
  AttributeDef, AttributeKind, DataProfile, DecodedAttribute, GeneralPlace, PersonData, PersonSecrets, PersonValue, ProfileId,
  VerificationData, Zone,
} from './types.js';
export { ProfileError } from './types.js';
export { checkNationalId, isValidNationalId, nationalIdCheckDigit } from './taiwan-id.js';
export { formatRocDate, gregorianYear, parseRocDate, rocYear } from './roc-date.js';
export { yyyymmddToIso, isoToYyyymmdd, checkYyyymmdd, checkDateString, placeToText } from './dg-codec.js';
export { TW_ATTRIBUTES } from './tw.js';
export { DE_ATTRIBUTES } from './de.js';

export const PROFILE_IDS: readonly ProfileId[] = ['tw', 'de'];

const PROFILES: Record<ProfileId, DataProfile> = { tw: twProfile, de: deProfile };

export function getProfile(id: ProfileId): DataProfile {
  const p = (PROFILES as Partial<Record<string, DataProfile>>)[id];
  // The type says ProfileId, but ids also arrive from config files and person files.
  if (p === undefined) throw new ProfileError('PROFILE_UNKNOWN', `no data profile '${String(id)}'`);
  return p;
}
