/**
 * The software eID card: command APDU bytes in, response APDU bytes out. Every command ends with a
 * status word; nothing thrown inside a handler leaves `transmit()`.
 *
 * @spec iso7816-4 §5.1 (APDU), §5.1.1 (CLA: chaining b5, SM b4-b3, channel b2-b1), §5.6 (status bytes)
 * @spec tr03110-3 §B.11 (the chip's commands), §F (secure messaging: an SM error or a plain command ends the channel)
 *
 * | INS | command | handler |
 * |---|---|---|
 * | A4 | SELECT | file-commands.ts |
 * | B0 / B1 | READ BINARY | file-commands.ts |
 * | 22 | MSE: Set AT (C1 A4 PACE, 81 A4 TA, 41 A4 CA/RI), Set DST (81 B6) | pace-chip.ts, terminal-authentication.ts, chip-authentication.ts, certificate-verification.ts |
 * | 86 | GENERAL AUTHENTICATE (PACE, CA, RI) | pace-chip.ts, chip-authentication.ts, restricted-identification.ts |
 * | 2A | PSO: Verify Certificate (00 BE) | certificate-verification.ts |
 * | 84 | GET CHALLENGE | terminal-authentication.ts |
 * | 82 | EXTERNAL AUTHENTICATE | terminal-authentication.ts |
 * | 20 | VERIFY (80 00: auxiliary data) | auxiliary-data-verification.ts |
 * | 2C | RESET RETRY COUNTER | reset-retry-counter.ts |
 */
import { randomBytes } from 'node:crypto';
import { CLA_CHAINING, decodeCommandApdu, encodeResponseApdu } from '../../src/eid/card/apdu.js';
import type { CommandApdu, ResponseApdu } from '../../src/eid/card/apdu.js';
import { SW } from '../../src/eid/card/status-words.js';
import { CLA_SM, statusWordForSmError } from '../../src/eid/eac/secure-messaging.js';
import type { SecureMessaging } from '../../src/eid/eac/secure-messaging.js';
import { IdpError } from '../../src/errors/idp-error.js';
import { verifyAuxiliaryData } from './auxiliary-data-verification.js';
import { parseCardJson } from './card-json.js';
import type { CardJson } from './card-json.js';
import { mseSetDst, psoVerifyCertificate } from './certificate-verification.js';
import { generalAuthenticateCa, mseSetAtInternal } from './chip-authentication.js';
import { dropChannel, newSession } from './chip-session.js';
import type { ChipSession } from './chip-session.js';
import { ChipStatus, ensure } from './chip-status.js';
import { readBinary, readBinaryOddIns, select } from './file-commands.js';
import { FileSystem } from './file-system.js';
import { generalAuthenticatePace, mseSetAtPace } from './pace-chip.js';
import { resetRetryCounter } from './reset-retry-counter.js';
import { generalAuthenticateRi } from './restricted-identification.js';
import { externalAuthenticate, getChallenge, mseSetAtTa } from './terminal-authentication.js';

export interface SoftwareCardOptions {
  /** Source of the chip's random challenges and nonces (tests may make it deterministic). */
  random?: (length: number) => Buffer;
}

interface Outcome {
  data: Buffer;
  sw: number;
  /** Runs after the answer was protected with the keys the command arrived under (PACE/CA key change). */
  after?: () => void;
}

const INS = {
  SELECT: 0xa4, READ_BINARY: 0xb0, READ_BINARY_ODD: 0xb1, MSE: 0x22, GENERAL_AUTHENTICATE: 0x86, PSO: 0x2a,
  GET_CHALLENGE: 0x84, EXTERNAL_AUTHENTICATE: 0x82, VERIFY: 0x20, RESET_RETRY_COUNTER: 0x2c,
} as const;

/** ISO 7816-4 §7.5.11 Table 78: P1-P2 of MANAGE SECURITY ENVIRONMENT. */
const MSE = { SET_AT_PACE: 0xc1a4, SET_AT_TA: 0x81a4, SET_AT_CA_RI: 0x41a4, SET_DST: 0x81b6 } as const;

const ok = (data: Buffer = Buffer.alloc(0)): Outcome => ({ data, sw: SW.SUCCESS });

export class SoftwareCard {
  readonly #card: CardJson;
  readonly #fs: FileSystem;
  readonly #random: (length: number) => Buffer;
  #session: ChipSession = newSession();

  private constructor(card: CardJson, options: SoftwareCardOptions) {
    this.#card = card;
    this.#fs = new FileSystem(card.files);
    this.#random = options.random ?? ((n) => randomBytes(n));
  }

