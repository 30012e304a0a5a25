/**
 * OpenID Connect logout against openid-client 6 (an independent RP) on a real Redis: RP-initiated
 * logout (confirmation page under the app's CSP, session end, redirect with state, the negative
 * paths) and back-channel logout (the logout token checked independently with jose against the
 * IdP's JWKS; failing and hanging receivers).
 *
 * @spec oidc-rp-logout §2, §3; oidc-backchannel-logout §2.2, §2.3, §2.4, §2.5, §2.6, §2.8; oidc-core §3.1.2.1 (id_token_hint of an encrypted ID token)
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { compactDecrypt, createRemoteJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import * as client from 'openid-client';
import { createApp } from '../../src/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createOidcFront } from '../../src/oidc/provider.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { AuthTransactions } from '../../src/session/auth-transaction.js';
import { EidSessions } from '../../src/session/eid-session.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createRedisStore } from '../../src/session/store/redis.js';
import type { Store } from '../../src/session/store/store.js';
import { createLogger } from '../../src/shared/logger.js';
import { testConfig } from '../support/app.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../support/redis.js';
import { Browser, browserLogin, demoOidcDefinition, demoResult, DEMO_REDIRECT, EID_TIMEOUTS, type OidcNode } from '../support/oidc-world.js';

const url = testRedisUrl();
const FIXTURES = 'test/fixtures/demo-eservices';
const RI = 'b2'.repeat(32);
/** Registered in config/services/demo-oidc.yaml. */
const POST_LOGOUT = 'http://localhost:3100/demo-oidc/';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A second client (no back-channel logout, ID tokens signed only) for the cross-client checks. */
const OTHER_CLIENT = 'demo-oidc-other';
/** A third client with back-channel logout (ID tokens signed only), logged in beside demo-oidc in one browser. */
const SECOND_RP = 'demo-oidc-second';
const RI_SECOND = 'c3'.repeat(32);

function pkcs8(path: string): Uint8Array {
  return new Uint8Array(createPrivateKey(readFileSync(path)).export({ type: 'pkcs8', format: 'der' }));
}

/** One back-channel request as the receiver saw it. */
interface Received { path: string; method: string; contentType: string; body: string; aborted: Promise<void> }

