/**
 * Chip side of PACE v2 (Generic Mapping, ECDH, AES): MSE:Set AT selects protocol, password and
 * the CHAT; four chained GENERAL AUTHENTICATE commands run the protocol; the last one answers with
 * the chip's token and, when a CHAT was given, the CARs of the trust points.
 *
 * @spec tr03110-2 §3.2 (PACE), tr03110-3 §B.11.1 (MSE:Set AT for PACE: 80, 83, [84], [7F4C]), §B.11.2 (GENERAL AUTHENTICATE, chaining)
 * @spec tr03110-3 §A.3 (Generic Mapping) — the arithmetic is src/eid/eac/pace.ts; this file is the card's command logic
 *
 * | step | CLA | command 7C | answer 7C |
 * |---|---|---|---|
 * | 1 | 10 | empty | 80 encrypted nonce |
 * | 2 | 10 | 81 mapping data | 82 mapping data |
 * | 3 | 10 | 83 ephemeral PK | 84 ephemeral PK |
 * | 4 | 00 | 85 token | 86 token, [87 CAR current, 88 CAR previous] |
 */
import { CLA_CHAINING } from '../../src/eid/card/apdu.js';
import type { CommandApdu } from '../../src/eid/card/apdu.js';
import { SW } from '../../src/eid/card/status-words.js';
import { decodeTlvs, encodeTlv } from '../../src/eid/card/tlv.js';
import { decodeChat } from '../../src/eid/eac/cvc/chat.js';
import type { Chat } from '../../src/eid/eac/cvc/chat.js';
import { decodeOidValue } from '../../src/eid/eac/cvc/oids.js';
import { decodeDynamicAuthenticationData, PACE_TAG } from '../../src/eid/eac/dynamic-authentication-data.js';
import { chipCreateNonce, chipKeyAgreement, chipMapNonce, chipMutualAuthentication } from '../../src/eid/eac/pace.js';
import type { PaceState } from '../../src/eid/eac/pace.js';
import { SecureMessaging } from '../../src/eid/eac/secure-messaging.js';
import { IdpError } from '../../src/errors/idp-error.js';
import type { CardJson } from './card-json.js';
import { ChipStatus, ensure } from './chip-status.js';
import { clearSecurityStatus } from './chip-session.js';
import type { ChipSession, PaceChannel } from './chip-session.js';
import {
  assertPaceAllowed, chargeAttempt, mseStatus, paceFailedStatus, paceSucceeded, passwordByReference, passwordValue,
} from './pace-passwords.js';
import type { PasswordName } from './pace-passwords.js';

const TAG = { OID: 0x80, PASSWORD: 0x83, PARAMETER_ID: 0x84, CHAT: 0x7f4c } as const;

/** PACE selected by MSE:Set AT and, once GENERAL AUTHENTICATE started, its protocol state. */
export interface PaceRun {
  readonly oid: string;
  readonly curve: CardJson['pace'][number]['curve'];
  readonly password: PasswordName;
  readonly chat: Chat | null;
  /** Number of GENERAL AUTHENTICATE steps done (0..3). */
  step: number;
  state: PaceState | null;
}

/** MSE:Set AT 00 22 C1 A4: returns the SW (9000, or 63Cx with the PIN state). */
export function mseSetAtPace(card: CardJson, session: ChipSession, data: Buffer): number {
  session.pace = null;
  // A new PACE starts a new authentication: TA, CA and the rights granted through them end here, so
  // nothing of the previous login carries into the next one. Only the SM channel (and the password it
  // was opened with) stays until PACE replaces it: a suspended PIN is resumed inside the CAN channel
  // (TR-03110-2 §3.5.1.2). The PIN retry counter is persistent (card.json) and is not touched.
  clearSecurityStatus(session);
  const objects = new Map<number, Buffer>();
  for (const o of decodeTlvs(data)) {
    ensure(Object.values(TAG).includes(o.tag as never), SW.WRONG_DATA, `unexpected data object ${o.tag.toString(16)}`);
    ensure(!objects.has(o.tag), SW.WRONG_DATA, `data object ${o.tag.toString(16)} repeated`);
    objects.set(o.tag, o.tag === TAG.CHAT ? o.raw : o.value);
  }
  const oidValue = objects.get(TAG.OID);
  const ref = objects.get(TAG.PASSWORD);
  ensure(oidValue !== undefined && ref?.length === 1, SW.WRONG_DATA, 'MSE:Set AT for PACE needs 80 and a one-byte 83');
  const oid = decodeOidValue(oidValue);
  const paramId = objects.get(TAG.PARAMETER_ID);
  const parameterId = paramId === undefined ? undefined : paramId.readUIntBE(0, Math.min(paramId.length, 4));
  const matching = card.pace.filter((p) => p.oid === oid && (parameterId === undefined || p.parameterId === parameterId));
  // TR-03110-3 §B.11.1: DO84 may be omitted only when the protocol has a single parameter set.
  const config = parameterId === undefined && matching.length > 1 ? undefined : matching[0];
  if (config === undefined) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `PACE ${oid} / ${String(parameterId)} not supported`);
  const password = passwordByReference(ref[0] as number);
  ensure(password !== undefined, SW.WRONG_DATA, 'password reference must be 01..04');
  if (passwordValue(card, password) === null) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `no ${password} on this card`);
  const chatBytes = objects.get(TAG.CHAT);
  const chat = chatBytes === undefined ? null : decodeChat(chatBytes);
  ensure(chat === null || chat.role === 'terminal', SW.WRONG_DATA, 'the CHAT of PACE must have the terminal role');
  session.pace = { oid, curve: config.curve, password, chat, step: 0, state: null };
  return mseStatus(card, password);
}

