/**
 * Receiving an AuthnRequest: decode the binding, find the eService by Issuer, and verify the
 * signature — before anything else in the request is looked at (SPEC §5.2). Redirect: the detached
 * URL signature over the raw query string as received. POST: the enveloped XML signature, after which
 * only the signed bytes are read.
 *
 * Everything that fails here ends in an HTTP 400 page: the requester is not authenticated yet.
 *
 * @spec saml-bindings §3.4.4.1, §3.4.5.2 (Redirect), §3.5.4, §3.5.5.2 (POST); saml-profiles §4.1.4.1 (Issuer required); saml-core §3.4.1; tr03130-1 §4.8; SPEC §5.2
 */
import type { XmlElement } from '../../shared/xml.js';
import { inflateMessage, parseRedirectQuery, verifyRedirectSignature, type RedirectLimits } from '../bindings/redirect.js';
import { SamlError } from '../errors.js';
import type { ResolvedSp, SpResolver } from '../metadata/sp-resolver.js';
import { NAMEID_FORMAT, NS } from '../namespaces.js';
import { verifyEnveloped } from '../xmldsig.js';
import { attr, children, isElement, parseSamlXml, requiredChild, textOf } from '../xml.js';

export interface VerifiedAuthnRequest {
  binding: 'redirect' | 'post';
  sp: ResolvedSp;
  /** The AuthnRequest element, from signed bytes only. */
  request: XmlElement;
  relayState?: string;
}

export interface ReceiveDeps {
  resolver: SpResolver;
  limits: RedirectLimits;
}

function requestRoot(xml: Uint8Array | string): XmlElement {
  const doc = parseSamlXml(xml);
  const root = doc.documentElement;
  if (!root || !isElement(root, NS.samlp, 'AuthnRequest')) throw new SamlError('SAML_REQUEST_MALFORMED', 'not a samlp:AuthnRequest');
  return root;
}

/** saml-profiles §4.1.4.1: Issuer present, Format omitted or entity. */
export function issuerOf(root: XmlElement): string {
  const issuer = requiredChild(root, NS.saml, 'Issuer', 'SAML_REQUEST_MALFORMED');
  const format = attr(issuer, 'Format');
  if (format !== undefined && format !== NAMEID_FORMAT.entity) throw new SamlError('SAML_REQUEST_MALFORMED', 'Issuer Format must be entity');
  const value = textOf(issuer, 'SAML_REQUEST_MALFORMED');
  if (value === '' || value.length > 1024) throw new SamlError('SAML_REQUEST_MALFORMED', 'Issuer empty or too long');
  return value;
}

async function spFor(resolver: SpResolver, issuer: string): Promise<ResolvedSp> {
  const sp = await resolver.resolve(issuer);
  if (!sp) throw new SamlError('SAML_ISSUER_UNKNOWN', 'Issuer is not a registered eService', { detail: { issuer: issuer.slice(0, 200) } });
  if (sp.signingCertificates.length === 0) throw new SamlError('SAML_SIGNATURE_INVALID', 'the eService has no signing certificate', { detail: { service: sp.service.id } });
  return sp;
}

export async function receiveRedirectAuthnRequest(rawQuery: string, deps: ReceiveDeps): Promise<VerifiedAuthnRequest> {
  const query = parseRedirectQuery(rawQuery, 'SAMLRequest', deps.limits);
  const xml = inflateMessage(query.message, deps.limits);
  const root = requestRoot(xml);
  // The Issuer is read only to pick the key; the whole message is covered by the URL signature.
  const sp = await spFor(deps.resolver, issuerOf(root));
  verifyRedirectSignature(query, sp.signingCertificates);
  // saml-bindings §3.4.4.1: an XML signature "MUST be removed" before DEFLATE; one left in is a differently-signed message.
  if (children(root, NS.ds, 'Signature').length > 0) throw new SamlError('SAML_REQUEST_MALFORMED', 'Redirect-binding request carries an XML signature');
  return { binding: 'redirect', sp, request: root, ...(query.relayState !== undefined ? { relayState: query.relayState } : {}) };
}

export async function receivePostAuthnRequest(form: Record<string, unknown>, deps: ReceiveDeps): Promise<VerifiedAuthnRequest> {
  const message = form.SAMLRequest;
  const relayState = form.RelayState;
  if (Array.isArray(message) || Array.isArray(relayState)) throw new SamlError('SAML_QUERY_INVALID', 'SAML parameter given more than once');
  if (typeof message !== 'string' || message === '') throw new SamlError('SAML_REQUEST_MISSING', 'SAMLRequest missing');
  if (relayState !== undefined && (typeof relayState !== 'string' || Buffer.byteLength(relayState, 'utf8') > 80)) throw new SamlError('SAML_QUERY_INVALID', 'RelayState invalid or longer than 80 bytes');
  const compact = message.replace(/\s+/g, '');
  if (compact.length > deps.limits.maxEncodedBytes) throw new SamlError('SAML_REQUEST_TOO_LARGE', 'SAMLRequest too large');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) throw new SamlError('SAML_REQUEST_ENCODING', 'SAMLRequest is not base64');
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  const sp = await spFor(deps.resolver, issuerOf(requestRoot(xml)));
  let verified;
  try {
    verified = verifyEnveloped(xml, sp.signingCertificates);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'SAML_XML_SIGNATURE_INVALID') throw new SamlError(/not signed/.test((cause as Error).message) ? 'SAML_SIGNATURE_MISSING' : 'SAML_SIGNATURE_INVALID', (cause as Error).message, { cause });
    throw cause;
  }
  const request = verified.root;
  if (!isElement(request, NS.samlp, 'AuthnRequest')) throw new SamlError('SAML_SIGNATURE_INVALID', 'signed element is not the AuthnRequest');
  // The Issuer of the signed bytes must be the one whose key verified them.
  if (issuerOf(request) !== sp.entityId) throw new SamlError('SAML_SIGNATURE_INVALID', 'signed Issuer differs');
  return { binding: 'post', sp, request, ...(typeof relayState === 'string' ? { relayState } : {}) };
}
