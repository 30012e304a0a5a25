/**
 * OpenID Connect logins across two `neid serve` PROCESSES behind one public URL, sharing Redis, the
 * store data key and the development material, with the REAL eID step (reference eID client,
 * software card, TLS-PSK, PAOS) and openid-client 6 as the RP. The public URL is a front proxy (a load
 * balancer keeping the Host header): the test picks the node for each browser / RP step; by default it
 * prefers A and fails over to B (the eID client's TC Token and RefreshAddress calls). The PAOS POSTs go
 * straight to the nodes' eID ports. Node A is SIGKILLed in the middle of a card conversation; B
 * finishes it, and the restarted A honours the tokens and refuses a replayed code.
 *
 * @spec SPEC §8 (any node continues any login); oidc-core §3.1; rfc9126; rfc6749 §4.1.2 (code reuse); tr03124-1 §2.5.4; tr03110-2 §3.6 (RI)
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import * as client from 'openid-client';
import { ecdhSharedX } from '../../src/eid/eac/domain-parameters.js';
import { catalogEntry } from '../../src/errors/catalog.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import { SoftwareCard } from '../../tools/software-card/software-card.js';
import { Browser, DEMO_REDIRECT } from '../support/oidc-world.js';
import { freePort, httpStatus, spawnCli, startFrontProxy, stopProcess, waitFor, type FrontProxy, type Spawned } from '../support/processes.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../support/redis.js';

const FIXTURES = 'test/fixtures/demo-eservices';
const HIGH = 'http://eidas.europa.eu/LoA/high';
const person = (JSON.parse(readFileSync('test/fixtures/persons/tw-citizen.json', 'utf8')) as { attributes: Record<string, string> }).attributes;
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');

interface Ports { http: number; eid: number; soap: number; admin: number; demoSp: number }
interface Node { name: string; spawned: Spawned; ports: Ports }
type Checks = { pkceCodeVerifier: string; expectedState: string; expectedNonce: string };

function pkcs8(path: string): Uint8Array {
  return new Uint8Array(createPrivateKey(readFileSync(path)).export({ type: 'pkcs8', format: 'der' }));
}

/** Everything a value could hold the string as when not sealed: UTF-8, JSON \u escapes, hex of the UTF-8 bytes. */
function plaintextForms(s: string): Buffer[] {
  const utf8 = Buffer.from(s, 'utf8');
  const escaped = [...s].map((ch) => (ch.charCodeAt(0) < 0x80 ? ch : [...Array(ch.length).keys()].map((i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''))).join('');
  return [utf8, Buffer.from(escaped), Buffer.from(utf8.toString('hex')), Buffer.from(utf8.toString('hex').toUpperCase())];
}

describe('e2e: OIDC logins with the real eID step across two neid processes sharing Redis; node death mid-login', function () {
  this.timeout(120_000);
  const prefix = `${randomPrefix('neid-oidc-2proc')}:`;
  const dataKey = randomBytes(32).toString('hex');
  let dataDir: string;
  let front: FrontProxy;
  let publicUrl: string;
  let issuer: string;
  let signKey: webcrypto.CryptoKey;
  let encKey: webcrypto.CryptoKey;
  const spawned: Spawned[] = [];
  let a: Node;
  let b: Node;
  const eidSessionIds: string[] = [];
  // Carried from step 1 to step 2 (replay of its code at the restarted A).
  let first: { config: client.Configuration; location: string; checks: Checks; accessToken: string } | undefined;

  async function startNode(name: string, ports: Ports): Promise<Node> {
    const child = spawnCli(['serve'], {
      NEID_HTTP_HOST: '127.0.0.1', NEID_HTTP_PORT: String(ports.http), NEID_EID_HOST: '127.0.0.1', NEID_EID_PORT: String(ports.eid),
      NEID_SOAP_HOST: '127.0.0.1', NEID_SOAP_PORT: String(ports.soap), NEID_ADMIN_PORT: String(ports.admin), NEID_DEV_DEMO_SP_PORT: String(ports.demoSp),
      NEID_PUBLIC_URL: publicUrl, NEID_EID_PUBLIC_URL: `https://localhost:${ports.eid}/paos`,
      NEID_DEV_DATA_DIR: dataDir, NEID_DEV_EID_CLIENT_PORT: '0',
      NEID_REDIS_URL: testRedisUrl(), NEID_STORE_KEY_PREFIX: prefix, NEID_STORE_DATA_KEY: dataKey,
    });
    spawned.push(child);
    try {
      await waitFor(async () => ((await httpStatus(`http://127.0.0.1:${ports.http}/healthz`)) === 200 ? true : undefined), 40_000);
    } catch (err) {
      throw new Error(`neid serve (${name}) did not come up: ${child.stderr.join('').slice(-2000)} ${child.stdout.join('').slice(-2000)}`, { cause: err });
    }
    return { name, spawned: child, ports };
  }

  const freePorts = async (): Promise<Ports> => ({ http: await freePort(), eid: await freePort(), soap: await freePort(), admin: await freePort(), demoSp: await freePort() });

  const preferA = (): void => { front.upstreams = [a.ports.http, b.ports.http]; };

  /** Runs one browser / RP step with the front proxy sending it to `node` only; checks that node answered. */
  async function on<T>(node: Node, step: () => Promise<T>): Promise<T> {
    const from = front.served.length;
    front.upstreams = [node.ports.http];
    try {
      return await step();
    } finally {
      preferA();
      const served = front.served.slice(from);
      assert.ok(served.length > 0 && served.every((p) => p === node.ports.http), `${node.name} served this step (${served.join(', ')})`);
    }
  }

  async function rp(): Promise<client.Configuration> {
    const config = await client.discovery(new URL(issuer), 'demo-oidc', { id_token_signed_response_alg: 'ES256' }, client.PrivateKeyJwt({ key: signKey, kid: 'demo-oidc-sig-1' }), { execute: [client.allowInsecureRequests] });
    client.enableDecryptingResponses(config, ['A256GCM'], { key: encKey, kid: 'demo-oidc-enc-1' });
    return config;
  }

  /** PAR and the authorization URL in the browser, on `node` → the consent form. */
  async function startLogin(config: client.Configuration, node: Node) {
    const verifier = client.randomPKCECodeVerifier();
    const checks: Checks = { pkceCodeVerifier: verifier, expectedState: client.randomState(), expectedNonce: client.randomNonce() };
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    const authUrl = await on(node, () => client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: DEMO_REDIRECT, scope: 'openid', state: checks.expectedState, nonce: checks.expectedNonce,
      claims: JSON.stringify({ id_token: { name: { essential: true } }, userinfo: { name: null } }),
      code_challenge: challenge, code_challenge_method: 'S256',
    }));
    assert.match(authUrl.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/, 'PAR was used');
    const browser = new Browser();
    const consent = await on(node, () => browser.follow(authUrl.toString(), publicUrl));
    assert.ok(consent.page !== undefined, `consent page on ${node.name}: ${consent.status} ${consent.location ?? ''}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(consent.page)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(consent.page)?.[1];
    assert.ok(csrf !== undefined && action !== undefined, 'consent form with csrf');
    return { browser, checks, csrf, action: unescape(action) };
  }

  /** Consent confirmed on `node` → the eID start page → the TC Token URL (public origin) and the eID session. */
  async function confirm(browser: Browser, node: Node, action: string, csrf: string): Promise<string> {
    const [res, page] = await on(node, async () => {
      const r = await browser.request(new URL(action, publicUrl).toString(), { form: { csrf } });
      return [r, await r.text()] as const;
    });
    assert.equal(res.status, 200, `eID start page on ${node.name}: ${page.slice(0, 300)}`);
    const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(page)?.[1] ?? '');
    const sessionId = /\/eid\/tctoken\?sessionId=([0-9a-f]{64})$/.exec(tcTokenUrl)?.[1];
    assert.ok(sessionId !== undefined, `TC Token URL with the eID session: ${tcTokenUrl}`);
    assert.equal(new URL(tcTokenUrl).origin, publicUrl);
    eidSessionIds.push(sessionId);
    return tcTokenUrl;
  }

  const card = (): SoftwareCard => SoftwareCard.fromJSON(JSON.parse(readFileSync(join(dataDir, 'cards', 'tw-citizen.json'), 'utf8')));

  /** TR-03110-2 §3.6 from the sector side: I = H(x(SK_sector · PK_ID)) with the card's RI key a terminal uses by default. */
  function expectedRestrictedId(): string {
    const key = card().toJSON().restrictedIdentification.find((k) => !k.authorizedOnly);
    assert.ok(key !== undefined, 'the card has an RI key for every sector');
    const sectorKey = createPrivateKey(readFileSync(join(dataDir, 'pki', 'sectors', 'tw.demo.county-social-affairs.key.pem'), 'utf8'));
    return createHash('sha256').update(ecdhSharedX(key.curve, sectorKey, Buffer.from(key.publicKey, 'hex'))).digest('hex');
  }

  /** The callback the browser would be sent to: code, state and iss (rfc9207), never followed. */
  function assertCallback(location: string | undefined, checks: Checks): string {
    assert.ok(location !== undefined && location.startsWith(`${DEMO_REDIRECT}?`), `back at the client: ${location ?? 'no redirect'}`);
    const params = new URL(location).searchParams;
    assert.ok((params.get('code') ?? '') !== '', 'a code');
    assert.equal(params.get('iss'), issuer);
    assert.equal(params.get('state'), checks.expectedState);
    return location;
  }

  before(async () => {
    await requireRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'neid-oidc-2proc-'));
    const [portsA, portsB] = [await freePorts(), await freePorts()];
    front = await startFrontProxy([portsA.http, portsB.http]); // A first, as preferA()
    publicUrl = front.url;
    issuer = `${publicUrl}/oidc`;
    // A prepares the shared development material (PKI, card, keys); B starts on it afterwards.
    a = await startNode('A', portsA);
    b = await startNode('B', portsB);
    signKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-signing.key.pem')), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    encKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-encryption.key.pem')), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  });

  after(async () => {
    await Promise.all(spawned.map((s) => stopProcess(s.child, 'SIGKILL')));
    await front?.close();
    await deleteByPrefix(prefix);
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('discovery + PAR on A, consent on A, confirm on B, PAOS alternating A/B, eid-done on B, token on B, userinfo on A', async () => {
    const config = await on(a, rp);
    assert.equal(config.serverMetadata().issuer, issuer);
    const { browser, checks, csrf, action } = await startLogin(config, a);
    const tcTokenUrl = await confirm(browser, b, action, csrf);

    const used: number[] = [];
    const out = await runClientLogin({
      tcTokenUrl, card: card(), pin: '123456', allowHttpLoopback: true,
      serverAddressFor: (i, address) => {
        const port = i % 2 === 0 ? a.ports.eid : b.ports.eid;
        used.push(port);
        return address.replace(/:\d+\//, `:${port}/`);
      },
    });
    assert.equal(out.result.major, 'ok', JSON.stringify(out.result));
    assert.ok(out.requests.length >= 3, `a full EAC conversation (${out.requests.join(', ')})`);
    assert.ok(used.includes(a.ports.eid) && used.includes(b.ports.eid), 'both processes served PAOS steps');
    assert.match(out.refreshUrl, /\/oidc\/interaction\/[A-Za-z0-9_-]+\/eid-done$/);

    const done = await on(b, () => browser.follow(out.refreshUrl, publicUrl));
    const location = assertCallback(done.location, checks);

    const tokens = await on(b, () => client.authorizationCodeGrant(config, new URL(location), checks));
    assert.equal(tokens.id_token?.split('.').length, 5, 'the ID token is a JWE (decrypted by openid-client)');
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.sub, expectedRestrictedId(), 'sub is the card\'s restricted identification for the demo-oidc sector');
    assert.equal(claims.acr, HIGH);
    assert.equal(claims.name, person.ChineseName, 'the name read from the card');
    const info = await on(a, () => client.fetchUserInfo(config, tokens.access_token, claims.sub));
    assert.equal(info.name, person.ChineseName);
    first = { config, location, checks, accessToken: tokens.access_token };
  });

  it('A is SIGKILLed after its PAOS steps; B finishes the conversation and the login; the restarted A honours the token and refuses the replayed code', async () => {
    assert.ok(first !== undefined, 'the first login ran');
    const replay = first;
    const config = replay.config;
    const { browser, checks, csrf, action } = await startLogin(config, a);
    const tcTokenUrl = await confirm(browser, a, action, csrf);

    const used: number[] = [];
    let killed = false;
    const out = await runClientLogin({
      tcTokenUrl, card: card(), allowHttpLoopback: true, pin: '',
      // A served the PAOS steps up to EAC1InputType; the node dies while the citizen enters the PIN.
      consent: async () => {
        await stopProcess(a.spawned.child, 'SIGKILL');
        killed = true;
        return { pin: '123456', deselect: [] };
      },
      serverAddressFor: (_i, address) => {
        const port = killed ? b.ports.eid : a.ports.eid;
        used.push(port);
        return address.replace(/:\d+\//, `:${port}/`);
      },
    });
    assert.equal(a.spawned.child.signalCode, 'SIGKILL', 'A was killed');
    assert.equal(out.result.major, 'ok', JSON.stringify(out.result));
    assert.deepEqual(used.slice(0, 2), [a.ports.eid, a.ports.eid], 'A served the first PAOS steps');
    assert.ok(used.length > 3 && used.slice(2).every((p) => p === b.ports.eid), `B served the rest (${out.requests.join(', ')})`);
    // The eID client's RefreshAddress call went to the public URL; the front proxy failed over to B.
    assert.equal(front.served.at(-1), b.ports.http);

    const done = await on(b, () => browser.follow(out.refreshUrl, publicUrl));
    const location = assertCallback(done.location, checks);
    const tokens = await on(b, () => client.authorizationCodeGrant(config, new URL(location), checks));
    const sub = tokens.claims()?.sub;
    assert.equal(sub, expectedRestrictedId());
    assert.equal(tokens.claims()?.acr, HIGH);

    // A comes back (same configuration, new process): nothing it knew was only in its memory.
    a = await startNode('A (restarted)', a.ports);
    assert.equal((await on(a, () => client.fetchUserInfo(config, tokens.access_token, sub))).name, person.ChineseName, 'the token from B works at the restarted A');
    // The first login's code, already redeemed on B, presented again to the restarted A.
    await assert.rejects(on(a, () => client.authorizationCodeGrant(config, new URL(replay.location), replay.checks)),
      (err: { error?: string; error_description?: string }) => err.error === 'invalid_grant' && err.error_description === catalogEntry('OIDC_CODE_REUSED').summary);
    // rfc6749 §4.1.2: and what was issued from it is revoked, on every node.
    await assert.rejects(on(b, () => client.fetchUserInfo(config, replay.accessToken, client.skipSubjectCheck)),
      (err: { status?: number; error?: string }) => err.status === 401 || err.error === 'invalid_token');
  });

  it('no personal data in Redis in plaintext; the eID sessions of both logins are gone', async () => {
    assert.equal(eidSessionIds.length, 2, 'both logins opened an eID session');
    const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      assert.ok(keys.length > 0, 'the logins left state (tokens, grants, registry) under the prefix');
      const forbidden = ['ChineseName', 'RomanizedName', 'NationalIdNumber', 'CardNumber', 'HouseholdAddress', 'FatherName', 'MotherName', 'SpouseName']
        .flatMap((attr) => {
          const value = person[attr];
          assert.ok(value !== undefined && value !== '', `the fixture has ${attr}`);
          return plaintextForms(value).map((form) => ({ attr, form }));
        });
      for (const key of keys) {
        const type = await redis.type(key);
        const parts: Buffer[] = [Buffer.from(key)];
        if (type === 'string') parts.push((await redis.getBuffer(key)) ?? Buffer.alloc(0));
        else if (type === 'hash') for (const [f, v] of Object.entries(await redis.hgetallBuffer(key))) parts.push(Buffer.from(f), v);
        else if (type === 'set') parts.push(...(await redis.smembersBuffer(key)));
        else if (type === 'zset') parts.push(...(await redis.zrangeBuffer(key, '0', '-1')));
        else if (type === 'list') parts.push(...(await redis.lrangeBuffer(key, 0, -1)));
        else if (type === 'stream') for (const [, fields] of await redis.xrangeBuffer(key, '-', '+')) parts.push(...fields);
        else assert.fail(`unexpected Redis type ${type} at ${key}`);
        const all = Buffer.concat(parts);
        for (const { attr, form } of forbidden) assert.ok(!all.includes(form), `${attr} in plaintext under ${key}`);
        // The eID session record, its PSK, its result, its open-set entry and the browser transaction are deleted with the login.
        for (const id of eidSessionIds) assert.ok(!all.includes(Buffer.from(id)), `eID session ${id.slice(0, 8)}… still referenced by ${key}`);
      }
    } finally {
      redis.disconnect();
    }
  });
});
