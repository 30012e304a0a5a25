/**
 * Redis for tests: the shared test server (NEID_TEST_REDIS_URL, default redis://127.0.0.1:6379; CI
 * starts one) and private redis-server child processes for outage tests.
 *
 * A suite that needs Redis calls requireRedis() in before(): when Redis is unreachable the suite
 * FAILS with a message saying how to fix it. It is never skipped, so CI cannot go green without it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './processes.js';

export function testRedisUrl(): string {
  return process.env.NEID_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A raw client for fixtures (not the code under test): fails fast, never retries. */
function rawClient(url: string): Redis {
  return new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
}

export async function requireRedis(url = testRedisUrl()): Promise<void> {
  const client = rawClient(url);
  client.on('error', () => { /* reported through connect() below */ });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const shown = url.replace(/\/\/[^@/]*@/, '//***@');
    throw new Error(
      `Redis is required for this suite but is not reachable at ${shown} (${(err as Error).message}). ` +
        'Start one (e.g. `redis-server --save "" --appendonly no`) or set NEID_TEST_REDIS_URL.',
      { cause: err },
    );
  } finally {
    client.disconnect();
  }
}

/** A random key prefix for one test run, so parallel runs and leftovers never collide. */
export function randomPrefix(label = 'neid-test'): string {
  return `${label}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key starting with prefix (SCAN, so it never blocks the server). */
export async function deleteByPrefix(prefix: string, url = testRedisUrl()): Promise<number> {
  const client = rawClient(url);
  client.on('error', () => { /* surfaced by the command that fails */ });
  try {
    await client.connect();
    const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    client.disconnect();
  }
}

/** One port allocator for all test support (processes.ts never hands out a port twice). */
export { freePort };

export interface RedisProcessOptions {
  /** Extra redis-server arguments (e.g. --cluster-enabled yes, --sentinel). */
  args?: readonly string[];
  /** Config file given first on the command line (Sentinel needs a writable one). */
  configFile?: string;
  /** Working directory (cluster-config files land here). */
  dir?: string;
}

/** A private redis-server child process (no persistence) that tests may kill and restart. */
export class RedisProcess {
  readonly port: number;
  readonly #options: RedisProcessOptions;
  #child: ChildProcess | undefined;

  constructor(port: number, options: RedisProcessOptions = {}) {
    this.port = port;
    this.#options = options;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: RedisProcessOptions = {}): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort(), options);
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    if (this.#child !== undefined) throw new Error('redis-server already running');
    const { configFile, args = [], dir } = this.#options;
    const argv = [...(configFile === undefined ? [] : [configFile]), '--port', String(this.port), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', ...(dir === undefined ? [] : ['--dir', dir]), ...args];
    const child = spawn('redis-server', argv, { stdio: 'ignore', ...(dir !== undefined && { cwd: dir }) });
    this.#child = child;
    const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => reject(new Error(`cannot start redis-server: ${err.message}`))));
    spawnError.catch(() => { /* raced below */ });
    await Promise.race([this.#waitUntilReady(), spawnError]);
  }

  /** SIGKILL: the server vanishes without closing connections politely, like a crashed node. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT'); // a paused process must not linger
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: the server keeps its sockets but never answers (a black-holed network or a hung node). */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async #waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = rawClient(this.url);
      client.on('error', () => { /* polled */ });
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not come up: ${(err as Error).message}`, { cause: err });
      } finally {
        client.disconnect();
      }
      await sleep(25);
    }
  }
}

/** A throw-away topology of redis-server children: Cluster (3 masters) or Sentinel (master + 1 sentinel). */
export interface RedisTopology {
  url: string;
  processes: RedisProcess[];
  stop(): Promise<void>;
}

async function stopAll(processes: RedisProcess[], dir: string): Promise<void> {
  await Promise.all(processes.map((p) => p.kill()));
  rmSync(dir, { recursive: true, force: true });
}

/** Three cluster masters sharing all 16384 slots (redis-cli --cluster create), ready when cluster_state:ok. */
export async function startCluster(): Promise<RedisTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-redis-cluster-'));
  const processes: RedisProcess[] = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const node = new RedisProcess(port, {
        dir, args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'],
      });
      await node.start();
      processes.push(node);
    }
    const hosts = processes.map((p) => `127.0.0.1:${p.port}`);
    await promisify(execFile)('redis-cli', ['--cluster', 'create', ...hosts, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const states = await Promise.all(processes.map(async (p) => {
        const { stdout } = await promisify(execFile)('redis-cli', ['-p', String(p.port), 'cluster', 'info'], { timeout: 5000 });
        return /cluster_state:ok/.test(stdout);
      }));
      if (states.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('redis cluster did not reach cluster_state:ok');
      await sleep(100);
    }
    return { url: `redis+cluster://${hosts.join(',')}`, processes, stop: () => stopAll(processes, dir) };
  } catch (err) {
    await stopAll(processes, dir);
    throw err;
  }
}

/** A master and one Sentinel monitoring it as `masterName` (quorum 1). */
export async function startSentinel(masterName = 'neidmaster'): Promise<RedisTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-redis-sentinel-'));
  const processes: RedisProcess[] = [];
  try {
    const master = await RedisProcess.start({ dir });
    processes.push(master);
    const configFile = join(dir, 'sentinel.conf');
    writeFileSync(configFile, `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1\n`);
    const sentinel = new RedisProcess(await freePort(), { dir, configFile, args: ['--sentinel'] });
    await sentinel.start();
    processes.push(sentinel);
    return { url: `redis+sentinel://127.0.0.1:${sentinel.port}/${masterName}`, processes, stop: () => stopAll(processes, dir) };
  } catch (err) {
    await stopAll(processes, dir);
    throw err;
  }
}

/**
 * A TCP proxy between a client under test and Redis that can lose replies: with dropReplies on, the
 * first reply bytes from Redis are swallowed and the client connection is torn down, i.e. the
 * command ran on the server but its caller never heard back (the ambiguous-outcome case).
 */
export class FlakyProxy {
  dropReplies = false;
  #port = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(upstreamPort: number) {
    this.#server = createServer((client) => {
      const upstream = connect(upstreamPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.once('close', () => this.#sockets.delete(s));
      }
      client.on('data', (chunk) => upstream.write(chunk));
      upstream.on('data', (chunk) => {
        if (this.dropReplies) {
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(chunk);
      });
      const end = (): void => { client.destroy(); upstream.destroy(); };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.#port}`;
  }

  static async start(upstreamPort: number): Promise<FlakyProxy> {
    const proxy = new FlakyProxy(upstreamPort);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = proxy.#server.address();
    proxy.#port = typeof address === 'object' && address !== null ? address.port : 0;
    return proxy;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
