/**
 * The demo OpenID RP (src/oidc/demo/demo-rp-router.ts) against the OpenID front with the real eID
 * step: /demo-oidc/login starts code + PKCE + PAR (the browser carries only client_id + request_uri),
 * the click-through with the reference eID client and a software card ends on the claims page, and its
 * "log out" button does RP-initiated logout through the IdP back to the demo page.
 *
 * @spec oidc-rp-logout §2, §3
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadConfig } from '../../src/config/load.js';
import { start, type RunningIdp } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { demoOidcRpRouter } from '../../src/oidc/demo/demo-rp-router.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { fromHex } from '../../src/shared/bytes.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import { issue, load } from '../support/eac-world.js';
import { startOidcEidWorld, type OidcEidWorld } from '../support/oidc-eid-world.js';
import { Browser, DEMO_REDIRECT } from '../support/oidc-world.js';
import { freePort } from '../support/processes.js';

// The registered origin of the demo RP (config/services/demo-oidc.yaml); the test listens elsewhere and maps it.
const REGISTERED_BASE = DEMO_REDIRECT.replace(/\/callback$/, '');

describe('e2e: demo OpenID RP → IdP /oidc (PAR) → reference eID client → IdP → demo RP claims page', function () {
  this.timeout(180_000);
  let w: OidcEidWorld;
  let rpServer: Server;
  let rpBase: string;

  before(async () => {
    w = await startOidcEidWorld();
    const app = express();
    app.use('/demo-oidc', demoOidcRpRouter({
      baseUrl: REGISTERED_BASE, issuer: w.front.issuer, clientId: 'demo-oidc', allowInsecureRequests: true,
      signingKeyPem: readFileSync('test/fixtures/demo-eservices/demo-oidc-signing.key.pem', 'utf8'), signingKid: 'demo-oidc-sig-1',
      encryptionKeyPem: readFileSync('test/fixtures/demo-eservices/demo-oidc-encryption.key.pem', 'utf8'), encryptionKid: 'demo-oidc-enc-1',
    }));
    rpServer = createServer(app);
    await new Promise<void>((r) => rpServer.listen(0, '127.0.0.1', () => r()));
    rpBase = `http://127.0.0.1:${(rpServer.address() as AddressInfo).port}/demo-oidc`;
  });

  after(async () => {
    rpServer?.closeAllConnections();
    await new Promise<void>((r) => (rpServer ? rpServer.close(() => r()) : r()));
    await w?.close();
  });

  it('the demo page starts code + PKCE + PAR: the browser goes to /oidc/auth with only client_id and request_uri', async () => {
    const home = await fetch(`${rpBase}/`);
    assert.match(await home.text(), /\/demo-oidc\/login/);
    const res = await new Browser().request(`${rpBase}/login`);
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, `${w.front.issuer}/auth`);
    assert.deepEqual([...location.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.equal(location.searchParams.get('client_id'), 'demo-oidc');
    assert.match(location.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/);
  });

  it('a logout answer whose state this browser did not send is refused', async () => {
    const res = await fetch(`${rpBase}/?state=forged`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /does not belong to a logout started in this browser/);
  });

  it('log out without a demo session still goes to the IdP (client_id, registered post_logout_redirect_uri, state)', async () => {
    const res = await new Browser().request(`${rpBase}/logout`, { method: 'POST' });
    assert.equal(res.status, 303);
    const end = new URL(res.headers.get('location') ?? '');
    assert.equal(`${end.origin}${end.pathname}`, `${w.front.issuer}/session/end`);
    assert.deepEqual([...end.searchParams.keys()].sort(), ['client_id', 'post_logout_redirect_uri', 'state']);
    assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${REGISTERED_BASE}/`);
  });

  it('a callback without the browser login cookie is refused', async () => {
    const res = await fetch(`${rpBase}/callback?code=x&state=y`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /does not belong to a login started in this browser/);
  });

  it('click-through with the software card ends on the claims page (escaped, only approved claims); "log out" ends the IdP session and returns to the demo page', async () => {
    const browser = new Browser();
    const start = await browser.request(`${rpBase}/login`);
    const consent = await browser.follow(start.headers.get('location') ?? '', w.base);
    assert.ok(consent.page, `consent page expected (${consent.status})`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(consent.page)?.[1] ?? '';
    const action = /<form method="post" action="([^"]+)"/.exec(consent.page)?.[1] ?? '';
    const eidStart = await (await browser.request(new URL(action, w.base).toString(), { form: { csrf } })).text();
    const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(eidStart)?.[1] ?? '');
    const card = load(issue(w.eac));
    const out = await runClientLogin({ tcTokenUrl, card, pin: '123456', allowHttpLoopback: true });
    assert.equal(out.result.major, 'ok', JSON.stringify(out.result));
    const back = await browser.follow(out.refreshUrl, w.base);
    const callback = back.location ?? '';
    assert.ok(callback.startsWith(DEMO_REDIRECT), `back at the RP: ${back.status}`);
    const done = await browser.request(callback.replace(REGISTERED_BASE, rpBase));
    const html = await done.text();
    assert.equal(done.status, 200, html.slice(0, 500));
    const name = getProfile('tw').decodeDataGroup(4, fromHex(card.toJSON().files.dataGroups['4'] ?? '')).value as string;
    assert.match(html, /<h2>ID token claims<\/h2>/);
    assert.ok(html.includes(`<th>name</th><td>${name}</td>`), 'the name from DG4');
    assert.ok(html.includes('<th>age_over_65</th><td>false</td>'), 'tw-citizen.json is born 1990');
    assert.ok(html.includes('<th>place_verified</th><td>true</td>'), 'household area code 63000… is in the demo county prefix');
    assert.ok(html.includes('<th>acr</th><td>http://eidas.europa.eu/LoA/high</td>'));
    assert.ok(html.includes('<th>amr</th><td>[&quot;sc&quot;,&quot;pin&quot;,&quot;mfa&quot;]</td>'), 'JSON values are escaped');
    assert.ok(!html.includes('place_of_birth'));

    // The demo pages run under a strict CSP: no script anywhere, the log out button is a plain form.
    const csp = done.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline/);
    assert.doesNotMatch(html, /<script|\son[a-z]+=|javascript:/i);
    const logoutAction = /<form method="post" action="([^"]+)"><button type="submit">Log out<\/button><\/form>/.exec(html)?.[1] ?? '';
    assert.equal(logoutAction, `${REGISTERED_BASE}/logout`);
    const home = await (await browser.request(`${rpBase}/`)).text();
    assert.match(home, /You are logged in/);

    // oidc-rp-logout §2: the demo RP ends its session and sends the browser to the IdP with id_token_hint.
    const idpSession = browser.cookies.get('_session');
    assert.ok(idpSession, 'the IdP session cookie is held');
    const toIdp = await browser.request(logoutAction.replace(REGISTERED_BASE, rpBase), { method: 'POST' });
    assert.equal(toIdp.status, 303);
    const end = new URL(toIdp.headers.get('location') ?? '');
    assert.equal(`${end.origin}${end.pathname}`, `${w.front.issuer}/session/end`);
    assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${REGISTERED_BASE}/`);
    assert.equal(end.searchParams.get('client_id'), 'demo-oidc');
    const state = end.searchParams.get('state') ?? '';
    assert.ok(state.length >= 32);
    // oidc-core §3.1.2.1: the hint is the signed ID token (the RP decrypted the JWE it got).
    const hint = end.searchParams.get('id_token_hint') ?? '';
    assert.equal(hint.split('.').length, 3);
    assert.equal((JSON.parse(Buffer.from(hint.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown }).aud, 'demo-oidc');

    const confirmPage = await (await browser.request(end.toString())).text();
    const form = /<form id="op\.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"\/><\/form>/.exec(confirmPage);
    assert.ok(form?.[1] && form[2], 'the IdP asks for confirmation');
    const confirmed = await browser.request(form[1], { form: { xsrf: form[2], logout: 'yes' } });
    assert.equal(confirmed.status, 303);
    const returned = new URL(confirmed.headers.get('location') ?? '');
    assert.equal(`${returned.origin}${returned.pathname}`, `${REGISTERED_BASE}/`);
    assert.equal(returned.searchParams.get('state'), state);
    assert.ok(!browser.cookies.has('_session'), 'the IdP session cookie is cleared');
    assert.equal(await w.front.provider.Session.find(idpSession), undefined, 'the IdP session is gone');

    const loggedOut = await browser.request(returned.toString().replace(REGISTERED_BASE, rpBase));
    assert.equal(loggedOut.status, 200);
    assert.match(await loggedOut.text(), /You are logged out of the demo eService/);
    assert.doesNotMatch(await (await browser.request(`${rpBase}/`)).text(), /You are logged in/);
  });
});

describe('e2e: development start (main.ts) serves the demo OpenID RP beside the demo SAML SP', function () {
  this.timeout(60_000);
  let idp: RunningIdp;
  let dataDir: string;
  let demoSp: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'neid-dev-oidc-'));
    const [http, eid, soap, admin] = [await freePort(), await freePort(), await freePort(), await freePort()];
    demoSp = await freePort();
    const config = loadConfig({
      env: {
        NEID_HTTP_HOST: '127.0.0.1', NEID_HTTP_PORT: String(http), NEID_EID_HOST: '127.0.0.1', NEID_EID_PORT: String(eid), NEID_SOAP_HOST: '127.0.0.1',
        NEID_SOAP_PORT: String(soap), NEID_ADMIN_PORT: String(admin), NEID_PUBLIC_URL: `http://127.0.0.1:${http}`, NEID_EID_PUBLIC_URL: `https://localhost:${eid}/paos`,
        NEID_DEV_DATA_DIR: dataDir, NEID_LOG_LEVEL: 'silent', NEID_DEV_DEMO_SP_PORT: String(demoSp),
      },
    });
    idp = await start(config, createLogger({ level: 'silent' }), { eidClientPort: null });
  });
  after(async () => {
    await idp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('/demo-oidc/ is served; /login reaches the IdP\'s PAR endpoint with private_key_jwt (the registered redirect_uri is on port 3100)', async () => {
    const home = await fetch(`http://127.0.0.1:${demoSp}/demo-oidc/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Demo eService \(OpenID Connect\)/);
    // On another port than the registered one, the IdP refuses the redirect_uri at PAR: proof that the
    // demo RP discovered the IdP and authenticated at PAR (a bad client assertion would be invalid_client).
    const login = await fetch(`http://127.0.0.1:${demoSp}/demo-oidc/login`, { redirect: 'manual' });
    assert.equal(login.status, 502);
    assert.match(await login.text(), /invalid_request: redirect_uri did not match/);
  });
});