/** The RP's back-channel logout endpoint: answers 200, 500, or never (until the IdP gives up). */
class Receiver {
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  readonly received: Received[] = [];
  readonly #waiters: ((r: Received) => void)[] = [];
  readonly server: Server = createServer((req, res) => this.#handle(req, res));
  origin = '';

  get url(): string {
    return `${this.origin}/backchannel-logout`;
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next request (or one that already came and was not taken). */
  next(): Promise<Received> {
    const ready = this.received.shift();
    return ready ? Promise.resolve(ready) : new Promise((r) => this.#waiters.push(r));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    // Resolves when the IdP closes the connection before an answer came (its own timeout).
    const aborted = new Promise<void>((resolve) => res.on('close', () => { if (!res.writableFinished) resolve(); }));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: Received = { path: req.url ?? '', method: req.method ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8'), aborted };
      const waiter = this.#waiters.shift();
      if (waiter) waiter(got);
      else this.received.push(got);
      if (this.mode === 'ok') res.writeHead(200, { 'cache-control': 'no-store' }).end();
      else if (this.mode === 'fail') res.writeHead(500).end();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('OIDC logout interop with openid-client (Redis)', function () {
  this.timeout(60_000);
  let prefix: string;
  let store: Store;
  let keysDir: string;
  let node: OidcNode;
  let sign: webcrypto.CryptoKey;
  let enc: webcrypto.CryptoKey;
  const receiver = new Receiver();
  /** Structured log records of the IdP (codes only; the logger redacts personal data anyway). */
  const logs: Record<string, unknown>[] = [];
  const backchannelErrors: { err: Error & { response?: Response }; clientId: string }[] = [];

  before(async () => {
    await requireRedis(url);
    prefix = randomPrefix('neid-test-oidc-logout');
    store = createRedisStore({ url, keyPrefix: prefix });
    keysDir = mkdtempSync(join(tmpdir(), 'neid-oidc-logout-keys-'));
    sign = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-signing.key.pem')), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    enc = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-encryption.key.pem')), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
    await receiver.start();

    const registry = new ServiceRegistry(store);
    const base = demoOidcDefinition();
    const oidc = (base.protocols as { oidc: Record<string, unknown> }).oidc;
    // oidc-backchannel-logout §2.2: the RP registers its back-channel endpoint (http only on loopback, as redirect_uris).
    await registry.create(demoOidcDefinition({ protocols: { ...base.protocols, oidc: { ...oidc, backchannel_logout_uri: receiver.url } } }), { by: 'test', declarative: true });
    const { id_token_encrypted_response_alg: _a, id_token_encrypted_response_enc: _e, ...signedOnly } = oidc;
    await registry.create(demoOidcDefinition({ id: OTHER_CLIENT, protocols: { ...base.protocols, oidc: { ...signedOnly, client_id: OTHER_CLIENT } } }), { by: 'test', declarative: true });
    await registry.create(demoOidcDefinition({
      id: SECOND_RP, protocols: { ...base.protocols, oidc: { ...signedOnly, client_id: SECOND_RP, backchannel_logout_uri: `${receiver.origin}/second/backchannel-logout` } },
    }), { by: 'test', declarative: true });
    node = await startNode();
    node.front.provider.on('backchannel.error', (_ctx, err, c) => backchannelErrors.push({ err: err as Error, clientId: (c as { clientId: string }).clientId }));
  });

  after(async () => {
    await node?.close();
    await receiver.close();
    await store?.close();
    await deleteByPrefix(prefix, url);
    rmSync(keysDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    receiver.mode = 'ok';
    receiver.received.length = 0;
    backchannelErrors.length = 0;
    logs.length = 0;
  });

  /** The OpenID front inside the real app (src/app.ts: security headers with the strict CSP, then /oidc). */
  async function startNode(): Promise<OidcNode> {
    const dataKey = randomBytes(32);
    const box = new SealedBox(dataKey);
    const sessions = new EidSessions({ store, box, timeouts: EID_TIMEOUTS });
    // The app needs the front, the front needs the listening URL: the server forwards to the app once built.
    const built: { app?: Express } = {};
    const server = createServer((req, res) => built.app?.(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const nodeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>); } } });
    const front = createOidcFront({
      publicUrl: nodeUrl, store, box, dataKey, registry: new ServiceRegistry(store), eidSessions: sessions, logger,
      authTransactions: new AuthTransactions({ store, box, ttlMs: 120_000, secureCookie: false }),
      keysDir, generateKeys: true, allowLoopbackTargets: true,
    });
    built.app = createApp({ config: testConfig(), logger, store, metrics: createMetrics({ defaultMetrics: false }), isShuttingDown: () => false, routers: { oidc: front.router } });
    return {
      front, sessions, url: nodeUrl, server,
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }

  async function rp(clientId = 'demo-oidc'): Promise<client.Configuration> {
    const config = await client.discovery(new URL(`${node.url}/oidc`), clientId, { id_token_signed_response_alg: 'ES256' }, client.PrivateKeyJwt({ key: sign, kid: 'demo-oidc-sig-1' }), { execute: [client.allowInsecureRequests] });
    if (clientId === 'demo-oidc') client.enableDecryptingResponses(config, ['A256GCM'], { key: enc, kid: 'demo-oidc-enc-1' });
    return config;
  }

  async function authorizationUrl(config: client.Configuration, extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authUrl = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: DEMO_REDIRECT, scope: 'openid', claims: JSON.stringify({ id_token: { name: { essential: true } }, userinfo: { name: null } }), state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    return { authUrl: authUrl.toString(), checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  /** A full login; returns the browser, the tokens, and the signed ID token an RP sends back as id_token_hint. */
  async function login(config: client.Configuration, browser = new Browser(), ri = RI) {
    const { authUrl, checks } = await authorizationUrl(config);
    const { location } = await browserLogin(browser, node, authUrl, demoResult(ri));
    const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);
    const claims = tokens.claims();
    assert.ok(claims && tokens.id_token);
    // oidc-core §3.1.2.1 (id_token_hint): an encrypted ID token is decrypted by the RP and sent as the signed JWT inside.
    const hint = tokens.id_token.split('.').length === 5 ? new TextDecoder().decode((await compactDecrypt(tokens.id_token, enc)).plaintext) : tokens.id_token;
    const sessionId = browser.cookies.get('_session');
    assert.ok(sessionId, 'the browser holds the provider session cookie');
    return { browser, tokens, claims, hint, sessionId };
  }

  /** GET end_session_endpoint; returns the response and its page. */
  async function endSession(browser: Browser, endUrl: URL) {
    const res = await browser.request(endUrl.toString());
    return { res, html: await res.text() };
  }

  function logoutForm(html: string): { action: string; xsrf: string } {
    const form = /<form id="op\.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"\/><\/form>/.exec(html);
    assert.ok(form?.[1] && form[2], `oidc-provider's logout form with its xsrf field: ${html.slice(0, 400)}`);
    return { action: form[1], xsrf: form[2] };
  }

  /** The catalog codes the front logged for provider errors since the test began. */
  const loggedCodes = (): unknown[] => logs.filter((l) => l.msg === 'oidc error').map((l) => l.code);

  describe('RP-initiated logout (oidc-rp-logout)', () => {
    it('confirmation page under the app CSP → "yes" ends the session, clears the cookie, revokes the grant and redirects with state; prompt=none then gives login_required', async () => {
      const config = await rp();
      const { browser, tokens, claims, hint, sessionId } = await login(config);
      // Controls: before logout the access token works and prompt=none reuses the session (so what fails below is the logout's doing).
      assert.equal((await client.fetchUserInfo(config, tokens.access_token, claims.sub)).sub, claims.sub);
      const before = await browser.follow((await authorizationUrl(config, { prompt: 'none' })).authUrl, node.url);
      assert.ok(new URL(before.location ?? '').searchParams.has('code'), `prompt=none before logout issues a code: ${before.location ?? before.status}`);

      const accountId = (await node.front.provider.Session.find(sessionId))?.accountId;
      assert.ok(accountId && (await store.get(`oidc:account:${accountId}:demo-oidc`)) !== null, 'control: the login record exists before logout');
      const state = client.randomState();
      const { res, html } = await endSession(browser, client.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT, state }));
      assert.equal(res.status, 200);
      // The page works under the app's strict CSP: no inline script or style, no event handler attributes, form posts to self.
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /style-src 'self'/);
      assert.doesNotMatch(html, /<script|<style|\sstyle=|\son[a-z]+=|javascript:/i);
      const { action, xsrf } = logoutForm(html);
      assert.equal(new URL(action).origin, node.url, "form-action 'self'");
      assert.match(html, /<button type="submit" form="op\.logoutForm" name="logout" value="yes">/);
      assert.match(html, /<link rel="stylesheet" href="\/oidc\/assets\/style\.css">/);

      const confirm = await browser.request(action, { form: { xsrf, logout: 'yes' } });
      assert.equal(confirm.status, 303);
      // oidc-rp-logout §3: back to the registered post_logout_redirect_uri with the RP's state.
      const back = new URL(confirm.headers.get('location') ?? '');
      assert.equal(`${back.origin}${back.pathname}`, POST_LOGOUT);
      assert.equal(back.searchParams.get('state'), state);
      assert.ok(!browser.cookies.has('_session'), 'the session cookie is cleared');
      assert.equal(await node.front.provider.Session.find(sessionId), undefined, 'the provider session is gone from the store');
      assert.equal(await store.get(`oidc:account:${accountId}:demo-oidc`), null, 'the released claims are deleted with the session (SPEC §7)');
      // The grant's tokens are revoked with the session.
      await assert.rejects(client.fetchUserInfo(config, tokens.access_token, claims.sub), (err: { error?: string; status?: number }) => err.status === 401);

      const after = await browser.follow((await authorizationUrl(config, { prompt: 'none' })).authUrl, node.url);
      const answer = new URL(after.location ?? '');
      assert.equal(`${answer.origin}${answer.pathname}`, DEMO_REDIRECT);
      assert.equal(answer.searchParams.get('error'), 'login_required');
    });

    it('"no" keeps the provider session: only this RP is logged out (its grant revoked), back to post_logout_redirect_uri', async () => {
      const config = await rp();
      const { browser, tokens, claims, hint, sessionId } = await login(config);
      const accountId = (await node.front.provider.Session.find(sessionId))?.accountId;
      assert.ok(accountId);
      const state = client.randomState();
      const { html } = await endSession(browser, client.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT, state }));
      const { action, xsrf } = logoutForm(html);
      // The second button submits the form without logout=yes.
      assert.match(html, /<button type="submit" form="op\.logoutForm" class="secondary">/);
      const confirm = await browser.request(action, { form: { xsrf } });
      assert.equal(confirm.status, 303);
      const back = new URL(confirm.headers.get('location') ?? '');
      assert.equal(`${back.origin}${back.pathname}`, POST_LOGOUT);
      assert.equal(back.searchParams.get('state'), state);
      assert.ok(browser.cookies.has('_session'), 'the session cookie stays');
      const session = await node.front.provider.Session.find(browser.cookies.get('_session') ?? '');
      assert.equal(session?.accountId, accountId, 'the provider session (login) stays');
      assert.ok(!((session.authorizations ?? {}) as Record<string, unknown>)['demo-oidc'], 'the RP that asked is no longer in the session');
      assert.equal(await store.get(`oidc:account:${accountId}:demo-oidc`), null, 'its released claims are deleted');
      await assert.rejects(client.fetchUserInfo(config, tokens.access_token, claims.sub), (err: { status?: number }) => err.status === 401);
      // oidc-backchannel-logout §2.3: the OP tells the RPs it logs the citizen out of; here the one that asked.
      const token = new URLSearchParams((await receiver.next()).body).get('logout_token') ?? '';
      const { payload } = await jwtVerify(new TextDecoder().decode((await compactDecrypt(token, enc)).plaintext), createRemoteJWKSet(new URL(`${node.url}/oidc/jwks`)), { issuer: `${node.url}/oidc`, audience: 'demo-oidc' });
      assert.equal(payload.sid, claims.sid);
      const after = await browser.follow((await authorizationUrl(config, { prompt: 'none' })).authUrl, node.url);
      // No silent re-login of that RP: its login record and grant are gone, so prompt=none needs the citizen (and the card) again.
      const answer = new URL(after.location ?? '');
      assert.equal(answer.searchParams.get('error'), 'login_required');
      assert.ok(!answer.searchParams.has('code'));
    });

    it('unregistered post_logout_redirect_uri → OIDC_LOGOUT_REDIRECT_URI_INVALID, never redirected to, session kept', async () => {
      const config = await rp();
      const { browser, hint, sessionId } = await login(config);
      const { res, html } = await endSession(browser, client.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: 'http://localhost:3100/evil/', state: 'x' }));
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.doesNotMatch(html, /evil/);
      assert.doesNotMatch(html, /op\.logoutForm/);
      assert.deepEqual(loggedCodes(), ['OIDC_LOGOUT_REDIRECT_URI_INVALID']);
      assert.ok((await node.front.provider.Session.find(sessionId))?.accountId, 'nothing was logged out');
    });

