/**
 * MSE:Set DST (INS 22, P1P2 81 B6): selects the public key (by CAR) that PSO:Verify Certificate
 * uses to check the next certificate of the chain.
 *
 * @spec tr03110-3 App. B (MSE:Set DST), iso7816-4 §7.5.11 (MANAGE SECURITY ENVIRONMENT)
 */
import type { CommandApdu } from '../apdu.js';
import { encodeTlv } from '../tlv.js';
import { CommandError } from './command-error.js';

/** 00 22 81 B6 {83 CAR}; the CAR is the ISO 8859-1 name of the issuer key (e.g. "DETESTeID00005"). */
export function mseSetDst(car: string): CommandApdu {
  // TR-03110-3 §D.2.1.1: a certification authority reference is country code, mnemonic and sequence number, at most 16 characters.
  if (car.length === 0 || car.length > 16 || !/^[\x20-\x7e]+$/.test(car)) throw new CommandError('CMD_ARGUMENT_INVALID', `invalid CAR "${car}"`);
  return { cla: 0x00, ins: 0x22, p1: 0x81, p2: 0xb6, data: encodeTlv(0x83, Buffer.from(car, 'latin1')), le: null };
}
