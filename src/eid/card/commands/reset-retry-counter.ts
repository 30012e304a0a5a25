/**
 * RESET RETRY COUNTER (INS 2C): after PACE with the PUK, resume (unblock) the PIN; after PACE with
 * the PIN (PIN-management right), set a new PIN.
 *
 * @spec tr03110-3 App. B (Reset Retry Counter), iso7816-4 §7.5.10 (RESET RETRY COUNTER)
 */
import type { CommandApdu } from '../apdu.js';
import { CommandError } from './command-error.js';
import { PACE_PASSWORD } from './mse-set-at.js';
import type { PacePassword } from './mse-set-at.js';

// ISO 7816-4 §7.5.10: P1 02 = new reference data in the command, P1 03 = reset the counter only.
const P1_NEW_REFERENCE_DATA = 0x02;
const P1_RESET_ONLY = 0x03;

/** 00 2C 03 <ref>: resets the retry counter of the password (default the PIN). */
export function resetRetryCounter(password: PacePassword = 'PIN'): CommandApdu {
  return { cla: 0x00, ins: 0x2c, p1: P1_RESET_ONLY, p2: PACE_PASSWORD[password], data: Buffer.alloc(0), le: null };
}

/** 00 2C 02 03 <new PIN>: sets a new PIN (ASCII digits; the eID PIN is 6 digits, the transport PIN 5). */
export function changePin(newPin: string): CommandApdu {
  if (!/^[0-9]{4,12}$/.test(newPin)) throw new CommandError('CMD_ARGUMENT_INVALID', 'PIN must be 4..12 decimal digits');
  return { cla: 0x00, ins: 0x2c, p1: P1_NEW_REFERENCE_DATA, p2: PACE_PASSWORD.PIN, data: Buffer.from(newPin, 'ascii'), le: null };
}
