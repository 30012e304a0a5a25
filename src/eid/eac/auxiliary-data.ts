/**
 * Authenticated auxiliary data: the terminal sends reference values (age limit, community ID
 * prefix, validity date) in MSE:Set AT of TA, signs them with the TA signature, and later asks
 * the chip with VERIFY whether its own data satisfies them.
 *
 * @spec tr03110-3 §A.6.5 (AuthenticatedAuxiliaryData, id-AuxiliaryData), tr03110-2 §3.6 (auxiliary data verification)
 *
 * ```asn1
 * AuthenticatedAuxiliaryData ::= [APPLICATION 7] SET OF AuxDataTemplate          -- tag 67
 * AuxDataTemplate ::= [APPLICATION 19] SEQUENCE {                                -- tag 73
 *   auxID  OBJECT IDENTIFIER,
 *   extInfo [APPLICATION 19] IMPLICIT OCTET STRING }                             -- tag 53
 * id-AuxiliaryData = 0.4.0.127.0.7.3.1.4: .1 id-DateOfBirth, .2 id-DateOfExpiry, .3 id-CommunityID
 * ```
 */
import { decodeTlv, encodeTlv } from '../card/tlv.js';
import { decodeOidValue, encodeOidValue } from './cvc/oids.js';
import { EacTerminalError } from './eac-terminal-error.js';

export const AUXILIARY_DATA_OIDS = {
  DATE_OF_BIRTH: '0.4.0.127.0.7.3.1.4.1',
  DATE_OF_EXPIRY: '0.4.0.127.0.7.3.1.4.2',
  COMMUNITY_ID: '0.4.0.127.0.7.3.1.4.3',
} as const;

const TAG_AUX_DATA = 0x67;
const TAG_TEMPLATE = 0x73;
const TAG_OID = 0x06;
const TAG_EXT_INFO = 0x53;

/** What the terminal asks the chip to verify. Dates are YYYYMMDD (TR-03110-3 §A.6.5.1/.2: Date ::= NumericString 8). */
export interface AuxiliaryDataRequest {
  /** Age verification: fulfilled if the holder was born on or before this date. */
  bornOnOrBefore?: string | undefined;
  /** Place verification: fulfilled if the chip's community ID starts with these bytes. */
  communityIdPrefix?: Buffer | undefined;
  /** Document validity: fulfilled if the document is still valid on this date. */
  validOn?: string | undefined;
}

function invalid(message: string): EacTerminalError {
  return new EacTerminalError('AUX_DATA_INVALID', message);
}

/** A calendar date YYYYMMDD, checked for month and day ranges. */
export function checkDate(date: string, what: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (m === null) throw invalid(`${what} must be YYYYMMDD, got "${date}"`);
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) throw invalid(`${what} is not a calendar date: ${date}`);
  return date;
}

