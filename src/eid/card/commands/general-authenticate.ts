/**
 * GENERAL AUTHENTICATE (INS 86) with dynamic authentication data (7C) for PACE, CA v2 and RI.
 * PACE steps 1-3 are sent as a command chain (CLA bit 5 = 0x10), the last step without it.
 *
 * | protocol | command 7C objects | response 7C objects |
 * |---|---|---|
 * | PACE 1..4 | - / 81 mapping / 83 ePK / 85 token | 80 nonce / 82 / 84 / 86 token, 87 CAR, 88 CAR |
 * | CA v2 | 80 ePK_PCD (uncompressed point) | 81 r_PICC, 82 T_PICC |
 * | RI | A0 sector PK 1 [, A2 sector PK 2] | 81 I_sector1 [, 83 I_sector2] |
 *
 * @spec tr03110-3 App. B (General Authenticate), iso7816-4 §7.5.2 (GENERAL AUTHENTICATE), iso7816-4 §5.1.1.1 (command chaining)
 */
import { CLA_CHAINING } from '../apdu.js';
import type { CommandApdu, ResponseApdu } from '../apdu.js';
import { encodeTlv, decodeTlv } from '../tlv.js';
import type { Tlv } from '../tlv.js';
import { CommandError } from './command-error.js';
import { expectStatus } from './response.js';

export interface DataObject {
  tag: number;
  value: Uint8Array | readonly Uint8Array[];
}

/** 00|10 86 00 00 {7C {objects}} 00. `chained` marks all but the last command of a protocol chain. */
export function generalAuthenticate(objects: readonly DataObject[], options: { chained?: boolean } = {}): CommandApdu {
  const data = encodeTlv(0x7c, objects.map((o) => encodeTlv(o.tag, o.value)));
  return { cla: options.chained === true ? CLA_CHAINING : 0x00, ins: 0x86, p1: 0x00, p2: 0x00, data, le: 256 };
}

/**
 * The response's 7C children, after checking SW 9000 and that the data are exactly one 7C TLV.
 * `required` tags must be present once; no tag may repeat (a repeated object would be ambiguous).
 */
export function parseGeneralAuthenticateResponse(response: ResponseApdu, required: readonly number[] = []): Map<number, Buffer> {
  const data = expectStatus(response, 'GENERAL AUTHENTICATE');
  const outer = decodeTlv(data);
  if (outer.tag !== 0x7c) throw new CommandError('CMD_RESPONSE_INVALID', `dynamic authentication data must be 7C, got ${outer.tag.toString(16)}`);
  const objects = new Map<number, Buffer>();
  for (const c of outer.children as readonly Tlv[]) {
    if (objects.has(c.tag)) throw new CommandError('CMD_RESPONSE_INVALID', `data object ${c.tag.toString(16)} repeated`);
    objects.set(c.tag, c.value);
  }
  for (const tag of required) {
    if (!objects.has(tag)) throw new CommandError('CMD_RESPONSE_INVALID', `data object ${tag.toString(16)} missing`);
  }
  return objects;
}
