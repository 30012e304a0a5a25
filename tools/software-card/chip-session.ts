/**
 * Volatile state of the chip between power-up and power-down (or the end of an SM channel):
 * selected file, the PACE channel, TA/CA/RI progress. Never persisted; `newSession()` after reset.
 * Persistent state (PIN retry counter, PUK uses, current date, trust points) lives in card.json.
 *
 * @spec tr03110-2 §3.2–§3.7 (order PACE → TA → CA → RI/aux; an SM error ends the session)
 */
import type { KeyObject } from 'node:crypto';
import type { CurveName, HashName } from '../../src/eid/eac/domain-parameters.js';
import type { SecureMessaging } from '../../src/eid/eac/secure-messaging.js';
import type { Chat } from '../../src/eid/eac/cvc/chat.js';
import type { DfName, ElementaryFile } from './file-system.js';
import type { PasswordName } from './pace-passwords.js';
import type { PaceRun } from './pace-chip.js';

/** The result of a successful PACE: the SM channel is open under these conditions. */
export interface PaceChannel {
  readonly password: PasswordName;
  /** CHAT the terminal sent in MSE:Set AT (the user's selection), null if none. */
  readonly chat: Chat | null;
  /** ID_PICC = Comp(chip's ephemeral PACE public key), TR-03110-3 §B.2 / reference §4.4. */
  readonly idPicc: Buffer;
}

/** A public key the chip may verify certificates with (TR-03110-3 §2.5: trust point or verified CVC). */
export interface VerificationKey {
  readonly chr: string;
  readonly curve: CurveName;
  readonly hash: HashName;
  readonly keyOid: string;
  readonly publicKey: KeyObject;
  readonly point: Buffer;
  readonly chat: Chat;
  readonly expirationDate: string;
  /** The certificate this key came from (null for a stored trust point). */
  readonly role: 'trust-point' | Chat['role'];
  /** Values of the certificate's id-sector extension (hashes of the sector public keys). */
  readonly sectorHashes: readonly Buffer[];
}

export interface TaState {
  /** Keys verified in this session, by CHR (DV, terminal, and CVCA link keys). */
  readonly keys: Map<string, VerificationKey>;
  /** Key selected with MSE:Set DST (DO83). */
  selected: VerificationKey | null;
  /** Effective rights so far: CVCA ∧ DV ∧ terminal (TR-03110-3 §C.4). */
  chainChat: Chat | null;
  /** The terminal certificate verified last (the one TA may be run with). */
  terminal: VerificationKey | null;
  /** Set by MSE:Set AT for TA. */
  setup: { terminal: VerificationKey; pkPcdComp: Buffer; auxiliaryData: Buffer | null } | null;
  challenge: Buffer | null;
}

/** After EXTERNAL AUTHENTICATE succeeded. */
export interface AuthenticatedTerminal {
  readonly chr: string;
  /** The terminal certificate's key (its hash and id-sector extension matter for RI). */
  readonly key: VerificationKey;
  /** Effective CHAT: terminal ∧ DV ∧ CVCA ∧ the CHAT sent in PACE. */
  readonly chat: Chat;
  readonly pkPcdComp: Buffer;
  /** Complete 67 TLV as sent in MSE:Set AT, or null. */
  readonly auxiliaryData: Buffer | null;
  /** Authenticated auxiliary data by OID (value of DO53). */
  readonly auxiliary: ReadonlyMap<string, Buffer>;
}

export interface ChipSession {
  df: DfName;
  ef: ElementaryFile | null;
  sm: SecureMessaging | null;
  /** PACE selected with MSE:Set AT and possibly under way. */
  pace: PaceRun | null;
  channel: PaceChannel | null;
  ta: TaState;
  terminal: AuthenticatedTerminal | null;
  /** CA done: the SM channel now runs on the CA keys. */
  chipAuthenticated: boolean;
  /** Protocol state set by MSE:Set AT for CA or RI (internal authentication). */
  internalAuth: { kind: 'ca' | 'ri'; oid: string; keyId: number } | null;
}

export function newTaState(): TaState {
  return { keys: new Map(), selected: null, chainChat: null, terminal: null, setup: null, challenge: null };
}

export function newSession(): ChipSession {
  return { df: 'mf', ef: null, sm: null, pace: null, channel: null, ta: newTaState(), terminal: null, chipAuthenticated: false, internalAuth: null };
}

/**
 * Ends the security status of the previous authentication: TA (verified keys, challenge, setup),
 * the authenticated terminal and its effective CHAT, CA, the CA/RI selection, the current EF (whose
 * access was granted under that status). The SM channel and the PACE run are left to the caller.
 */
export function clearSecurityStatus(session: ChipSession): void {
  session.ta = newTaState();
  session.terminal = null;
  session.chipAuthenticated = false;
  session.internalAuth = null;
  session.ef = null;
}

/**
 * Ends the SM channel and everything authenticated through it (TR-03110-3 §F: an SM error or an
 * unprotected command aborts secure messaging). The selected DF stays.
 */
export function dropChannel(session: ChipSession): void {
  session.sm = null;
  session.pace = null;
  session.channel = null;
  clearSecurityStatus(session);
}
