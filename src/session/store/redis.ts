/**
 * Store on Redis (standalone, Sentinel or Cluster) through ioredis: the production backend shared by
 * every IdP node (SPEC §3, §8 "Redis outage → clear 503s and recovery without restart").
 *
 * Atomicity: compareAndSet, incr-with-TTL-on-create and hset-with-TTL are Lua scripts (EVALSHA,
 * re-sent as EVAL after a server restart flushed the script cache), getAndDelete is GETDEL; each is
 * one command on one key, so it is atomic across nodes and valid in Cluster without hash tags.
 * Single-key operations: everything except `delete(...keys)`, which in Cluster mode is sent as one
 * DEL per key (keys of different slots cannot share a DEL; deleting is not required to be atomic).
 * No operation needs keys to share a slot, so keyPrefix is a plain prefix, never a {hash tag}.
 *
 * Failure behaviour: no offline queue (a command issued while disconnected fails at once), no
 * re-sending of a command whose connection dropped (at-most-once), a command timeout and a socket timeout (a black-holed connection is torn
 * down rather than waited on), and a reconnect strategy that never gives up, with backoff capped at
 * 1 s, so the process recovers by itself when Redis returns. Every failure surfaces as StoreError
 * STORE_UNAVAILABLE, except WRONGTYPE (STORE_WRONG_TYPE) and INCR on a non-integer
 * (STORE_VALUE_INVALID), which are bugs and not outages.
 *
 * Requires Redis ≥ 6.2 (GETDEL, exclusive XRANGE start).
 *
 * @spec redis-commands SET, GETDEL, DEL, PEXPIRE, PTTL, INCRBY, HSET, HGET, HGETALL, HDEL, SADD, SREM, SMEMBERS, XADD, XRANGE, PING
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import {
  checkIncrement, checkKey, checkPositiveInt, checkPrefix, checkString, checkStrings, checkTtlMs, fieldEntries, parseStreamId, ttlOf,
} from './arguments.js';
import { notAnInteger, StoreError, unavailable, wrongType } from './errors.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';
import type { Store, StreamEntry, TtlOption } from './store.js';

export interface RedisStoreOptions {
  /** redis://, rediss://, redis+sentinel:// or redis+cluster:// (see redis-url.ts). */
  url: string;
  /** Prepended to every key (default "neid:"); lets several deployments share one Redis. */
  keyPrefix?: string;
  logger?: Logger | undefined;
  /** Per-command reply deadline in ms (default 1500). */
  commandTimeoutMs?: number;
  /** TCP connect + handshake deadline in ms (default 2000). */
  connectTimeoutMs?: number;
}

const DEFAULTS = { keyPrefix: 'neid:', commandTimeoutMs: 1500, connectTimeoutMs: 2000 } as const;
/** Reconnect backoff: 50 ms doubling, capped at 1 s; never null, so reconnecting never stops. */
const MAX_BACKOFF_MS = 1000;
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(Math.max(attempt - 1, 0), 10), MAX_BACKOFF_MS);
}

/** Largest stream id: XRANGE cannot express "after" it, and nothing can follow it. */
const MAX_STREAM_ID = 18446744073709551615n;

// KEYS[1] key; ARGV[1] '1' when an expected value is given ('0': key must be absent); ARGV[2] expected;
// ARGV[3] new value; ARGV[4] TTL ms ('0': none). GET raises WRONGTYPE on non-strings, as the memory store does.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[4] ~= '0' then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1`;

// KEYS[1] counter; ARGV[1] increment; ARGV[2] TTL ms applied only when the counter is created ('0': none).
const INCR_WITH_TTL = `
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and ARGV[2] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

// KEYS[1] hash; ARGV[1] TTL ms; ARGV[2..] field, value pairs. HSET first: on WRONGTYPE nothing changes.
const HSET_WITH_TTL = `
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

interface ScriptCommands {
  neidCompareAndSet(key: string, hasExpected: string, expected: string, value: string, ttlMs: string): Promise<number>;
  neidIncrWithTtl(key: string, by: string, ttlMs: string): Promise<number>;
  neidHsetWithTtl(key: string, ttlMs: string, ...fieldsAndValues: string[]): Promise<number>;
}
type Client = (Redis | Cluster) & ScriptCommands;

/** ioredis ReplyError: the server answered with an error ("WRONGTYPE …", "OOM …", "LOADING …"). */
function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

/**
 * The ioredis error without its extra properties: a ReplyError carries `command.args`, i.e. the
 * keys and values, which must never reach a log through `err.cause`.
 */
function sanitised(err: unknown): Error {
  const clean = new Error(err instanceof Error ? err.message : String(err));
  clean.name = err instanceof Error ? err.name : 'Error';
  return clean;
}

