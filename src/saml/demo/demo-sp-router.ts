/**
 * DEMO ONLY: the demo SAML eService (config/services/demo-saml.yaml, keys in
 * test/fixtures/demo-eservices). Sends a signed HTTP-Redirect AuthnRequest with the encrypted
 * request extension, receives the Response (Redirect or POST), checks it belongs to its own browser
 * session (RelayState cookie + InResponseTo) and shows the decrypted attributes.
 * Mount it where its registered URLs point: `<baseUrl>` = http://localhost:3100/demo-saml.
 *
 * @spec saml-profiles §4.1.4.3 (SP processing); tr03130-1 §4; SPEC §5.2 (assertions bound to the SP's web session)
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { readCookie } from '../../session/auth-transaction.js';
import { escText } from '../xml.js';
import { buildAuthnRequest, buildRequestExtension, consumePostResponse, consumeRedirectResponse, encryptRequestExtension, signedRedirectRequestUrl, type ConsumedResponse, type RequestedAttributeSpec } from './sp-client.js';

export interface DemoSpDeps {
  /** e.g. http://localhost:3100/demo-saml (entityID = <baseUrl>/metadata, ACS = <baseUrl>/acs). */
  baseUrl: string;
  idpSsoUrl: string;
  /** From the IdP metadata: signing certificates (current + next) and the current encryption certificate. */
  idpSigningCertificates: () => string[];
  idpEncryptionCertificate: () => string;
  signingKeyPem: string;
  encryptionKeyPem: string;
  attributes: RequestedAttributeSpec[];
}

const COOKIE = 'demo_saml_sp';

export function demoSamlSpRouter(d: DemoSpDeps): Router {
  const router = Router();
  const entityId = `${d.baseUrl}/metadata`;
  const acsUrl = `${d.baseUrl}/acs`;
  const signingKey = createPrivateKey(d.signingKeyPem);
  const encryptionKey = createPrivateKey(d.encryptionKeyPem);
  /** RelayState → request ID (one per browser login; the cookie holds the RelayState). */
  const pending = new Map<string, string>();

  const page = (res: Response, title: string, body: string) => res.status(200).type('text/html; charset=utf-8').set('Cache-Control', 'no-store')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escText(title)}</title></head><body><h1>${escText(title)}</h1>${body}<p><strong>DEMO eService — fictional, test keys.</strong></p></body></html>`);

  router.get('/', (_req, res) => page(res, 'Demo eService (SAML)', `<p><a href="${escText(d.baseUrl)}/login">Log in with the eID card</a></p>`));

  router.get('/login', (_req, res) => {
    const relayState = randomBytes(16).toString('hex');
    const extension = encryptRequestExtension(buildRequestExtension(d.attributes), d.idpEncryptionCertificate());
    const { id, xml } = buildAuthnRequest({ issuer: entityId, destination: d.idpSsoUrl, acsUrl, extensionsXml: extension });
    pending.set(relayState, id);
    if (pending.size > 10_000) pending.delete(pending.keys().next().value ?? '');
    res.append('Set-Cookie', `${COOKIE}=${relayState}; Path=/; HttpOnly; SameSite=Lax; Max-Age=900`);
    res.redirect(303, signedRedirectRequestUrl(d.idpSsoUrl, xml, signingKey, relayState));
  });

  const show = (req: Request, res: Response, consume: (expected: string) => ConsumedResponse, relayState: string | undefined) => {
    const cookie = readCookie(req.headers.cookie, COOKIE);
    const expected = relayState !== undefined ? pending.get(relayState) : undefined;
    // The Response must answer the request this browser sent (SPEC §5.2): RelayState from our cookie.
    if (!cookie || cookie !== relayState || expected === undefined) {
      res.status(400).type('text/plain').send('This response does not belong to a login started in this browser.');
      return;
    }
    pending.delete(relayState);
    let r: ConsumedResponse;
    try {
      r = consume(expected);
    } catch (err) {
      res.status(400).type('text/plain').send(`Response rejected: ${(err as Error).message}`);
      return;
    }
    const rows = Object.entries(r.attributes).map(([name, a]) => `<tr><th>${escText(name)}</th><td>${a.notOnChip ? '<em>not on the chip</em>' : a.values.map(escText).join('<br>')}</td></tr>`).join('');
    page(res, r.status.endsWith(':Success') ? 'Logged in' : 'Login failed',
      `<p>Status: <code>${escText(r.status)}</code>${r.secondStatus ? ` / <code>${escText(r.secondStatus)}</code>` : ''}</p>`
      + (r.statusMessage ? `<p>${escText(r.statusMessage)}</p>` : '') + (rows ? `<table>${rows}</table>` : ''));
  };

  router.get('/acs', (req, res) => {
    const raw = req.originalUrl.slice(req.originalUrl.indexOf('?') + 1);
    const relay = typeof req.query.RelayState === 'string' ? req.query.RelayState : undefined;
    show(req, res, (expected) => consumeRedirectResponse(raw, { idpSigningCertificates: d.idpSigningCertificates(), spDecryptionKey: encryptionKey, expectedInResponseTo: expected, audience: entityId }), relay);
  });

  router.post('/acs', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const relay = typeof body.RelayState === 'string' ? body.RelayState : undefined;
    const form = { SAMLResponse: typeof body.SAMLResponse === 'string' ? body.SAMLResponse : '', ...(relay !== undefined ? { RelayState: relay } : {}) };
    show(req, res, (expected) => consumePostResponse(form, { idpSigningCertificates: d.idpSigningCertificates(), spDecryptionKey: encryptionKey, expectedInResponseTo: expected, audience: entityId }), relay);
  });

  return router;
}
