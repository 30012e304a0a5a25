/**
 * PACE passwords and the PIN life cycle: retry counter, suspension, blocking, unblocking with the
 * PUK. The card answers with the PIN state on MSE:Set AT and on a failed PACE.
 *
 * @spec tr03110-2 §3.5.1 (PIN retry counter: 3 → 2 → suspended (1) → blocked (0); resume with CAN)
 * @spec tr03110-3 §B.11.1 (MSE:Set AT for PACE: DO83 password reference, 63Cx answers)
 *
 * | RC | MSE:Set AT (PIN) | PACE with PIN |
 * |---|---|---|
 * | 3 | 9000 | allowed |
 * | 2 | 63C2 | allowed |
 * | 1 | 63C1 (suspended) | only inside an SM channel opened by PACE with CAN (resume) |
 * | 0 | 63C0 (blocked) | refused 6983; unblock: PACE with PUK, then RESET RETRY COUNTER |
 */
import { SW } from '../../src/eid/card/status-words.js';
import type { CardJson } from './card-json.js';
import { ChipStatus, retryWarning } from './chip-status.js';
import type { ChipSession } from './chip-session.js';

/** TR-03110-3 §B.11.1 DO83 values. */
export const PASSWORD_REFERENCE = { 0x01: 'mrz', 0x02: 'can', 0x03: 'pin', 0x04: 'puk' } as const;
export type PasswordName = (typeof PASSWORD_REFERENCE)[keyof typeof PASSWORD_REFERENCE];

export const PIN_RETRY_INITIAL = 3;

export function passwordByReference(ref: number): PasswordName | undefined {
  return (PASSWORD_REFERENCE as Record<number, PasswordName>)[ref];
}

/** The password bytes π (ISO 8859-1 digits); null when the card has no such password. */
export function passwordValue(card: CardJson, name: PasswordName): Buffer | null {
  // The eID application has no MRZ-based PACE (TR-03110-2 §3.2: MRZ is for the ePassport application).
  if (name === 'mrz') return null;
  return Buffer.from(card.passwords[name], 'latin1');
}

/** TR-03110-2 §3.5.1.2: a suspended PIN may be used only after PACE with CAN in this SM channel. */
function pinResumed(session: ChipSession): boolean {
  return session.sm !== null && session.channel?.password === 'can';
}

/** Status word for MSE:Set AT with this password: 9000, or the PIN state as 63Cx. */
export function mseStatus(card: CardJson, name: PasswordName): number {
  if (name === 'pin' && card.pinRetryCounter < PIN_RETRY_INITIAL) return retryWarning(card.pinRetryCounter);
  return SW.SUCCESS;
}

/** Throws the refusal when PACE with `name` may not start now (checked at GENERAL AUTHENTICATE step 1). */
export function assertPaceAllowed(card: CardJson, session: ChipSession, name: PasswordName): void {
  if (name === 'pin') {
    if (card.pinRetryCounter === 0) throw new ChipStatus(SW.AUTHENTICATION_METHOD_BLOCKED, 'PIN blocked');
    if (card.pinRetryCounter === 1 && !pinResumed(session)) {
      throw new ChipStatus(SW.CONDITIONS_NOT_SATISFIED, 'PIN suspended: PACE with CAN first');
    }
  }
  if (name === 'puk' && card.pukUsesLeft === 0) throw new ChipStatus(SW.AUTHENTICATION_METHOD_BLOCKED, 'PUK used up');
}

/**
 * Called when the terminal's authentication token arrives, before it is checked. TR-03110-2 §3.5.1:
 * the counter is decremented first and restored on success, so tearing the card after the check
 * cannot save a try.
 */
export function chargeAttempt(card: CardJson, name: PasswordName): void {
  if (name === 'pin') card.pinRetryCounter = Math.max(0, card.pinRetryCounter - 1);
}

/** The terminal proved knowledge of the password. */
export function paceSucceeded(card: CardJson, name: PasswordName): void {
  if (name === 'pin') card.pinRetryCounter = PIN_RETRY_INITIAL;
}

/** Status word of a failed PACE (wrong token): 63Cx for the PIN, 6300 for CAN and PUK. */
export function paceFailedStatus(card: CardJson, name: PasswordName): number {
  return name === 'pin' ? retryWarning(card.pinRetryCounter) : SW.VERIFICATION_FAILED;
}
