/**
 * Types of the data profiles: how card data groups map to attribute ids, OIDC claims and zones,
 * and the validated person data a software card is issued from.
 *
 * @spec SPEC §4 (data profiles), tr03130-1 §3.2 (PersonalData element names)
 */
import { IdpError } from '../../errors/idp-error.js';

export type ProfileId = 'tw' | 'de';

export type AttributeKind = 'dg' | 'restricted-id' | 'age-verification' | 'place-verification' | 'document-validity';
export type Zone = 'public' | 'encrypted' | 'household' | 'none';

export interface AttributeDef {
  /** SAML attribute Name and SOAP element name, e.g. 'ChineseName', 'GivenNames'. */
  id: string;
  /** Data group number; null for RI, auxiliary-data verification and derived attributes. */
  dg: number | null;
  /** OIDC claim; `age_over_<N>` is a template (N = requested age). */
  oidcClaim: string;
  /** Chip zone (SPEC §4.1); 'none' where the profile has no zones or the attribute is not stored. */
  zone: Zone;
  /** seed 002 表8: encrypted-zone fields need explicit MOI approval per eService. */
  requiresApproval: boolean;
  kind: AttributeKind;
}

/** TR-03130-1 GeneralPlaceType / TR-03110 GeneralPlace. */
export type GeneralPlace =
  | { kind: 'structured'; street?: string; city: string; state?: string; country: string; zipCode?: string }
  | { kind: 'freetext'; text: string }
  | { kind: 'noPlaceInfo'; text: string };

/**
 * Normalised value of one attribute in person data:
 * text → string (NFC); date → 'YYYY-MM-DD' (de DateOfBirth may also be an 8-char DateString with
 * spaces for unknown parts, e.g. '1964    '); photo → Buffer (JPEG); de CommunityID → Buffer (BCD);
 * places → GeneralPlace.
 */
export type PersonValue = string | Buffer | GeneralPlace;

export interface PersonSecrets {
  /** eID PIN (6 digits). */
  pin?: string;
  /** PUK (10 digits). */
  puk?: string;
  /** Card access number (6 digits); for `tw` always equal to the CAN data group. */
  can?: string;
}

export interface PersonData {
  profile: ProfileId;
  /** Person files are fictional test data; the field must be literally true. */
  testOnly: true;
  /** Attribute id → value, only for attributes the person has (missing optional DGs are absent). */
  attributes: Readonly<Record<string, PersonValue>>;
  secrets: PersonSecrets;
}

/** What the chip compares in auxiliary-data verification (TR-03110-3 §A.6 / App. B). */
export interface VerificationData {
  /** DG8 content, 8 chars 'YYYYMMDD' (spaces for unknown parts in de). */
  dateOfBirth: string | null;
  /** Document validity end as 'YYYYMMDD': de DG3 DateOfExpiry, tw DG3 DateOfRenewal; null = no end (tw 65+). */
  dateOfExpiry: string | null;
  /** The DG18 inner value bytes that place verification prefix-matches against. */
  communityId: Buffer | null;
}

export interface DecodedAttribute {
  attribute: string;
  /** Text (dates as 8-char 'YYYYMMDD' exactly as on the card), photo/CommunityID as bytes, places flattened to one line. */
  value: string | Buffer;
  /** Structured form for PlaceOfBirth / PlaceOfResidence (de). */
  place?: GeneralPlace;
}

export interface DataProfile {
  id: ProfileId;
  attributes: readonly AttributeDef[];
  attribute(id: string): AttributeDef | undefined;
  /** Attribute carried by DG n, if any. */
  attributeForDg(dg: number): AttributeDef | undefined;
  /** DG number → full DG TLV bytes (tag 0x60+n), for every DG the person has. */
  encodeDataGroups(person: PersonData): Map<number, Buffer>;
  /** Decodes one DG read from the card (strict: wrong tags, charsets and dates are errors). */
  decodeDataGroup(dg: number, bytes: Uint8Array): DecodedAttribute;
  /** Validates a person file (parsed JSON) and returns normalised person data. */
  validatePerson(json: unknown): PersonData;
  /** Values the chip needs for age / validity / place verification. */
  verificationData(person: PersonData): VerificationData;
  /** The bytes place verification compares for a community-ID prefix given as digits (de: BCD, tw: ASCII digits). */
  communityIdFromDigits(digits: string): Buffer;
}

/** Errors of the data profiles (codes PROFILE_* in src/errors/catalog/card.ts). */
export class ProfileError extends IdpError {}