  /** Loads card.json (SOFTCARD_JSON_INVALID when it does not match the format). */
  static fromJSON(json: unknown, options: SoftwareCardOptions = {}): SoftwareCard {
    return new SoftwareCard(structuredClone(parseCardJson(json)), options);
  }

  /** The persistent state now (PIN counter, trust points and current date may have changed). */
  toJSON(): CardJson {
    return structuredClone(this.#card);
  }

  /**
   * Power cycle (cold or warm reset, a new card connection): all volatile state is lost — SM keys
   * and SSC, the PACE run and its ephemeral keys, TA/CA/RI progress and the rights they granted, the
   * current EF — and the MF is the current DF again (ISO 7816-4 §7.1.1: after the answer to reset the
   * MF is selected). The persistent state (PIN retry counter, PUK uses, current date, trust points) stays.
   */
  reset(): void {
    this.#session = newSession();
  }

  transmit(apdu: Uint8Array): Buffer {
    let command: CommandApdu;
    try {
      command = decodeCommandApdu(apdu);
    } catch {
      return encodeResponseApdu({ data: Buffer.alloc(0), sw: malformedStatus(apdu) });
    }
    return encodeResponseApdu(this.#process(command));
  }

  #process(command: CommandApdu): ResponseApdu {
    const session = this.#session;
    const classStatus = checkClass(command);
    if (classStatus !== null) return { data: Buffer.alloc(0), sw: classStatus };
    let sm: SecureMessaging | null = null;
    let plain = command;
    if ((command.cla & CLA_SM) === CLA_SM) {
      if (session.sm === null) return { data: Buffer.alloc(0), sw: SW.SECURE_MESSAGING_NOT_SUPPORTED };
      sm = session.sm;
      try {
        plain = sm.unwrapCommand(command);
      } catch (err) {
        // TR-03110-3 §F: on an SM error the chip aborts secure messaging and answers in plain.
        dropChannel(session);
        return { data: Buffer.alloc(0), sw: statusWordForSmError(err) };
      }
    } else if (session.sm !== null) {
      // TR-03110-3 §F: an unprotected command ends the SM channel and everything authenticated through it.
      dropChannel(session);
    }
    const outcome = this.#run(plain);
    const response = lengthChecked(plain, outcome);
    const sent = sm === null ? response : sm.wrapResponse(response);
    // A key change only happens when the command really succeeded as answered.
    if (response.sw === outcome.sw) outcome.after?.();
    return sent;
  }

  #run(c: CommandApdu): Outcome {
    try {
      return this.#dispatch(c);
    } catch (err) {
      if (err instanceof ChipStatus) return { data: err.data, sw: err.sw };
      // Malformed data objects (TLV, CHAT, certificate, auxiliary data, points) all end here.
      if (err instanceof IdpError) return { data: Buffer.alloc(0), sw: SW.WRONG_DATA };
      return { data: Buffer.alloc(0), sw: SW.NO_PRECISE_DIAGNOSIS };
    }
  }

