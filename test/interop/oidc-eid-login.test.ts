/**
 * The OpenID front with the REAL eID step, against openid-client 6: code + PKCE + PAR
 * (private_key_jwt, encrypted ES256 ID token) → consent page → the reference eID client with an
 * issued `tw` software card (TC Token, TLS-PSK, PAOS, EAC) → RefreshAddress back to the interaction →
 * code at the redirect_uri → ID token and userinfo validated by openid-client.
 *
 * @spec oidc-core §3.1; rfc9126; rfc7636; tr03124-1 §2.4, §2.5.4
 */
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import * as client from 'openid-client';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { eidRouter } from '../../src/eid/eid-router.js';
import { createEidServer, type EidServer } from '../../src/eid/eid-server.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { errorHandler, notFound } from '../../src/http/error-handler.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createOidcFront, type OidcFront } from '../../src/oidc/provider.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { AuthTransactions } from '../../src/session/auth-transaction.js';
import { EidSessions } from '../../src/session/eid-session.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import type { Store } from '../../src/session/store/store.js';
import { fromHex } from '../../src/shared/bytes.js';
import { createLogger } from '../../src/shared/logger.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createWorld, issue, load, terminal, terminalConfig, type World } from '../support/eac-world.js';
import { Browser, demoOidcDefinition, DEMO_REDIRECT, EID_TIMEOUTS } from '../support/oidc-world.js';
import { testRsaCertificate } from '../support/rsa-cert.js';

const FIXTURES = 'test/fixtures/demo-eservices';
// What demo-oidc is approved for (config/services/demo-oidc.yaml): name, age and place checks, RI.
const RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG4'];

function pkcs8(path: string): Uint8Array {
  return new Uint8Array(createPrivateKey(readFileSync(path)).export({ type: 'pkcs8', format: 'der' }));
}

function dgText(card: SoftwareCard, dg: number): string {
  const raw = card.toJSON().files.dataGroups[String(dg)] ?? '';
  return getProfile('tw').decodeDataGroup(dg, fromHex(raw)).value as string;
}

