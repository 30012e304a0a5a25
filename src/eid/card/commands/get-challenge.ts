/**
 * GET CHALLENGE (INS 84): the chip's 8-byte TA challenge r_PICC.
 *
 * @spec tr03110-3 App. B (Get Challenge), iso7816-4 §7.5.3 (GET CHALLENGE)
 */
import type { CommandApdu, ResponseApdu } from '../apdu.js';
import { CommandError } from './command-error.js';
import { expectStatus } from './response.js';

/** TR-03110-2 §3.4: r_PICC is 8 bytes for TA version 2. */
export const TA_CHALLENGE_LENGTH = 8;

export function getChallenge(): CommandApdu {
  return { cla: 0x00, ins: 0x84, p1: 0x00, p2: 0x00, data: Buffer.alloc(0), le: TA_CHALLENGE_LENGTH };
}

export function parseGetChallengeResponse(response: ResponseApdu): Buffer {
  const data = expectStatus(response, 'GET CHALLENGE');
  if (data.length !== TA_CHALLENGE_LENGTH) throw new CommandError('CMD_RESPONSE_INVALID', `challenge must be 8 bytes, got ${data.length}`);
  return data;
}
