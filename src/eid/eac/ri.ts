/**
 * Restricted Identification, terminal (server) side: sends up to two sector public keys under
 * secure messaging and checks the sector-specific identifiers the chip returns.
 * I_sector = H(KA(SK_ID, PK_sector)) — different per sector, stable per card and sector.
 *
 * | RI step (TR-03110-2 §3.5) | APDU | here |
 * |---|---|---|
 * | select the chip's RI key | MSE:Set AT 41 A4 {80 id-RI-ECDH-SHA-x, 84 keyId} | riCommands |
 * | send sector keys | GENERAL AUTHENTICATE 7C {A0 PK_sector1 [, A2 PK_sector2]} | riCommands |
 * | receive identifiers | 7C {81 I_sector1 [, 83 I_sector2]} | parseRiResponse |
 *
 * The sector keys must be the ones certified in the terminal certificate's id-sector extension
 * (hash of the public key data object 7F49 {06 OID, 86 point}); the chip checks this too.
 *
 * @spec tr03110-2 §3.5 (RI), tr03110-3 §C.3.2 (terminal sector extension), §D.3 (public key data objects), App. B (RI APDUs)
 */
import { createHash } from 'node:crypto';
import type { CommandApdu, ResponseApdu } from '../card/apdu.js';
import { encodeTlv } from '../card/tlv.js';
import { mseSetAtRi } from '../card/commands/mse-set-at.js';
import { generalAuthenticate, parseGeneralAuthenticateResponse } from '../card/commands/general-authenticate.js';
import { encodeOidValue } from './cvc/oids.js';
import { decodePoint } from './domain-parameters.js';
import type { CurveName, HashName } from './domain-parameters.js';
import { SecurityInfoOid } from './security-infos.js';
import type { RestrictedIdentificationInfo, SecurityInfo } from './security-infos.js';
import { constantTimeEqual } from '../../shared/bytes.js';
import { EacTerminalError } from './eac-terminal-error.js';

/** TR-03110-3 §A.1.1.5: id-RI-ECDH-SHA-x → hash (output length = identifier length). */
const RI_HASH: ReadonlyMap<string, HashName> = new Map([
  [`${SecurityInfoOid.RI_ECDH}.1`, 'sha1'],
  [`${SecurityInfoOid.RI_ECDH}.2`, 'sha224'],
  [`${SecurityInfoOid.RI_ECDH}.3`, 'sha256'],
  [`${SecurityInfoOid.RI_ECDH}.4`, 'sha384'],
  [`${SecurityInfoOid.RI_ECDH}.5`, 'sha512'],
]);
const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

export function riHash(protocolOid: string): HashName {
  const hash = RI_HASH.get(protocolOid);
  if (hash === undefined) throw new EacTerminalError('RI_NOT_SUPPORTED', `RI protocol ${protocolOid} not supported (only id-RI-ECDH-SHA-*)`);
  return hash;
}

/** A sector public key as the DVCA hands it out (TR-03129 GetSectorPublicKey), for one RI protocol. */
export interface SectorPublicKey {
  curve: CurveName;
  /** Uncompressed 04‖X‖Y. */
  point: Buffer;
}

/** TR-03110-3 §D.3.3: EC public key data object content {06 OID, 86 point}; tag 7F49 outside GA, A0/A2 inside. */
function publicKeyObjects(protocolOid: string, key: SectorPublicKey): Buffer[] {
  decodePoint(key.curve, key.point); // rejects points not on the curve before they reach the card
  return [encodeTlv(0x06, encodeOidValue(protocolOid)), encodeTlv(0x86, key.point)];
}

/** TR-03110-3 §C.3.2: the id-sector extension holds H(7F49 {06 OID, 86 point}) with the terminal certificate's hash. */
export function sectorPublicKeyHash(protocolOid: string, key: SectorPublicKey, hash: HashName): Buffer {
  return createHash(hash).update(encodeTlv(0x7f49, publicKeyObjects(protocolOid, key))).digest();
}

/**
 * Checks each sector key against the certified hashes (index 0 ↔ tag 80, index 1 ↔ tag 81). The
 * card would refuse uncertified keys anyway; checking first turns a misconfiguration into a clear error.
 */
export function checkSectorKeysCertified(protocolOid: string, keys: readonly SectorPublicKey[], certifiedHashes: readonly (Buffer | undefined)[], hash: HashName): void {
  if (keys.length === 0 || keys.length > 2) throw new EacTerminalError('RI_SECTOR_KEY_NOT_CERTIFIED', 'one or two sector public keys are required');
  keys.forEach((key, i) => {
    const certified = certifiedHashes[i];
    if (certified === undefined || !constantTimeEqual(sectorPublicKeyHash(protocolOid, key, hash), certified)) {
      throw new EacTerminalError('RI_SECTOR_KEY_NOT_CERTIFIED', `sector public key ${i + 1} does not match the terminal certificate's id-sector extension`);
    }
  });
}

/** The chip's RI key to use: an explicit keyId, else the first ECDH key not restricted to authorized terminals, else the first. */
export function selectRestrictedIdentification(infos: readonly SecurityInfo[], keyId?: number): RestrictedIdentificationInfo {
  const ri = infos.filter((i): i is RestrictedIdentificationInfo => i.type === 'RestrictedIdentificationInfo' && RI_HASH.has(i.protocol));
  const chosen = keyId !== undefined ? ri.find((i) => i.params.keyId === keyId) : (ri.find((i) => !i.params.authorizedOnly) ?? ri[0]);
  if (chosen === undefined) throw new EacTerminalError('RI_NOT_SUPPORTED', `no usable RestrictedIdentificationInfo${keyId === undefined ? '' : ` with keyId ${keyId}`}`);
  return chosen;
}

/** MSE:Set AT (RI) followed by one GENERAL AUTHENTICATE with both sector keys (A0, A2). */
export function riCommands(protocolOid: string, keyId: number, keys: readonly SectorPublicKey[]): CommandApdu[] {
  riHash(protocolOid);
  if (keys.length === 0 || keys.length > 2) throw new EacTerminalError('RI_SECTOR_KEY_NOT_CERTIFIED', 'one or two sector public keys are required');
  const objects = keys.map((key, i) => ({ tag: i === 0 ? 0xa0 : 0xa2, value: publicKeyObjects(protocolOid, key) }));
  return [mseSetAtRi({ protocolOid, keyId }), generalAuthenticate(objects)];
}

/** The sector identifiers, in sector order; each must be exactly one hash output long. */
export function parseRiResponse(response: ResponseApdu, protocolOid: string, sectorCount: number): Buffer[] {
  const length = HASH_LENGTH[riHash(protocolOid)];
  const tags = [0x81, 0x83].slice(0, sectorCount);
  let objects;
  try {
    objects = parseGeneralAuthenticateResponse(response, tags);
  } catch (err) {
    if (err instanceof EacTerminalError || (err as { code?: string }).code === 'CARD_STATUS_ERROR') throw err;
    throw new EacTerminalError('RI_RESPONSE_INVALID', 'RI answer is not 7C {81 [, 83]}', { cause: err });
  }
  return tags.map((tag) => {
    const id = objects.get(tag)!;
    if (id.length !== length) throw new EacTerminalError('RI_RESPONSE_INVALID', `sector identifier of ${id.length} bytes, expected ${length}`);
    return id;
  });
}
