/**
 * BER-TLV codec for card data objects (CV certificates, GENERAL AUTHENTICATE dynamic
 * authentication data, data groups, SM data objects).
 *
 * @spec iso7816-4 §5.2 (BER-TLV data objects), x690 §8.1 (identifier and length octets), x690 §10.1 (DER lengths)
 *
 * Decoding is strict by default, since every input here comes from the untrusted side
 * (card, eID client) and several consumers verify signatures over the exact bytes:
 * - tag field 1..3 bytes; padding bytes 00/FF are refused where a tag is expected;
 * - definite length only, 1..3 length bytes (81 xx, 82 xxxx, 83 xxxxxx), shortest form;
 * - value length limited (default 65536 bytes), nesting depth limited (default 16);
 * - constructed data objects (tag bit b6 = 1) are decoded recursively into `children`.
 *
 * `tag` is the complete tag field read as an unsigned big-endian integer: 0x06, 0x7F21, 0x5F29.
 */
import { TlvError } from './errors.js';

export interface Tlv {
  /** The complete tag field as an unsigned big-endian integer (0x7F21, 0x5F29, 0x86). */
  tag: number;
  /** Tag bit b6: the value is a concatenation of data objects. */
  constructed: boolean;
  /** The value field (a copy of the input; safe to keep). */
  value: Buffer;
  /** Decoded children when constructed, otherwise empty. */
  children: Tlv[];
  /** The complete encoding (tag, length, value) exactly as received, e.g. for signature checks. */
  raw: Buffer;
}

export interface TlvLimits {
  /** Maximum nesting depth; a top-level data object has depth 1. Default 16. */
  maxDepth?: number;
  /** Maximum length of one value field in bytes. Default 65536. */
  maxLength?: number;
  /** Accept length fields that are not in the shortest form (BER, not DER). Default false. */
  allowNonMinimalLength?: boolean;
}

const DEFAULT_MAX_DEPTH = 16;
const DEFAULT_MAX_LENGTH = 65536;
/** ISO/IEC 7816-4 §5.2.2.1: tag fields of one, two or three bytes. */
const MAX_TAG_BYTES = 3;
/** Length fields 81/82/83: at most 3 length bytes (values below 16 MiB). */
const MAX_LENGTH_BYTES = 3;

interface Resolved { maxDepth: number; maxLength: number; allowNonMinimalLength: boolean }

function resolve(limits: TlvLimits | undefined): Resolved {
  return {
    maxDepth: limits?.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxLength: limits?.maxLength ?? DEFAULT_MAX_LENGTH,
    allowNonMinimalLength: limits?.allowNonMinimalLength ?? false,
  };
}

/** Formats a tag for messages: 7F21. */
export function tagHex(tag: number): string {
  const digits = tag.toString(16).toUpperCase();
  return digits.length % 2 === 0 ? digits : `0${digits}`;
}

function fail(code: ConstructorParameters<typeof TlvError>[0], message: string, offset: number): never {
  throw new TlvError(code, message, { detail: { offset } });
}

interface Header { tag: number; constructed: boolean; valueStart: number; valueLength: number }

