/**
 * Building blocks shared by the profiles: the DG wrapper `[APPLICATION n] { value }`, the ASN.1
 * string types with their character sets, YYYYMMDD dates, JPEG check and GeneralPlace.
 *
 * @spec tr03110-4 §2 (eID data groups), tr03130-1 §3.3 (GeneralPlaceType)
 *
 * String character sets follow ITU-T X.680 §41; UTF-8 is RFC 3629 (strict: no overlongs, no surrogates).
 *
 * ```asn1
 * GeneralPlace ::= CHOICE {
 *   structuredPlace Place,              -- SEQUENCE (30)
 *   freetextPlace   [1] UTF8String,     -- A1 { 0C }   (explicit)
 *   noPlaceInfo     [2] UTF8String }    -- A2 { 0C }
 * Place ::= SEQUENCE {
 *   street  [10] UTF8String OPTIONAL,   -- AA { 0C }
 *   city    [11] UTF8String,            -- AB { 0C }
 *   state   [12] UTF8String OPTIONAL,   -- AC { 0C }
 *   country [13] PrintableString,       -- AD { 13 }  ICAO code
 *   zipcode [14] PrintableString OPTIONAL } -- AE { 13 }
 * ```
 */
import { decodeTlv, encodeTlv, expectTag, tagHex } from '../card/tlv.js';
import type { Tlv } from '../card/tlv.js';
import type { ErrorCode } from '../../errors/catalog.js';
import { ProfileError } from './types.js';
import type { GeneralPlace } from './types.js';

export const ASN1 = {
  OCTET_STRING: 0x04,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export type StringTag = typeof ASN1.UTF8_STRING | typeof ASN1.NUMERIC_STRING | typeof ASN1.PRINTABLE_STRING;

/** Largest DG we read: the photo. Text DGs are far smaller. */
export const DG_MAX_LENGTH = 65536;

export function malformed(message: string, code: ErrorCode = 'PROFILE_DG_MALFORMED'): never {
  throw new ProfileError(code, message);
}

/** DGn is the application-tagged data object 0x60+n (DG1 61 … DG21 75, DG22 76). */
export function dgTag(dg: number): number {
  if (!Number.isInteger(dg) || dg < 1 || dg > 22) throw new ProfileError('PROFILE_DG_UNKNOWN', `DG${String(dg)} out of range`);
  return 0x60 + dg;
}

export function wrapDg(dg: number, inner: Uint8Array): Buffer {
  return encodeTlv(dgTag(dg), inner);
}

/** Decodes DGn and returns its single child; wrong outer tag → TLV_UNEXPECTED_TAG, other shape → PROFILE_DG_MALFORMED, TLV errors as thrown. */
export function unwrapDg(dg: number, bytes: Uint8Array): Tlv {
  const tlv = decodeTlv(bytes, { maxLength: DG_MAX_LENGTH, maxDepth: 6 });
  expectTag(tlv, dgTag(dg)); // TLV_UNEXPECTED_TAG: e.g. DG5 bytes handed in as DG4
  if (tlv.children.length !== 1) malformed(`DG${dg}: expected exactly one data object, found ${tlv.children.length}`);
  return tlv.children[0] as Tlv;
}

// X.680 §41.4 Table 8: PrintableString = A-Z a-z 0-9 space ' ( ) + , - . / : = ?
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
// X.680 §41.2: NumericString = digits and space.
const NUMERIC = /^[0-9 ]*$/;
// C0/C1 controls and lone surrogates are never part of a name or address.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function checkCharset(tag: StringTag, text: string, what: string, code: ErrorCode): void {
  if (tag === ASN1.PRINTABLE_STRING && !PRINTABLE.test(text)) malformed(`${what}: not a PrintableString`, code);
  if (tag === ASN1.NUMERIC_STRING && !NUMERIC.test(text)) malformed(`${what}: not a NumericString`, code);
  if (tag === ASN1.UTF8_STRING && (CONTROL.test(text) || LONE_SURROGATE.test(text))) malformed(`${what}: control character or lone surrogate`, code);
}

