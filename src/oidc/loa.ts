/**
 * Levels of assurance the OpenID provider knows, their order, and the IdP's own enforcement: a client
 * that declares a minimum (registry `minimum_acr`) never gets a login below it, whether or not it
 * sends acr_values, and never with acr as a voluntary claim only (SPEC §5.3).
 *
 * @spec oidc-core §2 (acr), §3.1.2.1 (acr_values are voluntary), §5.5.1.1 (essential acr); tr03130-1 §3.3.12 (LevelOfAssuranceType); SPEC §5.3
 */

export const EIDAS_LOW = 'http://eidas.europa.eu/LoA/low';
export const EIDAS_SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';
export const EIDAS_HIGH = 'http://eidas.europa.eu/LoA/high';
// tr03130-1 §3.3.12: the BSI names, note the spelling "substantiell".
export const BSI_NORMAL = 'http://bsi.bund.de/eID/LoA/normal';
export const BSI_SUBSTANTIAL = 'http://bsi.bund.de/eID/LoA/substantiell';
export const BSI_HIGH = 'http://bsi.bund.de/eID/LoA/hoch';

/** Rank of each known URI: equal ranks are the same level under two names. */
const RANK: Readonly<Record<string, number>> = {
  [EIDAS_LOW]: 1, [BSI_NORMAL]: 1,
  [EIDAS_SUBSTANTIAL]: 2, [BSI_SUBSTANTIAL]: 2,
  [EIDAS_HIGH]: 3, [BSI_HIGH]: 3,
};

/** What discovery advertises as acr_values_supported. */
export const SUPPORTED_ACRS: readonly string[] = [EIDAS_HIGH, EIDAS_SUBSTANTIAL, EIDAS_LOW, BSI_HIGH, BSI_SUBSTANTIAL, BSI_NORMAL];

/** Rank of an acr value; 0 for unknown values (never satisfies a minimum). */
export function loaRank(acr: string | undefined): number {
  return acr === undefined ? 0 : (RANK[acr] ?? 0);
}

export function satisfies(achieved: string | undefined, minimum: string | undefined): boolean {
  return minimum === undefined || loaRank(achieved) >= loaRank(minimum);
}

/**
 * The acr to assert for a login that reached `achievedRank`: the first requested acr value it
 * satisfies (the RP's own vocabulary), else the client's minimum, else eIDAS at the reached rank.
 * Undefined when a declared minimum is not reached (the caller refuses the login).
 */
export function chooseAcr(achievedRank: number, requested: readonly string[], minimum: string | undefined): string | undefined {
  if (minimum !== undefined && achievedRank < loaRank(minimum)) return undefined;
  for (const acr of requested) {
    const rank = loaRank(acr);
    if (rank > 0 && rank <= achievedRank && (minimum === undefined || rank >= loaRank(minimum))) return acr;
  }
  if (minimum !== undefined) return minimum;
  return [EIDAS_LOW, EIDAS_SUBSTANTIAL, EIDAS_HIGH][Math.max(0, Math.min(3, achievedRank) - 1)];
}

/**
 * What an eID card login reaches: the card's PACE with the PIN (possession + knowledge) and chip
 * authentication of a genuine, valid document is eIDAS "high"; anything else does not log in.
 */
export function eidLoginRank(documentValidity: string | undefined): number {
  return documentValidity === 'valid' ? 3 : 0;
}
