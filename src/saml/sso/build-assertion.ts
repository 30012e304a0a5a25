/**
 * The assertion of an eID login: transient NameID, bearer SubjectConfirmation bound to the client
 * Address, the request, the ACS and ≤ 5 minutes; AudienceRestriction + OneTimeUse; AuthnContext
 * SmartcardPKI; DocumentValidity always; attributes the card lacks flagged AttributeNotOnChip. It is
 * not signed separately (tr03130-1 §4.9.2); it travels encrypted to the SP.
 *
 * @spec saml-core §2.3.3 (Assertion), §2.4.1.2 (SubjectConfirmationData), §2.5.1.4 (AudienceRestriction), §2.5.1.5 (OneTimeUse), §2.7.2 (AuthnStatement), §2.7.3 (AttributeStatement); saml-profiles §4.1.4.2 (bearer); tr03130-1 §4.9 (Response, DocumentValidity, AttributeNotOnChip); SPEC §5.2
 */
import type { EidResult } from '../../session/eid-session-model.js';
import type { EidRequest } from '../../session/eid-session-model.js';
import { samlId, samlInstant } from '../ids.js';
import { AUTHN_CONTEXT_SMARTCARD_PKI, CONFIRMATION_BEARER, NAMEID_FORMAT, NS } from '../namespaces.js';
import { esc, escText } from '../xml.js';

export interface AssertionInput {
  idpEntityId: string;
  spEntityId: string;
  inResponseTo: string;
  recipient: string;
  /** The browser's IP as seen by us (SubjectConfirmationData Address). */
  clientAddress?: string;
  now: Date;
  /** ≤ 300 000 (tr03130-1 §4.9: NotOnOrAfter at most 5 minutes). */
  lifetimeMs: number;
  request: EidRequest;
  result: EidResult;
}

const MAX_LIFETIME_MS = 5 * 60_000;

function stringValue(value: string): string {
  return `<saml:AttributeValue xsi:type="xs:string">${escText(value)}</saml:AttributeValue>`;
}

function attribute(name: string, inner: string, notOnChip = false): string {
  const flag = notOnChip ? ' eid:AttributeNotOnChip="true"' : '';
  return `<saml:Attribute Name="${esc(name)}"${flag}>${inner}</saml:Attribute>`;
}

function attributes(input: AssertionInput): string {
  const { result, request, now } = input;
  const out: string[] = [];
  // tr03130-1 §4.9: DocumentValidity in every response.
  out.push(attribute('DocumentValidity', `<saml:AttributeValue xsi:type="eid:DocumentValidityResultType" Version="1">`
    + `<eid:ReferenceDate>${now.toISOString().slice(0, 10)}</eid:ReferenceDate><eid:Status>${result.documentValidity ?? 'failed'}</eid:Status></saml:AttributeValue>`));
  for (const name of [...request.required, ...request.optional]) {
    if (name === 'AgeVerification') {
      if (result.ageVerification === undefined || !request.ageVerification) continue;
      out.push(attribute(name, `<saml:AttributeValue xsi:type="eid:AgeVerificationResultType"><eid:Request><eid:Age>${request.ageVerification.age}</eid:Age></eid:Request>`
        + `<eid:Result><eid:FulfilsRequest>${result.ageVerification}</eid:FulfilsRequest></eid:Result></saml:AttributeValue>`));
      continue;
    }
    if (name === 'PlaceVerification') {
      if (result.placeVerification === undefined || !request.placeVerification) continue;
      out.push(attribute(name, `<saml:AttributeValue xsi:type="eid:PlaceVerificationResultType"><eid:Request><eid:CommunityID>${esc(request.placeVerification.communityId)}</eid:CommunityID></eid:Request>`
        + `<eid:Result><eid:FulfilsRequest>${result.placeVerification}</eid:FulfilsRequest></eid:Result></saml:AttributeValue>`));
      continue;
    }
    if (name === 'RestrictedID') {
      if (!result.restrictedId) continue;
      const id2 = result.restrictedId.id2 ? `<eid:ID2>${result.restrictedId.id2}</eid:ID2>` : '';
      out.push(attribute(name, `<saml:AttributeValue xsi:type="eid:RestrictedIDType"><eid:ID>${result.restrictedId.id}</eid:ID>${id2}</saml:AttributeValue>`));
      continue;
    }
    const outcome = result.attributes[name];
    if (!outcome || outcome.status === 'prohibited') continue; // deselected by the citizen: not released
    if (outcome.status === 'notOnChip') {
      out.push(attribute(name, '', true));
      continue;
    }
    if (outcome.base64 !== undefined) out.push(attribute(name, `<saml:AttributeValue xsi:type="xs:base64Binary">${outcome.base64}</saml:AttributeValue>`));
    else if (outcome.text !== undefined) out.push(attribute(name, stringValue(outcome.text)));
    else if (outcome.place !== undefined) {
      const p = outcome.place;
      out.push(attribute(name, stringValue(p.kind === 'structured' ? [p.street, p.zipCode, p.city, p.state, p.country].filter((x) => x).join(', ') : p.text)));
    }
  }
  return out.join('');
}

export function buildAssertion(input: AssertionInput): { id: string; xml: string; nameId: string } {
  const id = samlId();
  const nameId = samlId();
  const now = samlInstant(input.now);
  const until = samlInstant(new Date(input.now.getTime() + Math.min(input.lifetimeMs, MAX_LIFETIME_MS)));
  const address = input.clientAddress ? ` Address="${esc(input.clientAddress)}"` : '';
  const xml = `<saml:Assertion xmlns:saml="${NS.saml}" xmlns:xsi="${NS.xsi}" xmlns:xs="${NS.xs}" xmlns:eid="${NS.eid}" ID="${id}" Version="2.0" IssueInstant="${now}">`
    + `<saml:Issuer>${escText(input.idpEntityId)}</saml:Issuer>`
    + `<saml:Subject><saml:NameID Format="${NAMEID_FORMAT.transient}" SPNameQualifier="${esc(input.spEntityId)}">${nameId}</saml:NameID>`
    + `<saml:SubjectConfirmation Method="${CONFIRMATION_BEARER}"><saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${esc(input.recipient)}" InResponseTo="${esc(input.inResponseTo)}"${address}/></saml:SubjectConfirmation></saml:Subject>`
    + `<saml:Conditions NotBefore="${now}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${escText(input.spEntityId)}</saml:Audience></saml:AudienceRestriction><saml:OneTimeUse/></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${now}" SessionIndex="${samlId()}">${input.clientAddress ? `<saml:SubjectLocality${address}/>` : ''}`
    + `<saml:AuthnContext><saml:AuthnContextClassRef>${AUTHN_CONTEXT_SMARTCARD_PKI}</saml:AuthnContextClassRef><saml:AuthnContextDeclRef>${AUTHN_CONTEXT_SMARTCARD_PKI}</saml:AuthnContextDeclRef></saml:AuthnContext></saml:AuthnStatement>`
    + `<saml:AttributeStatement>${attributes(input)}</saml:AttributeStatement>`
    + '</saml:Assertion>';
  return { id, xml, nameId };
}
