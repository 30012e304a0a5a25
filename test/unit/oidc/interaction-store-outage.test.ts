/**
 * The login interaction when the session store goes away (SPEC §8 "clear 503s and recovery without
 * restart"): store down → 503 STORE_UNAVAILABLE (the login may still continue once it is back); store
 * back but empty (restarted without data) → OIDC_INTERACTION_NOT_FOUND; never a redirect to the client.
 * A browser without the interaction cookie stays OIDC_INTERACTION_BINDING.
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
import { errorHandler, notFound } from '../../../src/http/error-handler.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createOidcFront } from '../../../src/oidc/provider.js';
import { ServiceRegistry } from '../../../src/services/registry.js';
import { AuthTransactions } from '../../../src/session/auth-transaction.js';
import { EidSessions } from '../../../src/session/eid-session.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import { unavailable } from '../../../src/session/store/errors.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';
import type { Store } from '../../../src/session/store/store.js';
import { createLogger } from '../../../src/shared/logger.js';
import { Browser, DEMO_REDIRECT, demoOidcDefinition, EID_TIMEOUTS } from '../../support/oidc-world.js';

const FIXTURES = 'test/fixtures/demo-eservices';
const pkcs8 = (path: string) => new Uint8Array(createPrivateKey(readFileSync(path)).export({ type: 'pkcs8', format: 'der' }));

describe('oidc interaction: the session store goes away during a login', function () {
  this.timeout(20_000);
  let backend = createMemoryStore();
  let down = false;
  // The store the front uses: the current backend, or STORE_UNAVAILABLE from every operation while down.
  const store = new Proxy({} as Store, {
    get(_t, prop) {
      const value = Reflect.get(backend, prop, backend) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (down) throw unavailable(String(prop), 'timeout');
        return (value as (...a: unknown[]) => Promise<unknown>).apply(backend, args);
      };
    },
  });
  let http: Server;
  let base: string;
  let keysDir: string;

  before(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'neid-oidc-outage-keys-'));
    await new ServiceRegistry(store).create(demoOidcDefinition(), { by: 'test', declarative: true });
    const box = new SealedBox(randomBytes(32));
    const app = express();
    http = createServer(app);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const logger = createLogger({ level: 'silent' });
    const front = createOidcFront({
      publicUrl: base, store, box, dataKey: randomBytes(32), registry: new ServiceRegistry(store), eidSessions: new EidSessions({ store, box, timeouts: EID_TIMEOUTS }),
      authTransactions: new AuthTransactions({ store, box, ttlMs: 120_000, secureCookie: false }), keysDir, generateKeys: true, logger,
    });
    app.use('/oidc', front.router);
    app.use(notFound());
    app.use(errorHandler(logger, createMetrics()));
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('store down → 503 STORE_UNAVAILABLE; store back empty → OIDC_INTERACTION_NOT_FOUND; no redirect to the client either time', async () => {
    const signKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-signing.key.pem')), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const config = await client.discovery(new URL(`${base}/oidc`), 'demo-oidc', { id_token_signed_response_alg: 'ES256' }, client.PrivateKeyJwt({ key: signKey, kid: 'demo-oidc-sig-1' }), { execute: [client.allowInsecureRequests] });
    const authUrl = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: DEMO_REDIRECT, scope: 'openid', state: client.randomState(), nonce: client.randomNonce(),
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const browser = new Browser();
    const consent = await browser.follow(authUrl.toString(), base);
    assert.ok(consent.page?.includes('name="csrf"'), `consent page: ${consent.status}`);
    const interaction = /<form method="post" action="([^"]+)\/confirm"/.exec(consent.page ?? '')?.[1];
    assert.ok(interaction !== undefined);
    const url = new URL(interaction, base).toString();

    down = true;
    const whileDown = await browser.request(url);
    assert.equal(whileDown.status, 503);
    assert.equal(((await whileDown.json()) as { error?: string }).error, 'STORE_UNAVAILABLE');
    assert.equal(whileDown.headers.get('location'), null);

    // The store comes back without its data (a Redis restarted empty).
    backend = createMemoryStore();
    down = false;
    const afterRestart = await browser.request(url);
    assert.equal(afterRestart.status, 400);
    assert.equal(((await afterRestart.json()) as { error?: string }).error, 'OIDC_INTERACTION_NOT_FOUND');
    assert.equal(afterRestart.headers.get('location'), null);

    // No interaction cookie at all: still the binding error.
    const stranger = await new Browser().request(url);
    assert.equal(stranger.status, 403);
    assert.equal(((await stranger.json()) as { error?: string }).error, 'OIDC_INTERACTION_BINDING');
  });
});