/** Maps anything ioredis throws to a StoreError (no keys, no values in message, detail or cause). */
export function toStoreError(op: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  if (isReplyError(err)) {
    const msg = err.message;
    if (msg.startsWith('WRONGTYPE')) return wrongType(op);
    if (/^ERR (value is not an integer|increment or decrement would overflow)/.test(msg)) return notAnInteger(op);
    // OOM, READONLY, LOADING, MASTERDOWN, CLUSTERDOWN, TRYAGAIN, NOAUTH, WRONGPASS, NOPERM, BUSY, …
    const word = /^[A-Z]+/.exec(msg)?.[0] ?? 'ERR';
    return unavailable(op, `server replied ${word}`, sanitised(err));
  }
  const name = err instanceof Error ? err.name : 'unknown';
  const message = err instanceof Error ? err.message : String(err);
  // Connection closed, "Stream isn't writeable", "Command timed out", MaxRetriesPerRequestError,
  // ClusterAllFailedError, "All sentinels are unreachable", ECONNREFUSED, TLS failures …
  const reason = /timed out|timeout/i.test(message) ? 'timeout' : name === 'Error' ? 'connection' : name;
  return unavailable(op, reason, sanitised(err));
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly target: RedisTarget;

  readonly #client: Client;
  readonly #prefix: string;
  readonly #clustered: boolean;
  readonly #log: Logger | undefined;
  /** Connection state for logs: log the loss once per outage, not once per retry. */
  #state: 'connecting' | 'ready' | 'lost' = 'connecting';
  #lostAt = 0;
  #errorLogged = false;
  #closed = false;
  readonly #connectTimeout: number;
  /** Resolves on the first 'ready'. Until then commands wait for it (bounded), afterwards they fail fast. */
  readonly #firstReady: Promise<void>;
  #resolveFirstReady: () => void = () => {};

  constructor(options: RedisStoreOptions) {
    const prefix = options.keyPrefix ?? DEFAULTS.keyPrefix;
    checkPrefix(prefix);
    this.#prefix = prefix;
    this.#log = options.logger;
    this.target = parseRedisUrl(options.url);
    const commandTimeout = options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs;
    const connectTimeout = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    checkPositiveInt('create', 'commandTimeoutMs', commandTimeout);
    checkPositiveInt('create', 'connectTimeoutMs', connectTimeout);
    this.#connectTimeout = connectTimeout;
    this.#firstReady = new Promise((resolve) => { this.#resolveFirstReady = resolve; });

    const common = {
      enableOfflineQueue: false,
      // At most once: a command caught by a connection drop is rejected at once and never re-sent.
      // Re-sending could apply INCR twice or turn a won setIfAbsent into "false" (the first send
      // already succeeded); the caller gets STORE_UNAVAILABLE (outcome unknown) instead.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout,
      connectTimeout,
      // Destroy a socket that stops answering pending commands (black-holed network) so we reconnect.
      socketTimeout: commandTimeout * 2,
      connectionName: 'neid-idp',
      scripts: {
        neidCompareAndSet: { lua: COMPARE_AND_SET, numberOfKeys: 1 },
        neidIncrWithTtl: { lua: INCR_WITH_TTL, numberOfKeys: 1 },
        neidHsetWithTtl: { lua: HSET_WITH_TTL, numberOfKeys: 1 },
      },
    } satisfies RedisOptions;

    const t = this.target;
    if (t.mode === 'cluster') {
      const clusterOptions: ClusterOptions = {
        ...t.options,
        enableOfflineQueue: false,
        clusterRetryStrategy: (times: number) => reconnectDelay(times),
        scripts: common.scripts,
        redisOptions: {
          ...t.options.redisOptions,
          maxRetriesPerRequest: common.maxRetriesPerRequest,
          autoResendUnfulfilledCommands: common.autoResendUnfulfilledCommands,
          commandTimeout, connectTimeout, socketTimeout: common.socketTimeout, connectionName: common.connectionName,
        },
      };
      this.#client = new Cluster(t.nodes, clusterOptions) as Client;
      this.#clustered = true;
    } else {
      const redisOptions: RedisOptions = {
        ...t.options,
        ...common,
        retryStrategy: (times: number) => reconnectDelay(times),
        // Sentinel: keep trying the sentinel list as well, instead of failing for good.
        ...(t.mode === 'sentinel' && { sentinelRetryStrategy: (times: number) => reconnectDelay(times) }),
      };
      this.#client = new Redis(redisOptions) as Client;
      this.#clustered = false;
    }
    this.#watch();
  }

  async get(key: string): Promise<string | null> {
    checkKey('get', key);
    return this.#run('get', () => this.#client.get(this.#k(key)));
  }

  async set(key: string, value: string, options?: TtlOption): Promise<void> {
    checkKey('set', key);
    checkString('set', 'value', value);
    const ttlMs = ttlOf('set', options);
    const k = this.#k(key);
    await this.#run('set', () => (ttlMs === undefined ? this.#client.set(k, value) : this.#client.set(k, value, 'PX', ttlMs)));
  }

  async setIfAbsent(key: string, value: string, options?: TtlOption): Promise<boolean> {
    checkKey('setIfAbsent', key);
    checkString('setIfAbsent', 'value', value);
    const ttlMs = ttlOf('setIfAbsent', options);
    const k = this.#k(key);
    const reply = await this.#run('setIfAbsent', () =>
      ttlMs === undefined ? this.#client.set(k, value, 'NX') : this.#client.set(k, value, 'PX', ttlMs, 'NX'));
    return reply === 'OK';
  }

  async compareAndSet(key: string, expected: string | null, value: string, options?: TtlOption): Promise<boolean> {
    checkKey('compareAndSet', key);
    if (expected !== null) checkString('compareAndSet', 'expected value', expected);
    checkString('compareAndSet', 'value', value);
    const ttlMs = ttlOf('compareAndSet', options);
    const reply = await this.#run('compareAndSet', () =>
      this.#client.neidCompareAndSet(this.#k(key), expected === null ? '0' : '1', expected ?? '', value, String(ttlMs ?? 0)));
    return reply === 1;
  }

  async getAndDelete(key: string): Promise<string | null> {
    checkKey('getAndDelete', key);
    return this.#run('getAndDelete', () => this.#client.getdel(this.#k(key)));
  }

  async delete(...keys: string[]): Promise<number> {
    for (const key of keys) checkKey('delete', key);
    if (keys.length === 0) return 0;
    const unique = [...new Set(keys)].map((k) => this.#k(k));
    if (!this.#clustered) return this.#run('delete', () => this.#client.del(...unique));
    // Cluster: one DEL per key, since the keys may live in different slots.
    const counts = await Promise.all(unique.map((k) => this.#run('delete', () => this.#client.del(k))));
    return counts.reduce((a, b) => a + b, 0);
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    checkKey('expire', key);
    checkTtlMs('expire', ttlMs);
    return (await this.#run('expire', () => this.#client.pexpire(this.#k(key), ttlMs))) === 1;
  }

  async ttl(key: string): Promise<number | null> {
    checkKey('ttl', key);
    const ms = await this.#run('ttl', () => this.#client.pttl(this.#k(key)));
    // PTTL: -2 = no such key, -1 = no expiry.
    return ms === -2 ? null : ms;
  }

  async incr(key: string, by = 1, options?: TtlOption): Promise<number> {
    checkKey('incr', key);
    checkIncrement('incr', by);
    const ttlMs = ttlOf('incr', options);
    const k = this.#k(key);
    const value = await this.#run('incr', () =>
      ttlMs === undefined ? this.#client.incrby(k, by) : this.#client.neidIncrWithTtl(k, String(by), String(ttlMs)));
    // Same bound as the memory store: the result must be exact as a JS number.
    if (!Number.isSafeInteger(value)) throw notAnInteger('incr');
    return value;
  }

  async hset(key: string, fields: Record<string, string>, options?: TtlOption): Promise<void> {
    checkKey('hset', key);
    const flat = fieldEntries('hset', fields).flat();
    const ttlMs = ttlOf('hset', options);
    const k = this.#k(key);
    await this.#run('hset', () =>
      ttlMs === undefined ? this.#client.hset(k, ...flat) : this.#client.neidHsetWithTtl(k, String(ttlMs), ...flat));
  }

  async hget(key: string, field: string): Promise<string | null> {
    checkKey('hget', key);
    checkString('hget', 'field name', field);
    return this.#run('hget', () => this.#client.hget(this.#k(key), field));
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    checkKey('hgetall', key);
    // ioredis defines "__proto__"/"constructor" fields as own properties (ioredis#1267).
    return this.#run('hgetall', () => this.#client.hgetall(this.#k(key)));
  }

  async hdel(key: string, ...fields: string[]): Promise<number> {
    checkKey('hdel', key);
    checkStrings('hdel', 'field name', fields);
    if (fields.length === 0) return 0;
    return this.#run('hdel', () => this.#client.hdel(this.#k(key), ...fields));
  }

  async sadd(key: string, ...members: string[]): Promise<number> {
    checkKey('sadd', key);
    checkStrings('sadd', 'member', members);
    if (members.length === 0) return 0;
    return this.#run('sadd', () => this.#client.sadd(this.#k(key), ...members));
  }

  async srem(key: string, ...members: string[]): Promise<number> {
    checkKey('srem', key);
    checkStrings('srem', 'member', members);
    if (members.length === 0) return 0;
    return this.#run('srem', () => this.#client.srem(this.#k(key), ...members));
  }

  async smembers(key: string): Promise<string[]> {
    checkKey('smembers', key);
    return this.#run('smembers', () => this.#client.smembers(this.#k(key)));
  }

  async append(stream: string, fields: Record<string, string>, options?: { maxLen?: number }): Promise<string> {
    checkKey('append', stream);
    const flat = fieldEntries('append', fields).flat();
    const maxLen = options?.maxLen;
    if (maxLen !== undefined) checkPositiveInt('append', 'maxLen', maxLen);
    const k = this.#k(stream);
    // MAXLEN ~: trims whole radix-tree nodes only, much cheaper than exact; keeps at least maxLen.
    const id = await this.#run('append', () =>
      maxLen === undefined ? this.#client.xadd(k, '*', ...flat) : this.#client.xadd(k, 'MAXLEN', '~', maxLen, '*', ...flat));
    if (typeof id !== 'string') throw unavailable('append', 'no entry id returned');
    return id;
  }

  async readStream(stream: string, options?: { after?: string; count?: number }): Promise<StreamEntry[]> {
    checkKey('readStream', stream);
    const after = options?.after === undefined ? undefined : parseStreamId('readStream', options.after);
    const count = options?.count;
    if (count !== undefined) checkPositiveInt('readStream', 'count', count);
    const k = this.#k(stream);
    if (after !== undefined && after[0] === MAX_STREAM_ID && after[1] === MAX_STREAM_ID) {
      // Nothing can follow the largest id; still report WRONGTYPE like the memory store would.
      await this.#run('readStream', () => this.#client.xlen(k));
      return [];
    }
    // "(" = exclusive start (Redis ≥ 6.2).
    const start = after === undefined ? '-' : `(${after[0]}-${after[1]}`;
    const reply = await this.#run('readStream', () =>
      count === undefined ? this.#client.xrange(k, start, '+') : this.#client.xrange(k, start, '+', 'COUNT', count));
    return reply.map(([id, flat]) => {
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] as string, flat[i + 1] as string]);
      // fromEntries defines own properties: a field named "__proto__" stays a field.
      return { id, fields: Object.fromEntries(pairs) };
    });
  }

  async ping(): Promise<void> {
    await this.#run('ping', () => this.#client.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Release commands still waiting for the first connection.
    this.#resolveFirstReady();
    const client = this.#client;
    if (client.status === 'ready') {
      try {
        await client.quit();
        return;
      } catch {
        // Fall through: the connection went away while quitting.
      }
    }
    // disconnect() also stops the reconnect loop.
    client.disconnect();
  }

  // --- internals -------------------------------------------------------------------------------

  #k(key: string): string {
    return this.#prefix + key;
  }

  async #run<T>(op: string, command: () => Promise<T>): Promise<T> {
    if (this.#closed) throw unavailable(op, 'store closed');
    // Without an offline queue, a command sent before the very first connection is up would fail;
    // let it wait for that connection (at most connectTimeout). Later outages fail fast instead.
    if (this.#state === 'connecting') await this.#awaitFirstReady();
    if (this.#closed) throw unavailable(op, 'store closed');
    try {
      return await command();
    } catch (err) {
      throw toStoreError(op, err);
    }
  }

  async #awaitFirstReady(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.#connectTimeout); });
    try {
      await Promise.race([this.#firstReady, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Connection lifecycle logs: target (without credentials), state changes, outage length. Never keys or values. */
  #watch(): void {
    const client = this.#client;
    const target = this.target.display;
    client.on('ready', () => {
      if (this.#state === 'lost') {
        this.#log?.info({ store: target, downMs: Date.now() - this.#lostAt }, 'session store reconnected');
      } else {
        this.#log?.info({ store: target }, 'session store connected');
      }
      this.#state = 'ready';
      this.#errorLogged = false;
      this.#resolveFirstReady();
    });
    client.on('close', () => {
      if (this.#closed || this.#state !== 'ready') return;
      this.#state = 'lost';
      this.#lostAt = Date.now();
      this.#log?.error({ store: target }, 'session store connection lost; requests fail with STORE_UNAVAILABLE until it returns');
    });
    client.on('reconnecting', (delayMs: unknown) => {
      this.#log?.debug({ store: target, delayMs }, 'session store reconnecting');
    });
    // Without a listener ioredis prints every connection error to the console. Log the first error of
    // each outage (or of a failing first connect) as a warning and the repeats of every retry as debug.
    client.on('error', (err: unknown) => {
      if (this.#closed) return;
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (this.#errorLogged) {
        this.#log?.debug({ store: target, reason }, 'session store error');
      } else {
        this.#errorLogged = true;
        this.#log?.warn({ store: target, reason }, 'session store error');
      }
    });
  }
}

export function createRedisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options);
}