/** Reads tag and length at `pos`; `end` bounds the enclosing value. */
function readHeader(buf: Buffer, pos: number, end: number, limits: Resolved): Header {
  const start = pos;
  if (pos >= end) fail('TLV_TRUNCATED', 'tag missing', pos);
  const first = buf[pos++] as number;
  // ISO 7816-4 §5.2.2.1: '00' and 'FF' are invalid first tag bytes (they are padding).
  if (first === 0x00 || first === 0xff) fail('TLV_BAD_TAG', `padding byte ${tagHex(first)} where a tag is expected`, start);
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let count = 1;
    for (;;) {
      if (pos >= end) fail('TLV_TRUNCATED', 'multi-byte tag truncated', start);
      const next = buf[pos++] as number;
      // X.690 §8.1.2.4.2 c: bits 7..1 of the first subsequent octet shall not all be zero.
      if (count === 1 && (next & 0x7f) === 0) fail('TLV_BAD_TAG', 'non-minimal tag number encoding', start);
      // X.690 §8.1.2.2: tag numbers 0..30 use the single-octet form.
      if (count === 1 && next < 0x1f) fail('TLV_BAD_TAG', `tag number ${next} must use the one-byte form`, start);
      tag = tag * 256 + next;
      count++;
      if (count > MAX_TAG_BYTES) fail('TLV_BAD_TAG', 'tag longer than 3 bytes', start);
      if ((next & 0x80) === 0) break;
    }
  }
  const constructed = (first & 0x20) !== 0;

  if (pos >= end) fail('TLV_TRUNCATED', `length of ${tagHex(tag)} missing`, pos);
  const lengthOffset = pos;
  const l0 = buf[pos++] as number;
  let valueLength: number;
  if (l0 < 0x80) {
    valueLength = l0;
  } else if (l0 === 0x80) {
    // ISO 7816-4 §5.2.2.2 allows definite lengths only.
    fail('TLV_INDEFINITE_LENGTH', `indefinite length for ${tagHex(tag)}`, lengthOffset);
  } else if (l0 === 0xff) {
    fail('TLV_BAD_LENGTH', 'reserved length octet FF', lengthOffset);
  } else {
    const n = l0 & 0x7f;
    if (n > MAX_LENGTH_BYTES) fail('TLV_LENGTH_TOO_LARGE', `${n} length bytes for ${tagHex(tag)}`, lengthOffset);
    if (pos + n > end) fail('TLV_TRUNCATED', `length of ${tagHex(tag)} truncated`, lengthOffset);
    valueLength = 0;
    for (let i = 0; i < n; i++) valueLength = valueLength * 256 + (buf[pos++] as number);
    // X.690 §10.1 (DER): the length shall be encoded in the minimum number of octets.
    if (!limits.allowNonMinimalLength && valueLength < (n === 1 ? 0x80 : 256 ** (n - 1))) {
      fail('TLV_NON_MINIMAL_LENGTH', `length ${valueLength} of ${tagHex(tag)} not in shortest form`, lengthOffset);
    }
  }
  if (valueLength > limits.maxLength) fail('TLV_LENGTH_TOO_LARGE', `length ${valueLength} of ${tagHex(tag)} exceeds ${limits.maxLength}`, lengthOffset);
  if (pos + valueLength > end) fail('TLV_TRUNCATED', `value of ${tagHex(tag)} truncated (${valueLength} announced, ${end - pos} present)`, pos);
  return { tag, constructed, valueStart: pos, valueLength };
}

function readOne(buf: Buffer, pos: number, end: number, depth: number, limits: Resolved): { tlv: Tlv; next: number } {
  if (depth > limits.maxDepth) fail('TLV_TOO_DEEP', `nesting deeper than ${limits.maxDepth}`, pos);
  const h = readHeader(buf, pos, end, limits);
  const valueEnd = h.valueStart + h.valueLength;
  const children = h.constructed ? readAll(buf, h.valueStart, valueEnd, depth + 1, limits) : [];
  const tlv: Tlv = {
    tag: h.tag,
    constructed: h.constructed,
    value: buf.subarray(h.valueStart, valueEnd),
    children,
    raw: buf.subarray(pos, valueEnd),
  };
  return { tlv, next: valueEnd };
}

function readAll(buf: Buffer, pos: number, end: number, depth: number, limits: Resolved): Tlv[] {
  const out: Tlv[] = [];
  while (pos < end) {
    const { tlv, next } = readOne(buf, pos, end, depth, limits);
    out.push(tlv);
    pos = next;
  }
  return out;
}

/** Decodes exactly one data object; bytes after it are an error (TLV_TRAILING_BYTES). */
export function decodeTlv(bytes: Uint8Array, limits?: TlvLimits): Tlv {
  const { tlv, rest } = decodeTlvPrefix(bytes, limits);
  if (rest.length !== 0) fail('TLV_TRAILING_BYTES', `${rest.length} bytes after ${tagHex(tlv.tag)}`, tlv.raw.length);
  return tlv;
}

