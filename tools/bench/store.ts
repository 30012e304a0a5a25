/**
 * Store benchmark: the per-login store operations (set with TTL, compare-and-set, get-and-delete,
 * counter) on the in-memory store and on Redis, and Redis/memory as the ratio per operation.
 */
import { randomBytes } from 'node:crypto';
import { createStore } from '../../src/session/store/index.js';
import type { Store } from '../../src/session/store/store.js';
import { describe, measure, type Sample } from './measure.js';

async function run(store: Store, label: string, n: number): Promise<Sample[]> {
  const value = randomBytes(512).toString('base64');
  const out: Sample[] = [];
  out.push(await measure(`${label} set (ttl)`, n, (i) => store.set(`bench:${i}`, value, { ttlMs: 60_000 })));
  out.push(await measure(`${label} get`, n, (i) => store.get(`bench:${i}`)));
  out.push(await measure(`${label} compareAndSet`, n, (i) => store.compareAndSet(`bench:${i}`, value, value, { ttlMs: 60_000 })));
  out.push(await measure(`${label} incr`, n, () => store.incr('bench:counter', 1, { ttlMs: 60_000 })));
  out.push(await measure(`${label} getAndDelete`, n, (i) => store.getAndDelete(`bench:${i}`)));
  await store.delete('bench:counter');
  return out;
}

export async function benchStore(options: { redisUrl: string; operations: number; log: (line: string) => void }): Promise<void> {
  const { log, operations } = options;
  const memory = createStore({ memory: { maxKeys: operations * 2 + 10 } });
  const redis = createStore({ redisUrl: options.redisUrl, keyPrefix: `neid-bench-${randomBytes(4).toString('hex')}:` });
  try {
    await redis.ping();
    const m = await run(memory, 'memory', operations);
    const r = await run(redis, 'redis ', operations);
    for (const s of [...m, ...r]) log(describe(s));
    log('');
    m.forEach((ms, i) => {
      const rs = r[i];
      if (rs) log(`ratio redis/memory ${ms.name.replace(/^memory /, '').padEnd(16)} ${(rs.wallMs / ms.wallMs).toFixed(1)}x`);
    });
  } finally {
    await memory.close();
    await redis.close();
  }
}
