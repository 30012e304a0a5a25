/**
 * Listening and graceful shutdown. On SIGTERM the node first fails /readyz, stops accepting
 * connections, lets in-flight requests finish for shutdown.graceMs, then closes what is left.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface ListenOptions {
  host: string;
  port: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export async function listen(app: Express, options: ListenOptions): Promise<Server> {
  const server = createServer({ requestTimeout: options.requestTimeoutMs, headersTimeout: Math.min(options.requestTimeoutMs, 20_000) }, app);
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.maxHeadersCount = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Closes a server: idle keep-alive sockets at once, busy ones after `graceMs`. */
export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
