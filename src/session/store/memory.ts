/**
 * In-memory Store for the embedded single-process mode (`npm start` without Redis) and tests.
 *
 * It reproduces what the Redis store does, observably: the same data types and WRONGTYPE rule,
 * the same INCR integer rule, `<ms>-<seq>` stream ids, empty hashes and sets vanishing like Redis
 * aggregates do, and millisecond TTLs with Redis' "expired when now > deadline" rule. Expiry is
 * lazy (checked on every access) plus a periodic sweep on an unref'd timer so expired keys do not
 * pile up. Every call is synchronous inside one event-loop turn, which makes each operation atomic.
 *
 * Bounds (STORE_FULL) keep an exposed dev server from being exhausted silently: a maximum number of
 * keys and a maximum number of items (hash fields, set members, stream entries) per key.
 *
 * @spec redis-commands SET, GETDEL, INCRBY, PEXPIRE, PTTL, HSET, SADD, XADD, XRANGE (semantics mirrored)
 */
import {
  checkIncrement, checkKey, checkPositiveInt, checkString, checkStrings, checkTtlMs, fieldEntries, parseStreamId, ttlOf,
} from './arguments.js';
import { notAnInteger, StoreError, unavailable, wrongType } from './errors.js';
import type { Store, StreamEntry, TtlOption } from './store.js';

export interface MemoryStoreOptions {
  /** Maximum number of live keys (default 100 000). */
  maxKeys?: number;
  /** Maximum hash fields, set members or stream entries in one key (default 100 000). */
  maxItemsPerKey?: number;
  /** How often expired keys are swept, in ms (default 1000). Lazy expiry applies regardless. */
  sweepIntervalMs?: number;
  /** Time source in ms since the epoch (default Date.now); injectable for tests. */
  now?: () => number;
}

type Value =
  | { type: 'string'; data: string }
  | { type: 'hash'; data: Map<string, string> }
  | { type: 'set'; data: Set<string> }
  | { type: 'stream'; data: StoredEntry[]; lastMs: bigint; lastSeq: bigint };

interface StoredEntry { ms: bigint; seq: bigint; fields: [string, string][] }

interface Slot { value: Value; /** Absolute deadline in ms, or null for no expiry. */ expiresAt: number | null }