  #dispatch(c: CommandApdu): Outcome {
    const card = this.#card;
    const session = this.#session;
    const p1p2 = (c.p1 << 8) | c.p2;
    // Only the PACE steps of GENERAL AUTHENTICATE use command chaining (TR-03110-3 §B.11.2).
    if ((c.cla & CLA_CHAINING) !== 0 && !(c.ins === INS.GENERAL_AUTHENTICATE && session.pace !== null)) {
      throw new ChipStatus(SW.COMMAND_CHAINING_NOT_SUPPORTED, 'command chaining not supported for this command');
    }
    switch (c.ins) {
      case INS.SELECT:
        return ok(select(this.#fs, session, c));
      case INS.READ_BINARY:
        return readBinary(this.#fs, session, c);
      case INS.READ_BINARY_ODD:
        return readBinaryOddIns(this.#fs, session, c);
      case INS.MSE:
        return this.#mse(p1p2, c.data);
      case INS.GENERAL_AUTHENTICATE: {
        ensure(p1p2 === 0, SW.INCORRECT_P1P2, 'GENERAL AUTHENTICATE P1-P2 must be 0000');
        if (session.pace !== null) {
          const step = generalAuthenticatePace(card, session, c);
          const { open, abort } = step;
          const after = open !== undefined
            ? () => { dropChannel(session); session.sm = open.sm; session.channel = open.channel; }
            : abort === true ? () => dropChannel(session) : undefined;
          return { data: step.response, sw: step.sw, ...(after === undefined ? {} : { after }) };
        }
        if (session.internalAuth?.kind === 'ca') {
          const { response, nextSm } = generalAuthenticateCa(card, session, c.data, this.#random);
          // TR-03110-3 §F: the CA answer still uses the PACE keys; then SM restarts with the CA keys and SSC 0.
          return { data: response, sw: SW.SUCCESS, after: () => { session.sm = nextSm; session.chipAuthenticated = true; } };
        }
        if (session.internalAuth?.kind === 'ri') return ok(generalAuthenticateRi(card, session, c.data));
        throw new ChipStatus(SW.CONDITIONS_NOT_SATISFIED, 'no protocol selected with MSE:Set AT');
      }
      case INS.PSO:
        // ISO 7816-8 §5.3: P1-P2 00 BE = verify certificate.
        ensure(p1p2 === 0x00be, SW.INCORRECT_P1P2, 'only PSO:Verify Certificate (00 BE)');
        psoVerifyCertificate(card, session, c.data);
        return ok();
      case INS.GET_CHALLENGE:
        ensure(p1p2 === 0 && c.data.length === 0, SW.INCORRECT_P1P2, 'GET CHALLENGE is 00 84 00 00 08');
        return ok(getChallenge(session, c.le, this.#random));
      case INS.EXTERNAL_AUTHENTICATE:
        ensure(p1p2 === 0, SW.INCORRECT_P1P2, 'EXTERNAL AUTHENTICATE P1-P2 must be 0000');
        externalAuthenticate(session, c.data);
        return ok();
      case INS.VERIFY:
        // TR-03110-3 §B.11.7: P1 80 = verification of auxiliary data by OID.
        ensure(c.p1 === 0x80 && c.p2 === 0x00, SW.INCORRECT_P1P2, 'only VERIFY 80 00 (auxiliary data)');
        return { data: Buffer.alloc(0), sw: verifyAuxiliaryData(card, session, c.data) };
      case INS.RESET_RETRY_COUNTER:
        resetRetryCounter(card, session, c);
        return ok();
      default:
        throw new ChipStatus(SW.INS_NOT_SUPPORTED, `INS ${c.ins.toString(16)} not supported`);
    }
  }

  #mse(p1p2: number, data: Buffer): Outcome {
    const card = this.#card;
    const session = this.#session;
    switch (p1p2) {
      case MSE.SET_AT_PACE:
        return { data: Buffer.alloc(0), sw: mseSetAtPace(card, session, data) };
      case MSE.SET_DST:
        mseSetDst(card, session, data);
        return ok();
      case MSE.SET_AT_TA:
        mseSetAtTa(card, session, data);
        return ok();
      case MSE.SET_AT_CA_RI:
        mseSetAtInternal(card, session, data);
        return ok();
      default:
        throw new ChipStatus(SW.INCORRECT_P1P2, `MSE P1-P2 ${p1p2.toString(16)} not supported`);
    }
  }
}

/**
 * ISO 7816-4 §5.1.1: interindustry class 000x xxxx; proprietary class 1000 xxxx only for VERIFY of
 * auxiliary data (TR-03110-3 §B.11.7 uses CLA 80 / 8C). No logical channels, SM only with authenticated header.
 */
function checkClass(c: CommandApdu): number | null {
  const interindustry = (c.cla & 0xe0) === 0x00;
  const proprietaryVerify = (c.cla & 0xf0) === 0x80 && c.ins === INS.VERIFY;
  if (!interindustry && !proprietaryVerify) return SW.CLA_NOT_SUPPORTED;
  if ((c.cla & 0x03) !== 0) return SW.LOGICAL_CHANNEL_NOT_SUPPORTED;
  const smBits = c.cla & CLA_SM;
  if (smBits !== 0 && smBits !== CLA_SM) return SW.SECURE_MESSAGING_NOT_SUPPORTED;
  return null;
}

/** ISO 7816-4 §5.1: no response data without Le, never more than Ne. */
function lengthChecked(c: CommandApdu, outcome: Outcome): ResponseApdu {
  if (outcome.data.length > 0 && (c.le === null || outcome.data.length > c.le)) return { data: Buffer.alloc(0), sw: SW.WRONG_LENGTH };
  return { data: outcome.data, sw: outcome.sw };
}

/** Status word for bytes that are no command APDU at all. */
function malformedStatus(bytes: Uint8Array): number {
  if (bytes.length >= 2) {
    if (bytes[0] === 0xff) return SW.CLA_NOT_SUPPORTED;
    // ISO 7816-4 §5.1.2: INS 6x and 9x are invalid.
    const insHigh = (bytes[1] as number) & 0xf0;
    if (insHigh === 0x60 || insHigh === 0x90) return SW.INS_NOT_SUPPORTED;
  }
  return SW.WRONG_LENGTH;
}
