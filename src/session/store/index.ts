/**
 * Chooses the session store: Redis when a URL is configured (production, any number of nodes),
 * otherwise the in-memory store (embedded single-process demo) with a loud warning, since state
 * would be lost on restart and invisible to other nodes (SPEC §3, §8).
 */
import type { Logger } from 'pino';
import { createMemoryStore, type MemoryStoreOptions } from './memory.js';
import { createRedisStore } from './redis.js';
import type { Store } from './store.js';

export type { Store, StreamEntry, TtlOption } from './store.js';
export { StoreError } from './errors.js';
export { parseRedisUrl, type RedisTarget } from './redis-url.js';

export interface CreateStoreOptions {
  /** redis://, rediss://, redis+sentinel://, redis+cluster://; absent or empty → in-memory store. */
  redisUrl?: string | undefined;
  /** Namespace for every key (Redis default "neid:"). */
  keyPrefix?: string | undefined;
  logger?: Logger | undefined;
  /** Bounds of the in-memory store (ignored for Redis). */
  memory?: MemoryStoreOptions;
}

export const IN_MEMORY_WARNING = 'IN-MEMORY STORE: single process only, state lost on restart, not for production';

let warnedWithoutLogger = false;

export function createStore(options: CreateStoreOptions = {}): Store {
  const { redisUrl, keyPrefix, logger } = options;
  if (redisUrl !== undefined && redisUrl !== '') {
    return createRedisStore({ url: redisUrl, ...(keyPrefix !== undefined && { keyPrefix }), logger });
  }
  if (logger !== undefined) {
    logger.warn({ store: 'memory' }, IN_MEMORY_WARNING);
  } else if (!warnedWithoutLogger) {
    // No logger to be loud on: a process warning reaches stderr once per process.
    warnedWithoutLogger = true;
    process.emitWarning(IN_MEMORY_WARNING, { code: 'NEID_IN_MEMORY_STORE' });
  }
  // keyPrefix is irrelevant in memory: one process owns the whole map.
  return createMemoryStore(options.memory);
}
