/**
 * The Store contract on Redis Cluster (3 masters) and on a Sentinel-managed master, each spawned as
 * redis-server children for this suite: proves the URL forms work end to end, that every operation is
 * valid in Cluster (single-key scripts, per-key DEL across slots) and that Sentinel discovery works.
 */
import assert from 'node:assert/strict';
import { createRedisStore } from '../../../src/session/store/redis.js';
import { startCluster, startSentinel, type RedisTopology } from '../../support/redis.js';
import { storeContract } from './store-contract.js';

describe('Redis Cluster (own redis-server children)', function () {
  this.timeout(60_000);
  let topology: RedisTopology;
  let n = 0;
  before(async () => {
    topology = await startCluster();
  });
  after(async () => {
    await topology.stop();
  });

  storeContract('redis+cluster', async () => ({ store: createRedisStore({ url: topology.url, keyPrefix: `c${(n += 1)}:` }) }));

  it('spreads keys over several slots, and delete(...) across slots still counts all', async () => {
    const store = createRedisStore({ url: topology.url, keyPrefix: 'spread:' });
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
      for (const k of keys) await store.set(k, 'v');
      assert.equal(await store.delete(...keys), 30);
    } finally {
      await store.close();
    }
  });
});

describe('Redis Sentinel (own redis-server children)', function () {
  this.timeout(60_000);
  let topology: RedisTopology;
  let n = 0;
  before(async () => {
    topology = await startSentinel();
  });
  after(async () => {
    await topology.stop();
  });

  storeContract('redis+sentinel', async () => ({ store: createRedisStore({ url: topology.url, keyPrefix: `s${(n += 1)}:` }) }));
});