    it('id_token_hint of another client, not from this OP, garbage, or still encrypted → OIDC_ID_TOKEN_HINT_INVALID', async () => {
      const config = await rp();
      const { browser, tokens } = await login(config);
      const other = await login(await rp(OTHER_CLIENT));
      assert.equal(other.tokens.id_token?.split('.').length, 3, 'the other client gets signed ID tokens');
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ sub: RI }).setProtectedHeader({ alg: 'ES256', kid: decodeProtectedHeader(other.hint).kid ?? '' })
        .setIssuer(`${node.url}/oidc`).setAudience('demo-oidc').setIssuedAt().setExpirationTime('5m').sign(privateKey);
      const hints: Record<string, string> = {
        'another client (client_id demo-oidc)': other.hint,
        'signed by another key': forged,
        garbage: 'not-a-jwt',
        'the JWE itself (oidc-core §3.1.2.1: the RP decrypts first)': tokens.id_token ?? '',
      };
      for (const [what, hint] of Object.entries(hints)) {
        logs.length = 0;
        const { res, html } = await endSession(browser, client.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT, state: 'x' }));
        assert.equal(res.status, 400, what);
        assert.equal(res.headers.get('location'), null, what);
        assert.doesNotMatch(html, /op\.logoutForm/, what);
        assert.deepEqual(loggedCodes(), ['OIDC_ID_TOKEN_HINT_INVALID'], what);
      }
    });

    it('without a provider session: oidc-provider\'s auto-submit page carries its script hash in our CSP and ends at post_logout_redirect_uri', async () => {
      const config = await rp();
      const { hint } = await login(config);
      const browser = new Browser();
      const state = client.randomState();
      const { res, html } = await endSession(browser, client.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT, state }));
      assert.equal(res.status, 200);
      const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
      assert.ok(script.includes('submit()'));
      const digest = createHash('sha256').update(script).digest('base64');
      assert.ok((res.headers.get('content-security-policy') ?? '').includes(`'sha256-${digest}'`), 'the inline script is allowed by hash only');
      const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1] ?? '';
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
      const confirm = await browser.request(action, { form: { xsrf, logout: 'yes' } });
      assert.equal(confirm.status, 303);
      const back = new URL(confirm.headers.get('location') ?? '');
      assert.equal(`${back.origin}${back.pathname}`, POST_LOGOUT);
      assert.equal(back.searchParams.get('state'), state);
    });
  });

  describe('back-channel logout (oidc-backchannel-logout)', () => {
    it('the ID token carries sid (backchannel_logout_session_required); a client without back-channel logout gets none', async () => {
      const { claims } = await login(await rp());
      assert.equal(typeof claims.sid, 'string');
      assert.ok((claims.sid as string).length > 0);
      const other = await login(await rp(OTHER_CLIENT));
      assert.ok(!('sid' in other.claims));
    });

    it('after RP-initiated logout the RP receives a logout token: JWE to the RP, signed by the IdP, iss/aud/iat/jti/events/sid/sub, no nonce', async () => {
      const config = await rp();
      const { browser, claims, hint } = await login(config);
      const { html } = await endSession(browser, client.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT }));
      const { action, xsrf } = logoutForm(html);
      const confirm = await browser.request(action, { form: { xsrf, logout: 'yes' } });
      assert.equal(confirm.status, 303);
      const got = await receiver.next();
      // oidc-backchannel-logout §2.5: POST, form-encoded, the single parameter logout_token.
      assert.equal(got.method, 'POST');
      assert.match(got.contentType, /^application\/x-www-form-urlencoded/);
      const form = new URLSearchParams(got.body);
      assert.deepEqual([...form.keys()], ['logout_token']);
      const token = form.get('logout_token') ?? '';
      // §2.4: signed with the ID token keys, encrypted like the client's ID tokens (ECDH-ES+A256KW / A256GCM).
      assert.equal(token.split('.').length, 5);
      const jws = new TextDecoder().decode((await compactDecrypt(token, enc)).plaintext);
      // §2.6 (what the RP validates), independently of openid-client: signature against the IdP's JWKS, iss, aud, typ.
      const jwks = createRemoteJWKSet(new URL(`${node.url}/oidc/jwks`));
      const { payload, protectedHeader } = await jwtVerify(jws, jwks, { issuer: `${node.url}/oidc`, audience: 'demo-oidc', algorithms: ['ES256'], typ: 'logout+jwt' });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(typeof payload.iat, 'number');
      assert.equal(typeof payload.jti, 'string');
      assert.ok((payload.jti ?? '').length >= 16);
      assert.deepEqual(payload.events, { [BACKCHANNEL_EVENT]: {} });
      assert.equal(payload.sid, claims.sid, 'sid of the ID token');
      assert.equal(payload.sub, claims.sub, 'the pairwise sub of the ID token');
      assert.equal(payload.sub, RI);
      // §2.4: never a nonce, so a logout token cannot pass as an ID token (§4.1 cross-JWT confusion).
      assert.ok(!('nonce' in payload));
      assert.deepEqual(backchannelErrors, []);
    });

    it('one browser session with two eServices: "yes" sends each its own logout token (own sid, own pairwise sub)', async () => {
      const config = await rp();
      const first = await login(config);
      const second = await login(await rp(SECOND_RP), first.browser, RI_SECOND);
      assert.notEqual(first.claims.sid, second.claims.sid);
      const { html } = await endSession(first.browser, client.buildEndSessionUrl(config, { id_token_hint: first.hint, post_logout_redirect_uri: POST_LOGOUT }));
      const { action, xsrf } = logoutForm(html);
      assert.equal((await first.browser.request(action, { form: { xsrf, logout: 'yes' } })).status, 303);
      const jwks = createRemoteJWKSet(new URL(`${node.url}/oidc/jwks`));
      const tokens = new Map<string, Record<string, unknown>>();
      for (const got of [await receiver.next(), await receiver.next()]) {
        const token = new URLSearchParams(got.body).get('logout_token') ?? '';
        // demo-oidc's logout token is encrypted like its ID tokens; the second RP's is signed only.
        const jws = token.split('.').length === 5 ? new TextDecoder().decode((await compactDecrypt(token, enc)).plaintext) : token;
        const { payload } = await jwtVerify(jws, jwks, { issuer: `${node.url}/oidc`, typ: 'logout+jwt' });
        tokens.set(got.path, payload as Record<string, unknown>);
      }
      const a = tokens.get('/backchannel-logout');
      const b = tokens.get('/second/backchannel-logout');
      assert.deepEqual([a?.aud, a?.sid, a?.sub], ['demo-oidc', first.claims.sid, RI]);
      assert.deepEqual([b?.aud, b?.sid, b?.sub], [SECOND_RP, second.claims.sid, RI_SECOND]);
      assert.deepEqual(backchannelErrors, []);
    });

    it('one browser session with two eServices: "no" logs out only the one that asked; the other keeps its session', async () => {
      const config = await rp();
      const first = await login(config);
      const secondConfig = await rp(SECOND_RP);
      await login(secondConfig, first.browser, RI_SECOND);
      const { html } = await endSession(first.browser, client.buildEndSessionUrl(config, { id_token_hint: first.hint, post_logout_redirect_uri: POST_LOGOUT }));
      const { action, xsrf } = logoutForm(html);
      assert.equal((await first.browser.request(action, { form: { xsrf } })).status, 303);
      const got = await receiver.next();
      assert.equal(got.path, '/backchannel-logout');
      assert.deepEqual(receiver.received, [], 'no logout token for the eService that did not ask');
      const session = await node.front.provider.Session.find(first.browser.cookies.get('_session') ?? '');
      assert.deepEqual(Object.keys((session?.authorizations ?? {}) as Record<string, unknown>), [SECOND_RP]);
      assert.equal(await store.get(`oidc:account:${session?.accountId ?? ''}:demo-oidc`), null, 'the record of the eService that logged out is gone');
      assert.notEqual(await store.get(`oidc:account:${session?.accountId ?? ''}:${SECOND_RP}`), null, 'the other eService keeps its record');
      // The other eService still has its session: prompt=none gives it a code without the citizen.
      const again = await first.browser.follow((await authorizationUrl(secondConfig, { prompt: 'none' })).authUrl, node.url);
      assert.ok(new URL(again.location ?? '').searchParams.has('code'), `prompt=none for the other eService: ${again.location ?? again.status}`);
    });

    /** A full logout ("yes") while the RP's receiver misbehaves: it still ends the session and redirects. */
    async function logoutWithReceiver(mode: typeof receiver.mode): Promise<void> {
      const config = await rp();
      const { browser, hint, sessionId } = await login(config);
      receiver.mode = mode;
      const { html } = await endSession(browser, client.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT, state: 's' }));
      const { action, xsrf } = logoutForm(html);
      const confirm = await browser.request(action, { form: { xsrf, logout: 'yes' } });
      assert.equal(confirm.status, 303);
      assert.ok((confirm.headers.get('location') ?? '').startsWith(POST_LOGOUT));
      assert.equal(await node.front.provider.Session.find(sessionId), undefined);
    }

    it('a receiver answering 500 does not break the logout (session ended, redirect); the failure is reported', async () => {
      await logoutWithReceiver('fail');
      assert.equal((await receiver.next()).method, 'POST');
      assert.equal(backchannelErrors.length, 1);
      assert.equal(backchannelErrors[0]?.clientId, 'demo-oidc');
      assert.equal(backchannelErrors[0]?.err.response?.status, 500);
      const logged = logs.filter((l) => l.code === 'OIDC_BACKCHANNEL_LOGOUT_FAILED');
      assert.deepEqual(logged.map((l) => l.client), ['demo-oidc'], 'the failure is logged with the client id');
      assert.ok(!JSON.stringify(logged).includes(RI), 'and without the pairwise subject');
    });

    it('a receiver that never answers is cut off by the outbound timeout; the logout still completes', async () => {
      await logoutWithReceiver('hang');
      const got = await receiver.next();
      // The IdP closed the connection itself: the receiver never answered.
      await got.aborted;
      assert.equal(backchannelErrors.length, 1);
      assert.equal(backchannelErrors[0]?.err.name, 'TimeoutError');
    });
  });
});
