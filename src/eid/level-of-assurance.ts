/**
 * Level of assurance and eID type (TR-03130-1 v2.4 §3.3.12–§3.3.14): which eID types an eService
 * accepts, and the level a login reached. This server authenticates with the chip of an eID card, so the
 * eID type is always CardCertified and its level "hoch" (eIDAS "high"): a requested LoA is always met,
 * and only an EIDTypeRequest that DENIES CardCertified makes the document unacceptable
 * (getResult#deniedDocument). A Smart-eID (SECertified/SEEndorsed/HWKeyStore) is not supported.
 *
 * @spec tr03130-1 §3.3.12 (LevelOfAssuranceType), §3.3.13 (EIDTypeRequest: DENIED always rejects), §3.4 (deniedDocument)
 */
export const EID_TYPES = ['CardCertified', 'SECertified', 'SEEndorsed', 'HWKeyStore'] as const;
export type EidType = (typeof EID_TYPES)[number];
export type EidTypeSelection = Partial<Record<EidType, 'ALLOWED' | 'DENIED'>>;

export const BSI_LOA = {
  undefined: 'http://bsi.bund.de/eID/LoA/undefined',
  normal: 'http://bsi.bund.de/eID/LoA/normal',
  substantial: 'http://bsi.bund.de/eID/LoA/substantiell', // sic: the TR spells it in German
  high: 'http://bsi.bund.de/eID/LoA/hoch',
} as const;
export const EIDAS_LOA = {
  low: 'http://eidas.europa.eu/LoA/low',
  substantial: 'http://eidas.europa.eu/LoA/substantial',
  high: 'http://eidas.europa.eu/LoA/high',
} as const;

const KNOWN_LOA = new Set<string>([...Object.values(BSI_LOA), ...Object.values(EIDAS_LOA)]);

export function isKnownLevelOfAssurance(uri: string): boolean {
  return KNOWN_LOA.has(uri);
}

/** The eID type of a login through the card's chip (EF.CardSecurity carries no MobileEIDTypeInfo). */
export const CARD_EID_TYPE: EidType = 'CardCertified';

/** TR-03130-1 §3.3.13: a DENIED type is never used; without a selection every type the LoA allows is. */
export function eidTypeAccepted(type: EidType, selection: EidTypeSelection | undefined): boolean {
  return selection?.[type] !== 'DENIED';
}

/** The level reached, in the vocabulary of the request (eIDAS URIs answer with eIDAS, else BSI). */
export function achievedLevelOfAssurance(requested: string | undefined): string {
  return requested?.startsWith('http://eidas.europa.eu/') === true ? EIDAS_LOA.high : BSI_LOA.high;
}
