/**
 * Generic machinery of a data profile: per-DG field codecs (JSON value ⇄ DG inner data object)
 * and the profile object built from them. tw.ts and de.ts only declare their tables.
 *
 * @spec SPEC §4, tr03110-4 §2 (DGn = [APPLICATION n])
 *
 * Person file (JSON, fictional test data only):
 * ```json
 * { "profile": "tw", "testOnly": true, "attributes": { "<attribute id>": <value>, … }, "secrets": { "pin": "123456", "puk": "…", "can": "…" } }
 * ```
 */
import { encodeTlv } from '../card/tlv.js';
import type { Tlv } from '../card/tlv.js';
import {
  ASN1, checkDateString, checkJpeg, decodeDate, decodeGeneralPlace, decodeString, encodeDate, encodeGeneralPlace, encodeString,
  isoToYyyymmdd, malformed, placeToText, unwrapDg, wrapDg, yyyymmddToIso,
} from './dg-codec.js';
import type { StringTag } from './dg-codec.js';
import { ProfileError } from './types.js';
import type {
  AttributeDef, DataProfile, DecodedAttribute, GeneralPlace, PersonData, PersonSecrets, PersonValue, ProfileId, VerificationData,
} from './types.js';

function personInvalid(message: string): never {
  throw new ProfileError('PROFILE_PERSON_INVALID', message);
}

export interface FieldCodec {
  attribute: string;
  dg: number;
  required: boolean;
  /** Validates and normalises the JSON value. */
  fromJson(value: unknown, what: string): PersonValue;
  /** The single data object inside [APPLICATION n]. */
  encode(value: PersonValue, what: string): Buffer;
  decode(inner: Tlv, what: string): Omit<DecodedAttribute, 'attribute'>;
}

function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') personInvalid(`${what}: expected a string`);
  return value;
}

function asText(value: PersonValue, what: string): string {
  if (typeof value !== 'string') personInvalid(`${what}: expected text`);
  return value;
}

export interface TextOptions {
  /** Pattern the value must match (checked on issue and on read). */
  pattern?: RegExp;
  /** Maximum length in characters (code points). */
  maxLength?: number;
  /** Allow the empty string (TR-03127: DG6/DG7 may be present and empty). */
  allowEmpty?: boolean;
}

/** A text DG: [APPLICATION n] { UTF8String | PrintableString | NumericString }. */
export function textField(attribute: string, dg: number, tag: StringTag, required: boolean, options: TextOptions = {}): FieldCodec {
  const check = (text: string, what: string, code: 'PROFILE_PERSON_INVALID' | 'PROFILE_DG_MALFORMED'): string => {
    if (text === '' && options.allowEmpty !== true) malformed(`${what}: empty`, code);
    if (options.pattern !== undefined && !options.pattern.test(text)) malformed(`${what}: does not match ${String(options.pattern)}`, code);
    if (options.maxLength !== undefined && [...text].length > options.maxLength) malformed(`${what}: longer than ${options.maxLength}`, code);
    return text;
  };
  return {
    attribute, dg, required,
    // SPEC / taiwan-pki §6.3: store NFC, never fold variant forms.
    fromJson: (v, what) => check(tag === ASN1.UTF8_STRING ? asString(v, what).normalize('NFC') : asString(v, what), what, 'PROFILE_PERSON_INVALID'),
    encode: (v, what) => encodeString(tag, asText(v, what), what),
    decode: (inner, what) => ({ value: check(decodeString(inner, tag, what), what, 'PROFILE_DG_MALFORMED') }),
  };
}

/** A date DG: [APPLICATION n] { NumericString 'YYYYMMDD' }; JSON 'YYYY-MM-DD' (or a DateString when partial). */
export function dateField(attribute: string, dg: number, required: boolean, partial = false): FieldCodec {
  return {
    attribute, dg, required,
    fromJson: (v, what) => {
      const s = asString(v, what);
      if (partial && /^[0-9 ]{8}$/.test(s)) return checkDateString(s, what);
      return yyyymmddToIso(isoToYyyymmdd(s, what));
    },
    encode: (v, what) => {
      const s = asText(v, what);
      return encodeDate(s.includes('-') ? isoToYyyymmdd(s, what) : checkDateString(s, what), what);
    },
    decode: (inner, what) => ({ value: decodeDate(inner, what, partial) }),
  };
}

