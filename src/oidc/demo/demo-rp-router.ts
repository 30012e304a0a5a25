/**
 * DEMO ONLY: the demo OpenID relying party (config/services/demo-oidc.yaml, keys in
 * test/fixtures/demo-eservices). An independent RP library (openid-client) does discovery,
 * code + PKCE (S256) + PAR with private_key_jwt, decrypts and validates the ID token and shows its
 * claims, and logs out again through the IdP (RP-initiated logout back to `<baseUrl>/`, its registered
 * post_logout_redirect_uri). Mount it where its registered redirect_uri points: `<baseUrl>` =
 * http://localhost:3100/demo-oidc. Its pages carry a strict CSP and no script.
 *
 * @spec oidc-core §3.1.2.1, §3.1.3.7; rfc7636 (PKCE); rfc9126 (PAR); rfc7523 (private_key_jwt); oidc-rp-logout §2, §3; SPEC §5.3
 */
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { compactDecrypt } from 'jose';
import * as client from 'openid-client';
import { readCookie } from '../../session/auth-transaction.js';
import { escapeHtml } from '../interactions/views.js';

export interface DemoRpDeps {
  /** e.g. http://localhost:3100/demo-oidc (redirect_uri = <baseUrl>/callback). */
  baseUrl: string;
  /** The IdP's issuer, e.g. http://localhost:3000/oidc (discovered on first use). */
  issuer: string;
  clientId: string;
  /** PEM private keys whose public halves are in the client's registered jwks. */
  signingKeyPem: string;
  signingKid: string;
  encryptionKeyPem: string;
  encryptionKid: string;
  /** The claims request parameter (oidc-core §5.5). */
  claims?: unknown;
  /** Development over http: let openid-client talk to a non-TLS issuer. */
  allowInsecureRequests?: boolean;
}

/** The demo county asks: the name, 65 or older, registered in the county (area code prefix of the sample card). */
export const DEMO_CLAIMS = {
  id_token: { name: { essential: true }, age_over_65: { essential: true }, place_verified: { value: '63000' }, acr: null, amr: null },
  userinfo: { name: null },
} as const;

/** Browser cookie: a random id naming one pending login (localhost cookies ignore ports: own name). */
const COOKIE = 'demo_oidc_rp';
/** Browser cookie naming the demo's own login session (what the logout button ends). */
const SESSION_COOKIE = 'demo_oidc_rp_session';
/** Browser cookie naming one logout on its way through the IdP (its state comes back, oidc-rp-logout §3). */
const LOGOUT_COOKIE = 'demo_oidc_rp_logout';
const PENDING_MAX = 10_000;
/** Same as the cookies' Max-Age. */
const PENDING_MS = 900_000;

interface Pending { verifier: string; state: string; nonce: string; at: number }
/** The signed ID token (JWS), sent back as id_token_hint at logout. */
interface Session { idTokenHint: string; at: number }
interface Logout { state: string; at: number }