/** YYYYMMDD of `at` in `timeZone` (the card's holder lives in one; default Asia/Taipei). */
export function calendarDate(at: Date, timeZone = 'Asia/Taipei'): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}${get('month')}${get('day')}`;
}

/**
 * The id-DateOfBirth reference date for "at least `minimumAge` years old on `today`": today minus
 * N years. 29 February maps to 28 February in a non-leap target year, which never lets a younger
 * person pass (the person born on 29 Feb turns N on 1 March of that year).
 */
export function ageVerificationDate(minimumAge: number, today: string): string {
  if (!Number.isInteger(minimumAge) || minimumAge < 1 || minimumAge > 150) throw invalid(`minimum age must be 1..150, got ${minimumAge}`);
  checkDate(today, 'today');
  const year = Number(today.slice(0, 4)) - minimumAge;
  let md = today.slice(4);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (md === '0229' && !leap) md = '0228';
  return `${String(year).padStart(4, '0')}${md}`;
}

function template(oid: string, extInfo: Uint8Array): Buffer {
  return encodeTlv(TAG_TEMPLATE, [encodeTlv(TAG_OID, encodeOidValue(oid)), encodeTlv(TAG_EXT_INFO, extInfo)]);
}

/**
 * 67 { 73 {06 id-DateOfBirth, 53 YYYYMMDD}, 73 {06 id-CommunityID, 53 prefix}, 73 {06 id-DateOfExpiry, 53 YYYYMMDD} };
 * undefined when nothing is requested (the TA signature input then has no aux data part).
 */
export function encodeAuxiliaryData(request: AuxiliaryDataRequest): Buffer | undefined {
  const templates: Buffer[] = [];
  if (request.bornOnOrBefore !== undefined) templates.push(template(AUXILIARY_DATA_OIDS.DATE_OF_BIRTH, Buffer.from(checkDate(request.bornOnOrBefore, 'bornOnOrBefore'), 'ascii')));
  if (request.communityIdPrefix !== undefined) {
    // TR-03110-3 §A.6.5.3: CommunityID ::= OCTET STRING; the chip compares it as a prefix of its own.
    if (request.communityIdPrefix.length === 0 || request.communityIdPrefix.length > 32) throw invalid('community ID prefix must be 1..32 bytes');
    templates.push(template(AUXILIARY_DATA_OIDS.COMMUNITY_ID, request.communityIdPrefix));
  }
  if (request.validOn !== undefined) templates.push(template(AUXILIARY_DATA_OIDS.DATE_OF_EXPIRY, Buffer.from(checkDate(request.validOn, 'validOn'), 'ascii')));
  return templates.length === 0 ? undefined : encodeTlv(TAG_AUX_DATA, templates);
}

/** Decodes a 67 TLV (also used by the chip side); unknown OIDs and repeated OIDs are refused. */
export function decodeAuxiliaryData(bytes: Uint8Array): AuxiliaryDataRequest {
  const outer = decodeTlv(bytes);
  if (outer.tag !== TAG_AUX_DATA) throw invalid(`auxiliary data must be tag 67, got ${outer.tag.toString(16)}`);
  if (outer.children.length === 0) throw invalid('auxiliary data is empty');
  const result: AuxiliaryDataRequest = {};
  const seen = new Set<string>();
  for (const t of outer.children) {
    const [oidNode, extNode, ...rest] = t.children;
    if (t.tag !== TAG_TEMPLATE || oidNode?.tag !== TAG_OID || extNode?.tag !== TAG_EXT_INFO || rest.length > 0) {
      throw invalid('each AuxDataTemplate must be 73 { 06 OID, 53 value }');
    }
    const oid = decodeOidValue(oidNode.value);
    if (seen.has(oid)) throw invalid(`auxiliary data ${oid} repeated`);
    seen.add(oid);
    const value = extNode.value;
    switch (oid) {
      case AUXILIARY_DATA_OIDS.DATE_OF_BIRTH: result.bornOnOrBefore = checkDate(value.toString('latin1'), 'id-DateOfBirth'); break;
      case AUXILIARY_DATA_OIDS.DATE_OF_EXPIRY: result.validOn = checkDate(value.toString('latin1'), 'id-DateOfExpiry'); break;
      case AUXILIARY_DATA_OIDS.COMMUNITY_ID:
        if (value.length === 0) throw invalid('id-CommunityID is empty');
        result.communityIdPrefix = Buffer.from(value);
        break;
      default: throw invalid(`unknown auxiliary data ${oid}`);
    }
  }
  return result;
}

/** What the VERIFY answers mean for the eService: one boolean per requested check. */
export interface AuxiliaryVerificationResult {
  ageVerified?: boolean;
  placeVerified?: boolean;
  documentValid?: boolean;
}

export type AuxiliaryCheck = 'age' | 'place' | 'validity';

export const AUXILIARY_CHECK_OID: Readonly<Record<AuxiliaryCheck, string>> = {
  age: AUXILIARY_DATA_OIDS.DATE_OF_BIRTH,
  place: AUXILIARY_DATA_OIDS.COMMUNITY_ID,
  validity: AUXILIARY_DATA_OIDS.DATE_OF_EXPIRY,
};

/** Checks that were requested in `request`, in the order they are sent to the chip. */
export function requestedChecks(request: AuxiliaryDataRequest): AuxiliaryCheck[] {
  const checks: AuxiliaryCheck[] = [];
  if (request.bornOnOrBefore !== undefined) checks.push('age');
  if (request.communityIdPrefix !== undefined) checks.push('place');
  if (request.validOn !== undefined) checks.push('validity');
  return checks;
}

/** Folds VERIFY outcomes (true = 9000, false = 6300) into the result object. */
export function interpretVerifications(outcomes: ReadonlyMap<AuxiliaryCheck, boolean>): AuxiliaryVerificationResult {
  const result: AuxiliaryVerificationResult = {};
  const age = outcomes.get('age');
  const place = outcomes.get('place');
  const validity = outcomes.get('validity');
  if (age !== undefined) result.ageVerified = age;
  if (place !== undefined) result.placeVerified = place;
  if (validity !== undefined) result.documentValid = validity;
  return result;
}
