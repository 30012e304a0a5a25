/**
 * Strict DER reading, and a small DER writer (asn1js for OIDs and INTEGERs).
 *
 * The reader is our own TLV walk that checks the DER rules of X.690 §8.1 and §10 (definite, minimal
 * lengths; shortest tag numbers; primitive strings) while it reads; the value readers below add the
 * rules of each type (BOOLEAN, INTEGER, OID, BIT STRING). It replaced asn1js' BER parser plus a
 * re-check of every node, which cost several milliseconds per passive authentication
 * (tools/bench/login.ts); test/unit/pki/der.test.ts compares both on generated and mutated input.
 * Callers pass a `fail` function so each area throws its own error code.
 *
 * @spec x690 §8, §10, §11
 */
import * as asn1js from 'asn1js';

/** Tag classes, numbered as asn1js numbers them (identifier bits 8–7, plus one). */
export const TagClass = { UNIVERSAL: 1, APPLICATION: 2, CONTEXT: 3, PRIVATE: 4 } as const;
export type TagClass = (typeof TagClass)[keyof typeof TagClass];

/** Universal tag numbers used here. */
export const Tag = {
  BOOLEAN: 1, INTEGER: 2, BIT_STRING: 3, OCTET_STRING: 4, NULL: 5, OID: 6, UTF8_STRING: 12,
  SEQUENCE: 16, SET: 17, PRINTABLE_STRING: 19, IA5_STRING: 22, UTC_TIME: 23, GENERALIZED_TIME: 24,
} as const;

export interface DerNode {
  readonly cls: TagClass;
  readonly tag: number;
  readonly constructed: boolean;
  /** The complete TLV as it appeared in the input. */
  readonly raw: Buffer;
  /** The value octets. */
  readonly content: Buffer;
  readonly children: readonly DerNode[];
}

/** Throws the caller's error; `reason` is safe to log. */
export type Fail = (reason: string) => never;

export interface ParseDerOptions {
  /** Called instead of `fail` when bytes follow the outer element. */
  trailing?: Fail;
  maxDepth?: number;
}

/** Parses exactly one DER element. */
export function parseDer(bytes: Uint8Array, fail: Fail, options: ParseDerOptions = {}): DerNode {
  if (bytes.byteLength === 0) fail('empty input');
  // One copy of the input: the nodes are views into it, so later changes to the caller's buffer change no node.
  const input = Buffer.from(bytes);
  const { node, end } = readElement(input, 0, input.byteLength, 0, options.maxDepth ?? 32, fail);
  if (end !== input.byteLength) (options.trailing ?? fail)(`${input.byteLength - end} trailing byte(s)`);
  return node;
}

/**
 * One TLV at `offset`, its children read recursively (depth-bounded), every rule of X.690 §10.1
 * and §8.1 checked on the way: tag numbers in the shortest form, definite lengths in the fewest
 * octets, contents within the enclosing element.
 */
