/**
 * Certificate Holder Authorization Template (CHAT): terminal type, role and access rights of a
 * CV certificate holder. Rights of authentication terminals (id-AT) are named; inspection systems
 * (id-IS) and signature terminals (id-ST) are recognised with their role, their rights stay numeric.
 *
 * @spec tr03110-3 §C.1.5 (CHAT), §D.2 (data object 7F4C / 53)
 * @spec tr03110-4 §2.2.3.2 (authorization of authentication terminals, bit table)
 *
 * ```
 * 7F4C CHAT {
 *   06 terminal type   id-IS 0.4.0.127.0.7.3.1.2.1 | id-AT …2.2 | id-ST …2.3
 *   53 discretionary data: role (two most significant bits) || access rights, big-endian
 * }                       AT: 5 bytes (bits 39..0), IS and ST: 1 byte (bits 7..0)
 * ```
 */
import { decodeTlv, encodeTlv } from '../../card/tlv.js';
import type { Tlv } from '../../card/tlv.js';
import { CvcError, withTlvErrors } from './errors.js';
import { ROLE_OIDS, decodeOidValue, encodeOidValue } from './oids.js';

export const TAG_CHAT = 0x7f4c;
const TAG_OID = 0x06;
const TAG_DISCRETIONARY_DATA = 0x53;

export type TerminalType = 'at' | 'is' | 'st';
/**
 * TR-03110-3 §C.1.5 Table C.2: 11 CVCA, 10 DV (official domestic), 01 DV (non-official / foreign), 00 terminal.
 * (For signature terminals 10 / 01 are the accreditation-body / certification-service-provider DVs.)
 */
export type ChatRole = 'cvca' | 'dv-official' | 'dv-non-official' | 'terminal';

export interface Chat {
  /** Terminal type OID (06 in the template). */
  readonly roleOid: string;
  readonly terminalType: TerminalType;
  readonly role: ChatRole;
  /** The discretionary data without the two role bits: bit n of the table = bit n of this integer. */
  readonly rights: bigint;
}

const TYPE_BY_OID: ReadonlyMap<string, TerminalType> = new Map([
  [ROLE_OIDS.AT, 'at'],
  [ROLE_OIDS.IS, 'is'],
  [ROLE_OIDS.ST, 'st'],
]);
const OID_BY_TYPE: Readonly<Record<TerminalType, string>> = { at: ROLE_OIDS.AT, is: ROLE_OIDS.IS, st: ROLE_OIDS.ST };

/** TR-03110-3 §C.4 (AT: 5 bytes), §C.4.1/§C.4.3 (IS, ST: 1 byte). */
const DISCRETIONARY_LENGTH: Readonly<Record<TerminalType, number>> = { at: 5, is: 1, st: 1 };

const ROLE_BY_BITS: readonly ChatRole[] = ['terminal', 'dv-non-official', 'dv-official', 'cvca'];
const ROLE_BITS: Readonly<Record<ChatRole, bigint>> = { terminal: 0n, 'dv-non-official': 1n, 'dv-official': 2n, cvca: 3n };

/**
 * Access rights of authentication terminals: name → bit number (bit 0 = least significant bit of
 * the last byte). TR-03110-4 §2.2.3.2 (v2.21); bits 39–38 are the role.
 */
export const AT_RIGHTS = {
  AGE_VERIFICATION: 0,
  COMMUNITY_ID_VERIFICATION: 1,
  RESTRICTED_IDENTIFICATION: 2,
  PRIVILEGED_TERMINAL: 3,
  CAN_ALLOWED: 4,
  PIN_MANAGEMENT: 5,
  INSTALL_CERTIFICATE: 6,
  INSTALL_QUALIFIED_CERTIFICATE: 7,
  READ_DG1: 8, READ_DG2: 9, READ_DG3: 10, READ_DG4: 11, READ_DG5: 12, READ_DG6: 13, READ_DG7: 14, READ_DG8: 15,
  READ_DG9: 16, READ_DG10: 17, READ_DG11: 18, READ_DG12: 19, READ_DG13: 20, READ_DG14: 21, READ_DG15: 22, READ_DG16: 23,
  READ_DG17: 24, READ_DG18: 25, READ_DG19: 26, READ_DG20: 27, READ_DG21: 28, READ_DG22: 29,
  PSA: 30,
  RFU_31: 31,
  WRITE_DG22: 32, WRITE_DG21: 33, WRITE_DG20: 34, WRITE_DG19: 35, WRITE_DG18: 36, WRITE_DG17: 37,
} as const;
export type AtRight = keyof typeof AT_RIGHTS;

/** Data-group contents as the German eID card defines them (reference table §4.2). */
const DG_NAMES: Readonly<Record<number, string>> = {
  1: 'DocumentType', 2: 'IssuingState', 3: 'DateOfExpiry', 4: 'GivenNames', 5: 'FamilyNames', 6: 'ArtisticName',
  7: 'AcademicTitle', 8: 'DateOfBirth', 9: 'PlaceOfBirth', 10: 'Nationality', 11: 'Sex', 12: 'OptionalDataR',
  13: 'BirthName', 14: 'WrittenSignature', 15: 'DateOfIssuance', 16: 'RFU', 17: 'PlaceOfResidence', 18: 'CommunityID',
  19: 'ResidencePermitI', 20: 'ResidencePermitII', 21: 'PhoneNumber', 22: 'EmailAddress',
};

