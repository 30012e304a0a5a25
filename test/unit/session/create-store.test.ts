import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createStore, IN_MEMORY_WARNING } from '../../../src/session/store/index.js';
import { randomPrefix, requireRedis, testRedisUrl, deleteByPrefix } from '../../support/redis.js';

function captureLogger(): { logger: pino.Logger; records: { level: number; msg: string }[] } {
  const records: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { records.push(JSON.parse(line) as { level: number; msg: string }); } });
  return { logger, records };
}

describe('createStore', () => {
  it('without a URL returns the memory store and logs the loud in-memory warning', async () => {
    const { logger, records } = captureLogger();
    for (const redisUrl of [undefined, '']) {
      const store = createStore({ redisUrl, logger });
      try {
        assert.equal(store.kind, 'memory');
        await store.set('k', 'v');
        assert.equal(await store.get('k'), 'v');
      } finally {
        await store.close();
      }
    }
    const warnings = records.filter((r) => r.msg === IN_MEMORY_WARNING);
    assert.equal(warnings.length, 2);
    assert.ok(warnings.every((w) => w.level === 40), 'logged at warn level');
    assert.equal(IN_MEMORY_WARNING, 'IN-MEMORY STORE: single process only, state lost on restart, not for production');
  });

  it('without a logger the warning goes to process warnings (once per process)', async () => {
    const seen: Error[] = [];
    const listener = (w: Error): void => { seen.push(w); };
    process.on('warning', listener);
    try {
      const a = createStore({});
      const b = createStore({});
      await a.close();
      await b.close();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    // Another test in the same run may have triggered it first; never more than once.
    assert.ok(seen.filter((w) => w.message === IN_MEMORY_WARNING).length <= 1);
  });

  it('the memory bounds option reaches the memory store', async () => {
    const store = createStore({ logger: captureLogger().logger, memory: { maxKeys: 1 } });
    try {
      await store.set('a', '1');
      await assert.rejects(store.set('b', '2'), { code: 'STORE_FULL' });
    } finally {
      await store.close();
    }
  });

  it('with a URL returns the Redis store, using keyPrefix, and logs the connection without credentials', async () => {
    await requireRedis();
    const keyPrefix = randomPrefix();
    const { logger, records } = captureLogger();
    const store = createStore({ redisUrl: testRedisUrl(), keyPrefix, logger });
    try {
      assert.equal(store.kind, 'redis');
      await store.set('k', 'VALUE-NOT-LOGGED');
      assert.equal(await store.get('k'), 'VALUE-NOT-LOGGED');
      assert.ok(records.some((r) => r.msg === 'session store connected'));
      assert.ok(!records.some((r) => r.msg === IN_MEMORY_WARNING));
      assert.ok(!JSON.stringify(records).includes('VALUE-NOT-LOGGED'));
    } finally {
      await store.close();
      assert.equal(await deleteByPrefix(keyPrefix), 1, 'the key lived under the prefix');
    }
  });

  it('a malformed URL fails at once with STORE_URL_INVALID', () => {
    assert.throws(() => createStore({ redisUrl: 'redis+sentinel://host:26379' }), { code: 'STORE_URL_INVALID' });
  });
});
