/**
 * The two eID-Interface profiles: `de` in TR-03130's namespace with its element names, `tw` with the
 * same structure in `urn:neid:tw:eid:1.0` and the SPEC §4.1 attribute names. Each lists the
 * Operations*Type elements in schema order and the data-profile attribute each stands for.
 *
 * @spec tr03130-1 §3.3.21-§3.3.22 (OperationsRequestorType, OperationsSelectorType, OperationsResponderType); SPEC §4.1, §5.1
 */
import { TW_ATTRIBUTES } from '../eid/profiles/tw.js';
import type { ProfileId } from '../eid/profiles/types.js';

export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const DSS_NS = 'urn:oasis:names:tc:dss:1.0:core:schema';
export const DE_NS = 'http://bsi.bund.de/eID/';
/** Our namespace for the Taiwan profile (docs/soap.md); versioned so a later schema can change it. */
export const TW_NS = 'urn:neid:tw:eid:1.0';

export interface OperationElement {
  /** Element name in the Operations*Type sequences. */
  element: string;
  /** Data-profile attribute id, or null when this server does not offer it (PSC, PSM, WrittenSignature …). */
  attribute: string | null;
  /** Written in OperationsSelectorType / OperationsResponderType (mandatory in the schema, or offered). */
  emit: boolean;
}

export interface SoapProfile {
  id: ProfileId;
  ns: string;
  /** Schema order. */
  operations: readonly OperationElement[];
  /** Alternative element names accepted in requests (schema versions), mapped to the canonical element. */
  aliases: Readonly<Record<string, string>>;
}

const op = (element: string, attribute: string | null, emit: boolean): OperationElement => ({ element, attribute, emit });

/** TR-03130 XSD 2.0.2 order, plus CommunityID of v2.4 (which replaced MunicipalityID, both DG18). */
const DE_OPERATIONS: readonly OperationElement[] = [
  op('DocumentType', 'DocumentType', true),
  op('IssuingState', 'IssuingState', true),
  op('DateOfExpiry', 'DateOfExpiry', true),
  op('GivenNames', 'GivenNames', true),
  op('FamilyNames', 'FamilyNames', true),
  op('ArtisticName', 'ArtisticName', true),
  op('AcademicTitle', 'AcademicTitle', true),
  op('DateOfBirth', 'DateOfBirth', true),
  op('PlaceOfBirth', 'PlaceOfBirth', true),
  op('Nationality', 'Nationality', true),
  op('Sex', null, false),
  op('OptionalDataR', null, false),
  op('BirthName', 'BirthName', true),
  op('WrittenSignature', null, false),
  op('DateOfIssuance', null, false),
  op('PlaceOfResidence', 'PlaceOfResidence', true),
  op('MunicipalityID', null, false),
  op('CommunityID', 'CommunityID', true),
  op('ResidencePermitI', 'ResidencePermitI', true),
  op('ResidencePermitII', 'ResidencePermitII', true),
  op('PhoneNumber', null, false),
  op('EmailAddress', null, false),
  op('RestrictedID', 'RestrictedID', true),
  op('AgeVerification', 'AgeVerification', true),
  op('PlaceVerification', 'PlaceVerification', true),
  op('PSC', null, false),
  op('PSM', null, false),
  op('PSA', null, false),
  op('SpecificAttribute', null, false),
  op('DeleteSpecificAttribute', null, false),
];

/** SPEC §4.1 rows in order; DocumentValidity is always delivered and never requested. */
const TW_OPERATIONS: readonly OperationElement[] = TW_ATTRIBUTES.filter((a) => a.kind !== 'document-validity').map((a) => op(a.id, a.id, true));

export const SOAP_PROFILES: Readonly<Record<ProfileId, SoapProfile>> = {
  // v2.0.2 clients name DG18 MunicipalityID; it is the same data group as v2.4 CommunityID.
  de: { id: 'de', ns: DE_NS, operations: DE_OPERATIONS.map((o) => (o.element === 'MunicipalityID' ? { ...o, attribute: 'CommunityID' } : o)), aliases: { MunicipalityID: 'CommunityID' } },
  tw: { id: 'tw', ns: TW_NS, operations: TW_OPERATIONS, aliases: {} },
};

export function soapProfile(id: ProfileId): SoapProfile {
  return SOAP_PROFILES[id];
}

/** Interface version reported by getServerInfo (TR-03130-1 v2.4.0). */
export const SERVER_VERSION = { versionString: 'Version 2.4.0', major: 2, minor: 4, bugfix: 0 } as const;