describe('OIDC interop: openid-client → IdP → reference eID client (TLS-PSK, PAOS, software card) → IdP → RP', function () {
  this.timeout(180_000);
  let eac: World;
  let store: Store;
  let keysDir: string;
  let http: Server;
  let base: string;
  let eidServer: EidServer;
  let front: OidcFront;
  let signKey: webcrypto.CryptoKey;
  let encKey: webcrypto.CryptoKey;

  before(async () => {
    eac = createWorld();
    store = createMemoryStore();
    keysDir = mkdtempSync(join(tmpdir(), 'neid-oidc-eid-keys-'));
    const box = new SealedBox(randomBytes(32));
    const dataKey = randomBytes(32);
    await new ServiceRegistry(store).create(demoOidcDefinition(), { by: 'test', declarative: true });
    const sessions = new EidSessions({ store, box, timeouts: EID_TIMEOUTS });

    const app = express();
    http = createServer(app);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    front = createOidcFront({
      publicUrl: base, store, box, dataKey, registry: new ServiceRegistry(store), eidSessions: sessions,
      authTransactions: new AuthTransactions({ store, box, ttlMs: 120_000, secureCookie: false }),
      keysDir, generateKeys: true, logger: createLogger({ level: 'silent' }),
    });
    let paosUrl = '';
    // As src/app.ts: the OIDC front before any body parser, then the eID router (TC Token, RefreshAddress).
    app.use('/oidc', front.router);
    app.use(eidRouter({ sessions, get paosUrl() { return paosUrl; }, publicUrl: base, returnTo: (s) => front.returnTo(s) }));

    const full = terminalConfig(eac, terminal(eac, { rights: RIGHTS }), { required: [] });
    const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...serviceTerminal } = full;
    const { key, cert } = testRsaCertificate();
    eidServer = await createEidServer({ host: '127.0.0.1', port: 0, key, cert, sessions, logger: createLogger({ level: 'silent' }), terminals: async () => serviceTerminal satisfies ServiceTerminal });
    paosUrl = `https://127.0.0.1:${eidServer.port}/paos`;
    app.use(notFound());
    app.use(errorHandler(createLogger({ level: 'silent' }), createMetrics()));

    signKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-signing.key.pem')), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    encKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-encryption.key.pem')), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  });

  after(async () => {
    await eidServer?.close();
    http?.closeAllConnections();
    await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
    await store?.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  async function rp(): Promise<client.Configuration> {
    const config = await client.discovery(new URL(`${base}/oidc`), 'demo-oidc', { id_token_signed_response_alg: 'ES256' }, client.PrivateKeyJwt({ key: signKey, kid: 'demo-oidc-sig-1' }), { execute: [client.allowInsecureRequests] });
    client.enableDecryptingResponses(config, ['A256GCM'], { key: encKey, kid: 'demo-oidc-enc-1' });
    return config;
  }

  /** RP → PAR → consent → eID client with the card → RefreshAddress → code at the redirect_uri. */
  async function login(config: client.Configuration, card: SoftwareCard, claims: unknown) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authUrl = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: DEMO_REDIRECT, scope: 'openid', claims: JSON.stringify(claims), state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    assert.match(authUrl.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/, 'PAR was used');
    const browser = new Browser();
    const consent = await browser.follow(authUrl.toString(), base);
    assert.ok(consent.page, `consent page expected, got ${consent.status} ${consent.location ?? ''}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(consent.page)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(consent.page)?.[1];
    assert.ok(csrf && action, 'consent form');
    const start = await browser.request(new URL(action, base).toString(), { form: { csrf } });
    const startPage = await start.text();
    const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(startPage)?.[1] ?? '');
    assert.match(tcTokenUrl, /\/eid\/tctoken\?sessionId=[0-9a-f]{64}$/);

    const out = await runClientLogin({ tcTokenUrl, card, pin: '123456', allowHttpLoopback: true });
    assert.equal(out.result.major, 'ok', JSON.stringify(out.result));
    assert.match(out.refreshUrl, /\/oidc\/interaction\/[A-Za-z0-9_-]+\/eid-done$/);
    // Without the browser's transaction cookie the RefreshAddress is worthless (stolen RefreshAddress).
    const stolen = await new Browser().follow(out.refreshUrl, base);
    assert.equal(stolen.status, 403, 'another browser gets an error page');
    assert.match(stolen.page ?? '', /OIDC_INTERACTION_BINDING/);
    assert.equal(stolen.location, undefined, 'and no redirect to the client');

    const done = await browser.follow(out.refreshUrl, base);
    const location = done.location ?? '';
    assert.ok(location.startsWith(DEMO_REDIRECT), `back at the client: ${done.status} ${done.page?.slice(0, 300) ?? ''}`);
    return { location, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  it('code + PKCE + PAR with the software card: ID token and userinfo validated by openid-client; only approved claims', async () => {
    const config = await rp();
    const card = load(issue(eac));
    const { location, checks } = await login(config, card, {
      id_token: { name: { essential: true }, age_over_65: { essential: true }, place_of_birth: { essential: true }, gender: { essential: true }, amr: null },
      userinfo: { name: null, place_of_birth: { essential: true } },
    });
    const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);
    assert.equal(tokens.id_token?.split('.').length, 5, 'the ID token is a JWE');
    const claims = tokens.claims();
    assert.ok(claims);
    assert.match(claims.sub, /^[0-9a-f]{64}$/, 'sub is the restricted identification of the sector (hex)');
    assert.equal(claims.name, dgText(card, 4), 'the name read from DG4 of the card');
    // tw-citizen.json: born 1990-05-20, so the card's age verification says no.
    assert.equal(claims.age_over_65, false);
    assert.equal(claims.acr, 'http://eidas.europa.eu/LoA/high');
    assert.deepEqual(claims.amr, ['sc', 'pin', 'mfa']);
    assert.ok(!('place_of_birth' in claims) && !('gender' in claims), 'unapproved claims are absent from the ID token');
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.name, dgText(card, 4));
    assert.ok(!('place_of_birth' in info), 'unapproved claims are absent from userinfo');

    // The same card, inserted again (fresh card session), logs in again: the same pairwise subject (RI is stable per sector).
    const again = await login(config, load(card.toJSON()), { id_token: { name: null } });
    const tokens2 = await client.authorizationCodeGrant(config, new URL(again.location), again.checks);
    assert.equal(tokens2.claims()?.sub, claims.sub);
  });
});