/** Decodes a concatenation of data objects (the empty input gives an empty list). */
export function decodeTlvs(bytes: Uint8Array, limits?: TlvLimits): Tlv[] {
  const buf = Buffer.from(bytes); // copy: results never alias caller memory
  return readAll(buf, 0, buf.length, 1, resolve(limits));
}

/** Decodes the first data object and returns the bytes after it. */
export function decodeTlvPrefix(bytes: Uint8Array, limits?: TlvLimits): { tlv: Tlv; rest: Buffer } {
  const buf = Buffer.from(bytes);
  const { tlv, next } = readOne(buf, 0, buf.length, 1, resolve(limits));
  return { tlv, rest: buf.subarray(next) };
}

/** Tag field bytes for a tag number; throws TLV_BAD_TAG if the number is not a well-formed tag field. */
export function encodeTag(tag: number): Buffer {
  if (!Number.isSafeInteger(tag) || tag <= 0 || tag > 0xffffff) throw new TlvError('TLV_BAD_TAG', `invalid tag ${String(tag)}`);
  const out = tag > 0xffff ? Buffer.from([tag >>> 16, (tag >>> 8) & 0xff, tag & 0xff])
    : tag > 0xff ? Buffer.from([tag >>> 8, tag & 0xff]) : Buffer.from([tag]);
  // Validate with the decoder's rules so encoder and decoder agree on what a tag is.
  const probe = Buffer.concat([out, Buffer.from([0x00])]);
  let h: Header | undefined;
  try {
    h = readHeader(probe, 0, probe.length, resolve(undefined));
  } catch {
    h = undefined;
  }
  if (h?.tag !== tag || h.valueStart !== out.length + 1) throw new TlvError('TLV_BAD_TAG', `${tagHex(tag)} is not a well-formed tag field`);
  return out;
}

/** DER length field for a value of n bytes (n ≤ 0xFFFFFF). */
export function encodeLength(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new TlvError('TLV_BAD_LENGTH', `invalid length ${String(n)}`);
  if (n < 0x80) return Buffer.from([n]);
  if (n <= 0xff) return Buffer.from([0x81, n]);
  if (n <= 0xffff) return Buffer.from([0x82, n >>> 8, n & 0xff]);
  if (n <= 0xffffff) return Buffer.from([0x83, n >>> 16, (n >>> 8) & 0xff, n & 0xff]);
  throw new TlvError('TLV_LENGTH_TOO_LARGE', `length ${n} needs more than 3 length bytes`);
}

/** Encodes tag || DER length || value; an array value is the concatenation of (already encoded) children. */
export function encodeTlv(tag: number, value: Uint8Array | readonly Uint8Array[]): Buffer {
  const body = value instanceof Uint8Array ? value : Buffer.concat(value);
  return Buffer.concat([encodeTag(tag), encodeLength(body.length), body]);
}

/** Re-encodes a decoded node from its tag and value (DER form). */
export function encodeTlvNode(tlv: Pick<Tlv, 'tag' | 'value'>): Buffer {
  return encodeTlv(tlv.tag, tlv.value);
}

/** First direct child with this tag. */
export function child(tlv: Tlv, tag: number): Tlv | undefined {
  return tlv.children.find((c) => c.tag === tag);
}

/** First direct child with this tag; throws TLV_MISSING_TAG when absent. */
export function requireChild(tlv: Tlv, tag: number): Tlv {
  const found = child(tlv, tag);
  if (found === undefined) throw new TlvError('TLV_MISSING_TAG', `${tagHex(tag)} missing in ${tagHex(tlv.tag)}`);
  return found;
}

/** Returns the node if its tag is `tag`, else throws TLV_UNEXPECTED_TAG. */
export function expectTag(tlv: Tlv, tag: number): Tlv {
  if (tlv.tag !== tag) throw new TlvError('TLV_UNEXPECTED_TAG', `expected ${tagHex(tag)}, found ${tagHex(tlv.tag)}`);
  return tlv;
}

/** Decodes exactly one data object that must carry `tag`. */
export function decodeTlvExpect(bytes: Uint8Array, tag: number, limits?: TlvLimits): Tlv {
  return expectTag(decodeTlv(bytes, limits), tag);
}
