/**
 * Chip side of TA v2, second half: MSE:Set AT names the terminal key, the ephemeral key the
 * terminal will use in CA (Comp(ePK_PCD)) and the authenticated auxiliary data; GET CHALLENGE gives
 * r_PICC; EXTERNAL AUTHENTICATE checks the terminal's signature and grants the effective CHAT.
 *
 * @spec tr03110-2 §3.4 (TA v2), tr03110-3 §B.11.1 (MSE:Set AT for TA: 80, 83, 67, 91), §B.11.6 (GET CHALLENGE),
 *       §B.11.3 (EXTERNAL AUTHENTICATE), §A.6.5 (authenticated auxiliary data)
 *
 * Signature input (reference §4.4): ID_PICC || r_PICC || Comp(ePK_PCD) || aux data (complete 67 TLV, if sent),
 * with ID_PICC = Comp(chip's ephemeral PACE public key).
 */
import { SW } from '../../src/eid/card/status-words.js';
import { decodeTlvs } from '../../src/eid/card/tlv.js';
import { AT_RIGHTS, chatAllows, chatIntersect } from '../../src/eid/eac/cvc/chat.js';
import { decodeOidValue } from '../../src/eid/eac/cvc/oids.js';
import { ecdsaVerifyPlain, domainParameters } from '../../src/eid/eac/domain-parameters.js';
import { decodeAuxiliaryData } from '../../src/eid/eac/auxiliary-data.js';
import { decodeTlv } from '../../src/eid/card/tlv.js';
import { SecurityInfoOid } from '../../src/eid/eac/security-infos.js';
import type { CardJson } from './card-json.js';
import { ChipStatus, ensure } from './chip-status.js';
import type { ChipSession } from './chip-session.js';

/** TR-03110-2 §3.4: r_PICC of TA v2 is 8 bytes. */
export const TA_CHALLENGE_LENGTH = 8;

const TAG = { OID: 0x80, CHR: 0x83, AUX: 0x67, EPHEMERAL_KEY: 0x91 } as const;

/** MSE:Set AT 00 22 81 A4 {[80 TA OID], 83 CHR, [67 aux data], 91 Comp(ePK_PCD)}. */
export function mseSetAtTa(card: CardJson, session: ChipSession, data: Buffer): void {
  ensure(session.channel !== null && session.sm !== null, SW.SECURITY_STATUS_NOT_SATISFIED, 'TA needs a PACE channel');
  const objects = new Map<number, Buffer>();
  for (const o of decodeTlvs(data)) {
    ensure(!objects.has(o.tag), SW.WRONG_DATA, `data object ${o.tag.toString(16)} repeated`);
    ensure(Object.values(TAG).includes(o.tag as never), SW.WRONG_DATA, `unexpected data object ${o.tag.toString(16)}`);
    objects.set(o.tag, o.tag === TAG.AUX ? o.raw : o.value);
  }
  const chr = objects.get(TAG.CHR);
  const comp = objects.get(TAG.EPHEMERAL_KEY);
  ensure(chr !== undefined && comp !== undefined, SW.WRONG_DATA, 'MSE:Set AT for TA needs 83 and 91');
  const terminal = session.ta.terminal;
  // TR-03110-3 §B.11.1: DO83 references the public key of the terminal certificate verified last.
  if (terminal === null || terminal.chr !== chr.toString('latin1')) {
    throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, 'DO83 does not name the verified terminal certificate');
  }
  const oid = objects.get(TAG.OID);
  // DO80 names the protocol: id-TA (as TerminalAuthenticationInfo does) or the terminal key's id-TA-ECDSA-* algorithm.
  if (oid !== undefined) {
    const protocol = decodeOidValue(oid);
    ensure(protocol === SecurityInfoOid.TA || protocol === terminal.keyOid, SW.WRONG_DATA, 'DO80 is neither id-TA nor the terminal key algorithm');
  }
  // Comp(ePK_PCD) is the x-coordinate on the CA domain parameters, fixed field length (reference §0.6).
  const sizes = card.chipAuthentication.map((k) => domainParameters(k.curve).fieldSize);
  ensure(sizes.includes(comp.length), SW.WRONG_DATA, `Comp(ePK_PCD) of ${comp.length} bytes fits no CA key`);
  const aux = objects.get(TAG.AUX) ?? null;
  if (aux !== null) decodeAuxiliaryData(aux);
  session.ta.setup = { terminal, pkPcdComp: Buffer.from(comp), auxiliaryData: aux === null ? null : Buffer.from(aux) };
  // The challenge survives MSE:Set AT: in the eID flow (tr03112-7 §3.6.4.2, EAC1OutputType.Challenge) the
  // client fetches r_PICC right after PACE, before the certificate chain and MSE:Set AT of EAC2.
  // It is still single-use (EXTERNAL AUTHENTICATE consumes it).
}

