/**
 * The state store every node shares: short-lived login state (eID sessions, PAOS/EAC state,
 * auth transactions, replay caches), counters, the eService registry and the audit stream.
 * Implementations: memory.ts (embedded default, one process) and redis.ts (production).
 * One contract suite (test/unit/session/store-contract.ts) runs against both.
 *
 * Values are strings; callers encode (JSON, base64) and encrypt personal data before storing.
 * Keys, values, field names and members must be well-formed Unicode strings (no lone surrogates);
 * keys are non-empty. Both implementations behave identically (Redis data-type rules):
 *
 * - Every operation on an unreachable (or closed) backend rejects with StoreError STORE_UNAVAILABLE,
 *   fast (no queueing while disconnected). Commands are sent at most once: after STORE_UNAVAILABLE a
 *   write may or may not have been applied, so callers treat the step as failed (fail closed).
 * - Operations called concurrently (in one process or across nodes) are each atomic.
 * - A key holds one type: string (get/set/…/incr), hash, set or stream. Using a key with an operation
 *   of another type rejects with STORE_WRONG_TYPE; `set`, `delete`, `expire` and `ttl` work on any type.
 * - A hash or set whose last field/member is removed no longer exists (ttl → null).
 * - Invalid arguments (empty key, TTL not a positive integer, malformed stream id, lone surrogate,
 *   no fields) reject with STORE_ARGUMENT_INVALID before anything is written.
 * - The memory store rejects with STORE_FULL when its key or per-key item bound is reached.
 *
 * Every operation addresses one key except `delete(...keys)`, so all work on Redis Cluster.
 */

export interface TtlOption {
  /**
   * Time to live in milliseconds (positive integer). For set/setIfAbsent/compareAndSet, absent means
   * no expiry (an existing TTL is dropped, as Redis SET does); for incr and hset see there.
   */
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

  /**
   * Atomic increment by `by` (safe integer, default 1), creating the key at 0; the TTL is applied only
   * when the key is created (fixed windows), an existing TTL is kept. A value that is not a canonical
   * integer, or a result beyond ±(2^53 − 1), rejects with STORE_VALUE_INVALID.
   */
  incr(key: string, by?: number, options?: TtlOption): Promise<number>;

  /** Sets fields (at least one). With ttlMs the key's TTL is (re)set atomically; without, it is kept. */
  hset(key: string, fields: Record<string, string>, options?: TtlOption): Promise<void>;
  hget(key: string, field: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** Returns how many fields existed; no fields → 0. */
  hdel(key: string, ...fields: string[]): Promise<number>;

  /** Returns how many members were new; no members → 0. */
  sadd(key: string, ...members: string[]): Promise<number>;
  srem(key: string, ...members: string[]): Promise<number>;
  /** Members in no particular order. */
  smembers(key: string): Promise<string[]>;

  /**
   * Appends to an append-only stream (audit events; at least one field); returns the entry id, strictly
   * greater than every earlier id of the stream. With maxLen the stream is trimmed to at least the
   * newest maxLen entries (Redis trims approximately, MAXLEN ~, so more may remain; memory trims exactly).
   */
  append(stream: string, fields: Record<string, string>, options?: { maxLen?: number }): Promise<string>;
  /**
   * Reads entries with id strictly greater than `after` (a full `<ms>-<seq>` id; default: from the start),
   * oldest first, at most `count` (positive integer) of them. A missing stream reads as empty.
   */
  readStream(stream: string, options?: { after?: string; count?: number }): Promise<StreamEntry[]>;

  /** Resolves when the backend answers; rejects with STORE_UNAVAILABLE otherwise (used by /readyz). */
  ping(): Promise<void>;
  /** Releases connections and timers; later calls reject with STORE_UNAVAILABLE. Idempotent. */
  close(): Promise<void>;
}
