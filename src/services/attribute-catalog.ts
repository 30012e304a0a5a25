/**
 * The attribute ids an eService can be approved for, per data profile: the registry's view of the
 * data profiles (src/eid/profiles), which define each attribute's data group or special function
 * (restricted identification, age / place verification) and whether MOI must approve it explicitly.
 *
 * @spec SPEC §4.1 (profile tw), tr03130-1 §3.2 (profile de)
 */
import { getProfile, type AttributeDef, type AttributeKind } from '../eid/profiles/index.js';
import type { ProfileId } from './profile-id.js';

export type { AttributeKind };
export type RegistryAttribute = AttributeDef;

export function registryAttributes(profile: ProfileId): readonly RegistryAttribute[] {
  return getProfile(profile).attributes;
}

export function findAttribute(profile: ProfileId, id: string): RegistryAttribute | undefined {
  return getProfile(profile).attribute(id);
}