function readElement(input: Buffer, offset: number, limit: number, depth: number, maxDepth: number, fail: Fail): { node: DerNode; end: number } {
  if (depth > maxDepth) fail(`nested deeper than ${maxDepth}`);
  let p = offset;
  if (p >= limit) fail('truncated identifier');
  const identifier = input[p++]!;
  const cls = ((identifier >> 6) + 1) as TagClass;
  const constructed = (identifier & 0x20) !== 0;
  let tag = identifier & 0x1f;
  if (tag === 0x1f) {
    // X.690 §8.1.2.4: high tag number form, base 128, no leading 0x80 octet, only for numbers ≥ 31.
    tag = 0;
    for (let first = true; ; first = false) {
      if (p >= limit) fail('truncated identifier');
      const b = input[p++]!;
      if (first && b === 0x80) fail('non-minimal tag number');
      tag = tag * 128 + (b & 0x7f);
      if (tag > 0xffffff) fail('tag number too large');
      if ((b & 0x80) === 0) break;
    }
    if (tag < 0x1f) fail('non-minimal tag number');
  }
  if (p >= limit) fail('truncated length');
  const first = input[p++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    // X.690 §10.1: definite form only, in the minimum number of octets.
    if (first === 0x80) fail('indefinite length');
    const octets = first & 0x7f;
    if (octets > 4) fail('length too large');
    if (p + octets > limit) fail('truncated length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + input[p++]!;
    if (length < 0x80 || octets !== minimalLengthOctets(length)) fail('non-minimal length encoding');
  }
  const contentEnd = p + length;
  if (contentEnd > limit) fail(`length exceeds the input (tag ${tag}: ${length} > ${limit - p})`);
  if (cls === TagClass.UNIVERSAL) {
    // X.690 §8.1.5: end-of-contents octets belong to the indefinite form only; X.680 §8.6: universal numbers above 30 are unassigned.
    if (tag === 0) fail('end-of-contents octets');
    if (tag > 30) fail(`unassigned universal tag ${tag}`);
    // X.690 §10.2: string types are primitive in DER; only SEQUENCE and SET are constructed universals.
    if (constructed !== (tag === Tag.SEQUENCE || tag === Tag.SET)) fail(`universal tag ${tag} with wrong primitive/constructed form`);
    // X.690 §8.6.2: a BIT STRING starts with the number of unused bits, 0–7, and 0 when it is empty.
    if (tag === Tag.BIT_STRING && (length === 0 || input[p]! > 7 || (length === 1 && input[p] !== 0))) fail('BIT STRING with a bad unused-bits octet');
    // X.690 §8.19.2: the last subidentifier ends with an octet whose bit 8 is zero (readOid checks the rest).
    if (tag === Tag.OID && length > 0 && (input[contentEnd - 1]! & 0x80) !== 0) fail('truncated OBJECT IDENTIFIER');
  }
  const children: DerNode[] = [];
  if (constructed) {
    for (let q = p; q < contentEnd;) {
      const child = readElement(input, q, contentEnd, depth + 1, maxDepth, fail);
      children.push(child.node);
      q = child.end;
    }
  }
  return { node: { cls, tag, constructed, raw: input.subarray(offset, contentEnd), content: input.subarray(p, contentEnd), children }, end: contentEnd };
}

function minimalLengthOctets(n: number): number {
  let octets = 1;
  while (n > 0xff) { n = Math.floor(n / 256); octets++; }
  return octets;
}

// --- Readers: each checks the tag and the DER value rules --------------------------------------

export function isUniversal(node: DerNode, tag: number): boolean {
  return node.cls === TagClass.UNIVERSAL && node.tag === tag;
}

export function isContext(node: DerNode, tag: number): boolean {
  return node.cls === TagClass.CONTEXT && node.tag === tag;
}

export function expectUniversal(node: DerNode | undefined, tag: number, what: string, fail: Fail): DerNode {
  if (node === undefined) fail(`${what}: missing`);
  if (!isUniversal(node, tag)) fail(`${what}: unexpected tag class ${node.cls} number ${node.tag}`);
  return node;
}

export function readSequence(node: DerNode | undefined, what: string, fail: Fail, min = 0, max = Infinity): readonly DerNode[] {
  const n = expectUniversal(node, Tag.SEQUENCE, what, fail);
  if (n.children.length < min || n.children.length > max) fail(`${what}: ${n.children.length} elements`);
  return n.children;
}

export function readOid(node: DerNode | undefined, what: string, fail: Fail): string {
  const n = expectUniversal(node, Tag.OID, what, fail);
  const c = n.content;
  // X.690 §8.19.2: each subidentifier minimal (no leading 0x80), the last octet ends the value.
  if (c.byteLength === 0 || (c[c.byteLength - 1]! & 0x80) !== 0) fail(`${what}: malformed OBJECT IDENTIFIER`);
  const arcs: bigint[] = [];
  let value = 0n;
  let start = true;
  for (const byte of c) {
    if (start && byte === 0x80) fail(`${what}: non-minimal OBJECT IDENTIFIER subidentifier`);
    value = (value << 7n) | BigInt(byte & 0x7f);
    start = (byte & 0x80) === 0;
    if (start) { arcs.push(value); value = 0n; }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

export function readInteger(node: DerNode | undefined, what: string, fail: Fail): bigint {
  const n = expectUniversal(node, Tag.INTEGER, what, fail);
  const c = n.content;
  if (c.byteLength === 0) fail(`${what}: empty INTEGER`);
  // X.690 §8.3.2: the first nine bits are not all equal.
  if (c.byteLength > 1 && ((c[0] === 0x00 && (c[1]! & 0x80) === 0) || (c[0] === 0xff && (c[1]! & 0x80) !== 0))) {
    fail(`${what}: non-minimal INTEGER`);
  }
  let v = BigInt(`0x${c.toString('hex')}`);
  if ((c[0]! & 0x80) !== 0) v -= 1n << BigInt(8 * c.byteLength);
  return v;
}

/** A non-negative INTEGER that fits a JS number (versions, key ids, parameter ids). */
export function readSmallUint(node: DerNode | undefined, what: string, fail: Fail): number {
  const v = readInteger(node, what, fail);
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what}: out of range`);
  return Number(v);
}

export function readBoolean(node: DerNode | undefined, what: string, fail: Fail): boolean {
  const n = expectUniversal(node, Tag.BOOLEAN, what, fail);
  // X.690 §11.1: TRUE is FF in DER.
  if (n.content.byteLength !== 1 || (n.content[0] !== 0x00 && n.content[0] !== 0xff)) fail(`${what}: BOOLEAN not DER`);
  return n.content[0] === 0xff;
}

export function readOctetString(node: DerNode | undefined, what: string, fail: Fail): Buffer {
  return expectUniversal(node, Tag.OCTET_STRING, what, fail).content;
}

/** BIT STRING with zero unused bits (keys, signatures). */
export function readBitStringBytes(node: DerNode | undefined, what: string, fail: Fail): Buffer {
  const n = expectUniversal(node, Tag.BIT_STRING, what, fail);
  if (n.content.byteLength === 0 || n.content[0] !== 0) fail(`${what}: BIT STRING with unused bits`);
  return n.content.subarray(1);
}

export function readIa5String(node: DerNode | undefined, what: string, fail: Fail): string {
  const n = expectUniversal(node, Tag.IA5_STRING, what, fail);
  if (n.content.some((b) => b > 0x7f)) fail(`${what}: not IA5`);
  return n.content.toString('latin1');
}

/** UTCTime / GeneralizedTime, the forms RFC 5280 §4.1.2.5 permits (seconds, 'Z'). */
export function parseTime(node: DerNode, fail: Fail): Date {
  const text = node.content.toString('latin1');
  let m: RegExpExecArray | null;
  if (isUniversal(node, Tag.UTC_TIME) && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)) !== null) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (isUniversal(node, Tag.GENERALIZED_TIME) && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)) !== null) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  return fail(`malformed time ${JSON.stringify(text)}`);
}

// --- Writer -------------------------------------------------------------------------------------

export function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) { bytes.unshift(n & 0xff); n = Math.floor(n / 256); }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte identifier (all tags used here are < 31). */
export function derTlv(identifier: number, content: Uint8Array | readonly Uint8Array[]): Buffer {
  const body = content instanceof Uint8Array ? content : Buffer.concat(content);
  return Buffer.concat([Buffer.from([identifier]), derLength(body.byteLength), body]);
}

export const derSequence = (parts: readonly Uint8Array[]): Buffer => derTlv(0x30, parts);

/** X.690 §11.6: the elements of a SET OF in ascending order of their encodings. */
export function derSetOf(parts: readonly Uint8Array[]): Buffer {
  return derTlv(0x31, [...parts].sort((a, b) => Buffer.compare(a, b)));
}

export function derOid(oid: string): Buffer {
  return Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER());
}

export function derInteger(v: bigint | number): Buffer {
  return Buffer.from(asn1js.Integer.fromBigInt(BigInt(v)).toBER());
}

export const derBoolean = (v: boolean): Buffer => Buffer.from([0x01, 0x01, v ? 0xff : 0x00]);
export const derOctetString = (v: Uint8Array): Buffer => derTlv(0x04, v);
export const derBitString = (v: Uint8Array): Buffer => derTlv(0x03, [Buffer.from([0]), v]);
export const derIa5String = (v: string): Buffer => derTlv(0x16, Buffer.from(v, 'latin1'));
export const derNull = (): Buffer => Buffer.from([0x05, 0x00]);

/** Unsigned big-endian integer as exactly `size` octets (FieldElement, point coordinates). */
export function fixedBytes(v: bigint, size: number): Buffer {
  const h = v.toString(16).padStart(size * 2, '0');
  if (h.length > size * 2) throw new RangeError('value does not fit');
  return Buffer.from(h, 'hex');
}

export function bytesToBigInt(b: Uint8Array): bigint {
  return b.byteLength === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`);
}

/**
 * Total length (header + value) of the DER element at the start of `bytes`, read from its header only,
 * or null if the header is truncated or uses the indefinite form. Used to cut file padding.
 */
export function derElementLength(bytes: Uint8Array): number | null {
  let i = 1;
  if (bytes.byteLength < 2) return null;
  if ((bytes[0]! & 0x1f) === 0x1f) { while (i < bytes.byteLength && (bytes[i]! & 0x80) !== 0) i++; i++; }
  const first = bytes[i];
  if (first === undefined || first === 0x80) return null;
  if (first < 0x80) return i + 1 + first;
  const octets = first & 0x7f;
  if (octets > 4 || i + 1 + octets > bytes.byteLength) return null;
  let len = 0;
  for (let k = 0; k < octets; k++) len = len * 256 + bytes[i + 1 + k]!;
  return i + 1 + octets + len;
}
