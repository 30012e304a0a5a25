import assert from 'node:assert/strict';
import request from 'supertest';
import { IdpError } from '../../../src/errors/index.js';
import { createStore } from '../../../src/session/store/index.js';
import type { Store } from '../../../src/session/store/store.js';
import { testApp, testConfig } from '../../support/app.js';

/** A store whose backend is gone: every ping fails like an unreachable Redis. */
function unreachable(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'ping') return () => Promise.reject(new IdpError('STORE_UNAVAILABLE', 'down'));
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** A store that never answers (a network black hole). */
function hanging(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'ping') return () => new Promise<void>(() => undefined);
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe('app: health, readiness, metrics, HTTP basics', () => {
  it('GET /healthz is 200', async () => {
    await request(testApp().app).get('/healthz').expect(200, { status: 'ok' });
  });

  it('GET /readyz is 200 when the store answers, 503 when it fails or hangs, 503 while shutting down', async () => {
    const base = createStore({});
    await request(testApp({ store: base }).app).get('/readyz').expect(200);
    const down = await request(testApp({ store: unreachable(base) }).app).get('/readyz').expect(503);
    assert.equal((down.body as { status: string }).status, 'store-unavailable');
    const config = testConfig({ NEID_READINESS_STORE_TIMEOUT_MS: '100' });
    const started = Date.now();
    await request(testApp({ config, store: hanging(base) }).app).get('/readyz').expect(503);
    assert.ok(Date.now() - started < 2000, 'readiness must not hang on a silent store');
    await request(testApp({ store: base, shuttingDown: () => true }).app).get('/readyz').expect(503);
  });

  it('GET /metrics serves Prometheus text with request and store metrics', async () => {
    const { app } = testApp();
    await request(app).get('/readyz').expect(200);
    const res = await request(app).get('/metrics').expect(200);
    assert.match(res.headers['content-type'] ?? '', /text\/plain/);
    assert.match(res.text, /neid_http_request_duration_seconds_bucket\{.*route="\/readyz"/);
    assert.match(res.text, /neid_store_up 1/);
  });

  it('unknown paths get a JSON error with a stable code and the request id', async () => {
    const res = await request(testApp().app).get('/nope').set('X-Request-Id', 'req-12345678').expect(404);
    assert.equal((res.body as { error: string }).error, 'HTTP_NOT_FOUND');
    assert.equal(res.headers['x-request-id'], 'req-12345678');
  });

  it('replaces unsafe request ids with a fresh one', async () => {
    const res = await request(testApp().app).get('/healthz').set('X-Request-Id', 'bad id {"json":1} <x>');
    assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  });

  it('bodies over the limit get 413 HTTP_BODY_TOO_LARGE, malformed JSON 400 HTTP_BAD_REQUEST', async () => {
    const { app } = testApp();
    const big = await request(app).post('/nope').type('form').send(`a=${'x'.repeat(300_000)}`).expect(413);
    assert.equal((big.body as { error: string }).error, 'HTTP_BODY_TOO_LARGE');
    const bad = await request(app).post('/nope').type('json').send('{"a":').expect(400);
    assert.equal((bad.body as { error: string }).error, 'HTTP_BAD_REQUEST');
  });

  it('sets security headers and hides the framework', async () => {
    const res = await request(testApp().app).get('/healthz');
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.match(res.headers['content-security-policy'] ?? '', /default-src 'none'/);
    assert.match(res.headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
  });
});
