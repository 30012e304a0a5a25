/**
 * EXTERNAL AUTHENTICATE (INS 82) for TA v2: the terminal's signature over
 * ID_PICC || r_PICC || Comp(ePK_PCD) || aux data. For ECDSA it is the plain r||s form (TR-03111).
 *
 * @spec tr03110-3 App. B (External Authenticate), iso7816-4 §7.5.4 (EXTERNAL AUTHENTICATE)
 */
import type { CommandApdu } from '../apdu.js';
import { CommandError } from './command-error.js';

export function externalAuthenticate(signature: Uint8Array): CommandApdu {
  // P1P2 00 00: algorithm and key are those set by MSE:Set AT (ISO 7816-4 §7.5.4).
  if (signature.length === 0) throw new CommandError('CMD_ARGUMENT_INVALID', 'empty signature');
  return { cla: 0x00, ins: 0x82, p1: 0x00, p2: 0x00, data: Buffer.from(signature), le: null };
}
