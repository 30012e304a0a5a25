/**
 * Secure messaging with AES (encrypt-then-MAC, CMAC truncated to 8 bytes) for both ends of the
 * channel established by PACE or Chip Authentication.
 *
 * @spec tr03110-3 App. F (Secure Messaging with AES: SSC, IV = E_Kenc of SSC, CMAC)
 * @spec iso7816-4 (secure messaging data objects 87/97/99/8E; CLA b4-b3 = 11: SM, header authenticated)
 * @spec iso9797-1 (padding method 2)
 *
 * ```text
 * command   CLA|0C INS P1 P2  Lc  [87 L 01||E(pad(data))] [97 L Le] 8E 08 MAC   Le = 00 / 0000
 *           MAC = CMAC(K_mac, pad(SSC || pad(CLA|0C INS P1 P2) || DO87 || DO97))[0..8]
 * response  [87 L 01||E(pad(data))] 99 02 SW1SW2 8E 08 MAC   SW1SW2
 *           MAC = CMAC(K_mac, pad(SSC || DO87 || DO99))[0..8]
 * ```
 *
 * The SSC is a block-size (16-byte) big-endian counter, 0 after key agreement, incremented before
 * each command and before each response, so command n uses 2n-1 and its response 2n. Each instance
 * is one end (terminal or chip) and enforces the strict command/response alternation. Any SM error
 * closes the instance: the chip then answers the failed command with a plain 6987/6988 and drops the
 * session (TR-03110-3 App. F: an SM error aborts secure messaging), the terminal must not go on
 * with counters that are out of step.
 *
 * Not supported: DO85 (odd INS with BER-TLV data; no eID command needs it) and 3DES.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { IdpError } from '../../errors/idp-error.js';
import type { ErrorCode } from '../../errors/catalog.js';
import type { CommandApdu, ResponseApdu } from '../card/apdu.js';
import { SW } from '../card/status-words.js';
import { decodeTlvs, encodeTlv } from '../card/tlv.js';
import type { Tlv } from '../card/tlv.js';
import { constantTimeEqual } from '../../shared/bytes.js';
import { aesCmac, aesEncryptBlock } from './cmac.js';
import { keyLength } from './kdf.js';
import type { SmCipher } from './kdf.js';

export class SecureMessagingError extends IdpError {}

export interface SmKeys {
  readonly kEnc: Buffer;
  readonly kMac: Buffer;
  readonly cipher: SmCipher;
}

export type SmRole = 'terminal' | 'chip';

/** Which call comes next: 'command' (terminal: wrapCommand, chip: unwrapCommand) or 'response'. */
export type SmPhase = 'command' | 'response';

/** JSON-safe snapshot for the session store (keys and SSC as hex). Treat as secret: it holds the session keys. */
export interface SmState {
  readonly v: 1;
  readonly role: SmRole;
  readonly cipher: SmCipher;
  readonly kEnc: string;
  readonly kMac: string;
  /** SSC, 32 hex digits. */
  readonly ssc: string;
  readonly phase: SmPhase;
  readonly closed: boolean;
}

const BLOCK = 16;
const MAC_LENGTH = 8;
const SSC_MAX = (1n << 128n) - 1n;

/** ISO 7816-4 (class byte): CLA b4-b3 = 11, "SM, command header authenticated". */
export const CLA_SM = 0x0c;
// ISO 7816-4 secure messaging data objects.
const TAG_CRYPTOGRAM_PI = 0x87; // padding-content indicator byte followed by cryptogram
const TAG_LE = 0x97;
const TAG_PROCESSING_STATUS = 0x99;
const TAG_MAC = 0x8e;
/** ISO 7816-4: padding-content indicator 01 = "padded as specified in ISO/IEC 9797-1 method 2". */
const PADDING_INDICATOR_ISO9797_M2 = 0x01;

function smError(code: ErrorCode, message: string, detail?: Record<string, unknown>): SecureMessagingError {
  return new SecureMessagingError(code, message, detail === undefined ? {} : { detail });
}

