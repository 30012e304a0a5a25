/**
 * The service-provider side of the profile, for the demo SP page and the tests: a signed
 * HTTP-Redirect AuthnRequest carrying the encrypted request extension, and the consumption of our
 * Response (URL or enveloped signature verified with the IdP signing certificates from metadata,
 * EncryptedAssertion decrypted with the SP encryption key, bearer/audience/InResponseTo checks).
 *
 * @spec tr03130-1 §4.3 (request extension), §4.9 (Response); saml-bindings §3.4.4.1, §3.5.4; saml-profiles §4.1.4.3 (SP processing rules)
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { XmlElement } from '../../shared/xml.js';
import { buildSignedRedirectUrl, inflateMessage, parseRedirectQuery, verifyRedirectSignature } from '../bindings/redirect.js';
import { SamlError } from '../errors.js';
import { samlId, samlInstant } from '../ids.js';
import { NS, STATUS_SUCCESS } from '../namespaces.js';
import { verifyEnveloped } from '../xmldsig.js';
import { decryptElement, encryptElement, type KeyTransport } from '../xmlenc.js';
import { attr, children, childElements, esc, escText, isElement, parseSamlXml, requiredChild } from '../xml.js';

export interface RequestedAttributeSpec {
  name: string;
  required?: boolean;
  /** AgeVerification: the age; PlaceVerification: the community ID; TransactionInfo / LevelOfAssurance: the text. */
  value?: string;
}

export function buildRequestExtension(attributes: readonly RequestedAttributeSpec[]): string {
  const items = attributes.map((a) => {
    const req = a.required === undefined ? '' : ` eid:RequiredAttribute="${a.required}"`;
    let value = '';
    if (a.value !== undefined) {
      if (a.name === 'AgeVerification') value = `<saml:AttributeValue xsi:type="eid:AgeVerificationRequestType"><eid:Age>${escText(a.value)}</eid:Age></saml:AttributeValue>`;
      else if (a.name === 'PlaceVerification') value = `<saml:AttributeValue xsi:type="eid:PlaceVerificationRequestType"><eid:CommunityID>${escText(a.value)}</eid:CommunityID></saml:AttributeValue>`;
      else value = `<saml:AttributeValue xsi:type="xs:string">${escText(a.value)}</saml:AttributeValue>`;
    }
    return `<saml:Attribute Name="${esc(a.name)}"${req}>${value}</saml:Attribute>`;
  }).join('');
  return `<eid:AuthnRequestExtension xmlns:eid="${NS.eid}" xmlns:saml="${NS.saml}" xmlns:xsi="${NS.xsi}" xmlns:xs="${NS.xs}" Version="2"><eid:RequestedAttributes>${items}</eid:RequestedAttributes></eid:AuthnRequestExtension>`;
}

export function encryptRequestExtension(plaintextXml: string, idpEncryptionCertPem: string, keyTransport?: KeyTransport): string {
  const data = encryptElement(plaintextXml, { recipient: createPublicKey(idpEncryptionCertPem), ...(keyTransport ? { keyTransport } : {}) });
  return `<eid:EncryptedAuthnRequestExtension xmlns:eid="${NS.eid}">${data}</eid:EncryptedAuthnRequestExtension>`;
}

export interface AuthnRequestSpec {
  id?: string;
  issuer: string;
  destination: string;
  acsUrl?: string;
  issueInstant?: Date;
  protocolBinding?: string;
  /** Already encrypted extension element(s); raw XML inside samlp:Extensions. */
  extensionsXml?: string;
  /** Extra XML appended after Extensions (tests). */
  extraXml?: string;
}

export function buildAuthnRequest(spec: AuthnRequestSpec): { id: string; xml: string } {
  const id = spec.id ?? samlId();
  const acs = spec.acsUrl ? ` AssertionConsumerServiceURL="${esc(spec.acsUrl)}"` : '';
  const binding = spec.protocolBinding ? ` ProtocolBinding="${esc(spec.protocolBinding)}"` : '';
  const ext = spec.extensionsXml !== undefined ? `<samlp:Extensions>${spec.extensionsXml}</samlp:Extensions>` : '';
  const xml = `<samlp:AuthnRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${esc(id)}" Version="2.0" IssueInstant="${samlInstant(spec.issueInstant ?? new Date())}"`
    + ` Destination="${esc(spec.destination)}"${acs}${binding}>`
    + `<saml:Issuer>${escText(spec.issuer)}</saml:Issuer>${ext}${spec.extraXml ?? ''}`
    + `<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient" AllowCreate="true"/></samlp:AuthnRequest>`;
  return { id, xml };
}

export function signedRedirectRequestUrl(ssoUrl: string, xml: string, spSigningKey: KeyObject, relayState?: string): string {
  return buildSignedRedirectUrl(ssoUrl, 'SAMLRequest', xml, spSigningKey, relayState);
}

export interface ConsumedResponse {
  status: string;
  secondStatus?: string;
  statusMessage?: string;
  inResponseTo?: string;
  relayState?: string;
  /** Decrypted assertion XML (Success only). */
  assertionXml?: string;
  nameId?: string;
  attributes: Record<string, { values: string[]; notOnChip: boolean; xml: string[] }>;
  subjectConfirmation?: { recipient?: string; inResponseTo?: string; notOnOrAfter?: string; address?: string };
  audience?: string;
  oneTimeUse: boolean;
  authnContextClassRef?: string;
}

export interface ConsumeOptions {
  idpSigningCertificates: readonly string[];
  spDecryptionKey: KeyObject;
  expectedInResponseTo?: string;
  audience?: string;
  now?: Date;
}

