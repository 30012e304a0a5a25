/**
 * RESET RETRY COUNTER for the PIN: unblock (P1 03) or set a new PIN (P1 02).
 *
 * @spec tr03110-2 §3.5.1.3 (unblocking with the PUK), §3.5.2 (PIN management by an authenticated terminal)
 * @spec tr03110-3 §B.11.8 (RESET RETRY COUNTER: P1 02 new PIN in the data field, P1 03 reset only; P2 03 = PIN)
 *
 * | P1 | allowed after |
 * |---|---|
 * | 03 reset counter | PACE with PUK, or TA with the PIN-management right |
 * | 02 new PIN | PACE with PIN or PUK, or TA with the PIN-management right |
 */
import { SW } from '../../src/eid/card/status-words.js';
import type { CommandApdu } from '../../src/eid/card/apdu.js';
import { AT_RIGHTS, chatAllows } from '../../src/eid/eac/cvc/chat.js';
import type { CardJson } from './card-json.js';
import { ChipStatus, ensure } from './chip-status.js';
import type { ChipSession } from './chip-session.js';
import { PIN_RETRY_INITIAL } from './pace-passwords.js';

const P1 = { NEW_PIN: 0x02, RESET_ONLY: 0x03 } as const;
const PASSWORD_REF_PIN = 0x03;

export function resetRetryCounter(card: CardJson, session: ChipSession, c: CommandApdu): void {
  const channel = session.channel;
  ensure(session.sm !== null && channel !== null, SW.SECURITY_STATUS_NOT_SATISFIED, 'needs a PACE channel');
  ensure(c.p2 === PASSWORD_REF_PIN, SW.REFERENCE_DATA_NOT_FOUND, 'only the PIN (P2 03) can be reset');
  const pinManagement = session.terminal !== null && chatAllows(session.terminal.chat, AT_RIGHTS.PIN_MANAGEMENT);
  switch (c.p1) {
    case P1.RESET_ONLY: {
      ensure(c.data.length === 0, SW.WRONG_LENGTH, 'P1 03 has no data');
      ensure(channel.password === 'puk' || pinManagement, SW.SECURITY_STATUS_NOT_SATISFIED, 'PUK or PIN-management right needed');
      if (channel.password === 'puk') {
        // The PUK's use counter limits unblocks (TR-03110-2 §3.5.1.3).
        if (card.pukUsesLeft === 0) throw new ChipStatus(SW.AUTHENTICATION_METHOD_BLOCKED, 'PUK used up');
        card.pukUsesLeft -= 1;
      }
      card.pinRetryCounter = PIN_RETRY_INITIAL;
      return;
    }
    case P1.NEW_PIN: {
      ensure(channel.password === 'pin' || channel.password === 'puk' || pinManagement, SW.SECURITY_STATUS_NOT_SATISFIED, 'PIN, PUK or PIN-management right needed');
      const pin = c.data.toString('latin1');
      ensure(/^\d{6}$/.test(pin), SW.WRONG_DATA, 'the eID PIN is six digits');
      card.passwords.pin = pin;
      card.pinRetryCounter = PIN_RETRY_INITIAL;
      return;
    }
    default:
      throw new ChipStatus(SW.INCORRECT_P1P2, 'P1 must be 02 or 03');
  }
}
