/**
 * Contract of EidSessions, run against the memory store and a real Redis (eid-session.test.ts):
 * ids and PSKs, sealing at rest, single-use PSK claims, phases and timeouts, the per-eService cap
 * under concurrency, the strict RequestCounter under concurrency, results deleted on delivery, the
 * EAC state read back by a second EidSessions instance (another node).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EidSessions, type EidRequest, type EidResult, type EidSessionTimeouts } from '../../../src/session/eid-session.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import type { Store } from '../../../src/session/store/store.js';

export interface StoreFixture {
  store: Store;
  /** A second client on the same backend (another node); the memory store returns itself. */
  peer: () => Store;
  cleanup: () => Promise<void>;
}

const REQUEST: EidRequest = {
  profile: 'tw', front: 'soap', required: ['ChineseName', 'DateOfBirth'], optional: ['HouseholdAddress'],
  ageVerification: { age: 18 },
};

const RESULT: EidResult = {
  attributes: { ChineseName: { status: 'value', text: '王小明' }, DateOfBirth: { status: 'value', text: '19900101' }, HouseholdAddress: { status: 'prohibited' } },
  restrictedId: { id: 'ab'.repeat(32) },
  ageVerification: true,
  documentValidity: 'valid',
};

const TIMEOUTS: EidSessionTimeouts = {
  lifetimeMs: 60_000, tcTokenTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, paosStepTimeoutMs: 30_000, resultTimeoutMs: 30_000, tlsSessionTtlMs: 30_000,
};

