/**
 * EidSessions.takeResult when the store fails in the middle of a delivery (SPEC §8 "nothing is lost,
 * nobody gets in"). A store that times out is modelled both ways a real one does: the command ran but
 * its reply was lost (Redis ran it after a pause), or it never ran. The memory store's clock is
 * driven by the test, so claim expiry needs no waiting.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EidSessions, TAKE_CLAIM_TTL_MS, type EidRequest, type EidResult } from '../../../src/session/eid-session.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import { unavailable } from '../../../src/session/store/errors.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';
import type { Store } from '../../../src/session/store/store.js';

const REQUEST: EidRequest = { profile: 'tw', front: 'soap', required: ['ChineseName'], optional: [] };
const RESULT: EidResult = { attributes: { ChineseName: { status: 'value', text: '王小明' } }, documentValidity: 'valid' };
const TIMEOUTS = { lifetimeMs: 600_000, tcTokenTimeoutMs: 60_000, handshakeTimeoutMs: 60_000, paosStepTimeoutMs: 60_000, resultTimeoutMs: 60_000, tlsSessionTtlMs: 60_000 };

type Fault = { ops: (keyof Store)[]; key?: RegExp; ran: boolean };

/** The memory store with one armed fault: the next matching operation rejects STORE_UNAVAILABLE, after running (ran) or without. */
function faultyStore(): { store: Store; arm(fault: Fault): void; advance(ms: number): void; fired(): boolean } {
  let now = Date.now();
  const inner = createMemoryStore({ now: () => now });
  let armed: Fault | undefined;
  let fired = false;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const fault = armed;
        if (fault !== undefined && fault.ops.includes(prop as keyof Store) && (fault.key === undefined || args.some((a) => typeof a === 'string' && fault.key!.test(a)))) {
          armed = undefined;
          fired = true;
          if (fault.ran) await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          throw unavailable(String(prop), 'timeout');
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  }) as Store;
  return { store, arm: (f) => { armed = f; fired = false; }, advance: (ms) => { now += ms; }, fired: () => fired };
}

describe('EidSessions.takeResult under a store outage', () => {
  let fx: ReturnType<typeof faultyStore>;
  let sessions: EidSessions;
  let id: string;

  beforeEach(async () => {
    fx = faultyStore();
    sessions = new EidSessions({ store: fx.store, box: new SealedBox(randomBytes(32)), timeouts: TIMEOUTS });
    id = (await sessions.open('svc', REQUEST, { maxOpenSessions: 5 })).id;
    await sessions.storeResult(id, RESULT);
  });

  /** Every take until the result comes (null while a claim blocks it, at most 3 claim lifetimes); then one more. */
  async function takeUntilDelivered(): Promise<{ delivered: EidResult; after: EidResult | null }> {
    for (let i = 0; i < 3; i++) {
      const got = await sessions.takeResult(id);
      if (got !== null) return { delivered: got, after: await sessions.takeResult(id) };
      fx.advance(TAKE_CLAIM_TTL_MS + 1);
    }
    assert.fail('the result was never delivered: it was lost');
  }

  it('the read of the result ran but its reply was lost (Redis resumed after the timeout): the retry delivers it, once', async () => {
    // A get-and-delete here would have deleted the result that nobody received.
    fx.arm({ ops: ['get', 'getAndDelete'], key: /^eid:res:/, ran: true });
    await assert.rejects(sessions.takeResult(id), { code: 'STORE_UNAVAILABLE' });
    assert.ok(fx.fired(), 'the fault hit the take');
    const { delivered, after } = await takeUntilDelivered();
    assert.deepEqual(delivered, RESULT);
    assert.equal(after, null, 'delivered once');
    assert.equal(await sessions.get(id), null, 'and the session ended');
  });

  it('the delivery claim ran but its reply was lost: the result waits for the claim to expire, then is delivered once', async () => {
    fx.arm({ ops: ['setIfAbsent'], key: /^eid:take:/, ran: true });
    await assert.rejects(sessions.takeResult(id), { code: 'STORE_UNAVAILABLE' });
    assert.equal(await sessions.takeResult(id), null, 'a retry within the claim lifetime gets nothing (noResultYet)');
    assert.ok((await sessions.get(id)) !== null, 'the session is still there');
    fx.advance(TAKE_CLAIM_TTL_MS + 1);
    assert.deepEqual(await sessions.takeResult(id), RESULT);
    assert.equal(await sessions.takeResult(id), null);
  });

  it('the delete after the read fails: the result is delivered all the same (it is in hand), and not again while the claim holds', async () => {
    fx.arm({ ops: ['delete'], ran: false });
    assert.deepEqual(await sessions.takeResult(id), RESULT);
    assert.ok(fx.fired(), 'the delete failed');
    assert.equal(await sessions.takeResult(id), null, 'a concurrent or immediate second take gets nothing');
  });

  it('a store that fails before anything ran changes nothing: the next take delivers', async () => {
    fx.arm({ ops: ['setIfAbsent'], key: /^eid:take:/, ran: false });
    await assert.rejects(sessions.takeResult(id), { code: 'STORE_UNAVAILABLE' });
    assert.deepEqual(await sessions.takeResult(id), RESULT);
  });

  it('concurrent takes (getResult with the next RequestCounter on other nodes) deliver the result exactly once', async () => {
    const got = await Promise.all([sessions.takeResult(id), sessions.takeResult(id), sessions.takeResult(id)]);
    assert.equal(got.filter((r) => r !== null).length, 1);
    assert.deepEqual(got.find((r) => r !== null), RESULT);
  });
});
