/**
 * SPEC §8 "Redis outage → clear 503s and recovery without restart; any node can continue any login":
 * a private redis-server child is killed and restarted under a live RedisStore.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createRedisStore, type RedisStore } from '../../../src/session/store/redis.js';
import { FlakyProxy, RedisProcess } from '../../support/redis.js';

function captureLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { lines.push(line); } });
  return { logger, lines };
}

/** Milliseconds until `attempt` rejects; fails the test when it resolves instead. */
async function timeToReject(attempt: () => Promise<unknown>, code: string): Promise<number> {
  const started = performance.now();
  await assert.rejects(attempt(), { code });
  return performance.now() - started;
}

/** Polls until `attempt` resolves; returns the time taken or fails after limitMs. */
async function timeToRecover(attempt: () => Promise<unknown>, limitMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await attempt();
      return performance.now() - started;
    } catch (err) {
      assert.equal((err as { code?: string }).code, 'STORE_UNAVAILABLE', 'only STORE_UNAVAILABLE while down');
      if (performance.now() - started > limitMs) throw new Error(`not recovered within ${limitMs} ms`, { cause: err });
    }
    await sleep(50);
  }
}

describe('RedisStore under a Redis outage (own redis-server child)', function () {
  this.timeout(30_000);
  let redis: RedisProcess;
  const stores: RedisStore[] = [];
  const open = (options: Partial<Parameters<typeof createRedisStore>[0]> = {}): RedisStore => {
    const store = createRedisStore({ url: redis.url, keyPrefix: 'outage:', ...options });
    stores.push(store);
    return store;
  };

  before(async () => {
    redis = await RedisProcess.start();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await redis.kill();
  });

  it('kill → ping and get reject STORE_UNAVAILABLE within 2 s; restart → ping resolves within 5 s, same store', async () => {
    const { logger, lines } = captureLogger();
    const store = open({ logger });
    await store.set('session', 'SECRET-VALUE-42', { ttlMs: 60_000 });
    assert.equal(await store.get('session'), 'SECRET-VALUE-42');

    await redis.kill();
    const pingMs = await timeToReject(() => store.ping(), 'STORE_UNAVAILABLE');
    const getMs = await timeToReject(() => store.get('session'), 'STORE_UNAVAILABLE');
    // Every operation fails the same way while Redis is gone, scripted ones included.
    const casMs = await timeToReject(() => store.compareAndSet('session', null, 'x'), 'STORE_UNAVAILABLE');
    await assert.rejects(store.incr('n', 1, { ttlMs: 1000 }), { code: 'STORE_UNAVAILABLE' });
    await assert.rejects(store.append('audit', { e: 'x' }), { code: 'STORE_UNAVAILABLE' });
    assert.ok(pingMs < 2000, `ping rejected after ${pingMs.toFixed(0)} ms`);
    assert.ok(getMs < 2000, `get rejected after ${getMs.toFixed(0)} ms`);
    assert.ok(casMs < 2000, `compareAndSet rejected after ${casMs.toFixed(0)} ms`);

    await sleep(1500); // a longer outage: the reconnect backoff must stay capped at 1 s
    const restartedAt = performance.now();
    await redis.start();
    const recoverMs = await timeToRecover(() => store.ping(), 5000);
    const sinceRestartMs = performance.now() - restartedAt;
    assert.ok(sinceRestartMs < 5000, `recovered ${sinceRestartMs.toFixed(0)} ms after the restart`);

    // The new server has an empty script cache: scripted ops must reload transparently.
    assert.equal(await store.compareAndSet('session', null, 'after-restart', { ttlMs: 60_000 }), true);
    assert.equal(await store.incr('n', 1, { ttlMs: 60_000 }), 1);
    assert.equal(await store.get('session'), 'after-restart');

    const log = lines.join('');
    assert.match(log, /session store connection lost/);
    assert.match(log, /session store reconnected/);
    assert.ok(!log.includes('SECRET-VALUE-42') && !log.includes('after-restart'), 'no value is ever logged');
    console.log(`      measured: ping rejects ${pingMs.toFixed(0)} ms, get ${getMs.toFixed(0)} ms, compareAndSet ${casMs.toFixed(0)} ms after kill; ` +
      `ping resolves ${sinceRestartMs.toFixed(0)} ms after restart (polling took ${recoverMs.toFixed(0)} ms)`);
  });

  it('a server that stops answering (SIGSTOP) → commands reject STORE_UNAVAILABLE within 2 s, no hang; SIGCONT → recovery', async () => {
    const store = open();
    await store.set('k', 'v');
    redis.pause();
    try {
      const getMs = await timeToReject(() => store.get('k'), 'STORE_UNAVAILABLE');
      const pingMs = await timeToReject(() => store.ping(), 'STORE_UNAVAILABLE');
      assert.ok(getMs < 2000, `get rejected after ${getMs.toFixed(0)} ms`);
      assert.ok(pingMs < 2000, `ping rejected after ${pingMs.toFixed(0)} ms`);
      console.log(`      measured (hung server): get rejects after ${getMs.toFixed(0)} ms, ping after ${pingMs.toFixed(0)} ms`);
    } finally {
      redis.resume();
    }
    const recoverMs = await timeToRecover(() => store.ping(), 5000);
    assert.equal(await store.get('k'), 'v');
    console.log(`      measured (hung server): ping resolves ${recoverMs.toFixed(0)} ms after SIGCONT`);
  });

  it('a store created while Redis is down fails within connectTimeout and connects once Redis starts', async () => {
    await redis.kill();
    const store = open({ connectTimeoutMs: 500 });
    const firstMs = await timeToReject(() => store.ping(), 'STORE_UNAVAILABLE');
    assert.ok(firstMs < 2000, `first ping rejected after ${firstMs.toFixed(0)} ms`);
    const laterMs = await timeToReject(() => store.get('k'), 'STORE_UNAVAILABLE');
    assert.ok(laterMs < 2000, `get rejected after ${laterMs.toFixed(0)} ms`);
    await redis.start();
    const recoverMs = await timeToRecover(() => store.ping(), 5000);
    assert.ok(recoverMs < 5000);
    await store.set('k', 'v');
    assert.equal(await store.get('k'), 'v');
  });

  it('at most once: a command whose reply is lost fails STORE_UNAVAILABLE and is never re-sent on reconnect', async () => {
    const proxy = await FlakyProxy.start(redis.port);
    try {
      const store = open({ url: proxy.url });
      const direct = open();
      await store.set('warm-up', 'v');
      proxy.dropReplies = true;
      await assert.rejects(store.incr('once'), { code: 'STORE_UNAVAILABLE' });
      await assert.rejects(store.setIfAbsent('claim', 'mine'), { code: 'STORE_UNAVAILABLE' });
      proxy.dropReplies = false;
      await timeToRecover(() => store.ping(), 5000);
      await sleep(200); // room for any (wrong) re-send to land
      assert.equal(await direct.get('once'), '1', 'INCR executed exactly once');
      assert.equal(await direct.get('claim'), null, 'the claim was never sent: the connection was already down');
      assert.equal(await store.incr('once'), 2);
    } finally {
      await proxy.close();
    }
  });

  it('two nodes on one Redis see each other\'s writes and share atomicity', async () => {
    const nodeA = open();
    const nodeB = open();
    await nodeA.set('login:1', 'state-1', { ttlMs: 60_000 });
    assert.equal(await nodeB.get('login:1'), 'state-1');
    assert.equal(await nodeB.compareAndSet('login:1', 'state-1', 'state-2', { ttlMs: 60_000 }), true);
    assert.equal(await nodeA.compareAndSet('login:1', 'state-1', 'state-x'), false);
    assert.equal(await nodeA.get('login:1'), 'state-2');

    // Replay cache across nodes: 10 attempts on each node, exactly one wins overall.
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).setIfAbsent('replay:abc', `n${i}`, { ttlMs: 60_000 })));
    assert.equal(claims.filter(Boolean).length, 1);
    // Single-use token across nodes.
    await nodeA.set('token', 't');
    const taken = await Promise.all([nodeA.getAndDelete('token'), nodeB.getAndDelete('token')]);
    assert.deepEqual(taken.filter((t) => t !== null), ['t']);
    // Counters and streams.
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? nodeA : nodeB).incr('rate', 1, { ttlMs: 60_000 })));
    assert.equal(await nodeA.get('rate'), '20');
    const id1 = await nodeA.append('audit', { by: 'A' });
    const id2 = await nodeB.append('audit', { by: 'B' });
    assert.deepEqual((await nodeB.readStream('audit')).map((e) => [e.id, e.fields.by]), [[id1, 'A'], [id2, 'B']]);
    await nodeB.hset('svc', { state: 'active' });
    assert.deepEqual(await nodeA.hgetall('svc'), { state: 'active' });
  });
});