/** [APPLICATION n] { OCTET STRING JPEG }; JSON base64. */
export function photoField(attribute: string, dg: number, required: boolean): FieldCodec {
  return {
    attribute, dg, required,
    fromJson: (v, what) => {
      const s = asString(v, what);
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) personInvalid(`${what}: not base64`);
      const bytes = Buffer.from(s, 'base64');
      checkJpeg(bytes, what);
      return bytes;
    },
    encode: (v, what) => {
      if (!Buffer.isBuffer(v)) personInvalid(`${what}: expected bytes`);
      checkJpeg(v, what);
      return encodeTlv(ASN1.OCTET_STRING, v);
    },
    decode: (inner, what) => {
      if (inner.tag !== ASN1.OCTET_STRING || inner.constructed) malformed(`${what}: expected OCTET STRING`);
      checkJpeg(inner.value, what);
      return { value: Buffer.from(inner.value) };
    },
  };
}

/** [APPLICATION n] { OCTET STRING }; JSON hex matching `pattern`. */
export function octetField(attribute: string, dg: number, required: boolean, pattern: RegExp): FieldCodec {
  return {
    attribute, dg, required,
    fromJson: (v, what) => {
      const s = asString(v, what);
      if (!pattern.test(s)) personInvalid(`${what}: does not match ${String(pattern)}`);
      return Buffer.from(s, 'hex');
    },
    encode: (v, what) => {
      if (!Buffer.isBuffer(v)) personInvalid(`${what}: expected bytes`);
      return encodeTlv(ASN1.OCTET_STRING, v);
    },
    decode: (inner, what) => {
      if (inner.tag !== ASN1.OCTET_STRING || inner.constructed) malformed(`${what}: expected OCTET STRING`);
      if (!pattern.test(inner.value.toString('hex'))) malformed(`${what}: value does not match ${String(pattern)}`);
      return { value: Buffer.from(inner.value) };
    },
  };
}

/** [APPLICATION n] { GeneralPlace }; JSON { freetext } | { noPlaceInfo } | { street?, city, state?, country, zipCode? }. */
export function placeField(attribute: string, dg: number, required: boolean): FieldCodec {
  return {
    attribute, dg, required,
    fromJson: (v, what) => placeFromJson(v, what),
    encode: (v, what) => {
      if (typeof v === 'string' || Buffer.isBuffer(v)) personInvalid(`${what}: expected a place`);
      return encodeGeneralPlace(v, what);
    },
    decode: (inner, what) => {
      const place = decodeGeneralPlace(inner, what);
      return { value: placeToText(place), place };
    },
  };
}

/** [APPLICATION n] { [1] UTF8String } (TR-03127 ResidencePermitI/II, as the AusweisApp simulator encodes them). */
export function taggedTextField(attribute: string, dg: number, contextTag: number, required: boolean): FieldCodec {
  const text = textField(attribute, dg, ASN1.UTF8_STRING, required, { maxLength: 750 });
  return {
    ...text,
    encode: (v, what) => {
      const inner = text.encode(v, what);
      return encodeTlv(contextTag, inner);
    },
    decode: (outer, what) => {
      if (outer.tag !== contextTag || outer.children.length !== 1) malformed(`${what}: expected [${contextTag.toString(16).toUpperCase()}] with one UTF8String`);
      return text.decode(outer.children[0] as Tlv, what);
    },
  };
}

function placeFromJson(v: unknown, what: string): GeneralPlace {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) personInvalid(`${what}: expected an object`);
  const o = v as Record<string, unknown>;
  const str = (k: string, required: boolean): string | undefined => {
    const x = o[k];
    if (x === undefined && !required) return undefined;
    const s = asString(x, `${what}.${k}`).normalize('NFC');
    if (s === '') personInvalid(`${what}.${k}: empty`);
    return s;
  };
  const keys = Object.keys(o);
  const allowed = (list: string[]): void => {
    const extra = keys.filter((k) => !list.includes(k));
    if (extra.length > 0) personInvalid(`${what}: unknown keys ${extra.join(', ')}`);
  };
  if ('freetext' in o) {
    allowed(['freetext']);
    return { kind: 'freetext', text: str('freetext', true) as string };
  }
  if ('noPlaceInfo' in o) {
    allowed(['noPlaceInfo']);
    return { kind: 'noPlaceInfo', text: str('noPlaceInfo', true) as string };
  }
  allowed(['street', 'city', 'state', 'country', 'zipCode']);
  const place: GeneralPlace = { kind: 'structured', city: str('city', true) as string, country: str('country', true) as string };
  const street = str('street', false);
  const state = str('state', false);
  const zipCode = str('zipCode', false);
  if (street !== undefined) place.street = street;
  if (state !== undefined) place.state = state;
  if (zipCode !== undefined) place.zipCode = zipCode;
  // Validates the charsets by encoding once.
  encodeGeneralPlace(place, what);
  return place;
}

