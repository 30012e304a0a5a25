/**
 * Strict DER reading on top of asn1js, and a small DER writer.
 *
 * asn1js parses BER leniently (non-minimal lengths, any BOOLEAN byte, non-minimal INTEGERs), so every
 * node is re-checked here against the DER rules of X.690 §10 before callers see it. Callers pass a
 * `fail` function so each area throws its own error code.
 *
 * @spec x690 §8, §10, §11
 */
import * as asn1js from 'asn1js';

/** asn1js tag classes. */
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
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result = asn1js.fromBER(input, { parseEmbedded: false, maxDepth: options.maxDepth ?? 32 });
  if (result.offset === -1) fail(`not decodable: ${result.result.error}`);
  if (result.offset !== input.byteLength) (options.trailing ?? fail)(`${input.byteLength - result.offset} trailing byte(s)`);
  return toNode(result.result, fail);
}

function toNode(block: asn1js.AsnType, fail: Fail): DerNode {
  const b = block as asn1js.BaseBlock;
  const { idBlock, lenBlock } = b;
  // X.690 §10.1: definite form only.
  if (lenBlock.isIndefiniteForm) fail('indefinite length');
  // X.690 §10.1: minimal number of length octets.
  if (lenBlock.longFormUsed && (lenBlock.length < 0x80 || lenBlock.blockLength - 1 !== minimalLengthOctets(lenBlock.length))) {
    fail('non-minimal length encoding');
  }
  const raw = Buffer.from(b.valueBeforeDecodeView);
  const headerLength = idBlock.blockLength + lenBlock.blockLength;
  const content = raw.subarray(headerLength);
  if (content.byteLength !== lenBlock.length) fail(`length mismatch (tag ${idBlock.tagNumber}: ${content.byteLength} != ${lenBlock.length}, header ${headerLength}, raw ${raw.byteLength})`);
  const cls = idBlock.tagClass as TagClass;
  const constructed = idBlock.isConstructed;
  // X.690 §10.2: string types are primitive in DER; only SEQUENCE and SET are constructed universals.
  if (cls === TagClass.UNIVERSAL && constructed !== (idBlock.tagNumber === Tag.SEQUENCE || idBlock.tagNumber === Tag.SET)) {
    fail(`universal tag ${idBlock.tagNumber} with wrong primitive/constructed form`);
  }
  const children: DerNode[] = [];
  if (constructed) {
    const inner = (b.valueBlock as unknown as { value?: asn1js.AsnType[] }).value ?? [];
    for (const c of inner) children.push(toNode(c, fail));
  }
  return { cls, tag: idBlock.tagNumber, constructed, raw, content, children };
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
