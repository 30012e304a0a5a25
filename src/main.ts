/**
 * Process entry (`neid serve`): configuration → logger → store → registry → (development material) →
 * listeners: the browser front (HTTP), the TLS-2 eID endpoint (TLS-PSK + PAOS), the SOAP eID-Interface
 * (mutual TLS), in development the reference eID client; and the orderly way back on SIGTERM/SIGINT.
 * Exit codes: 0 clean stop, 1 runtime failure, 2 configuration error.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createApp, type AppRouters } from './app.js';
import { AuditLog } from './audit/audit-log.js';
import { storeDataKey } from './config/dev-secrets.js';
import { ConfigError } from './config/errors.js';
import { loadConfig, type Config } from './config/load.js';
import { bootstrapDev, type DevMaterial } from './dev/bootstrap.js';
import { eidRouter } from './eid/eid-router.js';
import { createEidServer, type EidServer } from './eid/eid-server.js';
import { ReturnUrls } from './eid/return-urls.js';
import { createServiceTerminals } from './eid/terminals.js';
import { keyDirOf } from './keys/key-dir.js';
import { createOidcFront } from './oidc/provider.js';
import { samlContinueUrl, samlRouter } from './saml/router.js';
import { createSamlDeps } from './saml/setup.js';
import { createMetrics } from './http/metrics.js';
import { boundPort, closeGracefully, listen } from './http/server.js';
import { importServices, RegistryFileError } from './services/import.js';
import { ServiceRegistry } from './services/registry.js';
import { EidSessions } from './session/eid-session.js';
import { SealedBox } from './session/sealed-box.js';
import { createStore } from './session/store/index.js';
import { createLogger, type Logger } from './shared/logger.js';
import { listenSoapInterface, type SoapListener } from './soap/listener.js';

/** Development fixtures (test/ is not part of production images; dev mode only). */
export const DEV_FIXTURES = {
  person: 'test/fixtures/persons/tw-citizen.json',
  soapClientCertificate: 'test/fixtures/demo-eservices/demo-soap-client.crt.pem',
  soapClientKey: 'test/fixtures/demo-eservices/demo-soap-client.key.pem',
  samlSigningKey: 'test/fixtures/demo-eservices/demo-saml-signing.key.pem',
  samlEncryptionKey: 'test/fixtures/demo-eservices/demo-saml-encryption.key.pem',
  oidcSigningKey: 'test/fixtures/demo-eservices/demo-oidc-signing.key.pem',
  oidcEncryptionKey: 'test/fixtures/demo-eservices/demo-oidc-encryption.key.pem',
} as const;

export const EID_CLIENT_PORT = 24727;

export interface StartOptions {
  /** Development: port of the reference eID client started with the sample card; null: none. Default: dev.eidClientPort. */
  eidClientPort?: number | null;
}

export interface RunningIdp {
  config: Config;
  logger: Logger;
  servers: { http: Server; eid: EidServer; soap: SoapListener; eidClient?: { port: number; close(): Promise<void> }; demoSp?: Server };
  dev?: DevMaterial;
  stop(): Promise<void>;
}

function readPem(file: string, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`${key}: cannot read ${file} (${(cause as Error).message})`);
  }
}