function secretsFromJson(v: unknown): PersonSecrets {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) personInvalid('secrets: expected an object');
  const o = v as Record<string, unknown>;
  const out: PersonSecrets = {};
  const rules: [keyof PersonSecrets, RegExp][] = [['pin', /^\d{6}$/], ['puk', /^\d{10}$/], ['can', /^\d{6}$/]];
  for (const k of Object.keys(o)) if (!rules.some(([r]) => r === k)) personInvalid(`secrets: unknown key ${k}`);
  for (const [k, re] of rules) {
    if (o[k] === undefined) continue;
    const s = asString(o[k], `secrets.${k}`);
    if (!re.test(s)) personInvalid(`secrets.${k}: does not match ${String(re)}`);
    out[k] = s;
  }
  return out;
}

export interface ProfileSpec {
  id: ProfileId;
  attributes: readonly AttributeDef[];
  fields: readonly FieldCodec[];
  /** Cross-field rules after per-field validation (e.g. sex vs national ID). */
  crossCheck(attributes: Record<string, PersonValue>, secrets: PersonSecrets): PersonSecrets;
  verificationData(person: PersonData): VerificationData;
  communityIdFromDigits(digits: string): Buffer;
}

export function buildProfile(spec: ProfileSpec): DataProfile {
  const byId = new Map(spec.attributes.map((a) => [a.id, a]));
  const byDg = new Map(spec.fields.map((f) => [f.dg, f]));
  const fieldById = new Map(spec.fields.map((f) => [f.attribute, f]));
  for (const f of spec.fields) if (byId.get(f.attribute)?.dg !== f.dg) throw new Error(`profile ${spec.id}: ${f.attribute} table mismatch`);

  return {
    id: spec.id,
    attributes: spec.attributes,
    attribute: (id) => byId.get(id),
    attributeForDg: (dg) => {
      const f = byDg.get(dg);
      return f === undefined ? undefined : byId.get(f.attribute);
    },
    encodeDataGroups(person) {
      if (person.profile !== spec.id) personInvalid(`person is for profile ${person.profile}, not ${spec.id}`);
      const out = new Map<number, Buffer>();
      for (const f of spec.fields) {
        const v = person.attributes[f.attribute];
        if (v === undefined) {
          if (f.required) personInvalid(`${f.attribute} missing`);
          continue;
        }
        out.set(f.dg, wrapDg(f.dg, f.encode(v, f.attribute)));
      }
      return out;
    },
    decodeDataGroup(dg, bytes) {
      const f = byDg.get(dg);
      if (f === undefined) throw new ProfileError('PROFILE_DG_UNKNOWN', `profile ${spec.id} defines no DG${dg}`);
      const inner = unwrapDg(dg, bytes);
      return { attribute: f.attribute, ...f.decode(inner, `DG${dg} ${f.attribute}`) };
    },
    validatePerson(json) {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) personInvalid('person file must be a JSON object');
      const o = json as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!['profile', 'testOnly', 'comment', 'attributes', 'secrets'].includes(k)) personInvalid(`unknown key ${k}`);
      if (o['profile'] !== spec.id) personInvalid(`profile must be '${spec.id}'`);
      // Person files are fictional; refusing files without the marker keeps real data out of fixtures.
      if (o['testOnly'] !== true) personInvalid('testOnly must be true (person files hold fictional test data only)');
      const a = o['attributes'];
      if (typeof a !== 'object' || a === null || Array.isArray(a)) personInvalid('attributes: expected an object');
      const attrsIn = a as Record<string, unknown>;
      const attributes: Record<string, PersonValue> = {};
      for (const [k, v] of Object.entries(attrsIn)) {
        const f = fieldById.get(k);
        if (f === undefined) personInvalid(`attributes.${k}: not a data-group attribute of profile ${spec.id}`);
        attributes[k] = f.fromJson(v, `attributes.${k}`);
      }
      for (const f of spec.fields) if (f.required && attributes[f.attribute] === undefined) personInvalid(`attributes.${f.attribute} missing`);
      const secrets = spec.crossCheck(attributes, secretsFromJson(o['secrets']));
      return { profile: spec.id, testOnly: true, attributes, secrets };
    },
    verificationData: (person) => spec.verificationData(person),
    communityIdFromDigits: (digits) => spec.communityIdFromDigits(digits),
  };
}

/** A DG date attribute of a person as 'YYYYMMDD' (or its 8-char DateString), or null when absent. */
export function personDate(person: PersonData, attribute: string): string | null {
  const v = person.attributes[attribute];
  if (typeof v !== 'string') return null;
  return v.includes('-') ? v.replace(/-/g, '') : v;
}