/** ISO/IEC 9797-1 padding method 2: append 80, then 00 up to a multiple of the block size (always ≥ 1 byte). */
export function padIso9797M2(data: Uint8Array): Buffer {
  const padLength = BLOCK - (data.length % BLOCK);
  const out = Buffer.alloc(data.length + padLength);
  out.set(data);
  out.writeUInt8(0x80, data.length);
  return out;
}

/** Inverse of padIso9797M2 (SM_PADDING_INVALID). Runs only on MAC-verified data, so it is no padding oracle. */
export function unpadIso9797M2(data: Uint8Array): Buffer {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0x00) i--;
  if (i < 0 || data[i] !== 0x80 || data.length - i > BLOCK) throw smError('SM_PADDING_INVALID', 'ISO/IEC 9797-1 method 2 padding not found');
  return Buffer.from(data.subarray(0, i));
}

function sscBlock(ssc: bigint): Buffer {
  return Buffer.from(ssc.toString(16).padStart(BLOCK * 2, '0'), 'hex');
}

function checkKeys(keys: SmKeys): void {
  const n = keyLength(keys.cipher);
  if (keys.kEnc.length !== n || keys.kMac.length !== n) {
    throw new SecureMessagingError('EAC_INVALID_KEY', `${keys.cipher} session keys must be ${n} bytes`, { detail: { kEnc: keys.kEnc.length, kMac: keys.kMac.length } });
  }
}

export class SecureMessaging {
  readonly role: SmRole;
  readonly #keys: SmKeys;
  #ssc: bigint;
  #phase: SmPhase = 'command';
  #closed = false;

  constructor(keys: SmKeys, role: SmRole, initialSsc: bigint = 0n) {
    checkKeys(keys);
    if (initialSsc < 0n || initialSsc > SSC_MAX) throw smError('SM_STATE_INVALID', 'SSC out of range');
    this.#keys = { kEnc: Buffer.from(keys.kEnc), kMac: Buffer.from(keys.kMac), cipher: keys.cipher };
    this.role = role;
    this.#ssc = initialSsc;
  }

  get ssc(): bigint {
    return this.#ssc;
  }

