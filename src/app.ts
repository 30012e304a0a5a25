/**
 * Builds the browser-facing Express app without listening (tests use it with supertest; main.ts
 * listens). The mount table below is the map of the front: every protocol has one line.
 */
import express, { type Express, type Router } from 'express';
import type { Config } from './config/load.js';
import { accessLog } from './http/access-log.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { healthRouter } from './http/health.js';
import type { Metrics } from './http/metrics.js';
import { requestId } from './http/request-id.js';
import { securityHeaders } from './http/security-headers.js';
import type { Store } from './session/store/store.js';
import type { Logger } from './shared/logger.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  store: Store;
  metrics: Metrics;
  /** True once SIGTERM was received: /readyz fails so the load balancer drains this node. */
  isShuttingDown: () => boolean;
  /** Protocol fronts, built by main.ts (each front's factory lives in its own directory). */
  routers?: AppRouters;
}

export interface AppRouters {
  eid?: Router;
  saml?: Router;
  /** oidc-provider parses its own bodies, so it is mounted before the app's body parsers. */
  oidc?: Router;
  demo?: Router;
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, metrics, store } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.http.trustProxyHops === 0 ? false : config.http.trustProxyHops);
  app.set('query parser', 'simple'); // no nested objects from query strings

  app.use(requestId());
  app.use(accessLog(logger, metrics));
  app.use(securityHeaders());
  const r = deps.routers ?? {};
  if (r.oidc) app.use('/oidc', r.oidc);                                         // oidc-core, rfc9126 PAR, rfc9449 DPoP (src/oidc/configuration.ts)
  app.use(express.urlencoded({ extended: false, limit: config.http.bodyLimitBytes, parameterLimit: 100 }));
  app.use(express.json({ limit: config.http.bodyLimitBytes, strict: true }));

  //      path        router                                                      spec
  app.use('/',        healthRouter({ store, metrics, storeTimeoutMs: config.readiness.storeTimeoutMs, isShuttingDown: deps.isShuttingDown }));
  if (r.eid)  app.use('/',     r.eid);                                            // tr03124-1 §2.4 TC Token, §2.5.4 RefreshAddress
  if (r.saml) app.use('/',     r.saml);                                           // saml-bindings §3.4/§3.5, saml-metadata; TR-03130-1 §4
  if (r.demo) app.use('/demo', r.demo);                                           // dev: demo eService (SOAP eID-Interface)

  app.use(notFound());
  app.use(errorHandler(logger, metrics));
  return app;
}
