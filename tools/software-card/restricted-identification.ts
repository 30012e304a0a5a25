/**
 * Chip side of Restricted Identification: the sector-specific identifier
 * I_sector = H(x(SK_ID · PK_sector)), one per sector public key sent.
 *
 * @spec tr03110-2 §3.6 (Restricted Identification), tr03110-3 §B.11.2 (GENERAL AUTHENTICATE for RI: A0/A2 → 81/83)
 * @spec tr03110-3 §C.3.2.1 (terminal sector extension: hashes of the sector public keys, for authorizedOnly keys)
 */
import { createHash } from 'node:crypto';
import { SW } from '../../src/eid/card/status-words.js';
import { decodeTlv, encodeTlv } from '../../src/eid/card/tlv.js';
import type { Tlv } from '../../src/eid/card/tlv.js';
import { AT_RIGHTS, chatAllows } from '../../src/eid/eac/cvc/chat.js';
import { decodeOidValue } from '../../src/eid/eac/cvc/oids.js';
import { ecdhSharedX, privateKeyFromScalar } from '../../src/eid/eac/domain-parameters.js';
import type { HashName } from '../../src/eid/eac/domain-parameters.js';
import { riHash } from '../../src/eid/eac/ri.js';
import { constantTimeEqual, fromHex } from '../../src/shared/bytes.js';
import type { CardJson, RiKeyPair } from './card-json.js';
import { ChipStatus, ensure } from './chip-status.js';
import type { AuthenticatedTerminal, ChipSession } from './chip-session.js';

/** GA request tag → response tag: first sector key A0 → 81, second sector key A2 → 83. */
const SECTOR_SLOTS = [[0xa0, 0x81], [0xa2, 0x83]] as const;

/** The 86 point of a sector public key data object (06 OID optional; must then name the RI protocol). */
function sectorPoint(key: RiKeyPair, tlv: Tlv): Buffer {
  ensure(tlv.constructed, SW.WRONG_DATA, 'sector public key must be a constructed data object');
  let point: Buffer | undefined;
  for (const c of tlv.children) {
    if (c.tag === 0x06) ensure(decodeOidValue(c.value) === key.oid, SW.WRONG_DATA, 'sector key for another protocol');
    else if (c.tag === 0x86) point = c.value;
    // 81..85, 87: domain parameters; the chip computes on its own RI curve and validates the point on it.
    else ensure(c.tag >= 0x81 && c.tag <= 0x87, SW.WRONG_DATA, `unexpected data object ${c.tag.toString(16)} in sector key`);
  }
  ensure(point !== undefined, SW.WRONG_DATA, 'sector public key without 86');
  return point;
}

/** TR-03110-3 §C.3.2.1: an authorizedOnly key answers only sectors named (by hash) in the terminal certificate. */
function assertSectorAuthorized(terminal: AuthenticatedTerminal, sectorKey: Tlv): void {
  const hash = createHash(terminal.key.hash).update(encodeTlv(0x7f49, sectorKey.value)).digest();
  const listed = terminal.key.sectorHashes.some((h) => h.length === hash.length && constantTimeEqual(h, hash));
  ensure(listed, SW.SECURITY_STATUS_NOT_SATISFIED, 'sector not authorized by the terminal certificate');
}

/** GENERAL AUTHENTICATE 00 86 00 00 {7C {A0 sector PK [, A2 sector PK 2]}} → 7C {81 I_sector [, 83 I_sector 2]}. */
export function generalAuthenticateRi(card: CardJson, session: ChipSession, data: Buffer): Buffer {
  const setup = session.internalAuth;
  const terminal = session.terminal;
  ensure(setup?.kind === 'ri' && terminal !== null, SW.CONDITIONS_NOT_SATISFIED, 'MSE:Set AT for RI first');
  // TR-03110-4 §2.2.3.2: RI is an access right of the effective CHAT.
  ensure(chatAllows(terminal.chat, AT_RIGHTS.RESTRICTED_IDENTIFICATION), SW.SECURITY_STATUS_NOT_SATISFIED, 'no RI right');
  const key = card.restrictedIdentification.find((k) => k.keyId === setup.keyId);
  if (key === undefined) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, 'RI key unknown');
  let hash: HashName;
  try {
    hash = riHash(setup.oid);
  } catch {
    throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `RI protocol ${setup.oid} not supported`);
  }
  const outer = decodeTlv(data);
  ensure(outer.tag === 0x7c, SW.WRONG_DATA, 'expected 7C');
  const tags = outer.children.map((c) => c.tag);
  ensure(tags.length >= 1 && tags.every((t, i) => t === SECTOR_SLOTS[i]?.[0]), SW.WRONG_DATA, 'expected 7C {A0 [, A2]}');
  const privateKey = privateKeyFromScalar(key.curve, fromHex(key.privateKey));
  const answers: Buffer[] = [];
  outer.children.forEach((sectorKey, i) => {
    const point = sectorPoint(key, sectorKey);
    if (key.authorizedOnly) assertSectorAuthorized(terminal, sectorKey);
    let shared: Buffer;
    try {
      shared = ecdhSharedX(key.curve, privateKey, point);
    } catch {
      throw new ChipStatus(SW.WRONG_DATA, 'sector public key is not a valid point');
    }
    // TR-03110-2 §3.6: I_sector = H(KA(SK_ID, PK_sector)), KA = x-coordinate of the ECDH point.
    answers.push(encodeTlv(SECTOR_SLOTS[i]?.[1] ?? 0x81, createHash(hash).update(shared).digest()));
  });
  return encodeTlv(0x7c, answers);
}
