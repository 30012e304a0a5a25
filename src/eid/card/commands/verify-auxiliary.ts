/**
 * VERIFY (CLA 80, INS 20, P1P2 80 00) with an OID: asks the chip to check authenticated auxiliary
 * data sent in MSE:Set AT (TA) — age (id-DateOfBirth), document validity (id-DateOfExpiry) or
 * place (id-CommunityID). 9000 = fulfilled, 6300 = not fulfilled.
 *
 * @spec tr03110-3 App. B (Verify, auxiliary data verification), tr03110-3 §A.6.5, iso7816-4 §7.5.6 (VERIFY)
 */
import type { CommandApdu, ResponseApdu } from '../apdu.js';
import { encodeTlv } from '../tlv.js';
import { SW } from '../status-words.js';
import { oidValue } from './oid-value.js';
import { expectStatus } from './response.js';

/** 80 20 80 00 {06 OID}; CLA 80 because TR-03110 defines the OID form as proprietary. */
export function verifyAuxiliaryData(oid: string): CommandApdu {
  return { cla: 0x80, ins: 0x20, p1: 0x80, p2: 0x00, data: encodeTlv(0x06, oidValue(oid)), le: null };
}

/** true for 9000, false for 6300 (verification failed, no retry counter); other SWs throw CardError. */
export function parseVerifyAuxiliaryDataResponse(response: ResponseApdu): boolean {
  expectStatus(response, 'VERIFY (auxiliary data)', [SW.SUCCESS, SW.VERIFICATION_FAILED]);
  return response.sw === SW.SUCCESS;
}
