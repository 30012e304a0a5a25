import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { eidRouter } from '../../../src/eid/eid-router.js';
import { refreshOutcome, ReturnUrls, withRefreshResult } from '../../../src/eid/return-urls.js';
import { EidSessions } from '../../../src/session/eid-session.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';

const TIMEOUTS = { lifetimeMs: 60_000, tcTokenTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, paosStepTimeoutMs: 30_000, resultTimeoutMs: 30_000, tlsSessionTtlMs: 30_000 };
const MINOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor';
const REQUEST = { profile: 'tw', front: 'soap', required: ['ChineseName'], optional: [] } as const;
const ADDRESS = 'https://bank.example.test/eid/back?step=2&q=a%20b';

describe('eid/return-urls: the browser\'s target after the eID part of a SOAP session (tr03124-1 §2.5.4)', () => {
  const store = createMemoryStore();
  const box = new SealedBox(randomBytes(32));
  const sessions = new EidSessions({ store, box, timeouts: TIMEOUTS });
  const returnUrls = new ReturnUrls(store, 60_000);
  after(() => store.close());

  const open = async () => (await sessions.open('svc', { ...REQUEST, required: [...REQUEST.required], optional: [] }, { maxOpenSessions: 50 })).id;

  it('outcome: ok without error; the client\'s reason kept; other client errors → clientError; server-decided errors and no result → serverError', () => {
    assert.deepEqual(refreshOutcome({}), { major: 'ok' });
    assert.deepEqual(refreshOutcome({ error: { code: 'PAOS_CLIENT_CANCELLED', message: `${MINOR}/sal#cancellationByUser` } }), { major: 'error', minor: 'cancellationByUser' });
    assert.deepEqual(refreshOutcome({ error: { code: 'PAOS_CLIENT_ERROR', message: `${MINOR}/sal#cancellationByUser` } }), { major: 'error', minor: 'cancellationByUser' });
    assert.deepEqual(refreshOutcome({ error: { code: 'PAOS_CLIENT_ERROR', message: `${MINOR}/dp#trustedChannelEstablishmentFailed` } }), { major: 'error', minor: 'trustedChannelEstablishmentFailed' });
    assert.deepEqual(refreshOutcome({ error: { code: 'PAOS_CLIENT_ERROR', message: `${MINOR}/al/common#communicationError` } }), { major: 'error', minor: 'communicationError' });
    assert.deepEqual(refreshOutcome({ error: { code: 'PAOS_CLIENT_ERROR', message: `${MINOR}/ifdl/common#invalidPIN` } }), { major: 'error', minor: 'clientError' });
    assert.deepEqual(refreshOutcome({ error: { code: 'PAOS_CLIENT_ERROR' } }), { major: 'error', minor: 'clientError' });
    assert.deepEqual(refreshOutcome({ error: { code: 'EAC_DOCUMENT_EXPIRED' } }), { major: 'error', minor: 'serverError' });
    assert.deepEqual(refreshOutcome(null), { major: 'error', minor: 'serverError' });
  });

  it('appends ResultMajor (and ResultMinor) after the registered query, which stays as it was', () => {
    assert.equal(withRefreshResult(ADDRESS, { major: 'ok' }), `${ADDRESS}&ResultMajor=ok`);
    assert.equal(withRefreshResult(ADDRESS, { major: 'error', minor: 'cancellationByUser' }), `${ADDRESS}&ResultMajor=error&ResultMinor=cancellationByUser`);
    assert.equal(withRefreshResult('https://bank.example.test/back', { major: 'ok' }), 'https://bank.example.test/back?ResultMajor=ok');
    assert.equal(withRefreshResult('http://127.0.0.1:8080/back?', { major: 'error', minor: 'serverError' }), 'http://127.0.0.1:8080/back?ResultMajor=error&ResultMinor=serverError');
  });

  it('EidSessions.peekResultError reads only the error of the stored result, and getResult still gets the whole result once', async () => {
    const ok = await open();
    assert.equal(await sessions.peekResultError(ok), null, 'no result yet');
    await sessions.storeResult(ok, { attributes: { ChineseName: { status: 'value', text: '陳𠀋安' } } });
    assert.deepEqual(await sessions.peekResultError(ok), {}, 'no error, and no data');
    assert.deepEqual((await sessions.takeResult(ok))?.attributes, { ChineseName: { status: 'value', text: '陳𠀋安' } });
    assert.equal(await sessions.peekResultError(ok), null, 'gone after delivery');

    const failed = await open();
    await sessions.storeResult(failed, { error: { code: 'PAOS_CLIENT_CANCELLED', message: `${MINOR}/sal#cancellationByUser` }, attributes: {} });
    assert.deepEqual(await sessions.peekResultError(failed), { error: { code: 'PAOS_CLIENT_CANCELLED', message: `${MINOR}/sal#cancellationByUser` } });
    const otherKey = new EidSessions({ store, box: new SealedBox(randomBytes(32)), timeouts: TIMEOUTS });
    await assert.rejects(otherKey.peekResultError(failed), (err: { code?: string }) => err.code === 'STORE_VALUE_INVALID', 'another key opens nothing');
    assert.equal((await sessions.takeResult(failed))?.error?.code, 'PAOS_CLIENT_CANCELLED');
  });

  it('precedence: the per-session return URL, then the registered refreshAddress with the outcome, then none', async () => {
    const id = await open();
    await sessions.storeResult(id, { attributes: {} });
    assert.equal(await returnUrls.target(id, undefined, sessions), null);
    assert.equal(await returnUrls.target(id, ADDRESS, sessions), `${ADDRESS}&ResultMajor=ok`);
    await returnUrls.set(id, 'http://127.0.0.1:3000/demo/return');
    assert.equal(await returnUrls.target(id, ADDRESS, sessions), 'http://127.0.0.1:3000/demo/return');
  });

  describe('through the eID router', () => {
    const app = express();
    app.use(eidRouter({ sessions, paosUrl: 'https://127.0.0.1:3443/paos', publicUrl: 'http://127.0.0.1:3000', returnTo: (s) => returnUrls.target(s.id, ADDRESS, sessions) }));

    it('a cancellation reported at the RefreshAddress: 303 to the refreshAddress with the error, no session id', async () => {
      const id = await open();
      const res = await request(app).get('/eid/refresh').query({ sessionId: id, ResultMajor: 'error', ResultMinor: 'cancellationByUser' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, `${ADDRESS}&ResultMajor=error&ResultMinor=cancellationByUser`);
      assert.ok(!String(res.headers.location).toLowerCase().includes(id.toLowerCase()));
    });

    it('a complete login: 303 with ResultMajor=ok, repeatable until getResult', async () => {
      const id = await open();
      await sessions.storeResult(id, { attributes: { ChineseName: { status: 'value', text: '陳𠀋安' } } });
      for (let i = 0; i < 2; i++) {
        const res = await request(app).get('/eid/refresh').query({ sessionId: id, ResultMajor: 'ok' });
        assert.equal(res.status, 303);
        assert.equal(res.headers.location, `${ADDRESS}&ResultMajor=ok`);
      }
      assert.ok((await sessions.takeResult(id)) !== null);
    });
  });
});