export async function start(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningIdp> {
  const store = createStore({ redisUrl: config.store.redisUrl || undefined, keyPrefix: config.store.keyPrefix, logger });
  const registry = new ServiceRegistry(store);
  if (config.registry.importOnStart) {
    const summary = await importServices(registry, { dir: config.registry.dir, by: 'config' });
    logger.info({ created: summary.created.length, updated: summary.updated.length, unchanged: summary.unchanged.length }, `eService registry imported from ${config.registry.dir}`);
  }

  let dev: DevMaterial | undefined;
  if (config.dev.enabled) {
    const started = Date.now();
    dev = await bootstrapDev({
      dataDir: config.dev.dataDir, registry, publicUrl: config.publicUrl, logger,
      personFile: DEV_FIXTURES.person, soapClientCertificateFile: DEV_FIXTURES.soapClientCertificate,
    });
    logger.info({ dataDir: config.dev.dataDir, generated: dev.generated, ms: Date.now() - started }, dev.generated.length === 0 ? 'development material reused' : 'development material generated');
  }
  const pem = (file: string, key: string, fallback: string | undefined): string => {
    if (file !== '') return readPem(file, key);
    if (fallback === undefined) throw new ConfigError(`${key}: required when dev.enabled is false`);
    return fallback;
  };
  const eidTls = { key: pem(config.eid.tlsKey, 'eid.tlsKey', dev?.eidTls.key), cert: pem(config.eid.tlsCert, 'eid.tlsCert', dev?.eidTls.cert) };
  const soapTls = { key: pem(config.soap.tlsKey, 'soap.tlsKey', dev?.soapTls.key), cert: pem(config.soap.tlsCert, 'soap.tlsCert', dev?.soapTls.cert) };
  const soapWss = { key: pem(config.soap.wssKey, 'soap.wssKey', dev?.soapWss.key), cert: pem(config.soap.wssCert, 'soap.wssCert', dev?.soapWss.cert) };

  const box = new SealedBox(storeDataKey(config));
  const sessions = new EidSessions({ store, box, timeouts: config.eid.session });
  const terminals = createServiceTerminals({
    registry, pkiDir: config.eid.pkiDir !== '' ? config.eid.pkiDir : join(config.dev.dataDir, 'pki'),
    ...(dev ? { resolvePath: dev.resolvePath } : {}), allowTesting: config.dev.enabled,
  });
  logger.info(terminals.pki().summary, 'eID-Server PKI directory loaded');
  const returnUrls = new ReturnUrls(store, config.eid.session.lifetimeMs);

  const clientCa: string[] = [...(config.soap.clientCaFile === '' ? [] : [readPem(config.soap.clientCaFile, 'soap.clientCaFile')]), ...(dev?.soapClientCa ?? [])];
  // A registered client certificate is its own trust anchor: the registration decides, not a CA.
  for (const s of await registry.list()) if (s.protocols.soap?.clientCertificate !== undefined) clientCa.push(s.protocols.soap.clientCertificate);
  if (clientCa.length === 0) logger.warn('SOAP eID-Interface: no client CA and no registered client certificate; no eService can connect');

  const metrics = createMetrics();
  // One audit trail for every front (store stream `audit` + pino records; src/audit).
  const audit = new AuditLog({ store, logger, metrics });
  let shuttingDown = false;
  const saml = createSamlDeps({ config, store, box, sessions, registry, logger, audit });
  const keyDir = keyDirOf(config);
  const oidc = createOidcFront({
    publicUrl: config.publicUrl, store, box, dataKey: storeDataKey(config), registry, eidSessions: sessions,
    authTransactions: saml.transactions, keysDir: keyDir.dir, generateKeys: keyDir.generate, allowTesting: config.dev.enabled,
    logger, eidClientUrl: config.eid.clientUrl, ttl: config.oidc, allowLoopbackTargets: config.dev.enabled, audit,
  });
  const routers: AppRouters = {
    eid: eidRouter({
      sessions, paosUrl: config.eid.publicUrl, publicUrl: config.publicUrl,
      // RefreshAddress (TR-03124-1 §2.5.4): back to the front that opened the eID session.
      returnTo: async (session) => {
        switch (session.request.front) {
          // tr03124-1 §2.5.4: the demo's own return URL, else the eService's registered refreshAddress with the result.
          case 'soap': return returnUrls.target(session.id, (await registry.find(session.serviceId))?.protocols.soap?.refreshAddress, sessions);
          case 'saml': return samlContinueUrl(config.publicUrl, session);
          default: return oidc.returnTo(session);
        }
      },
    }),
    saml: samlRouter(saml),
    oidc: oidc.router,
  };

  const eid = await createEidServer({ host: config.eid.host, port: config.eid.port, key: eidTls.key, cert: eidTls.cert, sessions, terminals: terminals.provider, logger });
  const soap = await listenSoapInterface({
    host: config.soap.host, port: config.soap.port, key: soapTls.key, cert: soapTls.cert, clientCa, registry, logger,
    sessions, signer: soapWss, terminalChat: (s) => terminals.terminalChat(s), replayStore: store, eCardServerAddress: config.eid.publicUrl,
    allowTesting: config.dev.enabled, audit,
  });
  if (dev) {
    const { demoSoapRouter } = await import('./demo/soap-demo-router.js');
    routers.demo = demoSoapRouter({
      store, registry, returnUrls, publicUrl: config.publicUrl, serviceId: 'demo-soap',
      soap: {
        url: `https://localhost:${soap.port}/eID`,
        tls: { key: readPem(DEV_FIXTURES.soapClientKey, 'demo'), cert: readPem(DEV_FIXTURES.soapClientCertificate, 'demo'), ca: soapTls.cert, servername: 'localhost' },
        wss: { key: readPem(DEV_FIXTURES.soapClientKey, 'demo'), cert: readPem(DEV_FIXTURES.soapClientCertificate, 'demo') },
        serverWssCert: soapWss.cert,
      },
      eidClientUrl: config.eid.clientUrl, logger,
    });
  }
  let demoSp: Server | undefined;
  if (dev && config.dev.demoSpPort !== 0) demoSp = await startDemoSamlSp(config, saml, oidc.issuer, logger);
  let eidClient: { port: number; close(): Promise<void> } | undefined;
  // StartOptions wins over dev.eidClientPort (0 = off).
  const configured = config.dev.eidClientPort === 0 ? null : config.dev.eidClientPort;
  const clientPort = options.eidClientPort === undefined ? configured : options.eidClientPort;
  if (dev?.cardFile !== undefined && clientPort !== null) {
    const { startEidClientServer } = await import('../tools/eid-client/server.js');
    try {
      eidClient = await startEidClientServer({ port: clientPort, cardFile: dev.cardFile, headless: false, allowHttpLoopback: true, logger });
      logger.info({ listener: 'eid-client', port: eidClient.port, card: dev.cardFile }, `reference eID client (sample card, PIN 123456) on http://127.0.0.1:${eidClient.port}/eID-Client`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      logger.warn({ port: clientPort }, `port ${clientPort} is taken (another eID client?): the reference eID client was not started`);
    }
  }

  const app = createApp({ config, logger, store, metrics, isShuttingDown: () => shuttingDown, routers });
  const http = await listen(app, { host: config.http.host, port: config.http.port, requestTimeoutMs: config.http.requestTimeoutMs, keepAliveTimeoutMs: config.http.keepAliveTimeoutMs });
  logger.info({ port: boundPort(http), store: store.kind, profile: config.profile, dev: config.dev.enabled }, `IdP front listening on ${config.publicUrl}`);
  logger.info({ listener: 'eid', port: eid.port, paos: config.eid.publicUrl }, `TLS-2 eID endpoint (TLS-PSK, PAOS) listening on ${config.eid.host}:${eid.port}`);
  logger.info({ listener: 'soap', port: soap.port, clientAnchors: clientCa.length }, `SOAP eID-Interface (mutual TLS) listening on https://${config.soap.host}:${soap.port}/eID`);
  if (dev) logger.info({ listener: 'demo' }, `demo eService (SOAP login): ${config.publicUrl.replace(/\/+$/, '')}/demo`);

  return {
    config,
    logger,
    servers: { http, eid, soap, ...(eidClient ? { eidClient } : {}), ...(demoSp ? { demoSp } : {}) },
    ...(dev ? { dev } : {}),
    async stop() {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.info('shutting down: draining in-flight requests');
      await Promise.all([closeGracefully(http, config.shutdown.graceMs), eid.close(), soap.close(), eidClient?.close(), demoSp ? closeGracefully(demoSp, 1000) : undefined]);
      await store.close();
      logger.info('stopped');
    },
  };
}

/**
 * Development: the demo SAML SP of config/services/demo-saml.yaml and the demo OpenID RP of
 * config/services/demo-oidc.yaml on their own origin (port dev.demoSpPort, where they are registered).
 */
async function startDemoSamlSp(config: Config, saml: ReturnType<typeof createSamlDeps>, oidcIssuer: string, logger: Logger): Promise<Server | undefined> {
  const { default: express } = await import('express');
  const { demoSamlSpRouter } = await import('./saml/demo/demo-sp-router.js');
  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: config.http.bodyLimitBytes }));
  const { demoOidcRpRouter } = await import('./oidc/demo/demo-rp-router.js');
  const oidcBase = `http://localhost:${config.dev.demoSpPort}/demo-oidc`;
  app.use('/demo-oidc', demoOidcRpRouter({
    baseUrl: oidcBase, issuer: oidcIssuer, clientId: 'demo-oidc', allowInsecureRequests: oidcIssuer.startsWith('http:'),
    signingKeyPem: readPem(DEV_FIXTURES.oidcSigningKey, 'demo'), signingKid: 'demo-oidc-sig-1',
    encryptionKeyPem: readPem(DEV_FIXTURES.oidcEncryptionKey, 'demo'), encryptionKid: 'demo-oidc-enc-1',
  }));
  const base = `http://localhost:${config.dev.demoSpPort}/demo-saml`;
  app.use('/demo-saml', demoSamlSpRouter({
    baseUrl: base, idpSsoUrl: `${config.publicUrl.replace(/\/+$/, '')}/saml/sso`,
    idpSigningCertificates: () => saml.keys.published('saml-signing').map((k) => k.certificatePem),
    idpEncryptionCertificate: () => saml.keys.current('saml-encryption').certificatePem,
    signingKeyPem: readPem(DEV_FIXTURES.samlSigningKey, 'demo'), encryptionKeyPem: readPem(DEV_FIXTURES.samlEncryptionKey, 'demo'),
    attributes: [
      { name: 'ChineseName', required: true }, { name: 'DateOfBirth', required: true }, { name: 'Sex', required: false },
      { name: 'RestrictedID', required: true }, { name: 'AgeVerification', required: true, value: '18' },
    ],
  }));
  try {
    const server = await listen(app, { host: '127.0.0.1', port: config.dev.demoSpPort, requestTimeoutMs: config.http.requestTimeoutMs, keepAliveTimeoutMs: config.http.keepAliveTimeoutMs });
    logger.info({ listener: 'demo-saml-sp', port: boundPort(server) }, `demo SAML SP: ${base}/`);
    logger.info({ listener: 'demo-oidc-rp', port: boundPort(server) }, `demo OpenID RP: ${oidcBase}/`);
    return server;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    logger.warn({ port: config.dev.demoSpPort }, 'demo SAML SP port taken: the demo SP was not started');
    return undefined;
  }
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
  // Handlers first: a SIGTERM while the listeners are still coming up must stop cleanly too.
  let running: RunningIdp | undefined;
  let stopRequested = false;
  const stopNow = (): void => {
    running?.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received');
    stopRequested = true;
    stopNow();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
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
  if (stopRequested) stopNow();
}