export function encodeString(tag: StringTag, text: string, what: string): Buffer {
  checkCharset(tag, text, what, 'PROFILE_PERSON_INVALID');
  return encodeTlv(tag, Buffer.from(text, tag === ASN1.UTF8_STRING ? 'utf8' : 'latin1'));
}

/** Reads a primitive string of exactly `tag`; invalid UTF-8 or characters outside the type's set are errors. */
export function decodeString(tlv: Tlv, tag: StringTag, what: string): string {
  if (tlv.tag !== tag || tlv.constructed) malformed(`${what}: expected ${tagHex(tag)}, found ${tagHex(tlv.tag)}`);
  let text: string;
  if (tag === ASN1.UTF8_STRING) {
    try {
      text = UTF8.decode(tlv.value);
    } catch {
      malformed(`${what}: invalid UTF-8`);
    }
  } else {
    text = tlv.value.toString('latin1');
  }
  checkCharset(tag, text, what, 'PROFILE_DG_MALFORMED');
  return text;
}

/** True for an existing Gregorian calendar date given as YYYY, MM, DD. */
function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= (days[m - 1] as number);
}

/** Checks an 8-digit 'YYYYMMDD' (a real date: no 20230230, no rollover). */
export function checkYyyymmdd(s: string, what: string, code: ErrorCode = 'PROFILE_DATE_INVALID'): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m === null || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) malformed(`${what}: '${s}' is not a YYYYMMDD date`, code);
  return s;
}

/**
 * TR-03110 DateString: 8 chars YYYYMMDD where unknown parts are spaces (the XSD's `[0-9 ]{8}`).
 * Accepted forms: full date, 'YYYYMM  ', 'YYYY    ', '        '.
 */
export function checkDateString(s: string, what: string, code: ErrorCode = 'PROFILE_DATE_INVALID'): string {
  if (/^\d{8}$/.test(s)) return checkYyyymmdd(s, what, code);
  const m = /^(\d{4}|\s{4})(\d{2}|\s{2})\s{2}$/.exec(s);
  if (m === null || (m[1]?.trim() === '' && m[2]?.trim() !== '')) malformed(`${what}: '${s}' is not a DateString`, code);
  const month = m[2]?.trim() ?? '';
  if (month !== '' && (Number(month) < 1 || Number(month) > 12)) malformed(`${what}: month ${month} out of range`, code);
  return s;
}

/** 'YYYY-MM-DD' → 'YYYYMMDD' (person files use ISO dates). */
export function isoToYyyymmdd(iso: string, what: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m === null) malformed(`${what}: '${iso}' is not YYYY-MM-DD`, 'PROFILE_DATE_INVALID');
  return checkYyyymmdd(`${m[1]}${m[2]}${m[3]}`, what);
}