export function eidSessionContract(name: string, makeFixture: () => Promise<StoreFixture>): void {
  describe(`EidSessions contract (${name})`, () => {
    let fx: StoreFixture;
    let box: SealedBox;
    let sessions: EidSessions;
    const make = (store: Store, timeouts: Partial<EidSessionTimeouts> = {}) => new EidSessions({ store, box, timeouts: { ...TIMEOUTS, ...timeouts } });

    beforeEach(async () => {
      fx = await makeFixture();
      box = new SealedBox(randomBytes(32));
      sessions = make(fx.store);
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('open: id = PSK identity of 64 random hex characters, a 32-byte random PSK, phase created', async () => {
      const a = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      const b = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      assert.match(a.id, /^[0-9a-f]{64}$/);
      assert.notEqual(a.id, b.id);
      assert.equal(a.psk.length, 32);
      assert.notDeepEqual(a.psk, b.psk);
      const got = await sessions.require(a.id);
      assert.equal(got.phase, 'created');
      assert.equal(got.serviceId, 'svc');
      assert.deepEqual(got.request, REQUEST);
      assert.equal(got.requestCounter, 0);
    });

    it('nothing readable at rest: record and PSK are sealed, the PSK is not in the store in clear', async () => {
      const { id, psk } = await sessions.open('svc', { ...REQUEST, transactionInfo: 'Kontoeröffnung 4711' }, { maxOpenSessions: 10 });
      const record = await fx.store.get(`eid:s:${id}`);
      const sealedPsk = await fx.store.get(`eid:psk:${id}`);
      assert.ok(record !== null && sealedPsk !== null && record.startsWith('v1.') && sealedPsk.startsWith('v1.'));
      assert.ok(!record.includes('4711') && !record.includes('ChineseName'));
      assert.ok(!sealedPsk.includes(psk.toString('hex')) && !sealedPsk.includes(psk.toString('base64url')));
      // Another node with another data key cannot read it.
      const foreign = new EidSessions({ store: fx.peer(), box: new SealedBox(randomBytes(32)), timeouts: TIMEOUTS });
      await assert.rejects(foreign.get(id), { code: 'STORE_VALUE_INVALID' });
    });

    it('eService PSK: its ID becomes the session id and the key is kept; malformed or reused IDs are refused', async () => {
      const pskId = 'A1'.repeat(16);
      const key = randomBytes(32);
      const opened = await sessions.open('svc', REQUEST, { maxOpenSessions: 10, psk: { id: pskId, key } });
      assert.equal(opened.id, pskId);
      assert.deepEqual(opened.psk, key);
      assert.equal((await sessions.require(pskId)).pskFromService, true);
      await assert.rejects(sessions.open('svc', REQUEST, { maxOpenSessions: 10, psk: { id: pskId, key } }), { code: 'EID_PSK_INVALID' });
      await assert.rejects(sessions.open('svc', REQUEST, { maxOpenSessions: 10, psk: { id: 'short', key } }), { code: 'EID_PSK_INVALID' });
      await assert.rejects(sessions.open('svc', REQUEST, { maxOpenSessions: 10, psk: { id: 'g'.repeat(32), key } }), { code: 'EID_PSK_INVALID' });
      await assert.rejects(sessions.open('svc', REQUEST, { maxOpenSessions: 10, psk: { id: 'ab'.repeat(20), key: randomBytes(16) } }), { code: 'EID_PSK_INVALID' });
      // The refused opens left nothing in the open set.
      assert.equal(await sessions.openCount('svc'), 1);
    });

    it('open refuses an inconsistent request with EID_REQUEST_INVALID', async () => {
      await assert.rejects(sessions.open('svc', { ...REQUEST, required: ['not an id!'] }, { maxOpenSessions: 10 }), { code: 'EID_REQUEST_INVALID' });
      await assert.rejects(sessions.open('svc', { ...REQUEST, ageVerification: { age: -1 } }, { maxOpenSessions: 10 }), { code: 'EID_REQUEST_INVALID' });
    });

    it('PskSource.claim is single-use: the first claim gets the PSK and moves to paos, every later one gets null', async () => {
      const { id, psk } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      await sessions.advance(id, 'tc-token');
      const source = sessions.pskSource();
      assert.equal(await source.isOpen(id), false, 'not open for resumption before the handshake');
      assert.deepEqual(await source.claim(id), psk);
      assert.equal(await source.claim(id), null);
      assert.equal((await sessions.require(id)).phase, 'paos');
      assert.equal(await source.isOpen(id), true);
      assert.equal(await source.claim('ff'.repeat(32)), null, 'unknown identity');
      assert.equal(await source.claim('not-hex'), null);
    });

    it('concurrent claims of one PSK from two nodes: exactly one wins', async () => {
      const { id, psk } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      const other = make(fx.peer());
      const results = await Promise.all([sessions.pskSource().claim(id), other.pskSource().claim(id), sessions.pskSource().claim(id), other.pskSource().claim(id)]);
      const won = results.filter((r) => r !== null);
      assert.equal(won.length, 1);
      assert.deepEqual(won[0], psk);
    });

    it('TLS sessions are sealed, loaded back on another node, and unknown ids load as null', async () => {
      const der = randomBytes(120);
      await sessions.pskSource().saveTlsSession('0a0b0c', der);
      assert.deepEqual(await make(fx.peer()).pskSource().loadTlsSession('0a0b0c'), der);
      assert.ok(!(await fx.store.get('eid:tls:0a0b0c'))?.includes(der.toString('base64')));
      assert.equal(await sessions.pskSource().loadTlsSession('0a0b0d'), null);
      assert.equal(await sessions.pskSource().loadTlsSession('../x'), null);
    });

    it('phases only move forward', async () => {
      const { id } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      await sessions.advance(id, 'paos');
      await assert.rejects(sessions.advance(id, 'tc-token'), { code: 'EID_SESSION_PHASE' });
      await assert.rejects(sessions.update(id, (s) => ({ ...s, serviceId: 'other' })), { code: 'EID_SESSION_PHASE' });
      await assert.rejects(sessions.update('ab'.repeat(32), (s) => s), { code: 'EID_SESSION_NOT_FOUND' });
    });

    it('the EAC state saved on one node is read by another (conversation continues elsewhere)', async () => {
      const { id } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      await assert.rejects(sessions.saveEacState(id, { v: 1 }), { code: 'EID_SESSION_PHASE' }, 'not before PAOS');
      await sessions.pskSource().claim(id);
      await sessions.saveEacState(id, { v: 1, step: 'eac2', requiredChat: '7f4c' });
      const other = make(fx.peer());
      assert.deepEqual((await other.require(id)).eac, { v: 1, step: 'eac2', requiredChat: '7f4c' });
      await other.update(id, (s) => ({ ...s, conversation: { messageId: 'urn:uuid:1' } }));
      assert.deepEqual((await sessions.require(id)).conversation, { messageId: 'urn:uuid:1' });
    });

    it('concurrent updates from two nodes are all applied (compare-and-set loop)', async () => {
      const { id } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      const other = make(fx.peer());
      await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? sessions : other).update(id, (s) => ({ ...s, conversation: { ...s.conversation, [`k${i}`]: i } }))));
      assert.deepEqual(Object.keys((await sessions.require(id)).conversation ?? {}).sort(), ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
    });

    it('RequestCounter: 1, 2, 3 accepted; a replay ends the session with EID_SESSION_COUNTER_INVALID', async () => {
      const { id } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      await sessions.checkRequestCounter(id, 1);
      await sessions.checkRequestCounter(id, 2);
      await sessions.checkRequestCounter(id, 3);
      await assert.rejects(sessions.checkRequestCounter(id, 3), { code: 'EID_SESSION_COUNTER_INVALID' });
      assert.equal(await sessions.get(id), null, 'session ended');
      assert.equal(await sessions.openCount('svc'), 0);
      await assert.rejects(sessions.checkRequestCounter(id, 4), { code: 'EID_SESSION_NOT_FOUND' });
    });

    it('RequestCounter: skipped, zero, negative and non-integer values are refused', async () => {
      for (const bad of [2, 0, -1, 1.5, Number.NaN]) {
        const { id } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
        await assert.rejects(sessions.checkRequestCounter(id, bad), { code: 'EID_SESSION_COUNTER_INVALID' }, String(bad));
        assert.equal(await sessions.get(id), null);
      }
    });

    it('concurrent getResult calls with the same counter from two nodes: at most one is accepted', async () => {
      const { id } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      const other = make(fx.peer());
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? sessions : other).checkRequestCounter(id, 1)));
      const accepted = outcomes.filter((o) => o.status === 'fulfilled').length;
      assert.ok(accepted <= 1, `accepted ${accepted}`);
      for (const o of outcomes) {
        if (o.status === 'rejected') assert.ok(['EID_SESSION_COUNTER_INVALID', 'EID_SESSION_NOT_FOUND'].includes((o.reason as { code: string }).code));
      }
    });

    it('cap: cap+1 concurrent opens from two nodes → exactly one EID_SESSION_TOO_MANY', async () => {
      const cap = 5;
      const other = make(fx.peer());
      const outcomes = await Promise.allSettled(Array.from({ length: cap + 1 }, (_, i) => (i % 2 === 0 ? sessions : other).open('capped', REQUEST, { maxOpenSessions: cap })));
      const refused = outcomes.filter((o) => o.status === 'rejected');
      assert.equal(refused.length, 1);
      assert.equal((refused[0] as PromiseRejectedResult).reason.code, 'EID_SESSION_TOO_MANY');
      assert.equal(await sessions.openCount('capped'), cap);
      // Other eServices are not affected.
      await sessions.open('uncapped', REQUEST, { maxOpenSessions: 1 });
    });

    it('cap: an ended session frees its slot; an expired one does not count', async () => {
      const short = make(fx.store, { tcTokenTimeoutMs: 150 });
      const a = await short.open('svc1', REQUEST, { maxOpenSessions: 1 });
      await assert.rejects(short.open('svc1', REQUEST, { maxOpenSessions: 1 }), { code: 'EID_SESSION_TOO_MANY' });
      await short.end(a.id);
      const b = await short.open('svc1', REQUEST, { maxOpenSessions: 1 });
      await sleep(250);
      assert.equal(await short.get(b.id), null, 'expired after tcTokenTimeoutMs');
      await short.open('svc1', REQUEST, { maxOpenSessions: 1 });
    });

    it('phase timeouts: TC Token window, then the handshake window; lifetime bounds every phase', async () => {
      const short = make(fx.store, { tcTokenTimeoutMs: 400, handshakeTimeoutMs: 120, lifetimeMs: 10_000 });
      const { id } = await short.open('svc', REQUEST, { maxOpenSessions: 10 });
      await sleep(200);
      await short.advance(id, 'tc-token');
      await sleep(250);
      assert.equal(await short.get(id), null, 'handshake window elapsed');
      assert.equal(await short.pskSource().claim(id), null);

      const capped = make(fx.store, { lifetimeMs: 200, paosStepTimeoutMs: 10_000 });
      const s = await capped.open('svc', REQUEST, { maxOpenSessions: 10 });
      const advanced = await capped.advance(s.id, 'paos');
      assert.ok(advanced.phaseDeadline <= advanced.expiresAt);
      await sleep(300);
      assert.equal(await capped.get(s.id), null, 'lifetime elapsed');
    });

    it('result: sealed at rest, taken once on another node, then everything of the session is gone', async () => {
      const { id } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      await sessions.pskSource().claim(id);
      assert.equal(await sessions.takeResult(id), null, 'no result yet; session left alone');
      assert.ok(await sessions.get(id));
      await sessions.storeResult(id, RESULT);
      assert.equal((await sessions.require(id)).phase, 'result');
      assert.equal((await sessions.require(id)).eac, null);
      const sealed = await fx.store.get(`eid:res:${id}`);
      assert.ok(sealed && !sealed.includes('19900101') && !Buffer.from(sealed.slice(3), 'base64url').toString('utf8').includes('19900101'));
      await assert.rejects(sessions.storeResult(id, RESULT), { code: 'EID_SESSION_PHASE' }, 'only one result');
      assert.deepEqual(await make(fx.peer()).takeResult(id), RESULT);
      assert.equal(await sessions.takeResult(id), null);
      assert.equal(await sessions.get(id), null);
      for (const key of [`eid:s:${id}`, `eid:psk:${id}`, `eid:res:${id}`]) assert.equal(await fx.store.get(key), null, key);
      assert.equal(await sessions.openCount('svc'), 0);
    });

    it('an error result carries a catalog code; unknown codes and malformed results are refused', async () => {
      const { id } = await sessions.open('svc', REQUEST, { maxOpenSessions: 10 });
      await assert.rejects(sessions.storeResult(id, { attributes: {}, error: { code: 'NOT_A_CODE' as never } }), { code: 'EID_REQUEST_INVALID' });
      await assert.rejects(sessions.storeResult(id, { attributes: { X: { status: 'maybe' } } } as never), { code: 'EID_REQUEST_INVALID' });
      await sessions.storeResult(id, { attributes: {}, error: { code: 'EID_DOCUMENT_INVALID' } });
      assert.deepEqual(await sessions.takeResult(id), { attributes: {}, error: { code: 'EID_DOCUMENT_INVALID' } });
    });
  });
}
