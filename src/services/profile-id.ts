/** Data profile ids (SPEC §4) as a tuple for z.enum; the same literal union as src/eid/profiles. */
import type { ProfileId as ProfilesProfileId } from '../eid/profiles/index.js';

export const PROFILE_IDS = ['tw', 'de'] as const satisfies readonly ProfilesProfileId[];
export type ProfileId = (typeof PROFILE_IDS)[number];
