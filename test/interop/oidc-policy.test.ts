/**
 * Per-client policy of the OpenID front, against openid-client 6 as the RP: the IdP's own minimum
 * level of assurance (SPEC §5.3 — whatever acr_values the client sends, and also for an existing
 * session once the minimum is raised), optional fields the citizen deselects on the consent page,
 * signed and signed+encrypted userinfo, and clients whose access tokens must be DPoP-bound.
 *
 * The eID step is the engine's stored result (EidSessions.storeResult); the real card path is in
 * oidc-eid-login.test.ts.
 *
 * @spec oidc-core §3.1.2.1 (acr_values, prompt=none), §5.3.2 (signed userinfo); oidc-registration §2; rfc9449 §5.2; SPEC §5.3
 */
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactDecrypt, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { catalogEntry } from '../../src/errors/catalog.js';
import { activateNextOidcKeys, loadOidcKeys } from '../../src/oidc/keys.js';
import { EIDAS_HIGH, EIDAS_LOW, EIDAS_SUBSTANTIAL } from '../../src/oidc/loa.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import type { Store } from '../../src/session/store/store.js';
import { Browser, demoOidcDefinition, demoResult, DEMO_REDIRECT, startOidcNode, type OidcNode } from '../support/oidc-world.js';

const FIXTURES = 'test/fixtures/demo-eservices';
const RI = 'b2'.repeat(32);

function pkcs8(path: string): Uint8Array {
  return new Uint8Array(createPrivateKey(readFileSync(path)).export({ type: 'pkcs8', format: 'der' }));
}

/** demo-oidc under another id and client_id, with OIDC settings replaced by `oidc`. */
function variant(id: string, oidc: Record<string, unknown>, patch: Record<string, unknown> = {}): ReturnType<typeof demoOidcDefinition> {
  const base = demoOidcDefinition() as unknown as { protocols: { oidc: Record<string, unknown> } };
  const merged: Record<string, unknown> = { ...base.protocols.oidc, client_id: id, ...oidc };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return demoOidcDefinition({ id, protocols: { oidc: merged }, ...patch });
}

