/** Builds the app with the embedded defaults and an in-memory store, for supertest. */
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/load.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createStore } from '../../src/session/store/index.js';
import type { Store } from '../../src/session/store/store.js';
import { createLogger } from '../../src/shared/logger.js';

export function testConfig(env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ env: { NODE_ENV: 'test', ...env } });
}

export function testApp(options: { config?: Config; store?: Store; shuttingDown?: () => boolean } = {}) {
  const config = options.config ?? testConfig();
  const store = options.store ?? createStore({});
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ level: 'silent' });
  const app = createApp({ config, logger, store, metrics, isShuttingDown: options.shuttingDown ?? (() => false) });
  return { app, store, metrics, config };
}
