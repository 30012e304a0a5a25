/**
 * The outcome of one EAC session: what the eService may receive (personal data of the effective
 * CHAT only), plus document validity in TR-03130-1 §2.4.6 order. JSON-serialisable.
 *
 * @spec tr03130-1 §2.4.6 (document validity), tr03130-1 §3.2 (PersonalData, operations)
 */
import type { GeneralPlace } from '../../profiles/types.js';

/** TR-03130-1: valid, or the first failed check in the order PA → CA → expiry → block list. */
export type DocumentValidity = 'valid' | 'expired' | 'revoked' | 'notAuthentic';

export interface DataGroupValue {
  attribute: string;
  /** Text value, when the profile decodes the DG to text (places: flattened to one line). */
  text?: string;
  /** Binary value (photo, BCD community ID), base64. */
  base64?: string;
  /** TR-03130-1 GeneralPlaceType as on the chip (de DG9 / DG17): structured, free text or no place info. */
  place?: GeneralPlace;
}

export interface EacResult {
  /** Effective CHAT (user selection ∧ certificate chain), 7F4C hex. */
  effectiveChat: string;
  /** DG number → decoded value; exactly the DGs the effective CHAT allows and the chip holds. */
  dataGroups: Record<string, DataGroupValue>;
  /** DGs the effective CHAT allows but the chip does not hold (FILE NOT FOUND → NOTONCHIP). */
  notOnChip: number[];
  /** RI: sector-specific identifiers (hex), sector 1 then sector 2. */
  restrictedIds?: string[];
  ageVerified?: boolean;
  placeVerified?: boolean;
  documentValidity: DocumentValidity;
}