const FIXED_LABELS: Readonly<Partial<Record<AtRight, string>>> = {
  AGE_VERIFICATION: 'Age verification',
  COMMUNITY_ID_VERIFICATION: 'Community ID verification',
  RESTRICTED_IDENTIFICATION: 'Restricted identification',
  PRIVILEGED_TERMINAL: 'Privileged terminal',
  CAN_ALLOWED: 'CAN allowed',
  PIN_MANAGEMENT: 'PIN management',
  INSTALL_CERTIFICATE: 'Install certificate',
  INSTALL_QUALIFIED_CERTIFICATE: 'Install qualified certificate',
  PSA: 'Pseudonymous signature authentication (PSA)',
  RFU_31: 'RFU (bit 31)',
};

/** English label of an AT right, e.g. "Read DG4 (GivenNames)". */
export function atRightLabel(right: AtRight): string {
  const fixed = FIXED_LABELS[right];
  if (fixed !== undefined) return fixed;
  const m = /^(READ|WRITE)_DG(\d+)$/.exec(right);
  const dg = Number(m?.[2]);
  return `${m?.[1] === 'READ' ? 'Read' : 'Write'} DG${dg} (${DG_NAMES[dg] ?? 'unknown'})`;
}

const RIGHT_BY_BIT: ReadonlyMap<number, AtRight> = new Map(
  (Object.entries(AT_RIGHTS) as [AtRight, number][]).map(([name, bit]) => [bit, name]),
);

function chatError(message: string, detail?: Record<string, unknown>): CvcError {
  return new CvcError('CVC_CHAT_INVALID', message, detail === undefined ? {} : { detail });
}

/** TR-03110-4 §2.2.3.2: read access to DG n (1..22) is bit 7 + n. */
export function dgReadBit(dg: number): number {
  if (!Number.isInteger(dg) || dg < 1 || dg > 22) throw chatError(`no read right for data group ${dg}`, { dg });
  return 7 + dg;
}

/** TR-03110-4 §2.2.3.2: write access to DG 17..22 is bit 37 (DG17) down to bit 32 (DG22). */
export function dgWriteBit(dg: number): number {
  if (!Number.isInteger(dg) || dg < 17 || dg > 22) throw chatError(`no write right for data group ${dg}`, { dg });
  return 37 - (dg - 17);
}

/** Number of right bits below the two role bits (AT: 38, IS/ST: 6). */
function rightsBitCount(type: TerminalType): number {
  return DISCRETIONARY_LENGTH[type] * 8 - 2;
}

function rightsMask(type: TerminalType): bigint {
  return (1n << BigInt(rightsBitCount(type))) - 1n;
}

function toBit(right: AtRight | number): number {
  return typeof right === 'number' ? right : AT_RIGHTS[right];
}

export interface ChatOptions {
  /** Default 'at'. */
  terminalType?: TerminalType;
  role: ChatRole;
  /** Named AT rights or bit numbers, or the raw rights integer. */
  rights?: readonly (AtRight | number)[] | bigint;
}

export function createChat(options: ChatOptions): Chat {
  const terminalType = options.terminalType ?? 'at';
  const bits = rightsBitCount(terminalType);
  let rights = 0n;
  if (typeof options.rights === 'bigint') {
    rights = options.rights;
  } else {
    for (const r of options.rights ?? []) {
      if (typeof r !== 'number' && terminalType !== 'at') throw chatError(`named right ${r} exists only for authentication terminals`);
      const bit = toBit(r);
      if (!Number.isInteger(bit) || bit < 0 || bit >= bits) throw chatError(`bit ${bit} outside the ${terminalType.toUpperCase()} rights`);
      rights |= 1n << BigInt(bit);
    }
  }
  if (rights < 0n || (rights & ~rightsMask(terminalType)) !== 0n) throw chatError('rights do not fit below the role bits');
  return { roleOid: OID_BY_TYPE[terminalType], terminalType, role: options.role, rights };
}

export function chatAllows(chat: Chat, right: AtRight | number): boolean {
  const bit = toBit(right);
  return bit >= 0 && bit < rightsBitCount(chat.terminalType) && ((chat.rights >> BigInt(bit)) & 1n) === 1n;
}

function sameType(a: Chat, b: Chat): void {
  if (a.terminalType !== b.terminalType) {
    throw new CvcError('CVC_CHAT_TYPE_MISMATCH', `CHAT of type ${a.terminalType.toUpperCase()} combined with ${b.terminalType.toUpperCase()}`);
  }
}

/** Rights present in both; the role is taken from `a` (the holder whose effective rights are computed). */
export function chatIntersect(a: Chat, b: Chat): Chat {
  sameType(a, b);
  return { ...a, rights: a.rights & b.rights };
}

