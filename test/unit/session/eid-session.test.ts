/**
 * EidSessions against the memory store and a real Redis (NEID_TEST_REDIS_URL, default
 * redis://127.0.0.1:6379; unreachable Redis fails, never skips). On Redis the "other node" is a
 * second client with its own connection.
 */
import { createMemoryStore } from '../../../src/session/store/memory.js';
import { createRedisStore } from '../../../src/session/store/redis.js';
import type { Store } from '../../../src/session/store/store.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../../support/redis.js';
import { eidSessionContract } from './eid-session-contract.js';

eidSessionContract('memory', async () => {
  const store = createMemoryStore();
  return { store, peer: () => store, cleanup: () => store.close() };
});

const url = testRedisUrl();
const runPrefix = randomPrefix('neid-test-eid');
let fixtures = 0;

describe('EidSessions on Redis', () => {
  before(async function () {
    this.timeout(5000);
    await requireRedis(url);
  });

  eidSessionContract('redis', async () => {
    const keyPrefix = `${runPrefix}${(fixtures += 1)}:`;
    const store = createRedisStore({ url, keyPrefix });
    const peers: Store[] = [];
    return {
      store,
      peer: () => {
        const peer = createRedisStore({ url, keyPrefix });
        peers.push(peer);
        return peer;
      },
      cleanup: async () => {
        await Promise.all([store.close(), ...peers.map((p) => p.close())]);
        await deleteByPrefix(keyPrefix, url);
      },
    };
  });
});
