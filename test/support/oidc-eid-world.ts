/**
 * The OpenID front with the real eID step on loopback: the demo-oidc eService in a registry (memory
 * store), the front at /oidc, the eID router (TC Token, RefreshAddress back to the interaction), the
 * TLS-PSK eID server with a `tw` terminal for demo-oidc's approved rights, and the app's error handler.
 * Cards come from `eac` (issue + load); the reference eID client talks to `base`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { eidRouter } from '../../src/eid/eid-router.js';
import { createEidServer } from '../../src/eid/eid-server.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { errorHandler, notFound } from '../../src/http/error-handler.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createOidcFront, type OidcFront } from '../../src/oidc/provider.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { AuthTransactions } from '../../src/session/auth-transaction.js';
import { EidSessions } from '../../src/session/eid-session.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import { createLogger } from '../../src/shared/logger.js';
import { createWorld, terminal, terminalConfig, type World } from './eac-world.js';
import { demoOidcDefinition, EID_TIMEOUTS } from './oidc-world.js';
import { testRsaCertificate } from './rsa-cert.js';

/** What demo-oidc is approved for (config/services/demo-oidc.yaml): name, age and place checks, RI. */
export const DEMO_OIDC_RIGHTS: readonly AtRight[] = ['AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG4'];

export interface OidcEidWorld {
  eac: World;
  front: OidcFront;
  /** The eID sessions the front opens (to inspect what the card is asked for). */
  sessions: EidSessions;
  /** Public URL of the front (issuer = base + '/oidc'). */
  base: string;
  close(): Promise<void>;
}

/** `patch` changes the demo-oidc registration (e.g. optionalAttributes). */
export async function startOidcEidWorld(patch: Record<string, unknown> = {}): Promise<OidcEidWorld> {
  const eac = createWorld();
  const store = createMemoryStore();
  const keysDir = mkdtempSync(join(tmpdir(), 'neid-oidc-eid-keys-'));
  const box = new SealedBox(randomBytes(32));
  const logger = createLogger({ level: 'silent' });
  await new ServiceRegistry(store).create(demoOidcDefinition(patch), { by: 'test', declarative: true });
  const sessions = new EidSessions({ store, box, timeouts: EID_TIMEOUTS });

  const app = express();
  const http: Server = createServer(app);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const front = createOidcFront({
    publicUrl: base, store, box, dataKey: randomBytes(32), registry: new ServiceRegistry(store), eidSessions: sessions,
    authTransactions: new AuthTransactions({ store, box, ttlMs: 120_000, secureCookie: false }),
    keysDir, generateKeys: true, logger,
  });
  let paosUrl = '';
  // As src/app.ts: the OIDC front before any body parser, then the eID router, then the error handler.
  app.use('/oidc', front.router);
  app.use(eidRouter({ sessions, get paosUrl() { return paosUrl; }, publicUrl: base, returnTo: (s) => front.returnTo(s) }));
  app.use(notFound());
  app.use(errorHandler(logger, createMetrics()));

  const full = terminalConfig(eac, terminal(eac, { rights: DEMO_OIDC_RIGHTS }), { required: [] });
  const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...serviceTerminal } = full;
  const { key, cert } = testRsaCertificate();
  const eidServer = await createEidServer({ host: '127.0.0.1', port: 0, key, cert, sessions, logger, terminals: async () => serviceTerminal satisfies ServiceTerminal });
  paosUrl = `https://127.0.0.1:${eidServer.port}/paos`;

  return {
    eac, front, sessions, base,
    async close() {
      await eidServer.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await store.close();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}
