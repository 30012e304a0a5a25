/** Child processes for end-to-end tests: a free port, the neid CLI, a private redis-server, a front proxy. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Ports already handed out in this test process: the OS may give a just-closed port again. */
const handedOut = new Set<number>();

/**
 * A port nothing listens on now and that this process has not handed out before (several ports
 * are taken before any is bound, so two of them must never coincide).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probeFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

async function probeFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, ['bin/neid.mjs', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (d: Buffer) => stdout.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout, stderr, exited };
}

/** Structured (pino JSON) log records printed so far. */
export function logRecords(spawned: Spawned): Record<string, unknown>[] {
  return spawned.stdout.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function httpStatus(url: string): Promise<number | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  if (res === undefined) return undefined;
  await res.arrayBuffer();
  return res.status;
}

/** A private redis-server (the machine's Redis is left alone); fails loudly if the binary is missing. */
export function startRedis(port: number): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'neid-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  child.on('error', (err) => { throw new Error(`redis-server could not be started (install redis-server): ${err.message}`); });
  return child;
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await done;
}

export interface FrontProxy {
  port: number;
  url: string;
  /** Upstream ports in order of preference (change it between requests to pick the node). */
  upstreams: number[];
  /** Upstream port that answered each proxied request, in order. */
  served: number[];
  close(): Promise<void>;
}

/**
 * The public URL in front of several processes, as a load balancer with failover: each HTTP request
 * (Host header kept) goes to the first port of `upstreams` that accepts the connection; 502 when none does.
 */
export async function startFrontProxy(upstreams: readonly number[]): Promise<FrontProxy> {
  const proxy: FrontProxy = { port: 0, url: '', upstreams: [...upstreams], served: [], close: async () => undefined };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const order = [...proxy.upstreams];
      const attempt = (i: number): void => {
        const port = order[i];
        if (port === undefined) {
          res.writeHead(502).end();
          return;
        }
        const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: false }, (reply) => {
          proxy.served.push(port);
          res.writeHead(reply.statusCode ?? 502, reply.rawHeaders);
          reply.pipe(res);
        });
        // Only a refused connection fails over (the request never reached that node).
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ECONNREFUSED') attempt(i + 1);
          else res.destroy(err);
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return proxy;
}