describe('OIDC per-client policy with openid-client: minimum acr, deselection, signed userinfo, DPoP-bound clients', function () {
  this.timeout(60_000);
  let store: Store;
  let registry: ServiceRegistry;
  let keysDir: string;
  const dataKey = randomBytes(32);
  let node: OidcNode;
  let sign: webcrypto.CryptoKey;
  let enc: webcrypto.CryptoKey;

  before(async () => {
    store = createMemoryStore();
    registry = new ServiceRegistry(store);
    keysDir = mkdtempSync(join(tmpdir(), 'neid-oidc-policy-'));
    // Minimum high, and a low request: the IdP's minimum wins.
    await registry.create(variant('policy-high', {}), { by: 'test', declarative: true });
    // No minimum: the client's acr_values decide, until an administrator raises the minimum.
    await registry.create(variant('policy-nomin', { minimum_acr: undefined, require_pushed_authorization_requests: false }), { by: 'test', declarative: true });
    // The name is optional: the citizen may deselect it on the consent page.
    await registry.create(variant('policy-optional', {}, { optionalAttributes: ['ChineseName'] }), { by: 'test', declarative: true });
    await registry.create(variant('policy-jwt-userinfo', { userinfo_signed_response_alg: 'ES256' }), { by: 'test', declarative: true });
    await registry.create(variant('policy-jwe-userinfo', { userinfo_signed_response_alg: 'PS256', userinfo_encrypted_response_alg: 'ECDH-ES+A256KW', userinfo_encrypted_response_enc: 'A256GCM' }), { by: 'test', declarative: true });
    await registry.create(variant('policy-dpop', { dpop_bound_access_tokens: true }), { by: 'test', declarative: true });
    node = await startOidcNode({ store, dataKey, keysDir });
    sign = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-signing.key.pem')), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    enc = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-encryption.key.pem')), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  });

  after(async () => {
    await node?.close();
    await store?.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  async function rp(clientId: string, metadata: Partial<client.ClientMetadata> = {}): Promise<client.Configuration> {
    const config = await client.discovery(new URL(`${node.url}/oidc`), clientId, { id_token_signed_response_alg: 'ES256', ...metadata }, client.PrivateKeyJwt({ key: sign, kid: 'demo-oidc-sig-1' }), { execute: [client.allowInsecureRequests] });
    client.enableDecryptingResponses(config, ['A256GCM'], { key: enc, kid: 'demo-oidc-enc-1' });
    return config;
  }

  async function authorizationUrl(config: client.Configuration, extra: Record<string, string> = {}, par = true) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const params = { redirect_uri: DEMO_REDIRECT, scope: 'openid', state, nonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra };
    const url = par ? await client.buildAuthorizationUrlWithPAR(config, params) : client.buildAuthorizationUrl(config, params);
    return { url: url.toString(), checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  /** Consent (with `keep` as the selected optional fields) → stored eID result → back at the client. */
  async function consentAndLogin(browser: Browser, url: string, keep: string[] = []) {
    const consent = await browser.follow(url, node.url);
    assert.ok(consent.page, `consent page expected, got ${consent.status} ${consent.location ?? ''}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(consent.page)?.[1] ?? '';
    const action = /<form method="post" action="([^"]+)"/.exec(consent.page)?.[1] ?? '';
    const start = await browser.request(new URL(action, node.url).toString(), { form: { csrf, attr: keep } });
    const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(await start.text())?.[1] ?? '');
    const eidSessionId = new URL(tcTokenUrl).searchParams.get('sessionId') ?? '';
    const opened = await node.sessions.get(eidSessionId);
    assert.ok(opened, 'the consent opened an eID session');
    await node.sessions.storeResult(eidSessionId, demoResult(RI));
    const session = await node.sessions.get(eidSessionId);
    const back = session ? await node.front.returnTo(session) : null;
    assert.ok(back);
    const done = await browser.follow(back, node.url);
    assert.ok(done.location?.startsWith(DEMO_REDIRECT), `back at the client: ${done.status} ${done.page?.slice(0, 300) ?? ''}`);
    return { consentPage: consent.page, request: opened.request, location: done.location ?? '' };
  }

  it('minimum acr high: a client asking for low still gets high, and the eID session carries the minimum', async () => {
    const config = await rp('policy-high');
    const { url, checks } = await authorizationUrl(config, { acr_values: EIDAS_LOW, claims: JSON.stringify({ id_token: { name: null } }) });
    const { location, request } = await consentAndLogin(new Browser(), url);
    assert.equal(request.levelOfAssurance, EIDAS_HIGH);
    const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);
    assert.equal(tokens.claims()?.acr, EIDAS_HIGH);
  });

  it('a session below a raised minimum is not reused: prompt=none → login_required, otherwise a new eID login', async () => {
    const config = await rp('policy-nomin');
    const browser = new Browser();
    const first = await authorizationUrl(config, { acr_values: EIDAS_LOW, claims: JSON.stringify({ id_token: { name: null } }) }, false);
    const { location } = await consentAndLogin(browser, first.url);
    const tokens = await client.authorizationCodeGrant(config, new URL(location), first.checks);
    assert.equal(tokens.claims()?.acr, EIDAS_LOW, 'without a minimum the requested (reachable) acr is asserted');

    // Control: the same browser, same client, prompt=none gets a code from the existing session.
    const silent = await authorizationUrl(config, { acr_values: EIDAS_LOW, claims: JSON.stringify({ id_token: { name: null } }), prompt: 'none' }, false);
    const reused = await browser.follow(silent.url, node.url);
    assert.match(reused.location ?? '', /[?&]code=/, 'the session is reused while no minimum applies');

    // SPEC §6: the minimum is a reviewed field; a second administrator approves it.
    await registry.proposeChange('policy-nomin', { protocols: { oidc: { ...(await registry.get('policy-nomin')).protocols.oidc, minimum_acr: EIDAS_SUBSTANTIAL } } } as never, { by: 'admin-a' });
    await registry.decideChange('policy-nomin', { by: 'admin-b', approve: true });

    const again = await authorizationUrl(config, { acr_values: EIDAS_LOW, claims: JSON.stringify({ id_token: { name: null } }), prompt: 'none' }, false);
    const refused = await browser.follow(again.url, node.url);
    const params = new URL(refused.location ?? 'http://x/').searchParams;
    assert.equal(params.get('error'), 'login_required', `prompt=none below the minimum: ${refused.location ?? refused.page?.slice(0, 200) ?? ''}`);

    const interactive = await authorizationUrl(config, { acr_values: EIDAS_LOW, claims: JSON.stringify({ id_token: { name: null } }) }, false);
    const relogin = await consentAndLogin(browser, interactive.url);
    assert.match(relogin.consentPage, /name="csrf"/, 'a new consent + eID login, not the old session');
    assert.equal(relogin.request.levelOfAssurance, EIDAS_SUBSTANTIAL);
    const tokens2 = await client.authorizationCodeGrant(config, new URL(relogin.location), interactive.checks);
    assert.equal(tokens2.claims()?.acr, EIDAS_SUBSTANTIAL, 'the lowest acr meeting the minimum');
  });

  it('a second eService in the same browser gets its own eID login, and the first one stays logged in', async () => {
    const browser = new Browser();
    const a = await rp('policy-high');
    const first = await authorizationUrl(a, { claims: JSON.stringify({ id_token: { name: null } }) });
    const loginA = await consentAndLogin(browser, first.url);
    const subA = (await client.authorizationCodeGrant(a, new URL(loginA.location), first.checks)).claims()?.sub;

    // Another eService: the session of the first is never reused for it (own consent, own card read).
    const b = await rp('policy-jwt-userinfo', { userinfo_signed_response_alg: 'ES256' });
    const silentB = await authorizationUrl(b, { prompt: 'none' });
    const refusedB = await browser.follow(silentB.url, node.url);
    assert.equal(new URL(refusedB.location ?? 'http://x/').searchParams.get('error'), 'login_required');
    const second = await authorizationUrl(b, { claims: JSON.stringify({ userinfo: { name: null } }) });
    const loginB = await consentAndLogin(browser, second.url);
    await client.authorizationCodeGrant(b, new URL(loginB.location), second.checks);

    // The first eService's login survived the second (no logout of A when logging in to B).
    const silentA = await authorizationUrl(a, { prompt: 'none', claims: JSON.stringify({ id_token: { name: null } }) });
    const again = await browser.follow(silentA.url, node.url);
    assert.match(again.location ?? '', /[?&]code=/, `A's session still serves A: ${again.location ?? again.page?.slice(0, 200) ?? ''}`);
    const tokensA = await client.authorizationCodeGrant(a, new URL(again.location ?? ''), silentA.checks);
    assert.equal(tokensA.claims()?.sub, subA);
    assert.equal(tokensA.claims()?.name, '王小明');
  });

  it('an optional field deselected on the consent page is neither asked of the card nor released', async () => {
    const config = await rp('policy-optional');
    const claims = JSON.stringify({ id_token: { name: null, age_over_65: null }, userinfo: { name: null } });

    const dropped = await authorizationUrl(config, { claims });
    const without = await consentAndLogin(new Browser(), dropped.url, []);
    assert.match(without.consentPage, /name="attr" value="ChineseName"/, 'the name has a checkbox');
    assert.doesNotMatch(without.consentPage, /name="attr" value="AgeVerification"/, 'a required field has none');
    assert.ok(![...without.request.required, ...without.request.optional].includes('ChineseName'), 'the eID session does not ask for the name');
    const t1 = await client.authorizationCodeGrant(config, new URL(without.location), dropped.checks);
    const c1 = t1.claims();
    assert.ok(c1 && !('name' in c1), 'no name in the ID token, although the card result had one');
    assert.equal(c1.age_over_65, true);
    assert.ok(!('name' in (await client.fetchUserInfo(config, t1.access_token, c1.sub))), 'nor in userinfo');

    const keptUrl = await authorizationUrl(config, { claims });
    const kept = await consentAndLogin(new Browser(), keptUrl.url, ['ChineseName']);
    assert.deepEqual(kept.request.optional, ['ChineseName']);
    const t2 = await client.authorizationCodeGrant(config, new URL(kept.location), keptUrl.checks);
    assert.equal(t2.claims()?.name, '王小明');

    // Essential: the citizen cannot deselect it (oidc-core §5.5.1: the RP needs it for its task).
    const essential = await authorizationUrl(config, { claims: JSON.stringify({ id_token: { name: { essential: true } } }) });
    const forced = await consentAndLogin(new Browser(), essential.url, []);
    assert.doesNotMatch(forced.consentPage, /name="attr" value="ChineseName"/);
    assert.ok(forced.request.required.includes('ChineseName'));
  });

  it('signed userinfo (ES256) is validated by openid-client; tampering is refused', async () => {
    const config = await rp('policy-jwt-userinfo', { userinfo_signed_response_alg: 'ES256' });
    const { url, checks } = await authorizationUrl(config, { claims: JSON.stringify({ userinfo: { name: null } }) });
    const { location } = await consentAndLogin(new Browser(), url);
    const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);
    const sub = tokens.claims()?.sub ?? '';
    const raw = await fetch(`${node.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.match(raw.headers.get('content-type') ?? '', /^application\/jwt/);
    const jwt = await raw.text();
    assert.equal(jwt.split('.').length, 3);
    const info = await client.fetchUserInfo(config, tokens.access_token, sub);
    assert.equal(info.name, '王小明');
    assert.equal(info.sub, RI);
    // Independently (jose): the JWT verifies against our JWKS; the same JWT with another payload does not.
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''));
    const verified = await jwtVerify(jwt, jwks, { issuer: `${node.url}/oidc`, audience: 'policy-jwt-userinfo', algorithms: ['ES256'] });
    assert.equal(verified.payload.sub, RI);
    const [h, , sig] = jwt.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...verified.payload, name: 'Mallory' })).toString('base64url')}.${sig}`;
    await assert.rejects(jwtVerify(forged, jwks), (err: { code?: string }) => err.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('signed and encrypted userinfo decrypts only with the client key', async () => {
    const config = await rp('policy-jwe-userinfo', { userinfo_signed_response_alg: 'PS256' });
    const { url, checks } = await authorizationUrl(config, { claims: JSON.stringify({ userinfo: { name: null } }) });
    const { location } = await consentAndLogin(new Browser(), url);
    const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);
    const sub = tokens.claims()?.sub ?? '';
    const raw = await fetch(`${node.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal((await raw.text()).split('.').length, 5, 'userinfo is a JWE');
    assert.equal((await client.fetchUserInfo(config, tokens.access_token, sub)).name, '王小明');
    const noKey = await client.discovery(new URL(`${node.url}/oidc`), 'policy-jwe-userinfo', { userinfo_signed_response_alg: 'PS256' }, client.PrivateKeyJwt({ key: sign, kid: 'demo-oidc-sig-1' }), { execute: [client.allowInsecureRequests] });
    await assert.rejects(client.fetchUserInfo(noKey, tokens.access_token, sub));
  });

  it('key rotation: after --activate and a restart, new ID tokens use the former next key and old ones still verify (jose)', async () => {
    const config = await rp('policy-jwt-userinfo', { userinfo_signed_response_alg: 'ES256' });
    const signedKid = async (c: client.Configuration) => {
      const { url, checks } = await authorizationUrl(c, { claims: JSON.stringify({ id_token: { name: null } }) });
      const { location } = await consentAndLogin(new Browser(), url);
      const tokens = await client.authorizationCodeGrant(c, new URL(location), checks);
      const jws = new TextDecoder().decode((await compactDecrypt(tokens.id_token ?? '', enc)).plaintext);
      return { jws, kid: decodeProtectedHeader(jws).kid };
    };
    const keys = loadOidcKeys(keysDir, { generate: false }).kids;
    const es256 = (slot: string) => keys.find((k) => k.slot === slot && k.type === 'p256')?.kid;
    const before = await signedKid(config);
    assert.equal(before.kid, es256('current'));

    activateNextOidcKeys(keysDir);
    await node.close();
    // A restarted node (new process in production: keys are read at start).
    node = await startOidcNode({ store, dataKey, keysDir });
    const after = await signedKid(await rp('policy-jwt-userinfo', { userinfo_signed_response_alg: 'ES256' }));
    assert.equal(after.kid, es256('next'), 'the staged key signs now');
    const jwks = createRemoteJWKSet(new URL(`${node.url}/oidc/jwks`));
    await jwtVerify(after.jws, jwks);
    // The old key is published for verification only: a token it signed before the rotation still verifies.
    await jwtVerify(before.jws, jwks);
  });

  it('a DPoP-bound client: a token request without a proof is refused, with one the token is DPoP', async () => {
    const config = await rp('policy-dpop');
    const first = await authorizationUrl(config, { claims: JSON.stringify({ id_token: { name: null } }) });
    const plain = await consentAndLogin(new Browser(), first.url);
    await assert.rejects(client.authorizationCodeGrant(config, new URL(plain.location), first.checks),
      (err: { error?: string; error_description?: string }) => err.error === 'invalid_grant' && err.error_description === catalogEntry('OIDC_DPOP_INVALID').summary);

    const second = await authorizationUrl(config, { claims: JSON.stringify({ id_token: { name: null } }) });
    const bound = await consentAndLogin(new Browser(), second.url);
    const DPoP = client.getDPoPHandle(config, await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']));
    const tokens = await client.authorizationCodeGrant(config, new URL(bound.location), second.checks, undefined, { DPoP });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  });
});
