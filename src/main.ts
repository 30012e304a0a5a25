/**
 * Process entry (`neid serve`): configuration → logger → store → registry → listeners, and the
 * orderly way back on SIGTERM/SIGINT. Exit codes: 0 clean stop, 1 runtime failure, 2 configuration error.
 */
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { ConfigError } from './config/errors.js';
import { loadConfig, type Config } from './config/load.js';
import { createMetrics } from './http/metrics.js';
import { boundPort, closeGracefully, listen } from './http/server.js';
import { importServices, RegistryFileError } from './services/import.js';
import { ServiceRegistry } from './services/registry.js';
import { createStore } from './session/store/index.js';
import { createLogger, type Logger } from './shared/logger.js';

export interface RunningIdp {
  config: Config;
  logger: Logger;
  servers: { http: Server };
  stop(): Promise<void>;
}

export async function start(config: Config, logger: Logger): Promise<RunningIdp> {
  const store = createStore({ redisUrl: config.store.redisUrl || undefined, keyPrefix: config.store.keyPrefix, logger });
  const registry = new ServiceRegistry(store);
  if (config.registry.importOnStart) {
    const summary = await importServices(registry, { dir: config.registry.dir, by: 'config' });
    logger.info({ created: summary.created.length, updated: summary.updated.length, unchanged: summary.unchanged.length }, `eService registry imported from ${config.registry.dir}`);
  }
  const metrics = createMetrics();
  let shuttingDown = false;
  const app = createApp({ config, logger, store, metrics, isShuttingDown: () => shuttingDown });
  const http = await listen(app, { host: config.http.host, port: config.http.port, requestTimeoutMs: config.http.requestTimeoutMs, keepAliveTimeoutMs: config.http.keepAliveTimeoutMs });
  logger.info({ port: boundPort(http), store: store.kind, profile: config.profile, dev: config.dev.enabled }, `IdP front listening on ${config.publicUrl}`);
  return {
    config,
    logger,
    servers: { http },
    async stop() {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.info('shutting down: draining in-flight requests');
      await closeGracefully(http, config.shutdown.graceMs);
      await store.close();
      logger.info('stopped');
    },
  };
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`neid: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.log.level });
  let running: RunningIdp;
  try {
    running = await start(config, logger);
  } catch (err) {
    // A malformed registry file is a configuration error too: exit 2 with the file, field and problem.
    if (err instanceof ConfigError || err instanceof RegistryFileError) {
      process.stderr.write(`neid: ${(err as Error).message}\n`);
      process.exit(2);
    }
    logger.fatal({ err }, 'start failed');
    process.exit(1);
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received');
    running.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
