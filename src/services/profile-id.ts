/** Data profile ids (SPEC §4); the same literal union as src/eid/profiles ProfileId. */
export const PROFILE_IDS = ['tw', 'de'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];
