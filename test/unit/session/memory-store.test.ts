import assert from 'node:assert/strict';
import { createMemoryStore, MemoryStore } from '../../../src/session/store/memory.js';
import { storeContract } from './store-contract.js';

storeContract('memory', async () => ({ store: createMemoryStore() }));

describe('MemoryStore specifics', () => {
  /** A controllable clock, so expiry and stream ids can be tested without waiting. */
  function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
    let t = start;
    return { now: () => t, advance: (ms) => { t += ms; }, set: (ms) => { t = ms; } };
  }

  it('bounds the number of keys with STORE_FULL; overwriting and expired keys do not count', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ maxKeys: 3, now: clock.now });
    try {
      await store.set('a', '1');
      await store.set('b', '2', { ttlMs: 100 });
      await store.hset('c', { f: 'v' });
      await assert.rejects(store.set('d', '4'), { code: 'STORE_FULL' });
      await assert.rejects(store.incr('d'), { code: 'STORE_FULL' });
      await assert.rejects(store.sadd('d', 'm'), { code: 'STORE_FULL' });
      await assert.rejects(store.append('d', { e: '1' }), { code: 'STORE_FULL' });
      await store.set('a', 'overwrite is fine');
      await store.hset('c', { g: 'more fields are fine' });
      clock.advance(101);
      // 'b' has expired: creating 'd' sweeps it and fits.
      await store.set('d', '4');
      assert.equal(store.size(), 3);
      assert.equal(await store.get('d'), '4');
    } finally {
      await store.close();
    }
  });

  it('setIfAbsent on a full store rejects STORE_FULL instead of answering false', async () => {
    const store = new MemoryStore({ maxKeys: 1 });
    try {
      await store.set('a', '1');
      await assert.rejects(store.setIfAbsent('b', '2'), { code: 'STORE_FULL' });
      assert.equal(await store.setIfAbsent('a', '2'), false);
    } finally {
      await store.close();
    }
  });

  it('bounds the items per key (hash fields, set members, stream entries) with STORE_FULL, atomically', async () => {
    const store = new MemoryStore({ maxItemsPerKey: 3 });
    try {
      await store.hset('h', { a: '1', b: '2' });
      await assert.rejects(store.hset('h', { c: '3', d: '4' }), { code: 'STORE_FULL' });
      assert.deepEqual(await store.hgetall('h'), { a: '1', b: '2' }, 'nothing written on STORE_FULL');
      await store.hset('h', { a: 'x', c: '3' });
      await assert.rejects(store.hset('fresh', { a: '1', b: '2', c: '3', d: '4' }), { code: 'STORE_FULL' });
      assert.equal(await store.ttl('fresh'), null);

      await store.sadd('s', 'a', 'b', 'c');
      await assert.rejects(store.sadd('s', 'd'), { code: 'STORE_FULL' });
      assert.equal(await store.sadd('s', 'a'), 0);

      for (let i = 0; i < 3; i += 1) await store.append('x', { n: String(i) });
      await assert.rejects(store.append('x', { n: '3' }), { code: 'STORE_FULL' });
      // With maxLen the stream is trimmed, so it stays within the bound.
      await store.append('x', { n: '3' }, { maxLen: 3 });
      assert.deepEqual((await store.readStream('x')).map((e) => e.fields.n), ['1', '2', '3']);
    } finally {
      await store.close();
    }
  });

  it('expires lazily on access and by the sweep', async () => {
    const clock = manualClock();
    const store = new MemoryStore({ now: clock.now });
    try {
      await store.set('a', '1', { ttlMs: 100 });
      await store.sadd('s', 'm');
      await store.expire('s', 100);
      clock.advance(100);
      assert.equal(await store.get('a'), '1', 'Redis rule: expired only when now > deadline');
      assert.equal(await store.ttl('a'), 0);
      clock.advance(1);
      assert.equal(store.size(), 2, 'expired but not yet swept');
      store.sweep();
      assert.equal(store.size(), 0);
      await store.set('b', '1', { ttlMs: 10 });
      clock.advance(11);
      assert.equal(await store.get('b'), null, 'lazy expiry on access');
      assert.equal(store.size(), 0, 'the access removed it');
    } finally {
      await store.close();
    }
  });

  it('the sweep timer removes expired keys by itself', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 20 });
    try {
      await store.set('a', '1', { ttlMs: 5 });
      await store.set('b', '1');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(store.size(), 1);
    } finally {
      await store.close();
    }
  });

  it('stream ids stay strictly increasing when the clock stands still or goes backwards', async () => {
    const clock = manualClock(5000);
    const store = new MemoryStore({ now: clock.now });
    try {
      assert.equal(await store.append('s', { n: '1' }), '5000-0');
      assert.equal(await store.append('s', { n: '2' }), '5000-1');
      clock.set(4000);
      assert.equal(await store.append('s', { n: '3' }), '5000-2');
      clock.set(6000);
      assert.equal(await store.append('s', { n: '4' }), '6000-0');
      assert.deepEqual((await store.readStream('s', { after: '5000-1' })).map((e) => e.id), ['5000-2', '6000-0']);
      assert.deepEqual((await store.readStream('s', { after: '5000-5' })).map((e) => e.id), ['6000-0']);
    } finally {
      await store.close();
    }
  });

  it('returns copies: mutating a result does not change the store', async () => {
    const store = createMemoryStore();
    try {
      await store.hset('h', { a: '1' });
      const all = await store.hgetall('h');
      all.a = 'changed';
      await store.append('s', { f: 'v' });
      const [entry] = await store.readStream('s');
      if (entry) entry.fields.f = 'changed';
      assert.deepEqual(await store.hgetall('h'), { a: '1' });
      assert.deepEqual((await store.readStream('s'))[0]?.fields, { f: 'v' });
    } finally {
      await store.close();
    }
  });

  it('rejects invalid bounds at construction', () => {
    assert.throws(() => new MemoryStore({ maxKeys: 0 }), { code: 'STORE_ARGUMENT_INVALID' });
    assert.throws(() => new MemoryStore({ maxItemsPerKey: 1.5 }), { code: 'STORE_ARGUMENT_INVALID' });
    assert.throws(() => new MemoryStore({ sweepIntervalMs: -1 }), { code: 'STORE_ARGUMENT_INVALID' });
  });
});
