/**
 * Runs the Store contract against a real Redis (NEID_TEST_REDIS_URL, default redis://127.0.0.1:6379).
 * Unreachable Redis fails the suite (never skips). Each fixture gets its own random key prefix and
 * deletes its keys afterwards.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../../src/session/store/redis.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../../support/redis.js';
import { storeContract } from './store-contract.js';

const url = testRedisUrl();
const runPrefix = randomPrefix();
let fixtures = 0;

before(async function () {
  this.timeout(5000);
  await requireRedis(url);
});

storeContract('redis', async () => {
  const keyPrefix = `${runPrefix}${(fixtures += 1)}:`;
  return { store: createRedisStore({ url, keyPrefix }), cleanup: async () => { await deleteByPrefix(keyPrefix, url); } };
});

describe('RedisStore specifics', () => {
  const prefix = `${runPrefix}specifics:`;
  after(async () => {
    await deleteByPrefix(prefix, url);
  });

  it('namespaces every key with keyPrefix and leaves no keys outside it', async () => {
    const store = createRedisStore({ url, keyPrefix: prefix });
    const raw = new Redis(url);
    try {
      await store.set('plain', 'v');
      await store.hset('hash', { f: 'v' });
      await store.incr('counter', 1, { ttlMs: 10_000 });
      await store.compareAndSet('cas', null, 'v');
      await store.append('stream', { e: '1' });
      assert.equal(await raw.get(`${prefix}plain`), 'v');
      assert.equal(await raw.hget(`${prefix}hash`, 'f'), 'v');
      assert.equal(await raw.get(`${prefix}cas`), 'v');
      assert.equal(await raw.exists('plain', 'hash', 'counter', 'cas', 'stream'), 0);
      assert.equal(await raw.xlen(`${prefix}stream`), 1);
    } finally {
      raw.disconnect();
      await store.close();
    }
  });

  it('Lua-scripted operations still work after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const store = createRedisStore({ url, keyPrefix: prefix });
    const raw = new Redis(url);
    try {
      assert.equal(await store.compareAndSet('flush', null, 'a'), true);
      await raw.script('FLUSH');
      assert.equal(await store.compareAndSet('flush', 'a', 'b', { ttlMs: 5000 }), true);
      assert.equal(await store.incr('flush-counter', 1, { ttlMs: 5000 }), 1);
      await store.hset('flush-hash', { f: 'v' }, { ttlMs: 5000 });
      assert.equal(await store.get('flush'), 'b');
    } finally {
      raw.disconnect();
      await store.close();
    }
  });

  it('an empty keyPrefix is allowed; a non-string one is not', () => {
    assert.throws(() => createRedisStore({ url, keyPrefix: 5 as unknown as string }), { code: 'STORE_ARGUMENT_INVALID' });
  });

  it('a malformed URL is rejected at construction with STORE_URL_INVALID', () => {
    assert.throws(() => createRedisStore({ url: 'redis://:secret@host:99999' }), { code: 'STORE_URL_INVALID' });
  });
});
