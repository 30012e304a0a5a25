/**
 * Command and response APDUs: the four command cases in short and extended length, command
 * chaining and response chaining (61xx → GET RESPONSE, 6Cxx → repeat with exact Le).
 *
 * @spec iso7816-4 §5.1 (command-response pairs), §5.1.1 (class byte, chaining), §5.1.3 (GET RESPONSE), iso7816-3 §12.1.2
 *
 * Model: `le` is Ne, the maximum number of response bytes expected (1..65536), or null when the
 * Le field is absent. The Le field value 00 (short) means Ne = 256, 0000 (extended) Ne = 65536;
 * decoding returns those Ne values. Encoding also accepts le = 0 as "Le field 00/0000", i.e. the
 * maximum of the chosen length form.
 *
 * ```text
 * case 1   CLA INS P1 P2
 * case 2S  CLA INS P1 P2 Le                       case 2E  CLA INS P1 P2 00 Le1 Le2
 * case 3S  CLA INS P1 P2 Lc Data                  case 3E  CLA INS P1 P2 00 Lc1 Lc2 Data
 * case 4S  CLA INS P1 P2 Lc Data Le               case 4E  CLA INS P1 P2 00 Lc1 Lc2 Data Le1 Le2
 * ```
 */
import { ApduError } from './errors.js';
import { SW } from './status-words.js';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data field (Nc = data.length bytes; empty when there is no Lc field). */
  data: Buffer;
  /** Ne (1..65536), or null when the Le field is absent. 0 = "Le field 00/0000" on encode. */
  le: number | null;
}

export interface ResponseApdu {
  /** Response data field (without the status bytes). */
  data: Buffer;
  /** SW1-SW2 as one number, e.g. 0x9000. */
  sw: number;
}

/** Largest Nc / Ne of the short form. */
export const SHORT_MAX_NC = 255;
export const SHORT_MAX_NE = 256;
/** Largest Nc / Ne of the extended form. */
export const EXTENDED_MAX_NC = 65535;
export const EXTENDED_MAX_NE = 65536;

/** ISO 7816-4 §5.1.1: bit b5 of an interindustry CLA announces "command is not the last of a chain". */
export const CLA_CHAINING = 0x10;
export const INS_GET_RESPONSE = 0xc0;

export interface EncodeOptions {
  /** Force the extended length form even when short would do (default: automatic). */
  extended?: boolean;
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ApduError('APDU_INVALID_FIELD', `${name} must be a byte, got ${String(v)}`);
}

/** ISO 7816-3 §12.1.2: CLA FF is reserved for PPS; INS 6X and 9X are invalid (they would read as SW1). */
function checkHeader(cla: number, ins: number, p1: number, p2: number): void {
  checkByte('CLA', cla);
  checkByte('INS', ins);
  checkByte('P1', p1);
  checkByte('P2', p2);
  if (cla === 0xff) throw new ApduError('APDU_INVALID_FIELD', 'CLA FF is invalid');
  if ((ins & 0xf0) === 0x60 || (ins & 0xf0) === 0x90) throw new ApduError('APDU_INVALID_FIELD', `INS ${ins.toString(16)} is invalid`);
}

/** Encodes a command APDU; the short form is used when Nc ≤ 255 and Ne ≤ 256, unless `extended` is forced. */
export function encodeCommandApdu(c: CommandApdu, options: EncodeOptions = {}): Buffer {
  checkHeader(c.cla, c.ins, c.p1, c.p2);
  const nc = c.data.length;
  if (nc > EXTENDED_MAX_NC) throw new ApduError('APDU_INVALID_FIELD', `Nc ${nc} exceeds ${EXTENDED_MAX_NC}`);
  const le = c.le;
  if (le !== null && (!Number.isInteger(le) || le < 0 || le > EXTENDED_MAX_NE)) {
    throw new ApduError('APDU_INVALID_FIELD', `Ne must be 0..65536 or null, got ${String(le)}`);
  }
  const extended = options.extended === true || nc > SHORT_MAX_NC || (le !== null && le > SHORT_MAX_NE);
  const header = [c.cla, c.ins, c.p1, c.p2];
  const parts: Buffer[] = [Buffer.from(header)];
  if (!extended) {
    if (nc > 0) parts.push(Buffer.from([nc]), c.data);
    // §5.1: Le 00 means Ne = 256.
    if (le !== null) parts.push(Buffer.from([le === SHORT_MAX_NE ? 0 : le]));
  } else {
    // §5.1: an extended Lc is 00 Lc1 Lc2; the extended Le is Le1 Le2, preceded by 00 only when Lc is absent.
    if (nc > 0) parts.push(Buffer.from([0x00, nc >>> 8, nc & 0xff]), c.data);
    if (le !== null) {
      const v = le === EXTENDED_MAX_NE ? 0 : le;
      parts.push(Buffer.from(nc > 0 ? [v >>> 8, v & 0xff] : [0x00, v >>> 8, v & 0xff]));
    }
  }
  return Buffer.concat(parts);
}

