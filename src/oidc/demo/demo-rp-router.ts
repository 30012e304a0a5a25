/**
 * DEMO ONLY: the demo OpenID relying party (config/services/demo-oidc.yaml, keys in
 * test/fixtures/demo-eservices). An independent RP library (openid-client) does discovery,
 * code + PKCE (S256) + PAR with private_key_jwt, decrypts and validates the ID token and shows its
 * claims. Mount it where its registered redirect_uri points: `<baseUrl>` = http://localhost:3100/demo-oidc.
 *
 * @spec oidc-core §3.1.2.1, §3.1.3.7; rfc7636 (PKCE); rfc9126 (PAR); rfc7523 (private_key_jwt); SPEC §5.3
 */
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
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
const PENDING_MAX = 10_000;
/** Same as the cookie's Max-Age. */
const PENDING_MS = 900_000;

interface Pending { verifier: string; state: string; nonce: string; at: number }

async function importKeys(d: DemoRpDeps): Promise<{ sign: webcrypto.CryptoKey; enc: webcrypto.CryptoKey }> {
  const der = (pem: string) => new Uint8Array(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));
  const sign = await webcrypto.subtle.importKey('pkcs8', der(d.signingKeyPem), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const enc = await webcrypto.subtle.importKey('pkcs8', der(d.encryptionKeyPem), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  return { sign, enc };
}

export function demoOidcRpRouter(d: DemoRpDeps): Router {
  const router = Router();
  const redirectUri = `${d.baseUrl}/callback`;
  const pending = new Map<string, Pending>();
  let configuration: Promise<client.Configuration> | undefined;

  // Discovery on first use (the IdP front may start listening after this router is built); retried after a failure.
  const rp = (): Promise<client.Configuration> => {
    configuration ??= (async () => {
      const keys = await importKeys(d);
      const config = await client.discovery(new URL(d.issuer), d.clientId, { id_token_signed_response_alg: 'ES256' },
        client.PrivateKeyJwt({ key: keys.sign, kid: d.signingKid }), d.allowInsecureRequests === true ? { execute: [client.allowInsecureRequests] } : undefined);
      // oidc-core §10.2: the registered client gets its ID token encrypted to its enc key.
      client.enableDecryptingResponses(config, ['A256GCM'], { key: keys.enc, kid: d.encryptionKid });
      return config;
    })();
    configuration.catch(() => { configuration = undefined; });
    return configuration;
  };

  const page = (res: Response, status: number, title: string, body: string) => res.status(status).type('text/html; charset=utf-8').set('Cache-Control', 'no-store')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}<p><strong>DEMO relying party — fictional, test keys.</strong></p></body></html>`);

  router.get('/', (_req, res) => page(res, 200, 'Demo eService (OpenID Connect)', `<p><a href="${escapeHtml(d.baseUrl)}/login">Log in with the eID card</a></p>`));

  router.get('/login', async (_req, res) => {
    try {
      const config = await rp();
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
      const config = await rp();
      const current = new URL(req.originalUrl, new URL(d.baseUrl).origin);
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce });
      const claims = tokens.claims();
      if (claims === undefined) throw new Error('the token response carries no ID token');
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      page(res, 200, 'Logged in', `<h2>ID token claims</h2>${table(claims)}<h2>UserInfo</h2>${table(info)}<p><a href="${escapeHtml(d.baseUrl)}/">Back</a></p>`);
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
