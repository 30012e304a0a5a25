import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { eidRouter } from '../../../src/eid/eid-router.js';
import { refreshResultMinorUri } from '../../../src/eid/paos/result.js';
import { EidSessions } from '../../../src/session/eid-session.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';

const TIMEOUTS = { lifetimeMs: 60_000, tcTokenTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, paosStepTimeoutMs: 30_000, resultTimeoutMs: 30_000, tlsSessionTtlMs: 30_000 };
const MINOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor';

describe('eid/eid-router: RefreshAddress with the client\'s ResultMinor (tr03124-1 §2.5.4)', () => {
  const store = createMemoryStore();
  const sessions = new EidSessions({ store, box: new SealedBox(randomBytes(32)), timeouts: TIMEOUTS });
  const app = express();
  app.use(eidRouter({ sessions, paosUrl: 'https://127.0.0.1:3443/paos', publicUrl: 'http://127.0.0.1:3000', returnTo: async () => 'http://127.0.0.1:3000/back' }));
  after(() => store.close());

  it('maps each short name to its own tr03112 group', () => {
    assert.equal(refreshResultMinorUri('trustedChannelEstablishmentFailed'), `${MINOR}/dp#trustedChannelEstablishmentFailed`);
    assert.equal(refreshResultMinorUri('cancellationByUser'), `${MINOR}/sal#cancellationByUser`);
    assert.equal(refreshResultMinorUri('communicationError'), `${MINOR}/al/common#communicationError`);
    assert.equal(refreshResultMinorUri(`${MINOR}/sal#cancellationByUser`), `${MINOR}/sal#cancellationByUser`);
  });

  it('an error reported at the RefreshAddress ends the session with the full URI; the browser goes back', async () => {
    const { id } = await sessions.open('svc', { profile: 'tw', front: 'soap', required: ['ChineseName'], optional: [] }, { maxOpenSessions: 5 });
    const res = await request(app).get('/eid/refresh').query({ sessionId: id, ResultMajor: 'error', ResultMinor: 'trustedChannelEstablishmentFailed' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, 'http://127.0.0.1:3000/back');
    const result = await sessions.takeResult(id);
    assert.equal(result?.error?.code, 'PAOS_CLIENT_ERROR');
    assert.equal(result?.error?.message, `${MINOR}/dp#trustedChannelEstablishmentFailed`);
  });

  it('a malformed ResultMinor is not stored as a message', async () => {
    const { id } = await sessions.open('svc', { profile: 'tw', front: 'soap', required: ['ChineseName'], optional: [] }, { maxOpenSessions: 5 });
    await request(app).get('/eid/refresh').query({ sessionId: id, ResultMajor: 'error', ResultMinor: '<script>' });
    const result = await sessions.takeResult(id);
    assert.equal(result?.error?.code, 'PAOS_CLIENT_ERROR');
    assert.equal(result?.error?.message, undefined);
  });
});