/** Decodes a command APDU of case 1-4, short or extended (APDU_MALFORMED when no case fits). */
export function decodeCommandApdu(bytes: Uint8Array): CommandApdu {
  const b = Buffer.from(bytes);
  if (b.length < 4) throw new ApduError('APDU_MALFORMED', `command APDU of ${b.length} bytes has no complete header`);
  const [cla, ins, p1, p2] = [b[0] as number, b[1] as number, b[2] as number, b[3] as number];
  checkHeader(cla, ins, p1, p2);
  const make = (data: Buffer, le: number | null): CommandApdu => ({ cla, ins, p1, p2, data: Buffer.from(data), le });
  const n = b.length;
  if (n === 4) return make(Buffer.alloc(0), null); // case 1
  const b4 = b[4] as number;
  if (n === 5) return make(Buffer.alloc(0), b4 === 0 ? SHORT_MAX_NE : b4); // case 2S
  if (b4 !== 0) {
    // short Lc (1..255)
    if (n === 5 + b4) return make(b.subarray(5, 5 + b4), null); // case 3S
    if (n === 6 + b4) {
      const le = b[5 + b4] as number;
      return make(b.subarray(5, 5 + b4), le === 0 ? SHORT_MAX_NE : le); // case 4S
    }
    throw new ApduError('APDU_MALFORMED', `short Lc ${b4} does not match APDU length ${n}`);
  }
  if (n < 7) throw new ApduError('APDU_MALFORMED', `extended length field truncated (APDU length ${n})`);
  const v = ((b[5] as number) << 8) | (b[6] as number);
  if (n === 7) return make(Buffer.alloc(0), v === 0 ? EXTENDED_MAX_NE : v); // case 2E
  // §5.1: an extended Lc of 0000 is not allowed (Nc ≥ 1).
  if (v === 0) throw new ApduError('APDU_MALFORMED', 'extended Lc 0000');
  if (n === 7 + v) return make(b.subarray(7, 7 + v), null); // case 3E
  if (n === 9 + v) {
    const le = ((b[7 + v] as number) << 8) | (b[8 + v] as number);
    return make(b.subarray(7, 7 + v), le === 0 ? EXTENDED_MAX_NE : le); // case 4E
  }
  throw new ApduError('APDU_MALFORMED', `extended Lc ${v} does not match APDU length ${n}`);
}

export function encodeResponseApdu(r: ResponseApdu): Buffer {
  if (!Number.isInteger(r.sw) || r.sw < 0 || r.sw > 0xffff) throw new ApduError('APDU_INVALID_FIELD', `SW must be 16 bits, got ${String(r.sw)}`);
  if (r.data.length > EXTENDED_MAX_NE) throw new ApduError('APDU_INVALID_FIELD', `response data of ${r.data.length} bytes exceeds 65536`);
  return Buffer.concat([r.data, Buffer.from([r.sw >>> 8, r.sw & 0xff])]);
}

export function decodeResponseApdu(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) throw new ApduError('APDU_RESPONSE_TOO_SHORT', `response APDU of ${bytes.length} bytes has no status word`);
  if (bytes.length > EXTENDED_MAX_NE + 2) throw new ApduError('APDU_INVALID_FIELD', `response APDU of ${bytes.length} bytes exceeds 65538`);
  const b = Buffer.from(bytes);
  const n = b.length;
  return { data: b.subarray(0, n - 2), sw: ((b[n - 2] as number) << 8) | (b[n - 1] as number) };
}

/** SW1 (high byte) of a status word. */
export function sw1(sw: number): number {
  return (sw >>> 8) & 0xff;
}

/** SW2 (low byte) of a status word. */
export function sw2(sw: number): number {
  return sw & 0xff;
}

/** True when the CLA is interindustry (first: b8-b6 = 000, further: b8-b7 = 01), where b5 means chaining. */
function isInterindustry(cla: number): boolean {
  return (cla & 0xe0) === 0x00 || (cla & 0xc0) === 0x40;
}

/**
 * Command chaining (ISO 7816-4 §5.1.1.1): splits a command whose data exceeds `maxDataLength` into
 * parts; every part but the last has CLA b5 set and no Le field, the last keeps CLA and Le.
 * A command that fits is returned unchanged as a one-element list.
 */