  get phase(): SmPhase {
    return this.#phase;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ends the session (e.g. after a plain status word from the chip); every later call throws SM_SESSION_CLOSED. */
  close(): void {
    this.#closed = true;
  }

  // ---- terminal side ----------------------------------------------------------------------------

  /** Terminal: protects a plain command APDU. CLA must not carry SM bits yet; the chaining bit is kept. */
  wrapCommand(c: CommandApdu): CommandApdu {
    this.#enter('terminal', 'command');
    if ((c.cla & CLA_SM) !== 0) throw this.#fail('SM_STATE_INVALID', 'command CLA already indicates secure messaging');
    const ssc = this.#nextSsc();
    const cla = c.cla | CLA_SM;
    const dos: Buffer[] = [];
    if (c.data.length > 0) dos.push(this.#encryptDo87(ssc, c.data));
    // DO97 carries Ne: one byte for Ne ≤ 256 (00 = 256), two bytes beyond (0000 = 65536); le 0 counts as 256.
    let extended = false;
    if (c.le !== null) {
      const ne = c.le === 0 ? 256 : c.le;
      extended = ne > 256;
      dos.push(encodeTlv(TAG_LE, extended ? Buffer.of((ne >>> 8) & 0xff, ne & 0xff) : Buffer.of(ne & 0xff)));
    }
    const mac = this.#mac(ssc, Buffer.of(cla, c.ins, c.p1, c.p2), dos);
    const data = Buffer.concat([...dos, encodeTlv(TAG_MAC, mac)]);
    // Le 00 (short) or 0000 (extended): the response always carries at least DO99 and DO8E.
    // Ne 65536 forces the extended form when a long response is expected; otherwise the APDU codec picks.
    this.#phase = 'response';
    return { cla, ins: c.ins, p1: c.p1, p2: c.p2, data, le: extended ? 65536 : 0 };
  }

  /** Terminal: verifies and decrypts a protected response. The returned SW is the authenticated DO99 value. */
  unwrapResponse(r: ResponseApdu): ResponseApdu {
    this.#enter('terminal', 'response');
    const ssc = this.#nextSsc();
    if (r.data.length === 0) {
      // The chip answers SM errors with a plain SW and drops the session (TR-03110-3 App. F).
      throw this.#fail('SM_DATA_OBJECT_MISSING', 'response carries no secure messaging data objects', { sw: r.sw.toString(16).padStart(4, '0') });
    }
    const objects = this.#parse(r.data);
    const { do87, do99, mac } = this.#splitResponse(objects);
    this.#verifyMac(ssc, null, [do87?.raw, do99.raw], mac);
    if (do99.value.length !== 2) throw this.#fail('SM_DATA_OBJECT_INVALID', 'DO99 must hold exactly SW1-SW2');
    const sw = do99.value.readUInt16BE(0);
    // The status bytes outside the protected data must match the authenticated ones.
    if (sw !== r.sw) throw this.#fail('SM_DATA_OBJECT_INVALID', 'SW differs from the authenticated DO99', { sw: r.sw.toString(16), do99: sw.toString(16) });
    const data = do87 === undefined ? Buffer.alloc(0) : this.#decryptDo87(ssc, do87);
    this.#phase = 'command';
    return { data, sw };
  }

  // ---- chip side --------------------------------------------------------------------------------

  /**
   * Chip: verifies and decrypts a protected command. On any error the session is closed and the
   * error's code maps to the plain SW to answer with (statusWordForSmError).
   */
  unwrapCommand(c: CommandApdu): CommandApdu {
    this.#enter('chip', 'command');
    // TR-03110-3 App. F: a command without SM while SM is active aborts the session.
    if ((c.cla & CLA_SM) !== CLA_SM) throw this.#fail('SM_DATA_OBJECT_MISSING', 'plain command received while secure messaging is active');
    const ssc = this.#nextSsc();
    const [do87, do97, mac] = this.#inOrder(this.#parse(c.data), [TAG_CRYPTOGRAM_PI, TAG_LE, TAG_MAC]);
    if (mac === undefined) throw this.#fail('SM_DATA_OBJECT_MISSING', 'DO8E (cryptographic checksum) missing');
    this.#verifyMac(ssc, Buffer.of(c.cla, c.ins, c.p1, c.p2), [do87?.raw, do97?.raw], mac);
    let le: number | null = null;
    if (do97 !== undefined) {
      if (do97.value.length === 1) le = do97.value.readUInt8(0) === 0 ? 256 : do97.value.readUInt8(0);
      else if (do97.value.length === 2) le = do97.value.readUInt16BE(0) === 0 ? 65536 : do97.value.readUInt16BE(0);
      else throw this.#fail('SM_DATA_OBJECT_INVALID', 'DO97 must be 1 or 2 bytes');
    }
    const data = do87 === undefined ? Buffer.alloc(0) : this.#decryptDo87(ssc, do87);
    this.#phase = 'response';
    return { cla: c.cla & ~CLA_SM & 0xff, ins: c.ins, p1: c.p1, p2: c.p2, data, le };
  }

  /** Chip: protects a response. Error SWs are protected as well (DO99 + DO8E); only SM errors go out plain. */
  wrapResponse(r: ResponseApdu): ResponseApdu {
    this.#enter('chip', 'response');
    const ssc = this.#nextSsc();
    const dos: Buffer[] = [];
    if (r.data.length > 0) dos.push(this.#encryptDo87(ssc, r.data));
    dos.push(encodeTlv(TAG_PROCESSING_STATUS, Buffer.of((r.sw >>> 8) & 0xff, r.sw & 0xff)));
    const mac = this.#mac(ssc, null, dos);
    this.#phase = 'command';
    return { data: Buffer.concat([...dos, encodeTlv(TAG_MAC, mac)]), sw: r.sw };
  }

  // ---- state ------------------------------------------------------------------------------------

  exportState(): SmState {
    return {
      v: 1, role: this.role, cipher: this.#keys.cipher, kEnc: this.#keys.kEnc.toString('hex'), kMac: this.#keys.kMac.toString('hex'),
      ssc: sscBlock(this.#ssc).toString('hex'), phase: this.#phase, closed: this.#closed,
    };
  }

  /** Restores an exported state; anything that does not validate is SM_STATE_INVALID. */
  static importState(state: unknown): SecureMessaging {
    const s = state as Partial<Record<keyof SmState, unknown>> | null;
    const hexOf = (v: unknown, n: number): Buffer => {
      if (typeof v !== 'string' || v.length !== n * 2 || !/^[0-9a-f]*$/.test(v)) throw smError('SM_STATE_INVALID', 'stored SM state is malformed');
      return Buffer.from(v, 'hex');
    };
    if (s === null || typeof s !== 'object' || s.v !== 1) throw smError('SM_STATE_INVALID', 'stored SM state is malformed');
    if ((s.role !== 'terminal' && s.role !== 'chip') || (s.phase !== 'command' && s.phase !== 'response') || typeof s.closed !== 'boolean') {
      throw smError('SM_STATE_INVALID', 'stored SM state is malformed');
    }
    if (s.cipher !== 'AES-128' && s.cipher !== 'AES-192' && s.cipher !== 'AES-256') throw smError('SM_STATE_INVALID', 'stored SM state is malformed');
    const n = keyLength(s.cipher);
    const sm = new SecureMessaging({ kEnc: hexOf(s.kEnc, n), kMac: hexOf(s.kMac, n), cipher: s.cipher }, s.role, BigInt(`0x${hexOf(s.ssc, BLOCK).toString('hex')}`));
    sm.#phase = s.phase;
    sm.#closed = s.closed;
    return sm;
  }

  // ---- internals --------------------------------------------------------------------------------

  #enter(role: SmRole, phase: SmPhase): void {
    if (this.#closed) throw smError('SM_SESSION_CLOSED', 'secure messaging session is closed');
    if (this.role !== role) throw smError('SM_STATE_INVALID', `operation belongs to the ${role} side`);
    if (this.#phase !== phase) throw smError('SM_STATE_INVALID', `expected a ${this.#phase}, not a ${phase}`);
  }

  #fail(code: ErrorCode, message: string, detail?: Record<string, unknown>): SecureMessagingError {
    this.#closed = true;
    return smError(code, message, detail);
  }

  #nextSsc(): bigint {
    // TR-03110-3 App. F: SSC incremented before each command and each response; never wrap around.
    if (this.#ssc >= SSC_MAX) throw this.#fail('SM_SESSION_CLOSED', 'send sequence counter exhausted');
    this.#ssc += 1n;
    return this.#ssc;
  }

  #parse(data: Buffer): Tlv[] {
    try {
      return decodeTlvs(data, { maxDepth: 1 });
    } catch (cause) {
      this.#closed = true;
      throw new SecureMessagingError('SM_DATA_OBJECT_INVALID', 'secure messaging data objects are not valid BER-TLV', { cause });
    }
  }

  #splitResponse(objects: Tlv[]): { do87: Tlv | undefined; do99: Tlv; mac: Tlv } {
    const [do87, do99, mac] = this.#inOrder(objects, [TAG_CRYPTOGRAM_PI, TAG_PROCESSING_STATUS, TAG_MAC]);
    // TR-03110-3 App. F / ISO 7816-4: DO99 and DO8E are mandatory in every protected response.
    if (do99 === undefined) throw this.#fail('SM_DATA_OBJECT_MISSING', 'DO99 (processing status) missing');
    if (mac === undefined) throw this.#fail('SM_DATA_OBJECT_MISSING', 'DO8E (cryptographic checksum) missing');
    return { do87, do99, mac };
  }

  /**
   * Matches `objects` against the tags in order, each optional and at most once; anything else
   * (unknown tag, duplicate, wrong order, objects after DO8E) is SM_DATA_OBJECT_INVALID.
   */
  #inOrder(objects: Tlv[], tags: readonly number[]): (Tlv | undefined)[] {
    let index = 0;
    const found = tags.map((tag) => {
      const o = objects[index];
      if (o?.tag !== tag) return undefined;
      index++;
      return o;
    });
    const extra = objects[index];
    if (extra !== undefined) throw this.#fail('SM_DATA_OBJECT_INVALID', `unexpected or misplaced data object ${extra.tag.toString(16)}`);
    return found;
  }

  #iv(ssc: bigint): Buffer {
    // TR-03110-3 App. F (AES): IV = E(K_enc, SSC).
    return aesEncryptBlock(this.#keys.kEnc, sscBlock(ssc));
  }

  #encryptDo87(ssc: bigint, plain: Buffer): Buffer {
    const cipher = createCipheriv(`aes-${this.#keys.kEnc.length * 8}-cbc`, this.#keys.kEnc, this.#iv(ssc)).setAutoPadding(false);
    const body = Buffer.concat([cipher.update(padIso9797M2(plain)), cipher.final()]);
    return encodeTlv(TAG_CRYPTOGRAM_PI, Buffer.concat([Buffer.of(PADDING_INDICATOR_ISO9797_M2), body]));
  }

  #decryptDo87(ssc: bigint, do87: Tlv): Buffer {
    if (do87.value.length < 1 + BLOCK || (do87.value.length - 1) % BLOCK !== 0) {
      throw this.#fail('SM_DATA_OBJECT_INVALID', 'DO87 cryptogram is not a whole number of blocks');
    }
    if (do87.value[0] !== PADDING_INDICATOR_ISO9797_M2) {
      throw this.#fail('SM_PADDING_INVALID', 'DO87 padding-content indicator is not 01', { indicator: do87.value[0] });
    }
    const decipher = createDecipheriv(`aes-${this.#keys.kEnc.length * 8}-cbc`, this.#keys.kEnc, this.#iv(ssc)).setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(do87.value.subarray(1)), decipher.final()]);
    try {
      return unpadIso9797M2(padded);
    } catch (err) {
      this.#closed = true;
      throw err;
    }
  }

  /** CMAC over SSC || [pad(header)] || DOs, the DO part padded when present (TR-03110-3 App. F). */
  #mac(ssc: bigint, header: Buffer | null, dos: readonly (Buffer | undefined)[]): Buffer {
    const objects = Buffer.concat(dos.filter((d): d is Buffer => d !== undefined));
    const prefix = header === null ? sscBlock(ssc) : Buffer.concat([sscBlock(ssc), padIso9797M2(header)]);
    const input = objects.length === 0 ? prefix : padIso9797M2(Buffer.concat([prefix, objects]));
    return aesCmac(this.#keys.kMac, input).subarray(0, MAC_LENGTH);
  }

  #verifyMac(ssc: bigint, header: Buffer | null, dos: readonly (Buffer | undefined)[], mac: Tlv): void {
    if (mac.value.length !== MAC_LENGTH) throw this.#fail('SM_DATA_OBJECT_INVALID', 'DO8E must be 8 bytes');
    if (!constantTimeEqual(this.#mac(ssc, header, dos), mac.value)) throw this.#fail('SM_MAC_INVALID', 'secure messaging MAC does not verify');
  }
}

/**
 * Chip side: the plain status word that answers a command whose SM processing failed
 * (ISO 7816-4 §5.6: 6987 "expected SM data objects missing", 6988 "SM data objects incorrect").
 */
export function statusWordForSmError(err: unknown): number {
  if (err instanceof IdpError && err.code === 'SM_DATA_OBJECT_MISSING') return SW.SM_DATA_OBJECTS_MISSING;
  return SW.SM_DATA_OBJECTS_INCORRECT;
}
