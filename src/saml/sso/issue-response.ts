/**
 * The samlp:Response to the verified ACS: Success with an EncryptedAssertion (AES-256-GCM content,
 * RSA-OAEP to the SP's encryption certificate), or an error status. Binding: HTTP-Redirect with the
 * detached URL signature (tr03130-1 §4), or HTTP-POST with an enveloped signature over the whole
 * Response (encrypt first, then sign: idp-landscape finding 1) — POST when the SP asked for it or
 * when the redirect URL would exceed `redirectMaxBytes`.
 *
 * @spec saml-core §3.2.2 (StatusResponseType), §3.4 (Response to AuthnRequest), §6.2 (encrypt then sign); saml-bindings §3.4.4.1, §3.5.4; saml-profiles §4.1.4.2; tr03130-1 §4.9; SPEC §5.2
 */
import { createPublicKey } from 'node:crypto';
import type { ManagedKey } from '../../keys/key-store.js';
import { buildPostForm, type PostForm } from '../bindings/post.js';
import { buildSignedRedirectUrl } from '../bindings/redirect.js';
import { SamlError } from '../errors.js';
import { samlId, samlInstant } from '../ids.js';
import { NS, STATUS_SUCCESS } from '../namespaces.js';
import { statusXml, type SamlStatus } from '../status.js';
import { signEnveloped } from '../xmldsig.js';
import { encryptElement, type KeyTransport } from '../xmlenc.js';
import { esc, escText } from '../xml.js';
import type { ChosenAcs } from './check-authn-request.js';

export interface ResponseTarget {
  idpEntityId: string;
  acs: ChosenAcs;
  inResponseTo: string;
  relayState?: string;
}

export type ResponseDelivery = { kind: 'redirect'; url: string } | { kind: 'post'; form: PostForm };

export interface DeliveryOptions {
  signingKey: ManagedKey;
  redirectMaxBytes: number;
  /** Whether the ACS accepts HTTP-POST (for the automatic switch). */
  postAllowed: boolean;
}

export function buildResponseXml(target: ResponseTarget, now: Date, body: { status: SamlStatus } | { encryptedAssertion: string }): string {
  const status = 'status' in body ? statusXml(body.status) : statusXml({ top: STATUS_SUCCESS });
  const assertion = 'encryptedAssertion' in body ? `<saml:EncryptedAssertion>${body.encryptedAssertion}</saml:EncryptedAssertion>` : '';
  return `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${samlId()}" Version="2.0" IssueInstant="${samlInstant(now)}"`
    + ` Destination="${esc(target.acs.url)}" InResponseTo="${esc(target.inResponseTo)}">`
    + `<saml:Issuer>${escText(target.idpEntityId)}</saml:Issuer>${status}${assertion}</samlp:Response>`;
}

/** Encrypts the assertion to the SP's first encryption certificate (the current one by metadata order). */
export function encryptAssertion(assertionXml: string, encryptionCertificates: readonly string[], keyTransport?: KeyTransport): string {
  const pem = encryptionCertificates.find((c) => {
    try {
      return createPublicKey(c).asymmetricKeyType === 'rsa';
    } catch {
      return false;
    }
  });
  if (pem === undefined) throw new SamlError('SAML_SP_ENCRYPTION_KEY_MISSING', 'the eService has no RSA encryption certificate');
  return encryptElement(assertionXml, { recipient: createPublicKey(pem), ...(keyTransport ? { keyTransport } : {}) });
}

export function deliver(target: ResponseTarget, responseXml: string, o: DeliveryOptions): ResponseDelivery {
  const post = (): ResponseDelivery => ({
    kind: 'post',
    form: buildPostForm(target.acs.url, 'SAMLResponse', signEnveloped(responseXml, {
      privateKey: o.signingKey.privateKey, certificateBase64: o.signingKey.certificateBase64, afterChild: { ns: NS.saml, localName: 'Issuer' },
    }), target.relayState),
  });
  if (target.acs.binding === 'post') return post();
  const url = buildSignedRedirectUrl(target.acs.url, 'SAMLResponse', responseXml, o.signingKey.privateKey, target.relayState);
  // idp-landscape finding 6: proxies cut long URLs (nginx 8 KiB); POST carries what Redirect cannot.
  if (Buffer.byteLength(url, 'utf8') > o.redirectMaxBytes && o.postAllowed) return post();
  return { kind: 'redirect', url };
}
