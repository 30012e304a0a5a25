/**
 * The OpenID front with the REAL eID step, against openid-client 6: code + PKCE + PAR
 * (private_key_jwt, encrypted ES256 ID token) → consent page → the reference eID client with an
 * issued `tw` software card (TC Token, TLS-PSK, PAOS, EAC) → RefreshAddress back to the interaction →
 * code at the redirect_uri → ID token and userinfo validated by openid-client.
 *
 * @spec oidc-core §3.1; rfc9126; rfc7636; tr03124-1 §2.4, §2.5.4
 */
import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as client from 'openid-client';
import { getProfile } from '../../src/eid/profiles/index.js';
import { fromHex } from '../../src/shared/bytes.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { issue, load } from '../support/eac-world.js';
import { startOidcEidWorld, type OidcEidWorld } from '../support/oidc-eid-world.js';
import { Browser, DEMO_REDIRECT } from '../support/oidc-world.js';

const FIXTURES = 'test/fixtures/demo-eservices';

function pkcs8(path: string): Uint8Array {
  return new Uint8Array(createPrivateKey(readFileSync(path)).export({ type: 'pkcs8', format: 'der' }));
}

function dgText(card: SoftwareCard, dg: number): string {
  const raw = card.toJSON().files.dataGroups[String(dg)] ?? '';
  return getProfile('tw').decodeDataGroup(dg, fromHex(raw)).value as string;
}

describe('OIDC interop: openid-client → IdP → reference eID client (TLS-PSK, PAOS, software card) → IdP → RP', function () {
  this.timeout(180_000);
  let w: OidcEidWorld;
  let base: string;
  let signKey: webcrypto.CryptoKey;
  let encKey: webcrypto.CryptoKey;

  before(async () => {
    // The name is optional for this run: the citizen may deselect it unless the RP marks it essential.
    w = await startOidcEidWorld({ optionalAttributes: ['ChineseName'] });
    base = w.base;
    signKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-signing.key.pem')), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    encKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-encryption.key.pem')), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  });

  after(async () => {
    await w?.close();
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
    const opened = await w.sessions.get(new URL(tcTokenUrl).searchParams.get('sessionId') ?? '');

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
    assert.ok(opened, 'the consent opened an eID session');
    return { location, request: opened.request, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  it('code + PKCE + PAR with the software card: ID token and userinfo validated by openid-client; only approved claims', async () => {
    const config = await rp();
    const card = load(issue(w.eac));
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
    // This time the citizen leaves the (optional, non-essential) name unticked: the card is not asked for DG4 and nothing is released.
    const again = await login(config, load(card.toJSON()), { id_token: { name: null }, userinfo: { name: null } });
    assert.ok(!again.request.required.includes('ChineseName') && !again.request.optional.includes('ChineseName'), 'the eID session does not ask the card for the name');
    const tokens2 = await client.authorizationCodeGrant(config, new URL(again.location), again.checks);
    const claims2 = tokens2.claims();
    assert.equal(claims2?.sub, claims.sub);
    assert.ok(claims2 && !('name' in claims2), 'a deselected name is not in the ID token');
    assert.ok(!('name' in (await client.fetchUserInfo(config, tokens2.access_token, claims2.sub))), 'nor in userinfo');
  });
});
