/**
 * Secure messaging for a Transmit batch: the server wraps n commands at once, the client relays
 * them in order, and the answers come back together. Command i runs with SSC = s0 + 2i + 1 and its
 * response with s0 + 2i + 2 (TR-03110-3 App. F: SSC incremented before each command and each
 * response), so each position gets its own SM instance from the stored state.
 *
 * @spec tr03110-3 App. F (SSC), iso7816-4 §6 (secure messaging)
 */
import { SecureMessaging } from '../secure-messaging.js';
import type { SmState } from '../secure-messaging.js';
import type { CommandApdu, ResponseApdu } from '../../card/apdu.js';

function at(base: SmState, ssc: bigint, phase: SmState['phase']): SecureMessaging {
  return SecureMessaging.importState({ ...base, ssc: ssc.toString(16).padStart(32, '0'), phase });
}

function sscOf(state: SmState): bigint {
  return BigInt(`0x${state.ssc}`);
}

/** Wraps the commands of one batch; returns them with the state after the whole batch. */
export function wrapBatch(base: SmState, commands: readonly CommandApdu[]): { wrapped: CommandApdu[]; after: SmState } {
  const s0 = sscOf(base);
  const wrapped = commands.map((c, i) => at(base, s0 + 2n * BigInt(i), 'command').wrapCommand(c));
  return { wrapped, after: { ...base, ssc: (s0 + 2n * BigInt(commands.length)).toString(16).padStart(32, '0'), phase: 'command' } };
}

/** Unwraps (MAC-verifies) response i of a batch wrapped from `base` (the state before the batch). */
export function unwrapBatchResponse(base: SmState, index: number, response: ResponseApdu): ResponseApdu {
  const s0 = sscOf(base);
  return at(base, s0 + 2n * BigInt(index) + 1n, 'response').unwrapResponse(response);
}
