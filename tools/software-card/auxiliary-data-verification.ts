/**
 * Chip side of auxiliary-data verification: VERIFY with P2 = 80 and the OID of the check; the
 * chip compares its own data with the reference value the terminal sent (and signed) in TA.
 *
 * @spec tr03110-3 §B.11.7 (VERIFY: 9000 = fulfilled, 6300 = not fulfilled), §A.6.5 (id-DateOfBirth, id-DateOfExpiry, id-CommunityID)
 * @spec tr03110-2 §3.6 (age, document validity and community ID verification)
 *
 * | OID | right needed (effective CHAT) | fulfilled when |
 * |---|---|---|
 * | id-DateOfBirth …4.1 | age verification (bit 0) | date of birth ≤ reference date |
 * | id-DateOfExpiry …4.2 | none | date of expiry ≥ reference date (no expiry date: always) |
 * | id-CommunityID …4.3 | community ID verification (bit 1) | reference is a prefix of the chip's community ID |
 */
import { SW } from '../../src/eid/card/status-words.js';
import { decodeTlv } from '../../src/eid/card/tlv.js';
import { AUXILIARY_DATA_OIDS } from '../../src/eid/eac/auxiliary-data.js';
import { AT_RIGHTS, chatAllows } from '../../src/eid/eac/cvc/chat.js';
import { decodeOidValue } from '../../src/eid/eac/cvc/oids.js';
import { fromHex } from '../../src/shared/bytes.js';
import type { CardJson } from './card-json.js';
import { ChipStatus, ensure } from './chip-status.js';
import type { ChipSession } from './chip-session.js';

/**
 * A date of birth with unknown parts (spaces, TR-03110-4 DG8) is compared by its latest possible day,
 * so an unknown month or day never makes a person older than they may be.
 */
function latestPossibleDate(date: string): string | null {
  const year = date.slice(0, 4);
  if (!/^\d{4}$/.test(year)) return null;
  const month = /^\d{2}$/.test(date.slice(4, 6)) ? date.slice(4, 6) : '12';
  const day = /^\d{2}$/.test(date.slice(6, 8)) ? date.slice(6, 8) : '31';
  return `${year}${month}${day}`;
}

function fulfilled(card: CardJson, oid: string, reference: Buffer): boolean {
  const v = card.verification;
  switch (oid) {
    case AUXILIARY_DATA_OIDS.DATE_OF_BIRTH: {
      if (v.dateOfBirth === null) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, 'no date of birth on the chip');
      const born = latestPossibleDate(v.dateOfBirth);
      return born !== null && born <= reference.toString('latin1');
    }
    case AUXILIARY_DATA_OIDS.DATE_OF_EXPIRY:
      // No end of validity (tw: no renewal date for holders aged 65+): valid on any date.
      return v.dateOfExpiry === null || v.dateOfExpiry >= reference.toString('latin1');
    case AUXILIARY_DATA_OIDS.COMMUNITY_ID: {
      if (v.communityId === null) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, 'no community ID on the chip');
      const own = fromHex(v.communityId);
      return reference.length <= own.length && own.subarray(0, reference.length).equals(reference);
    }
    default:
      throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `no verification for ${oid}`);
  }
}

/** TR-03110-4 §2.2.3.2: the right each check needs (document validity needs none). */
const RIGHT_BY_OID: Readonly<Record<string, number | null>> = {
  [AUXILIARY_DATA_OIDS.DATE_OF_BIRTH]: AT_RIGHTS.AGE_VERIFICATION,
  [AUXILIARY_DATA_OIDS.DATE_OF_EXPIRY]: null,
  [AUXILIARY_DATA_OIDS.COMMUNITY_ID]: AT_RIGHTS.COMMUNITY_ID_VERIFICATION,
};

/** VERIFY 80 20 80 00 {06 OID}: returns the status word (9000 fulfilled, 6300 not fulfilled). */
export function verifyAuxiliaryData(card: CardJson, session: ChipSession, data: Buffer): number {
  const terminal = session.terminal;
  ensure(session.sm !== null && terminal !== null && session.chipAuthenticated, SW.SECURITY_STATUS_NOT_SATISFIED, 'needs TA and CA');
  const tlv = decodeTlv(data);
  ensure(tlv.tag === 0x06, SW.WRONG_DATA, 'VERIFY data must be 06 OID');
  const oid = decodeOidValue(tlv.value);
  const right = RIGHT_BY_OID[oid];
  if (right === undefined) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `no verification for ${oid}`);
  ensure(right === null || chatAllows(terminal.chat, right), SW.SECURITY_STATUS_NOT_SATISFIED, `effective CHAT lacks the right for ${oid}`);
  // TR-03110-3 §B.11.7: the reference value is the authenticated auxiliary data from TA.
  const reference = terminal.auxiliary.get(oid);
  if (reference === undefined) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `no auxiliary data ${oid} in TA`);
  return fulfilled(card, oid, reference) ? SW.SUCCESS : SW.VERIFICATION_FAILED;
}
