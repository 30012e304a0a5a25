/**
 * The state store every node shares: short-lived login state (eID sessions, PAOS/EAC state,
 * auth transactions, replay caches), counters, the eService registry and the audit stream.
 * Implementations: memory.ts (embedded default, one process) and redis.ts (production).
 * One contract suite (test/unit/session/store-contract.ts) runs against both.
 *
 * Values are strings; callers encode (JSON, base64) and encrypt personal data before storing.
 * Every operation on an unreachable backend rejects with IdpError code STORE_UNAVAILABLE.
 */

export interface TtlOption {
  /** Time to live in milliseconds; absent means no expiry. */
  ttlMs?: number;
}

export interface StreamEntry {
  /** Monotonic entry id (Redis stream id form `<ms>-<seq>`). */
  id: string;
  fields: Record<string, string>;
}

export interface Store {
  readonly kind: 'memory' | 'redis';

  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: TtlOption): Promise<void>;
  /** Sets only if the key does not exist; true when set (replay caches, single-use PSKs, locks). */
  setIfAbsent(key: string, value: string, options?: TtlOption): Promise<boolean>;
  /** Atomically replaces the value only if it currently equals `expected` (null = key absent). */
  compareAndSet(key: string, expected: string | null, value: string, options?: TtlOption): Promise<boolean>;
  /** Atomically reads and deletes (single-use tokens, personal data on delivery). */
  getAndDelete(key: string): Promise<string | null>;
  /** Deletes keys of any type; returns how many existed. */
  delete(...keys: string[]): Promise<number>;
  /** Sets a new TTL on an existing key; false when the key does not exist. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /** Remaining TTL in ms; null when the key does not exist, -1 when it has no expiry. */
  ttl(key: string): Promise<number | null>;

  /** Atomic increment (creating the key at 0); the TTL is applied only when the key is created. */
  incr(key: string, by?: number, options?: TtlOption): Promise<number>;

  hset(key: string, fields: Record<string, string>, options?: TtlOption): Promise<void>;
  hget(key: string, field: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, ...fields: string[]): Promise<number>;

  sadd(key: string, ...members: string[]): Promise<number>;
  srem(key: string, ...members: string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;

  /** Appends to an append-only stream (audit events); returns the entry id. */
  append(stream: string, fields: Record<string, string>, options?: { maxLen?: number }): Promise<string>;
  /** Reads entries with id strictly greater than `after` (default: from the start), oldest first. */
  readStream(stream: string, options?: { after?: string; count?: number }): Promise<StreamEntry[]>;

  /** Resolves when the backend answers; rejects with STORE_UNAVAILABLE otherwise (used by /readyz). */
  ping(): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
