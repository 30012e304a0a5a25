/**
 * READ BINARY (INS B0, and B1 for offsets beyond 15 bits): SFI form, offset form, odd-INS form.
 * Le defaults to the extended maximum so that a whole data group comes back in one response
 * (TR-03110-3 App. B requires extended length support of eID chips).
 *
 * @spec iso7816-4 §7.2.3 (READ BINARY), §7.2.2 (P1-P2 coding, offset DO54), tr03110-3 App. B (extended length)
 */
import type { CommandApdu, ResponseApdu } from '../apdu.js';
import { encodeTlv, decodeTlv } from '../tlv.js';
import { SW } from '../status-words.js';
import { CommandError } from './command-error.js';
import { expectStatus } from './response.js';

/** Ne of an extended-length Le field 0000 (ISO 7816-4 §5.1). */
export const LE_EXTENDED_MAX = 65536;
/** Ne of a short Le field 00. */
export const LE_SHORT_MAX = 256;

function checkLe(le: number): void {
  if (!Number.isInteger(le) || le < 1 || le > LE_EXTENDED_MAX) throw new CommandError('CMD_ARGUMENT_INVALID', `Le must be 1..65536, got ${le}`);
}

/**
 * READ BINARY with short EF identifier: 00 B0 (80|SFI) offset Le. ISO 7816-4 §7.2.2: if bit 8 of
 * P1 is set, bits 5-1 are the SFI (1..30) and P2 is the offset (0..255).
 */
export function readBinarySfi(sfi: number, offset = 0, le: number = LE_EXTENDED_MAX): CommandApdu {
  if (!Number.isInteger(sfi) || sfi < 1 || sfi > 30) throw new CommandError('CMD_ARGUMENT_INVALID', `SFI must be 1..30, got ${sfi}`);
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xff) throw new CommandError('CMD_ARGUMENT_INVALID', `SFI-form offset must be 0..255, got ${offset}`);
  checkLe(le);
  return { cla: 0x00, ins: 0xb0, p1: 0x80 | sfi, p2: offset, data: Buffer.alloc(0), le };
}

/** READ BINARY of the current EF at a 15-bit offset: 00 B0 P1P2=offset Le (bit 8 of P1 clear). */
export function readBinaryOffset(offset: number, le: number = LE_EXTENDED_MAX): CommandApdu {
  if (!Number.isInteger(offset) || offset < 0 || offset > 0x7fff) throw new CommandError('CMD_ARGUMENT_INVALID', `offset must be 0..32767, got ${offset}`);
  checkLe(le);
  return { cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, data: Buffer.alloc(0), le };
}

/**
 * READ BINARY odd INS (B1) for offsets beyond 32767: 00 B1 00 00 {54 offset} Le, current EF
 * (P1-P2 = 0000). ISO 7816-4 §7.2.2: the offset data object 54 holds the offset, minimal big-endian.
 */
export function readBinaryOddIns(offset: number, le: number = LE_EXTENDED_MAX): CommandApdu {
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffff) throw new CommandError('CMD_ARGUMENT_INVALID', `offset must be 0..16777215, got ${offset}`);
  checkLe(le);
  const bytes: number[] = [];
  for (let v = offset; ; v = Math.floor(v / 256)) {
    bytes.unshift(v & 0xff);
    if (v < 256) break;
  }
  return { cla: 0x00, ins: 0xb1, p1: 0x00, p2: 0x00, data: encodeTlv(0x54, Buffer.from(bytes)), le };
}

/**
 * Data of a READ BINARY (B0) response. 9000 and 6282 ("end of file reached before reading Ne
 * bytes", ISO 7816-4 Table 6) both carry data; anything else is a CardError with the SW.
 */
export function parseReadBinaryResponse(response: ResponseApdu): Buffer {
  return expectStatus(response, 'READ BINARY', [SW.SUCCESS, SW.END_OF_FILE]);
}

/** Data of a READ BINARY odd-INS (B1) response: the content of the discretionary data object 53. */
export function parseReadBinaryOddInsResponse(response: ResponseApdu): Buffer {
  const data = expectStatus(response, 'READ BINARY', [SW.SUCCESS, SW.END_OF_FILE]);
  const tlv = decodeTlv(data);
  if (tlv.tag !== 0x53) throw new CommandError('CMD_RESPONSE_INVALID', `READ BINARY (B1) answer must be DO53, got ${tlv.tag.toString(16)}`);
  return tlv.value;
}
