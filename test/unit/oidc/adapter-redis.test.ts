/**
 * The oidc-provider adapter on the memory store and on a real Redis (NEID_TEST_REDIS_URL, default
 * redis://127.0.0.1:6379, random key prefix; unreachable Redis fails, never skips).
 */
import { createMemoryStore } from '../../../src/session/store/memory.js';
import { createRedisStore } from '../../../src/session/store/redis.js';
import type { Store } from '../../../src/session/store/store.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../../support/redis.js';
import { adapterContract } from './adapter-contract.js';

adapterContract('memory', async () => {
  const store = createMemoryStore();
  return { store, peer: () => store, cleanup: () => store.close() };
});

const url = testRedisUrl();
const runPrefix = randomPrefix('neid-test-oidc');
let n = 0;

describe('oidc adapter on Redis', () => {
  before(async function () {
    this.timeout(5000);
    await requireRedis(url);
  });
  adapterContract('redis', async () => {
    const keyPrefix = `${runPrefix}${(n += 1)}:`;
    const store = createRedisStore({ url, keyPrefix });
    const peers: Store[] = [];
    return {
      store,
      peer: () => {
        const p = createRedisStore({ url, keyPrefix });
        peers.push(p);
        return p;
      },
      cleanup: async () => {
        await Promise.all([store.close(), ...peers.map((p) => p.close())]);
        await deleteByPrefix(keyPrefix, url);
      },
    };
  });
});
