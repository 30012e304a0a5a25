/** Builders of (possibly malicious) AuthnRequests for the SAML tests. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Response as TestResponse } from 'supertest';
import { buildAuthnRequest, buildRequestExtension, consumePostResponse, consumeRedirectResponse, encryptRequestExtension, signedRedirectRequestUrl, type AuthnRequestSpec, type ConsumedResponse, type RequestedAttributeSpec } from '../../src/saml/demo/sp-client.js';
import type { SamlWorld } from './saml.js';

export const DEFAULT_ATTRIBUTES: RequestedAttributeSpec[] = [
  { name: 'ChineseName', required: true },
  { name: 'DateOfBirth', required: true },
  { name: 'HouseholdAddress', required: false },
  { name: 'AgeVerification', required: true, value: '18' },
];

export interface RequestOptions {
  attributes?: RequestedAttributeSpec[];
  spec?: Partial<AuthnRequestSpec>;
  relayState?: string;
  signingKey?: KeyObject;
  /** Encrypt the extension to this certificate instead of the IdP's. */
  extensionCertPem?: string;
  noExtension?: boolean;
}

export function authnRequest(w: SamlWorld, o: RequestOptions = {}): { id: string; xml: string } {
  const ext = o.noExtension ? undefined : encryptRequestExtension(buildRequestExtension(o.attributes ?? DEFAULT_ATTRIBUTES), o.extensionCertPem ?? w.keys.current('saml-encryption').certificatePem);
  return buildAuthnRequest({ issuer: w.sp.entityId, destination: w.endpoints.ssoUrl, acsUrl: w.sp.acsUrl, ...(ext !== undefined ? { extensionsXml: ext } : {}), ...o.spec });
}

/** Path + query of a signed Redirect AuthnRequest (for supertest). */
export function redirectPath(w: SamlWorld, o: RequestOptions = {}): { id: string; path: string } {
  const { id, xml } = authnRequest(w, o);
  const url = signedRedirectRequestUrl(w.endpoints.ssoUrl, xml, o.signingKey ?? w.sp.signingKey, o.relayState);
  return { id, path: url.slice(new URL(url).origin.length) };
}

export function idpSigningCerts(w: SamlWorld): string[] {
  return w.keys.published('saml-signing').map((k) => k.certificatePem);
}

/** Reads the SAML Response a test response carries (303 Redirect binding or POST form). */
export function responseOf(w: SamlWorld, res: TestResponse, expectedInResponseTo?: string): ConsumedResponse {
  const o = { idpSigningCertificates: idpSigningCerts(w), spDecryptionKey: w.sp.encryptionKey, audience: w.sp.entityId, ...(expectedInResponseTo ? { expectedInResponseTo } : {}) };
  if (res.status === 303) {
    const location = res.headers.location ?? '';
    if (!location.startsWith(w.sp.acsUrl)) throw new Error(`unexpected redirect ${location.slice(0, 100)}`);
    return consumeRedirectResponse(location.slice(location.indexOf('?') + 1), o);
  }
  const m = /name="SAMLResponse" value="([^"]+)"/.exec(res.text);
  if (res.status !== 200 || !m?.[1]) throw new Error(`no SAML response (HTTP ${res.status}): ${res.text.slice(0, 300)}`);
  const relay = /name="RelayState" value="([^"]*)"/.exec(res.text)?.[1];
  return consumePostResponse({ SAMLResponse: m[1], ...(relay !== undefined ? { RelayState: relay } : {}) }, o);
}

/** The error code shown on the HTTP 400 page. */
export function pageCode(res: TestResponse): string | undefined {
  return /Error: <code>([A-Z0-9_]+)<\/code>/.exec(res.text)?.[1];
}

/** The catalog code carried in StatusMessage. */
export function statusCode(r: ConsumedResponse): string | undefined {
  return /^([A-Z0-9_]+)/.exec(r.statusMessage ?? '')?.[1];
}

export function eidSessionIdOf(res: TestResponse): string {
  const m = /tcTokenURL=([^"&]+)/.exec(res.text);
  const tc = decodeURIComponent(m?.[1] ?? '');
  return new URL(tc).searchParams.get('sessionId') ?? '';
}

export function cookieOf(res: TestResponse): string {
  const set = res.headers['set-cookie'] as unknown as string[] | undefined;
  return (set ?? []).map((c) => c.split(';')[0]).join('; ');
}

export { createPublicKey };