/** True if every right of `sub` is also in `sup` (roles are not compared). */
export function chatIsSubset(sub: Chat, sup: Chat): boolean {
  sameType(sub, sup);
  return (sub.rights & ~sup.rights) === 0n;
}

/** Bit numbers set in `sub` but not in `sup`, ascending (empty when `chatIsSubset`). */
export function chatRightsBeyond(sub: Chat, sup: Chat): number[] {
  sameType(sub, sup);
  return bitsOf(sub.rights & ~sup.rights);
}

function bitsOf(value: bigint): number[] {
  const out: number[] = [];
  for (let bit = 0; value >> BigInt(bit) !== 0n; bit++) if (((value >> BigInt(bit)) & 1n) === 1n) out.push(bit);
  return out;
}

/** Bit numbers of the granted rights, ascending. */
export function chatRightBits(chat: Chat): number[] {
  return bitsOf(chat.rights);
}

/** Names of the granted AT rights, ascending by bit (empty for IS/ST). */
export function atRightNames(chat: Chat): AtRight[] {
  if (chat.terminalType !== 'at') return [];
  return chatRightBits(chat).map((bit) => RIGHT_BY_BIT.get(bit)).filter((n): n is AtRight => n !== undefined);
}

const ROLE_LABELS: Readonly<Record<ChatRole, string>> = {
  cvca: 'CVCA', 'dv-official': 'DV (official domestic)', 'dv-non-official': 'DV (non-official / foreign)', terminal: 'Terminal',
};
const TYPE_LABELS: Readonly<Record<TerminalType, string>> = { at: 'Authentication terminal', is: 'Inspection system', st: 'Signature terminal' };

/** Human-readable list: first the terminal type and role, then one line per right. */
export function describeChat(chat: Chat): string[] {
  const head = `${TYPE_LABELS[chat.terminalType]}, role ${ROLE_LABELS[chat.role]}`;
  const rights = chat.terminalType === 'at'
    ? atRightNames(chat).map(atRightLabel)
    : chatRightBits(chat).map((bit) => `bit ${bit}`);
  return [head, ...rights];
}

/** The value of data object 53: role bits || rights, big-endian, fixed length for the terminal type. */
export function chatDiscretionaryData(chat: Chat): Buffer {
  const length = DISCRETIONARY_LENGTH[chat.terminalType];
  if ((chat.rights & ~rightsMask(chat.terminalType)) !== 0n || chat.rights < 0n) throw chatError('rights do not fit below the role bits');
  const value = (ROLE_BITS[chat.role] << BigInt(rightsBitCount(chat.terminalType))) | chat.rights;
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

/** 7F4C { 06 terminal type, 53 discretionary data } (also the CHAT in MSE:Set AT for PACE). */
export function encodeChat(chat: Chat): Buffer {
  if (OID_BY_TYPE[chat.terminalType] !== chat.roleOid) throw chatError('roleOid does not match terminalType');
  return encodeTlv(TAG_CHAT, [encodeTlv(TAG_OID, encodeOidValue(chat.roleOid)), encodeTlv(TAG_DISCRETIONARY_DATA, chatDiscretionaryData(chat))]);
}

/** Decodes a CHAT from its complete 7F4C encoding. */
export function decodeChat(bytes: Uint8Array): Chat {
  return chatFromTlv(withTlvErrors('CHAT', () => decodeTlv(bytes)));
}

/** Decodes an already parsed 7F4C node (strict: exactly 06 then 53). */
export function chatFromTlv(tlv: Tlv): Chat {
  if (tlv.tag !== TAG_CHAT) throw new CvcError('CVC_WRONG_TAG', `expected CHAT 7F4C, found ${tlv.tag.toString(16).toUpperCase()}`);
  const [oidNode, dataNode, ...extra] = tlv.children;
  // TR-03110-3 §C.1.5: the template holds exactly the terminal type and the discretionary data, in this order.
  if (oidNode?.tag !== TAG_OID || dataNode?.tag !== TAG_DISCRETIONARY_DATA || extra.length > 0) {
    throw chatError('CHAT must contain exactly 06 (terminal type) followed by 53 (discretionary data)');
  }
  const roleOid = decodeOidValue(oidNode.value);
  const terminalType = TYPE_BY_OID.get(roleOid);
  if (terminalType === undefined) throw chatError(`unknown terminal type ${roleOid}`, { roleOid });
  const length = DISCRETIONARY_LENGTH[terminalType];
  if (dataNode.value.length !== length) {
    throw chatError(`discretionary data of ${terminalType.toUpperCase()} must be ${length} bytes, found ${dataNode.value.length}`);
  }
  const value = BigInt(`0x${dataNode.value.toString('hex')}`);
  const shift = BigInt(rightsBitCount(terminalType));
  const role = ROLE_BY_BITS[Number(value >> shift)] as ChatRole;
  return { roleOid, terminalType, role, rights: value & rightsMask(terminalType) };
}
