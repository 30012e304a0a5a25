/**
 * PSO:Verify Certificate (INS 2A, P1P2 00 BE): sends a CV certificate's body (7F4E) and signature
 * (5F37), i.e. the content of the 7F21 TLV, for verification with the key selected by MSE:Set DST.
 *
 * @spec tr03110-3 App. B (PSO:Verify Certificate), iso7816-8 §5.3 (PERFORM SECURITY OPERATION: VERIFY CERTIFICATE)
 */
import type { CommandApdu } from '../apdu.js';
import { decodeTlv } from '../tlv.js';
import { CommandError } from './command-error.js';

/** 00 2A 00 BE {7F4E … 5F37 …}; `certificate` is the complete 7F21 TLV. Extended length when > 255 bytes. */
export function psoVerifyCertificate(certificate: Uint8Array): CommandApdu {
  const cvc = decodeTlv(certificate);
  if (cvc.tag !== 0x7f21) throw new CommandError('CMD_ARGUMENT_INVALID', 'not a CV certificate (7F21)');
  // TR-03110-3 App. B: the command data are the body followed by the signature, nothing else.
  const [body, signature, ...rest] = cvc.children;
  if (body?.tag !== 0x7f4e || signature?.tag !== 0x5f37 || rest.length > 0) {
    throw new CommandError('CMD_ARGUMENT_INVALID', 'CV certificate must hold exactly 7F4E and 5F37');
  }
  return { cla: 0x00, ins: 0x2a, p1: 0x00, p2: 0xbe, data: Buffer.from(cvc.value), le: null };
}