/** A bounded map of browser-cookie ids; entries older than PENDING_MS count as absent. */
class Entries<T extends { at: number }> {
  readonly #map = new Map<string, T>();
  add(value: T): string {
    const id = randomBytes(16).toString('hex');
    this.#map.set(id, value);
    if (this.#map.size > PENDING_MAX) this.#map.delete(this.#map.keys().next().value ?? '');
    return id;
  }
  /** Returns the entry once: it is removed. */
  take(id: string | undefined): T | undefined {
    if (id === undefined) return undefined;
    const value = this.#map.get(id);
    this.#map.delete(id);
    return value === undefined || Date.now() - value.at > PENDING_MS ? undefined : value;
  }
  get(id: string | undefined): T | undefined {
    const value = id === undefined ? undefined : this.#map.get(id);
    return value === undefined || Date.now() - value.at > PENDING_MS ? undefined : value;
  }
}

const setCookie = (name: string, value: string): string => `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${PENDING_MS / 1000}`;
const clearCookie = (name: string): string => `${name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;

async function importKeys(d: DemoRpDeps): Promise<{ sign: webcrypto.CryptoKey; enc: webcrypto.CryptoKey }> {
  const der = (pem: string) => new Uint8Array(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));
  const sign = await webcrypto.subtle.importKey('pkcs8', der(d.signingKeyPem), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const enc = await webcrypto.subtle.importKey('pkcs8', der(d.encryptionKeyPem), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  return { sign, enc };
}

export function demoOidcRpRouter(d: DemoRpDeps): Router {
  const router = Router();
  const redirectUri = `${d.baseUrl}/callback`;
  // oidc-rp-logout §3: registered as the client's post_logout_redirect_uri (config/services/demo-oidc.yaml).
  const postLogoutRedirectUri = `${d.baseUrl}/`;
  const pending = new Map<string, Pending>();
  const sessions = new Entries<Session>();
  const logouts = new Entries<Logout>();
  let configuration: Promise<{ config: client.Configuration; enc: webcrypto.CryptoKey }> | undefined;

  // Discovery on first use (the IdP front may start listening after this router is built); retried after a failure.
  const rp = (): Promise<{ config: client.Configuration; enc: webcrypto.CryptoKey }> => {
    configuration ??= (async () => {
      const keys = await importKeys(d);
      const config = await client.discovery(new URL(d.issuer), d.clientId, { id_token_signed_response_alg: 'ES256' },
        client.PrivateKeyJwt({ key: keys.sign, kid: d.signingKid }), d.allowInsecureRequests === true ? { execute: [client.allowInsecureRequests] } : undefined);
      // oidc-core §10.2: the registered client gets its ID token encrypted to its enc key.
      client.enableDecryptingResponses(config, ['A256GCM'], { key: keys.enc, kid: d.encryptionKid });
      return { config, enc: keys.enc };
    })();
    configuration.catch(() => { configuration = undefined; });
    return configuration;
  };

  // No script, no style; forms go to this RP, whose logout answer redirects on to the IdP (form-action covers redirects).
  const csp = `default-src 'none'; form-action 'self' ${new URL(d.issuer).origin}; base-uri 'none'; frame-ancestors 'none'`;
  const page = (res: Response, status: number, title: string, body: string) => res.status(status).type('text/html; charset=utf-8').set('Cache-Control', 'no-store')
    .set('Content-Security-Policy', csp)
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}<p><strong>DEMO relying party — fictional, test keys.</strong></p></body></html>`);
  const logoutButton = `<form method="post" action="${escapeHtml(d.baseUrl)}/logout"><button type="submit">Log out</button></form>`;
  const loginLink = `<p><a href="${escapeHtml(d.baseUrl)}/login">Log in with the eID card</a></p>`;

  router.get('/', (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    if (state !== undefined) {
      // Back from the IdP's logout (oidc-rp-logout §3): the state must be the one this browser's logout sent.
      const logout = logouts.take(readCookie(req.headers.cookie, LOGOUT_COOKIE));
      res.append('Set-Cookie', clearCookie(LOGOUT_COOKIE));
      if (logout === undefined || logout.state !== state) {
        page(res, 400, 'Unknown logout', `<p>This answer does not belong to a logout started in this browser.</p>${loginLink}`);
        return;
      }
      page(res, 200, 'Logged out', `<p>You are logged out of the demo eService.</p>${loginLink}`);
      return;
    }
    const loggedIn = sessions.get(readCookie(req.headers.cookie, SESSION_COOKIE)) !== undefined;
    page(res, 200, 'Demo eService (OpenID Connect)', loggedIn ? `<p>You are logged in.</p>${logoutButton}` : loginLink);
  });

  // oidc-rp-logout §2: the RP ends its own session, then sends the browser to the IdP's end_session_endpoint with
  // the ID token as id_token_hint, its registered post_logout_redirect_uri and a state to recognise the answer.
  router.post('/logout', async (req, res) => {
    const session = sessions.take(readCookie(req.headers.cookie, SESSION_COOKIE));
    res.append('Set-Cookie', clearCookie(SESSION_COOKIE));
    try {
      const { config } = await rp();
      const state = client.randomState();
      res.append('Set-Cookie', setCookie(LOGOUT_COOKIE, logouts.add({ state, at: Date.now() })));
      // Without a session here (expired, other browser) the IdP still asks the citizen, identified by client_id only.
      const url = client.buildEndSessionUrl(config, {
        post_logout_redirect_uri: postLogoutRedirectUri, state, ...(session !== undefined && { id_token_hint: session.idTokenHint }),
      });
      res.redirect(303, url.toString());
    } catch (err) {
      page(res, 502, 'Logout could not be started', `<p>${escapeHtml(describe(err))}</p>`);
    }
  });

  router.get('/login', async (_req, res) => {
    try {
      const { config } = await rp();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      // rfc9126: the parameters travel over the back channel; the browser only carries request_uri.
      const url = await client.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: redirectUri, scope: 'openid', claims: JSON.stringify(d.claims ?? DEMO_CLAIMS), state, nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      const id = randomBytes(16).toString('hex');
      pending.set(id, { verifier, state, nonce, at: Date.now() });
      if (pending.size > PENDING_MAX) pending.delete(pending.keys().next().value ?? '');
      res.append('Set-Cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=900`);
      res.redirect(303, url.toString());
    } catch (err) {
      page(res, 502, 'Login could not be started', `<p>${escapeHtml(describe(err))}</p>`);
    }
  });

  router.get('/callback', async (req: Request, res: Response) => {
    const id = readCookie(req.headers.cookie, COOKIE);
    const login = id === undefined ? undefined : pending.get(id);
    // The answer must belong to a login this browser started (state, nonce and PKCE verifier are per browser).
    if (id === undefined || login === undefined || Date.now() - login.at > PENDING_MS) {
      page(res, 400, 'Unknown login', '<p>This answer does not belong to a login started in this browser.</p>');
      return;
    }
    pending.delete(id);
    res.append('Set-Cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    try {
      const { config, enc } = await rp();
      const current = new URL(req.originalUrl, new URL(d.baseUrl).origin);
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
      const claims = tokens.claims();
      if (claims === undefined || tokens.id_token === undefined) throw new Error('the token response carries no ID token');
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      // oidc-core §3.1.2.1 (id_token_hint): an encrypted ID token goes back as the signed ID token inside it.
      const idTokenHint = tokens.id_token.split('.').length === 5 ? new TextDecoder().decode((await compactDecrypt(tokens.id_token, enc)).plaintext) : tokens.id_token;
      res.append('Set-Cookie', setCookie(SESSION_COOKIE, sessions.add({ idTokenHint, at: Date.now() })));
      page(res, 200, 'Logged in', `<h2>ID token claims</h2>${table(claims)}<h2>UserInfo</h2>${table(info)}${logoutButton}<p><a href="${escapeHtml(d.baseUrl)}/">Back</a></p>`);
    } catch (err) {
      page(res, 400, 'Login failed', `<p>${escapeHtml(describe(err))}</p><p><a href="${escapeHtml(d.baseUrl)}/">Back</a></p>`);
    }
  });

  return router;
}

function describe(err: unknown): string {
  const e = err as { error?: unknown; error_description?: unknown; message?: unknown };
  if (typeof e.error === 'string') return `${e.error}${typeof e.error_description === 'string' ? `: ${e.error_description}` : ''}`;
  return typeof e.message === 'string' ? e.message : String(err);
}

function table(values: object): string {
  const rows = Object.entries(values).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}