/** GET CHALLENGE 00 84 00 00 08 → r_PICC. */
export function getChallenge(session: ChipSession, le: number | null, random: (n: number) => Buffer): Buffer {
  ensure(le === TA_CHALLENGE_LENGTH, SW.WRONG_LENGTH, 'GET CHALLENGE needs Le = 08');
  ensure(session.channel !== null && session.sm !== null, SW.SECURITY_STATUS_NOT_SATISFIED, 'TA needs a PACE channel');
  const challenge = random(TA_CHALLENGE_LENGTH);
  session.ta.challenge = challenge;
  return challenge;
}

/** Auxiliary data by OID (value of DO53), from a 67 TLV that decodeAuxiliaryData accepted. */
function auxiliaryByOid(aux: Buffer | null): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (aux === null) return out;
  for (const template of decodeTlv(aux).children) {
    const [oid, value] = template.children;
    if (oid !== undefined && value !== undefined) out.set(decodeOidValue(oid.value), value.value);
  }
  return out;
}

/** EXTERNAL AUTHENTICATE 00 82 00 00 {signature}. */
export function externalAuthenticate(session: ChipSession, signature: Buffer): void {
  const { setup, challenge } = session.ta;
  const channel = session.channel;
  ensure(channel !== null && session.sm !== null, SW.SECURITY_STATUS_NOT_SATISFIED, 'TA needs a PACE channel');
  ensure(setup !== null && challenge !== null, SW.CONDITIONS_NOT_SATISFIED, 'MSE:Set AT and GET CHALLENGE first');
  // The challenge is good for one attempt (TR-03110-2 §3.4: fresh r_PICC per run).
  session.ta.challenge = null;
  const input = Buffer.concat([channel.idPicc, challenge, setup.pkPcdComp, setup.auxiliaryData ?? Buffer.alloc(0)]);
  if (!ecdsaVerifyPlain(setup.terminal.publicKey, input, signature, setup.terminal.hash)) {
    session.ta.setup = null;
    throw new ChipStatus(SW.VERIFICATION_FAILED, 'terminal signature does not verify');
  }
  // TR-03110-3 §C.4: effective authorization = chain CHAT (terminal ∧ DV ∧ the trust point's CVCA CHAT,
  // certificate-verification.ts) ∧ the CHAT chosen in PACE (the user's selection).
  // TR-03110-2 §3.2: with an authentication terminal the PACE CHAT is required.
  ensure(channel.chat !== null, SW.CONDITIONS_NOT_SATISFIED, 'PACE was run without a CHAT');
  ensure(channel.chat.terminalType === setup.terminal.chat.terminalType, SW.CONDITIONS_NOT_SATISFIED, 'PACE CHAT of another terminal type');
  const chat = chatIntersect(setup.terminal.chat, channel.chat);
  // TR-03110-4 §2.2.3.2 "CAN allowed": after PACE with CAN an authentication terminal needs this right.
  ensure(channel.password !== 'can' || chatAllows(chat, AT_RIGHTS.CAN_ALLOWED), SW.SECURITY_STATUS_NOT_SATISFIED, 'PACE with CAN needs the CAN-allowed right');
  session.terminal = {
    chr: setup.terminal.chr, key: setup.terminal, chat, pkPcdComp: setup.pkPcdComp, auxiliaryData: setup.auxiliaryData,
    auxiliary: auxiliaryByOid(setup.auxiliaryData),
  };
}