export function chainCommand(c: CommandApdu, maxDataLength: number = SHORT_MAX_NC): CommandApdu[] {
  if (!Number.isInteger(maxDataLength) || maxDataLength < 1 || maxDataLength > EXTENDED_MAX_NC) {
    throw new ApduError('APDU_CHAINING_INVALID', `chunk size must be 1..65535, got ${String(maxDataLength)}`);
  }
  if (c.data.length <= maxDataLength) return [c];
  if (!isInterindustry(c.cla)) throw new ApduError('APDU_CHAINING_INVALID', `CLA ${c.cla.toString(16)} is proprietary: no chaining bit`);
  if ((c.cla & CLA_CHAINING) !== 0) throw new ApduError('APDU_CHAINING_INVALID', 'command already has the chaining bit set');
  const parts: CommandApdu[] = [];
  for (let off = 0; off < c.data.length; off += maxDataLength) {
    const last = off + maxDataLength >= c.data.length;
    parts.push({
      cla: last ? c.cla : c.cla | CLA_CHAINING,
      ins: c.ins, p1: c.p1, p2: c.p2,
      data: Buffer.from(c.data.subarray(off, off + maxDataLength)),
      le: last ? c.le : null,
    });
  }
  return parts;
}

/** True for 61xx: "SW2 encodes the number of data bytes still available" (ISO 7816-4 §5.6). */
export function hasMoreData(sw: number): boolean {
  return sw1(sw) === 0x61;
}

/**
 * GET RESPONSE (ISO 7816-4 §11.5.1 / §5.1.3) for a 61xx answer: CLA C0 00 00 Le=xx (xx = 00 → 256).
 * The CLA keeps the class and secure-messaging bits of the command but never the chaining bit.
 */
export function getResponseCommand(response: ResponseApdu, cla = 0x00): CommandApdu {
  if (!hasMoreData(response.sw)) throw new ApduError('APDU_CHAINING_INVALID', 'GET RESPONSE only follows SW 61xx');
  const n = sw2(response.sw);
  return { cla: cla & ~CLA_CHAINING & 0xff, ins: INS_GET_RESPONSE, p1: 0x00, p2: 0x00, data: Buffer.alloc(0), le: n === 0 ? SHORT_MAX_NE : n };
}

/** For 6Cxx ("wrong Le field; SW2 encodes the exact number of available data bytes"): the same command with Ne = xx. */
export function repeatWithExactLe(command: CommandApdu, response: ResponseApdu): CommandApdu {
  if (sw1(response.sw) !== 0x6c) throw new ApduError('APDU_CHAINING_INVALID', 'repeat with exact Le only follows SW 6Cxx');
  const n = sw2(response.sw);
  return { ...command, le: n === 0 ? SHORT_MAX_NE : n };
}

export type Transmit = (command: CommandApdu) => Promise<ResponseApdu>;

export interface ChainingOptions {
  /** Largest data field per command part (default 255; 65535 when the card supports extended length). */
  maxDataLength?: number;
  /** Bound on GET RESPONSE rounds, so a misbehaving card cannot loop us forever (default 256). */
  maxResponseRounds?: number;
}

/**
 * Sends a command with command chaining as needed and collects a chained response.
 * An intermediate part answered with anything but 9000 ends the exchange with that response.
 * 61xx is followed by GET RESPONSE (data concatenated), 6Cxx by one repeat with the exact Le.
 */
export async function transmitWithChaining(transmit: Transmit, command: CommandApdu, options: ChainingOptions = {}): Promise<ResponseApdu> {
  const parts = chainCommand(command, options.maxDataLength ?? SHORT_MAX_NC);
  const maxRounds = options.maxResponseRounds ?? 256;
  let response: ResponseApdu = { data: Buffer.alloc(0), sw: SW.SUCCESS };
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as CommandApdu;
    response = await transmit(part);
    if (i < parts.length - 1 && response.sw !== SW.SUCCESS) return response;
    if (i === parts.length - 1 && sw1(response.sw) === 0x6c) response = await transmit(repeatWithExactLe(part, response));
  }
  const chunks: Buffer[] = [response.data];
  let rounds = 0;
  while (hasMoreData(response.sw)) {
    if (++rounds > maxRounds) throw new ApduError('APDU_CHAINING_INVALID', `more than ${maxRounds} GET RESPONSE rounds`);
    response = await transmit(getResponseCommand(response, command.cla));
    chunks.push(response.data);
  }
  return { data: Buffer.concat(chunks), sw: response.sw };
}
