/**
 * MSE:Set AT (INS 22, P2 A4 = authentication template) for PACE, TA, CA and RI.
 *
 * | variant | P1P2 | data objects (TR-03110-3 App. B, MSE:Set AT) |
 * |---|---|---|
 * | PACE | C1 A4 (mutual authentication) | 80 OID, 83 password ref, [84 domain parameter id], [7F4C CHAT] |
 * | TA   | 81 A4 (external authentication) | 80 OID, 83 CHR of terminal cert, [67 aux data], 91 Comp(ePK_PCD) |
 * | CA   | 41 A4 (internal authentication) | 80 OID, [84 CA key id] |
 * | RI   | 41 A4 (internal authentication) | 80 OID, 84 RI key id |
 *
 * @spec tr03110-3 App. B (MSE:Set AT), iso7816-4 §7.5.11 (MANAGE SECURITY ENVIRONMENT)
 */
import type { CommandApdu } from '../apdu.js';
import { encodeTlv, decodeTlv } from '../tlv.js';
import { CommandError } from './command-error.js';
import { oidValue } from './oid-value.js';

/** PACE password references (TR-03110-3 App. B, DO83 of MSE:Set AT for PACE). */
export const PACE_PASSWORD = { MRZ: 0x01, CAN: 0x02, PIN: 0x03, PUK: 0x04 } as const;
export type PacePassword = keyof typeof PACE_PASSWORD;

// ISO 7816-4 Table 78 (P1 of MSE): bits 8-5 say which operations the template is for; 1 in bit 1 = SET.
const P1_PACE = 0xc1; // internal + external authentication (mutual), SET
const P1_TA = 0x81; // external authentication (verification), SET
const P1_CA_RI = 0x41; // internal authentication (computation), SET
const P2_AT = 0xa4; // control reference template for authentication

function keyReference(id: number): Buffer {
  // TR-03110-3: keyId / parameterId are INTEGERs; DO84 carries them as minimal big-endian bytes.
  if (!Number.isSafeInteger(id) || id < 0 || id > 0xffffffff) throw new CommandError('CMD_ARGUMENT_INVALID', `key reference out of range: ${id}`);
  const bytes: number[] = [];
  for (let v = id; ; v = Math.floor(v / 256)) {
    bytes.unshift(v & 0xff);
    if (v < 256) break;
  }
  return Buffer.from(bytes);
}

function mse(p1: number, objects: readonly Buffer[]): CommandApdu {
  return { cla: 0x00, ins: 0x22, p1, p2: P2_AT, data: Buffer.concat(objects), le: null };
}

export interface MseSetAtPaceOptions {
  protocolOid: string;
  password: PacePassword;
  /** Standardized domain parameter id / PACEInfo parameterId; required if the chip offers several. */
  parameterId?: number | undefined;
  /** Complete 7F4C TLV of the CHAT the terminal asks for (authentication terminals). */
  chat?: Uint8Array | undefined;
}

export function mseSetAtPace(options: MseSetAtPaceOptions): CommandApdu {
  const objects = [encodeTlv(0x80, oidValue(options.protocolOid)), encodeTlv(0x83, Buffer.from([PACE_PASSWORD[options.password]]))];
  if (options.parameterId !== undefined) objects.push(encodeTlv(0x84, keyReference(options.parameterId)));
  if (options.chat !== undefined) objects.push(Buffer.from(requireTag(options.chat, 0x7f4c, 'CHAT')));
  return mse(P1_PACE, objects);
}

export interface MseSetAtTaOptions {
  protocolOid: string;
  /** CHR of the terminal certificate, ISO 8859-1 (DO83 "reference of a public key"). */
  terminalChr: string;
  /** Comp(ePK_PCD): x-coordinate of the terminal's ephemeral CA key, fixed field length (DO91). */
  ephemeralPublicKeyComp: Uint8Array;
  /** Complete 67 TLV of the authenticated auxiliary data, exactly as signed. */
  auxiliaryData?: Uint8Array | undefined;
}

export function mseSetAtTa(options: MseSetAtTaOptions): CommandApdu {
  if (options.terminalChr.length === 0 || !/^[\x20-\x7e]+$/.test(options.terminalChr)) {
    throw new CommandError('CMD_ARGUMENT_INVALID', 'terminal CHR must be non-empty printable ISO 8859-1');
  }
  if (options.ephemeralPublicKeyComp.length === 0) throw new CommandError('CMD_ARGUMENT_INVALID', 'Comp(ePK_PCD) is empty');
  const objects = [encodeTlv(0x80, oidValue(options.protocolOid)), encodeTlv(0x83, Buffer.from(options.terminalChr, 'latin1'))];
  if (options.auxiliaryData !== undefined) objects.push(Buffer.from(requireTag(options.auxiliaryData, 0x67, 'auxiliary data')));
  objects.push(encodeTlv(0x91, options.ephemeralPublicKeyComp));
  return mse(P1_TA, objects);
}

export function mseSetAtCa(options: { protocolOid: string; keyId?: number | undefined }): CommandApdu {
  const objects = [encodeTlv(0x80, oidValue(options.protocolOid))];
  if (options.keyId !== undefined) objects.push(encodeTlv(0x84, keyReference(options.keyId)));
  return mse(P1_CA_RI, objects);
}

export function mseSetAtRi(options: { protocolOid: string; keyId: number }): CommandApdu {
  return mse(P1_CA_RI, [encodeTlv(0x80, oidValue(options.protocolOid)), encodeTlv(0x84, keyReference(options.keyId))]);
}

function requireTag(bytes: Uint8Array, tag: number, what: string): Uint8Array {
  const tlv = decodeTlv(bytes);
  if (tlv.tag !== tag) throw new CommandError('CMD_ARGUMENT_INVALID', `${what} must be a ${tag.toString(16).toUpperCase()} TLV`);
  return bytes;
}