const DEFAULTS = { maxKeys: 100_000, maxItemsPerKey: 100_000, sweepIntervalMs: 1000 } as const;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** Redis string2ll accepts exactly this: no sign '+', no leading zeros, no spaces, no "-0". */
const REDIS_INTEGER = /^(0|-?[1-9][0-9]{0,19})$/;

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;

  readonly #slots = new Map<string, Slot>();
  readonly #maxKeys: number;
  readonly #maxItems: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? DEFAULTS.maxKeys;
    this.#maxItems = options.maxItemsPerKey ?? DEFAULTS.maxItemsPerKey;
    this.#now = options.now ?? Date.now;
    checkPositiveInt('create', 'maxKeys', this.#maxKeys);
    checkPositiveInt('create', 'maxItemsPerKey', this.#maxItems);
    const sweepMs = options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs;
    checkPositiveInt('create', 'sweepIntervalMs', sweepMs);
    // unref: the sweep must never keep a process (or a test run) alive.
    this.#timer = setInterval(() => this.sweep(), sweepMs).unref();
  }

  /** Number of keys held, including expired ones the sweep has not removed yet; for metrics and tests. */
  size(): number {
    return this.#slots.size;
  }

  /** Removes every expired key now. */
  sweep(): void {
    const now = this.#now();
    for (const [key, slot] of this.#slots) if (slot.expiresAt !== null && now > slot.expiresAt) this.#slots.delete(key);
  }

  async get(key: string): Promise<string | null> {
    this.#open('get');
    checkKey('get', key);
    return this.#string('get', key);
  }

  async set(key: string, value: string, options?: TtlOption): Promise<void> {
    this.#open('set');
    checkKey('set', key);
    checkString('set', 'value', value);
    const ttlMs = ttlOf('set', options);
    // Redis SET replaces a key of any type and drops its old TTL.
    this.#put('set', key, { type: 'string', data: value }, ttlMs);
  }

  async setIfAbsent(key: string, value: string, options?: TtlOption): Promise<boolean> {
    this.#open('setIfAbsent');
    checkKey('setIfAbsent', key);
    checkString('setIfAbsent', 'value', value);
    const ttlMs = ttlOf('setIfAbsent', options);
    if (this.#live(key) !== undefined) return false;
    this.#put('setIfAbsent', key, { type: 'string', data: value }, ttlMs);
    return true;
  }

  async compareAndSet(key: string, expected: string | null, value: string, options?: TtlOption): Promise<boolean> {
    this.#open('compareAndSet');
    checkKey('compareAndSet', key);
    if (expected !== null) checkString('compareAndSet', 'expected value', expected);
    checkString('compareAndSet', 'value', value);
    const ttlMs = ttlOf('compareAndSet', options);
    if (this.#string('compareAndSet', key) !== expected) return false;
    this.#put('compareAndSet', key, { type: 'string', data: value }, ttlMs);
    return true;
  }

  async getAndDelete(key: string): Promise<string | null> {
    this.#open('getAndDelete');
    checkKey('getAndDelete', key);
    const value = this.#string('getAndDelete', key);
    if (value !== null) this.#slots.delete(key);
    return value;
  }

  async delete(...keys: string[]): Promise<number> {
    this.#open('delete');
    for (const key of keys) checkKey('delete', key);
    let n = 0;
    // A key listed twice counts once, as in Redis DEL.
    for (const key of keys) if (this.#live(key) !== undefined && this.#slots.delete(key)) n += 1;
    return n;
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    this.#open('expire');
    checkKey('expire', key);
    checkTtlMs('expire', ttlMs);
    const slot = this.#live(key);
    if (slot === undefined) return false;
    slot.expiresAt = this.#now() + ttlMs;
    return true;
  }

  async ttl(key: string): Promise<number | null> {
    this.#open('ttl');
    checkKey('ttl', key);
    const slot = this.#live(key);
    if (slot === undefined) return null;
    return slot.expiresAt === null ? -1 : Math.max(0, slot.expiresAt - this.#now());
  }

  async incr(key: string, by = 1, options?: TtlOption): Promise<number> {
    this.#open('incr');
    checkKey('incr', key);
    checkIncrement('incr', by);
    const ttlMs = ttlOf('incr', options);
    const current = this.#string('incr', key);
    if (current !== null && !REDIS_INTEGER.test(current)) throw notAnInteger('incr');
    const base = BigInt(current ?? '0');
    if (base < INT64_MIN || base > INT64_MAX) throw notAnInteger('incr');
    const next = base + BigInt(by);
    // Redis INCRBY works on int64; we also stop at JS safe integers, which a number can return exactly.
    if (next > BigInt(Number.MAX_SAFE_INTEGER) || next < BigInt(Number.MIN_SAFE_INTEGER)) throw notAnInteger('incr');
    const slot = this.#live(key);
    if (slot === undefined) {
      // The TTL applies only when the counter is created (fixed windows for rate limits).
      this.#put('incr', key, { type: 'string', data: next.toString() }, ttlMs);
    } else {
      slot.value = { type: 'string', data: next.toString() };
    }
    return Number(next);
  }

  async hset(key: string, fields: Record<string, string>, options?: TtlOption): Promise<void> {
    this.#open('hset');
    checkKey('hset', key);
    const entries = fieldEntries('hset', fields);
    const ttlMs = ttlOf('hset', options);
    const slot = this.#live(key);
    if (slot === undefined) {
      const data = new Map(entries);
      this.#checkItems('hset', data.size);
      this.#put('hset', key, { type: 'hash', data }, ttlMs);
      return;
    }
    if (slot.value.type !== 'hash') throw wrongType('hset');
    const map = slot.value.data;
    const added = new Set(entries.map(([f]) => f).filter((f) => !map.has(f))).size;
    this.#checkItems('hset', map.size + added);
    for (const [f, v] of entries) map.set(f, v);
    // Without ttlMs the key keeps its TTL (Redis HSET does not touch it).
    if (ttlMs !== undefined) slot.expiresAt = this.#now() + ttlMs;
  }

  async hget(key: string, field: string): Promise<string | null> {
    this.#open('hget');
    checkKey('hget', key);
    checkString('hget', 'field name', field);
    return this.#hash('hget', key)?.get(field) ?? null;
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    this.#open('hgetall');
    checkKey('hgetall', key);
    return Object.fromEntries(this.#hash('hgetall', key) ?? []);
  }

  async hdel(key: string, ...fields: string[]): Promise<number> {
    this.#open('hdel');
    checkKey('hdel', key);
    checkStrings('hdel', 'field name', fields);
    if (fields.length === 0) return 0;
    const map = this.#hash('hdel', key);
    if (map === undefined) return 0;
    let n = 0;
    for (const f of fields) if (map.delete(f)) n += 1;
    // Redis removes an aggregate key when its last element goes.
    if (map.size === 0) this.#slots.delete(key);
    return n;
  }

  async sadd(key: string, ...members: string[]): Promise<number> {
    this.#open('sadd');
    checkKey('sadd', key);
    checkStrings('sadd', 'member', members);
    // Nothing to do is answered without looking at the key, as the Redis store does.
    if (members.length === 0) return 0;
    const existing = this.#set('sadd', key);
    if (existing === undefined) {
      const data = new Set(members);
      this.#checkItems('sadd', data.size);
      this.#put('sadd', key, { type: 'set', data }, undefined);
      return data.size;
    }
    const added = new Set(members.filter((m) => !existing.has(m)));
    this.#checkItems('sadd', existing.size + added.size);
    for (const m of added) existing.add(m);
    return added.size;
  }

  async srem(key: string, ...members: string[]): Promise<number> {
    this.#open('srem');
    checkKey('srem', key);
    checkStrings('srem', 'member', members);
    if (members.length === 0) return 0;
    const set = this.#set('srem', key);
    if (set === undefined) return 0;
    let n = 0;
    for (const m of members) if (set.delete(m)) n += 1;
    if (set.size === 0) this.#slots.delete(key);
    return n;
  }

  async smembers(key: string): Promise<string[]> {
    this.#open('smembers');
    checkKey('smembers', key);
    return [...(this.#set('smembers', key) ?? [])];
  }

  async append(stream: string, fields: Record<string, string>, options?: { maxLen?: number }): Promise<string> {
    this.#open('append');
    checkKey('append', stream);
    const entries = fieldEntries('append', fields);
    const maxLen = options?.maxLen;
    if (maxLen !== undefined) checkPositiveInt('append', 'maxLen', maxLen);
    let slot = this.#live(stream);
    if (slot !== undefined && slot.value.type !== 'stream') throw wrongType('append');
    if (slot === undefined) {
      this.#put('append', stream, { type: 'stream', data: [], lastMs: 0n, lastSeq: 0n }, undefined);
      slot = this.#slots.get(stream) as Slot;
    }
    const s = slot.value as Extract<Value, { type: 'stream' }>;
    this.#checkItems('append', Math.min(s.data.length + 1, maxLen ?? Number.POSITIVE_INFINITY));
    // XADD `*`: the current ms, or the last id's ms with seq + 1 when the clock has not advanced
    // (or went backwards), so ids stay strictly increasing.
    const nowMs = BigInt(this.#now());
    const [ms, seq] = nowMs > s.lastMs ? [nowMs, 0n] : [s.lastMs, s.lastSeq + 1n];
    s.lastMs = ms;
    s.lastSeq = seq;
    s.data.push({ ms, seq, fields: entries });
    // Exact trimming; the Redis store trims approximately (MAXLEN ~), keeping at least maxLen.
    if (maxLen !== undefined && s.data.length > maxLen) s.data.splice(0, s.data.length - maxLen);
    return `${ms}-${seq}`;
  }

  async readStream(stream: string, options?: { after?: string; count?: number }): Promise<StreamEntry[]> {
    this.#open('readStream');
    checkKey('readStream', stream);
    const after = options?.after === undefined ? undefined : parseStreamId('readStream', options.after);
    const count = options?.count;
    if (count !== undefined) checkPositiveInt('readStream', 'count', count);
    const slot = this.#live(stream);
    if (slot === undefined) return [];
    if (slot.value.type !== 'stream') throw wrongType('readStream');
    const data = slot.value.data;
    let start = 0;
    if (after !== undefined) {
      // Binary search for the first entry with id > after (entries are in id order).
      let lo = 0;
      let hi = data.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const e = data[mid] as StoredEntry;
        if (e.ms < after[0] || (e.ms === after[0] && e.seq <= after[1])) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const end = count === undefined ? data.length : Math.min(data.length, start + count);
    return data.slice(start, end).map((e) => ({ id: `${e.ms}-${e.seq}`, fields: Object.fromEntries(e.fields) }));
  }

  async ping(): Promise<void> {
    this.#open('ping');
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#slots.clear();
  }

  // --- internals -------------------------------------------------------------------------------

  #open(op: string): void {
    // Same observable behaviour as a closed Redis connection.
    if (this.#closed) throw unavailable(op, 'store closed');
  }

  /** The live slot for key, deleting it when expired (lazy expiry). */
  #live(key: string): Slot | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt !== null && this.#now() > slot.expiresAt) {
      this.#slots.delete(key);
      return undefined;
    }
    return slot;
  }

  #string(op: string, key: string): string | null {
    const slot = this.#live(key);
    if (slot === undefined) return null;
    if (slot.value.type !== 'string') throw wrongType(op);
    return slot.value.data;
  }

  #hash(op: string, key: string): Map<string, string> | undefined {
    const slot = this.#live(key);
    if (slot === undefined) return undefined;
    if (slot.value.type !== 'hash') throw wrongType(op);
    return slot.value.data;
  }

  #set(op: string, key: string): Set<string> | undefined {
    const slot = this.#live(key);
    if (slot === undefined) return undefined;
    if (slot.value.type !== 'set') throw wrongType(op);
    return slot.value.data;
  }

  /** Stores value under key (replacing any slot); checks the key bound when the key is new. */
  #put(op: string, key: string, value: Value, ttlMs: number | undefined): void {
    if (this.#live(key) === undefined && this.#slots.size >= this.#maxKeys) {
      this.sweep();
      if (this.#slots.size >= this.#maxKeys) {
        throw new StoreError('STORE_FULL', `store ${op}: in-memory store holds its maximum of ${this.#maxKeys} keys`, { detail: { op } });
      }
    }
    this.#slots.set(key, { value, expiresAt: ttlMs === undefined ? null : this.#now() + ttlMs });
  }

  #checkItems(op: string, n: number): void {
    if (n > this.#maxItems) {
      throw new StoreError('STORE_FULL', `store ${op}: a key of the in-memory store may hold at most ${this.#maxItems} items`, { detail: { op } });
    }
  }
}

export function createMemoryStore(options?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(options);
}