function readResponse(root: XmlElement, o: ConsumeOptions): ConsumedResponse {
  if (!isElement(root, NS.samlp, 'Response')) throw new SamlError('SAML_REQUEST_MALFORMED', 'not a samlp:Response');
  const status = requiredChild(root, NS.samlp, 'Status', 'SAML_REQUEST_MALFORMED');
  const code = requiredChild(status, NS.samlp, 'StatusCode', 'SAML_REQUEST_MALFORMED');
  const second = children(code, NS.samlp, 'StatusCode')[0];
  const message = children(status, NS.samlp, 'StatusMessage')[0];
  const inResponseTo = attr(root, 'InResponseTo');
  if (o.expectedInResponseTo !== undefined && inResponseTo !== o.expectedInResponseTo) throw new SamlError('SAML_REQUEST_MALFORMED', 'InResponseTo does not match our request');
  const out: ConsumedResponse = {
    status: attr(code, 'Value') ?? '', ...(second ? { secondStatus: attr(second, 'Value') ?? '' } : {}),
    ...(message ? { statusMessage: message.textContent ?? '' } : {}), ...(inResponseTo !== undefined ? { inResponseTo } : {}),
    attributes: {}, oneTimeUse: false,
  };
  if (out.status !== STATUS_SUCCESS) return out;
  const enc = requiredChild(root, NS.saml, 'EncryptedAssertion', 'SAML_REQUEST_MALFORMED');
  const plaintext = decryptElement(enc, [o.spDecryptionKey]).toString('utf8');
  const assertion = parseSamlXml(plaintext).documentElement;
  if (!assertion || !isElement(assertion, NS.saml, 'Assertion')) throw new SamlError('SAML_REQUEST_MALFORMED', 'EncryptedAssertion does not hold an Assertion');
  out.assertionXml = plaintext;
  const subject = requiredChild(assertion, NS.saml, 'Subject', 'SAML_REQUEST_MALFORMED');
  out.nameId = requiredChild(subject, NS.saml, 'NameID', 'SAML_REQUEST_MALFORMED').textContent ?? '';
  const scd = requiredChild(requiredChild(subject, NS.saml, 'SubjectConfirmation', 'SAML_REQUEST_MALFORMED'), NS.saml, 'SubjectConfirmationData', 'SAML_REQUEST_MALFORMED');
  const pick = (name: string) => attr(scd, name);
  out.subjectConfirmation = {
    ...(pick('Recipient') !== undefined ? { recipient: pick('Recipient') } : {}), ...(pick('InResponseTo') !== undefined ? { inResponseTo: pick('InResponseTo') } : {}),
    ...(pick('NotOnOrAfter') !== undefined ? { notOnOrAfter: pick('NotOnOrAfter') } : {}), ...(pick('Address') !== undefined ? { address: pick('Address') } : {}),
  };
  const conditions = requiredChild(assertion, NS.saml, 'Conditions', 'SAML_REQUEST_MALFORMED');
  const audience = children(requiredChild(conditions, NS.saml, 'AudienceRestriction', 'SAML_REQUEST_MALFORMED'), NS.saml, 'Audience')[0];
  out.audience = audience?.textContent ?? '';
  if (o.audience !== undefined && out.audience !== o.audience) throw new SamlError('SAML_REQUEST_MALFORMED', 'Audience is not us');
  const now = (o.now ?? new Date()).getTime();
  const until = Date.parse(out.subjectConfirmation.notOnOrAfter ?? '');
  if (!(until > now)) throw new SamlError('SAML_REQUEST_MALFORMED', 'SubjectConfirmationData expired');
  out.oneTimeUse = children(conditions, NS.saml, 'OneTimeUse').length === 1;
  const authn = children(assertion, NS.saml, 'AuthnStatement')[0];
  const ctx = authn ? children(authn, NS.saml, 'AuthnContext')[0] : undefined;
  const classRef = ctx ? children(ctx, NS.saml, 'AuthnContextClassRef')[0] : undefined;
  if (classRef) out.authnContextClassRef = classRef.textContent ?? '';
  for (const statement of children(assertion, NS.saml, 'AttributeStatement')) {
    for (const a of children(statement, NS.saml, 'Attribute')) {
      const values = children(a, NS.saml, 'AttributeValue');
      out.attributes[attr(a, 'Name') ?? ''] = {
        values: values.map((v) => (childElements(v).length > 0 ? childElements(v).map((c) => `${c.localName}=${c.textContent ?? ''}`).join(';') : v.textContent ?? '')),
        notOnChip: a.getAttributeNS(NS.eid, 'AttributeNotOnChip') === 'true',
        xml: values.map((v) => v.toString()),
      };
    }
  }
  return out;
}

/** Consumes a Response sent with the HTTP-Redirect binding (raw query string as received). */
export function consumeRedirectResponse(rawQuery: string, o: ConsumeOptions): ConsumedResponse {
  const q = parseRedirectQuery(rawQuery, 'SAMLResponse');
  verifyRedirectSignature(q, o.idpSigningCertificates);
  const root = parseSamlXml(inflateMessage(q.message)).documentElement;
  if (!root) throw new SamlError('SAML_REQUEST_MALFORMED', 'empty Response');
  return { ...readResponse(root, o), ...(q.relayState !== undefined ? { relayState: q.relayState } : {}) };
}

/** Consumes a Response sent with the HTTP-POST binding (enveloped signature over the Response). */
export function consumePostResponse(form: { SAMLResponse: string; RelayState?: string }, o: ConsumeOptions): ConsumedResponse {
  const xml = Buffer.from(form.SAMLResponse, 'base64').toString('utf8');
  const verified = verifyEnveloped(xml, o.idpSigningCertificates);
  return { ...readResponse(verified.root, o), ...(form.RelayState !== undefined ? { relayState: form.RelayState } : {}) };
}
