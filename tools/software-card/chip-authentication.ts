/**
 * Chip side of Chip Authentication v2 and the MSE:Set AT that selects CA or RI.
 *
 * @spec tr03110-2 §3.3 (CA v2), tr03110-3 §B.11.1 (MSE:Set AT 41 A4: 80 OID, 84 key reference), §B.11.2 (GENERAL AUTHENTICATE for CA)
 * @spec tr03110-3 §A.2.3 (KDF with r_PICC), §A.2.4.2 (authentication token), §F (SM restarts with SSC 0)
 *
 * CA v2 steps on the chip:
 * 1. ePK_PCD from GA (DO80) must be the key whose Comp() the terminal signed in TA;
 * 2. K = x(SK_PICC · ePK_PCD); r_PICC random (8 bytes); K_enc, K_mac = KDF(K, r_PICC, 1|2);
 * 3. T_PICC = MAC(K_mac, 7F49 {06 CA OID, 86 ePK_PCD}) truncated to 8 bytes;
 * 4. the answer 7C {81 r_PICC, 82 T_PICC} still travels under the PACE keys, then SM restarts with the new keys.
 */
import { SW } from '../../src/eid/card/status-words.js';
import { decodeTlv, decodeTlvs, encodeTlv } from '../../src/eid/card/tlv.js';
import { decodeOidValue } from '../../src/eid/eac/cvc/oids.js';
import { CA_NONCE_LENGTH, chipAuthenticationToken, deriveSessionKeys, smCipherOfCaProtocol } from '../../src/eid/eac/ca.js';
import { compressEphemeralPublicKey } from '../../src/eid/eac/ta.js';
import { decodePoint, ecdhSharedX, privateKeyFromScalar } from '../../src/eid/eac/domain-parameters.js';
import { SecureMessaging } from '../../src/eid/eac/secure-messaging.js';
import { SecurityInfoOid } from '../../src/eid/eac/security-infos.js';
import { constantTimeEqual, fromHex } from '../../src/shared/bytes.js';
import type { CardJson } from './card-json.js';
import { ChipStatus, ensure } from './chip-status.js';
import type { ChipSession } from './chip-session.js';

const TAG = { OID: 0x80, KEY_REF: 0x84 } as const;

function keyReference(value: Buffer): number {
  ensure(value.length >= 1 && value.length <= 2, SW.WRONG_DATA, 'key reference must be 1 or 2 bytes');
  return value.length === 1 ? (value[0] as number) : value.readUInt16BE(0);
}

/** MSE:Set AT 00 22 41 A4 {80 OID, [84 key id]}: CA (id-CA-*) or RI (id-RI-*), told apart by the OID. */
export function mseSetAtInternal(card: CardJson, session: ChipSession, data: Buffer): void {
  const objects = new Map<number, Buffer>();
  for (const o of decodeTlvs(data)) {
    ensure(o.tag === TAG.OID || o.tag === TAG.KEY_REF, SW.WRONG_DATA, `unexpected data object ${o.tag.toString(16)}`);
    ensure(!objects.has(o.tag), SW.WRONG_DATA, `data object ${o.tag.toString(16)} repeated`);
    objects.set(o.tag, o.value);
  }
  const oidValue = objects.get(TAG.OID);
  ensure(oidValue !== undefined, SW.WRONG_DATA, 'DO80 (protocol OID) missing');
  const oid = decodeOidValue(oidValue);
  const ref = objects.get(TAG.KEY_REF);
  const keyId = ref === undefined ? undefined : keyReference(ref);
  // Both need an authenticated terminal: CA v2 uses the key from TA, RI the effective CHAT.
  ensure(session.terminal !== null, SW.SECURITY_STATUS_NOT_SATISFIED, 'Terminal Authentication first');

  if (oid.startsWith(SecurityInfoOid.CA_PREFIX)) {
    const candidates = card.chipAuthentication.filter((k) => keyId === undefined || k.keyId === keyId);
    // TR-03110-3 §B.11.1: DO84 may be omitted only when the chip has one CA key.
    const key = keyId === undefined && candidates.length > 1 ? undefined : candidates[0];
    if (key === undefined) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `no CA key ${String(keyId)}`);
    ensure(key.oid === oid, SW.WRONG_DATA, `CA key ${key.keyId} is for ${key.oid}`);
    ensure(!session.chipAuthenticated, SW.CONDITIONS_NOT_SATISFIED, 'CA already performed in this session');
    session.internalAuth = { kind: 'ca', oid, keyId: key.keyId };
    return;
  }
  if (oid.startsWith(SecurityInfoOid.RI_PREFIX)) {
    ensure(keyId !== undefined, SW.WRONG_DATA, 'RI needs DO84 (private key reference)');
    const key = card.restrictedIdentification.find((k) => k.keyId === keyId);
    if (key === undefined) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `no RI key ${keyId}`);
    ensure(key.oid === oid, SW.WRONG_DATA, `RI key ${keyId} is for ${key.oid}`);
    session.internalAuth = { kind: 'ri', oid, keyId };
    return;
  }
  throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `protocol ${oid} not supported`);
}

export interface CaOutcome {
  response: Buffer;
  /** Installed after the response was protected with the old keys. */
  nextSm: SecureMessaging;
}

/** GENERAL AUTHENTICATE 00 86 00 00 {7C {80 ePK_PCD}} for CA v2. */
export function generalAuthenticateCa(card: CardJson, session: ChipSession, data: Buffer, random: (n: number) => Buffer): CaOutcome {
  const setup = session.internalAuth;
  const terminal = session.terminal;
  ensure(setup?.kind === 'ca' && terminal !== null, SW.CONDITIONS_NOT_SATISFIED, 'MSE:Set AT for CA first');
  const key = card.chipAuthentication.find((k) => k.keyId === setup.keyId);
  ensure(key !== undefined, SW.REFERENCE_DATA_NOT_FOUND, 'CA key vanished');
  const outer = decodeTlv(data);
  const [pk, ...rest] = outer.children;
  ensure(outer.tag === 0x7c && pk?.tag === 0x80 && rest.length === 0, SW.WRONG_DATA, 'expected 7C {80 ePK_PCD}');
  try {
    decodePoint(key.curve, pk.value);
  } catch {
    throw new ChipStatus(SW.WRONG_DATA, 'ePK_PCD is not a valid point');
  }
  // TR-03110-2 §3.3 step 1: the chip checks Comp(ePK_PCD) against the value received in TA.
  const comp = compressEphemeralPublicKey(key.curve, pk.value);
  ensure(constantTimeEqual(comp, terminal.pkPcdComp), SW.SECURITY_STATUS_NOT_SATISFIED, 'ePK_PCD differs from the key announced in TA');

  const secret = ecdhSharedX(key.curve, privateKeyFromScalar(key.curve, fromHex(key.privateKey)), pk.value);
  const nonce = random(CA_NONCE_LENGTH);
  const keys = deriveSessionKeys(secret, nonce, smCipherOfCaProtocol(setup.oid));
  const token = chipAuthenticationToken(keys.kMac, setup.oid, pk.value);
  session.internalAuth = null;
  return {
    response: encodeTlv(0x7c, [encodeTlv(0x81, nonce), encodeTlv(0x82, token)]),
    nextSm: new SecureMessaging(keys, 'chip', 0n),
  };
}
