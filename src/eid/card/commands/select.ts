/**
 * SELECT (INS A4): the eID application by DF name and elementary files by file identifier.
 *
 * @spec iso7816-4 §7.1.1 (SELECT, Tables 39-40), tr03110-4 §3.1.1 (eID application AID)
 */
import type { CommandApdu } from '../apdu.js';
import { CommandError } from './command-error.js';

/** TR-03110-4: AID of the eID application, E8 07 04 00 7F 00 07 03 02. */
export const EID_APPLICATION_AID: Buffer = Buffer.from('e80704007f00070302', 'hex');

/** Well-known elementary files (TR-03110-3 App. A.1.2 / contracts: chip-side file identifiers). */
export const ELEMENTARY_FILES = {
  CARD_ACCESS: { fid: 0x011c, sfi: 0x1c },
  CARD_SECURITY: { fid: 0x011d, sfi: 0x1d },
} as const;

// ISO 7816-4 Table 39 (P1): 00 MF/by FID, 02 EF under the current DF, 04 by DF name.
const P1_BY_DF_NAME = 0x04;
const P1_EF_UNDER_CURRENT_DF = 0x02;
// ISO 7816-4 Table 40 (P2): first or only occurrence, no response data (FCI not requested).
const P2_NO_RESPONSE_DATA = 0x0c;

/** SELECT by DF name (AID), no FCI returned: 00 A4 04 0C Lc AID. */
export function selectApplication(aid: Uint8Array = EID_APPLICATION_AID): CommandApdu {
  // ISO 7816-4 §8.2.1.2: an application identifier is 5 to 16 bytes.
  if (aid.length < 5 || aid.length > 16) throw new CommandError('CMD_ARGUMENT_INVALID', `AID must be 5..16 bytes, got ${aid.length}`);
  return { cla: 0x00, ins: 0xa4, p1: P1_BY_DF_NAME, p2: P2_NO_RESPONSE_DATA, data: Buffer.from(aid), le: null };
}

/** SELECT an EF under the current DF by its 2-byte file identifier: 00 A4 02 0C 02 FID. */
export function selectElementaryFile(fid: number): CommandApdu {
  // ISO 7816-4 §5.3.1.1: 3F00 (MF), FFFF (RFU) and 3FFF (path escape) are not EF identifiers.
  if (!Number.isInteger(fid) || fid < 0 || fid > 0xffff || fid === 0x3f00 || fid === 0xffff || fid === 0x3fff) {
    throw new CommandError('CMD_ARGUMENT_INVALID', `invalid file identifier ${fid}`);
  }
  return { cla: 0x00, ins: 0xa4, p1: P1_EF_UNDER_CURRENT_DF, p2: P2_NO_RESPONSE_DATA, data: Buffer.from([fid >> 8, fid & 0xff]), le: null };
}