export interface PaceStepOutcome {
  response: Buffer;
  sw: number;
  /** After step 4: the channel to open once the answer has left (under the previous SM, if any). */
  open?: { sm: SecureMessaging; channel: PaceChannel };
  /** After a failed step 4: the previous channel ends too. */
  abort?: boolean;
}

function single(data: Buffer, tag: number): Buffer {
  const value = decodeDynamicAuthenticationData(data, [tag]).get(tag);
  ensure(value !== undefined, SW.WRONG_DATA, `7C needs ${tag.toString(16)}`);
  return value;
}

function dynamicAuthenticationData(objects: readonly [number, Buffer][]): Buffer {
  return encodeTlv(0x7c, objects.map(([tag, value]) => encodeTlv(tag, value)));
}

/** GENERAL AUTHENTICATE 10/00 86 00 00 {7C …} while PACE is selected. */
export function generalAuthenticatePace(card: CardJson, session: ChipSession, c: CommandApdu): PaceStepOutcome {
  const run = session.pace;
  ensure(run !== null, SW.CONDITIONS_NOT_SATISFIED, 'MSE:Set AT for PACE first');
  const chained = (c.cla & CLA_CHAINING) !== 0;
  // TR-03110-3 §B.11.2: steps 1-3 are chained (CLA 10), step 4 ends the chain (CLA 00).
  if (run.step < 3 && !chained) throw new ChipStatus(SW.CONDITIONS_NOT_SATISFIED, 'PACE chain ended before step 4');
  if (run.step === 3 && chained) throw new ChipStatus(SW.LAST_COMMAND_OF_CHAIN_EXPECTED, 'step 4 must end the chain');
  try {
    return paceStep(card, session, run, c.data);
  } catch (err) {
    // Any error aborts this PACE run; a new MSE:Set AT is needed.
    session.pace = null;
    if (err instanceof ChipStatus) throw err;
    if (err instanceof IdpError) throw new ChipStatus(SW.WRONG_DATA, `PACE step ${run.step + 1}: ${err.message}`);
    throw err;
  }
}

function paceStep(card: CardJson, session: ChipSession, run: PaceRun, data: Buffer): PaceStepOutcome {
  switch (run.step) {
    case 0: {
      decodeDynamicAuthenticationData(data, []);
      assertPaceAllowed(card, session, run.password);
      const value = (passwordValue(card, run.password) as Buffer).toString('latin1');
      const { state, encryptedNonce } = chipCreateNonce({ oid: run.oid, curve: run.curve, password: { type: run.password, value } });
      run.state = state;
      run.step = 1;
      return { response: dynamicAuthenticationData([[PACE_TAG.ENCRYPTED_NONCE, encryptedNonce]]), sw: SW.SUCCESS };
    }
    case 1: {
      const { state, chipMappingData } = chipMapNonce(run.state as PaceState, single(data, PACE_TAG.MAPPING_DATA_TERMINAL));
      run.state = state;
      run.step = 2;
      return { response: dynamicAuthenticationData([[PACE_TAG.MAPPING_DATA_CHIP, chipMappingData]]), sw: SW.SUCCESS };
    }
    case 2: {
      const terminalKey = single(data, PACE_TAG.EPHEMERAL_PK_TERMINAL);
      const { state, chipEphemeralPublicKey } = chipKeyAgreement(run.state as PaceState, terminalKey);
      // TR-03110-3 §A.3.4 / ICAO 9303-11 §4.4.3.3: the chip checks that the terminal's ephemeral key differs from its own.
      ensure(!chipEphemeralPublicKey.equals(terminalKey), SW.WRONG_DATA, 'terminal echoed the chip ephemeral key');
      run.state = state;
      run.step = 3;
      return { response: dynamicAuthenticationData([[PACE_TAG.EPHEMERAL_PK_CHIP, chipEphemeralPublicKey]]), sw: SW.SUCCESS };
    }
    default:
      return mutualAuthentication(card, session, run, single(data, PACE_TAG.TOKEN_TERMINAL));
  }
}

function mutualAuthentication(card: CardJson, session: ChipSession, run: PaceRun, token: Buffer): PaceStepOutcome {
  chargeAttempt(card, run.password);
  session.pace = null;
  let result;
  try {
    result = chipMutualAuthentication(run.state as PaceState, token);
  } catch (err) {
    if (err instanceof IdpError && err.code === 'PACE_TOKEN_INVALID') {
      return { response: Buffer.alloc(0), sw: paceFailedStatus(card, run.password), abort: true };
    }
    throw err;
  }
  paceSucceeded(card, run.password);
  const objects: [number, Buffer][] = [[PACE_TAG.TOKEN_CHIP, result.chipToken]];
  // TR-03110-3 §B.11.2: with a CHAT the chip names its trust points for the chain the terminal must send.
  if (run.chat !== null) {
    const [current, previous] = card.trustPoints;
    if (current !== undefined) objects.push([PACE_TAG.CAR_CURRENT, Buffer.from(current.chr, 'latin1')]);
    if (previous !== undefined) objects.push([PACE_TAG.CAR_PREVIOUS, Buffer.from(previous.chr, 'latin1')]);
  }
  return {
    response: dynamicAuthenticationData(objects),
    sw: SW.SUCCESS,
    open: { sm: new SecureMessaging(result.keys, 'chip', 0n), channel: { password: run.password, chat: run.chat, idPicc: result.idPicc } },
  };
}
