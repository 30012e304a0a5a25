/**
 * Runs the Store contract against a real Redis (NEID_TEST_REDIS_URL, default redis://127.0.0.1:6379).
 * Unreachable Redis fails the suite (never skips). Each fixture gets its own random key prefix and
 * deletes its keys afterwards.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createRedisStore, reconnectDelay, toStoreError } from '../../../src/session/store/redis.js';
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

  it('reconnect backoff grows from 50 ms, is capped at 1 s and never gives up', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(reconnectDelay), [50, 100, 200, 400, 800, 1000]);
    for (const attempt of [7, 100, 1e6, Number.MAX_SAFE_INTEGER]) assert.equal(reconnectDelay(attempt), 1000);
  });

  it('maps ioredis errors to store codes and strips the command arguments from the cause', () => {
    const reply = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError', command: { name: 'set', args: ['neid:psk:1', 'SECRET'] } });
    assert.equal(toStoreError('get', reply('WRONGTYPE Operation against a key holding the wrong kind of value')).code, 'STORE_WRONG_TYPE');
    assert.equal(toStoreError('incr', reply('ERR value is not an integer or out of range script: abc')).code, 'STORE_VALUE_INVALID');
    assert.equal(toStoreError('incr', reply('ERR increment or decrement would overflow')).code, 'STORE_VALUE_INVALID');
    for (const m of ['OOM command not allowed when used memory > maxmemory', 'READONLY You can\'t write against a read only replica.', 'LOADING Redis is loading', 'NOAUTH Authentication required.']) {
      const err = toStoreError('set', reply(m));
      assert.equal(err.code, 'STORE_UNAVAILABLE', m);
      assert.match(err.message, new RegExp(`server replied ${m.split(' ')[0]}`));
      assert.ok(!JSON.stringify(err.cause, Object.getOwnPropertyNames(err.cause)).includes('SECRET'), 'no command args in the cause');
      assert.equal((err.cause as { command?: unknown }).command, undefined);
    }
    assert.match(toStoreError('get', new Error('Command timed out')).message, /timeout/);
    assert.equal(toStoreError('get', new Error("Stream isn't writeable and enableOfflineQueue options is false")).code, 'STORE_UNAVAILABLE');
    assert.equal(toStoreError('get', 'a string').code, 'STORE_UNAVAILABLE');
  });

  it('a malformed URL is rejected at construction with STORE_URL_INVALID', () => {
    assert.throws(() => createRedisStore({ url: 'redis://:secret@host:99999' }), { code: 'STORE_URL_INVALID' });
  });
});