/** 'YYYYMMDD' → 'YYYY-MM-DD'. */
export function yyyymmddToIso(s: string): string {
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** The date field of a DG: NumericString of 8 digits YYYYMMDD. */
export function encodeDate(yyyymmdd: string, what: string): Buffer {
  return encodeString(ASN1.NUMERIC_STRING, yyyymmdd, what);
}

export function decodeDate(tlv: Tlv, what: string, allowPartial = false): string {
  const s = decodeString(tlv, ASN1.NUMERIC_STRING, what);
  return allowPartial ? checkDateString(s, what) : checkYyyymmdd(s, what);
}

/** JPEG (ITU-T T.81 §B.1.1.3): starts with SOI FFD8 followed by a marker (FFxx); ends with EOI FFD9. */
export function checkJpeg(bytes: Uint8Array, what: string, code: ErrorCode = 'PROFILE_PHOTO_INVALID'): void {
  const ok = bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
    && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
  if (!ok) malformed(`${what}: not a JPEG (SOI FFD8 … EOI FFD9)`, code);
}

// GeneralPlace (see file header)
const PLACE = { FREETEXT: 0xa1, NO_PLACE_INFO: 0xa2, STREET: 0xaa, CITY: 0xab, STATE: 0xac, COUNTRY: 0xad, ZIP: 0xae } as const;
const ICAO_COUNTRY = /^[A-Z ]{1,3}$/;

function explicit(tag: number, inner: Buffer): Buffer {
  return encodeTlv(tag, inner);
}

export function encodeGeneralPlace(p: GeneralPlace, what: string): Buffer {
  switch (p.kind) {
    case 'freetext':
      return explicit(PLACE.FREETEXT, encodeString(ASN1.UTF8_STRING, p.text, what));
    case 'noPlaceInfo':
      return explicit(PLACE.NO_PLACE_INFO, encodeString(ASN1.UTF8_STRING, p.text, what));
    case 'structured': {
      if (!ICAO_COUNTRY.test(p.country)) malformed(`${what}: country '${p.country}' is not an ICAO code`, 'PROFILE_PERSON_INVALID');
      const parts: Buffer[] = [];
      if (p.street !== undefined) parts.push(explicit(PLACE.STREET, encodeString(ASN1.UTF8_STRING, p.street, what)));
      parts.push(explicit(PLACE.CITY, encodeString(ASN1.UTF8_STRING, p.city, what)));
      if (p.state !== undefined) parts.push(explicit(PLACE.STATE, encodeString(ASN1.UTF8_STRING, p.state, what)));
      parts.push(explicit(PLACE.COUNTRY, encodeString(ASN1.PRINTABLE_STRING, p.country, what)));
      if (p.zipCode !== undefined) parts.push(explicit(PLACE.ZIP, encodeString(ASN1.PRINTABLE_STRING, p.zipCode, what)));
      return encodeTlv(ASN1.SEQUENCE, parts);
    }
  }
}

function onlyChild(tlv: Tlv, what: string): Tlv {
  if (!tlv.constructed || tlv.children.length !== 1) malformed(`${what}: [${tagHex(tlv.tag)}] must hold exactly one data object`);
  return tlv.children[0] as Tlv;
}

export function decodeGeneralPlace(tlv: Tlv, what: string): GeneralPlace {
  if (tlv.tag === PLACE.FREETEXT) return { kind: 'freetext', text: decodeString(onlyChild(tlv, what), ASN1.UTF8_STRING, what) };
  if (tlv.tag === PLACE.NO_PLACE_INFO) return { kind: 'noPlaceInfo', text: decodeString(onlyChild(tlv, what), ASN1.UTF8_STRING, what) };
  if (tlv.tag !== ASN1.SEQUENCE) malformed(`${what}: ${tagHex(tlv.tag)} is not a GeneralPlace`);
  // Place ::= SEQUENCE: components in tag order, each at most once, city and country present.
  const order = [PLACE.STREET, PLACE.CITY, PLACE.STATE, PLACE.COUNTRY, PLACE.ZIP] as const;
  const found = new Map<number, string>();
  let last = -1;
  for (const c of tlv.children) {
    const idx = (order as readonly number[]).indexOf(c.tag);
    if (idx < 0) malformed(`${what}: unexpected ${tagHex(c.tag)} in Place`);
    if (idx <= last) malformed(`${what}: Place components out of order or repeated`);
    last = idx;
    const type = c.tag === PLACE.COUNTRY || c.tag === PLACE.ZIP ? ASN1.PRINTABLE_STRING : ASN1.UTF8_STRING;
    found.set(c.tag, decodeString(onlyChild(c, what), type, what));
  }
  const city = found.get(PLACE.CITY);
  const country = found.get(PLACE.COUNTRY);
  if (city === undefined || country === undefined) malformed(`${what}: Place without city or country`);
  if (!ICAO_COUNTRY.test(country)) malformed(`${what}: country '${country}' is not an ICAO code`);
  const place: GeneralPlace = { kind: 'structured', city, country };
  const street = found.get(PLACE.STREET);
  const state = found.get(PLACE.STATE);
  const zipCode = found.get(PLACE.ZIP);
  if (street !== undefined) place.street = street;
  if (state !== undefined) place.state = state;
  if (zipCode !== undefined) place.zipCode = zipCode;
  return place;
}

/** One-line form: 'HEIDESTRASSE 17, 51147 KÖLN, D'. */
export function placeToText(p: GeneralPlace): string {
  if (p.kind !== 'structured') return p.text;
  const cityLine = p.zipCode === undefined ? p.city : `${p.zipCode} ${p.city}`;
  return [p.street, cityLine, p.state, p.country].filter((x): x is string => x !== undefined && x !== '').join(', ');
}
