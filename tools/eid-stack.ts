/**
 * The eID server stack of one IdP node, assembled in-process from the modules (as src/main.ts does,
 * but with the caller's keys, store and registry, on loopback ports): the TLS-PSK eID-Server with
 * the PAOS conversation, an HTTP front with the eID router (TC Token; after the login the citizen
 * goes to a fixed eService page) and the SOAP eID-Interface over mutual TLS, all over one eID session
 * store. Used by the login benchmark's server (tools/bench/login-server.ts) and the e2e tests.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { eidRouter } from '../src/eid/eid-router.js';
import { createEidServer, type EidServer } from '../src/eid/eid-server.js';
import type { ServiceTerminal } from '../src/eid/flow/terminal-config.js';
import { catalogEntry, toIdpError } from '../src/errors/index.js';
import type { ServiceRegistry } from '../src/services/registry.js';
import { EidSessions } from '../src/session/eid-session.js';
import type { SealedBox } from '../src/session/sealed-box.js';
import type { Store } from '../src/session/store/store.js';
import type { Logger } from '../src/shared/logger.js';
import { listenSoapInterface, type SoapListener, type SoapListenerOptions } from '../src/soap/listener.js';
import type { WssCredentials } from '../src/soap/wss/ws-security.js';

/** Short eID session timeouts: a stalled login fails within a minute instead of hanging a run. */
export const STACK_TIMEOUTS = { lifetimeMs: 120_000, tcTokenTimeoutMs: 60_000, handshakeTimeoutMs: 60_000, paosStepTimeoutMs: 60_000, resultTimeoutMs: 60_000, tlsSessionTtlMs: 60_000 };

export interface EidFront {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/**
 * The browser-facing front on plain http loopback (dev): the eID router, whose RefreshAddress is
 * https://service.example.test/return?session=<id>, and errors answered as { error: <code> }.
 */
export async function startEidFront(sessions: EidSessions, paosUrl: string): Promise<EidFront> {
  const app = express();
  const http: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  app.use(eidRouter({ sessions, paosUrl, publicUrl: url, returnTo: async (s) => `https://service.example.test/return?session=${s.id}` }));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = toIdpError(err);
    res.status(catalogEntry(e.code).http).json({ error: e.code });
  });
  return { url, close: () => new Promise<void>((r) => { http.close(() => r()); http.closeAllConnections(); }) };
}

export interface EidStackOptions {
  /** eID sessions and the SOAP replay marks; the caller closes it. */
  store: Store;
  box: SealedBox;
  /** The eServices the SOAP listener serves (registered by the caller). */
  registry: ServiceRegistry;
  /** The terminal of every eService (one terminal for all). */
  terminal: ServiceTerminal;
  logger: Logger;
  /** PEM key and certificate of the eID-Server's TLS-2 (RSA_PSK). */
  tls2: { key: string; cert: string };
  soap: {
    /** PEM key and certificate of the SOAP TLS server; client certificates must chain to `clientCa`. */
    key: string;
    cert: string;
    clientCa: string[];
    /** The server's WS-Security key and certificate. */
    signer: WssCredentials;
    terminalChat: SoapListenerOptions['terminalChat'];
  };
}

export interface EidStack {
  sessions: EidSessions;
  eid: EidServer;
  /** https://127.0.0.1:<port>/paos (the TC Token's ServerAddress). */
  paosUrl: string;
  front: EidFront;
  soap: SoapListener;
  /** https://127.0.0.1:<port>/eID */
  soapUrl: string;
  /** Closes the listeners (not the store). */
  close(): Promise<void>;
}

export async function startEidStack(o: EidStackOptions): Promise<EidStack> {
  const { store, logger } = o;
  const sessions = new EidSessions({ store, box: o.box, timeouts: STACK_TIMEOUTS });
  const eid = await createEidServer({ host: '127.0.0.1', port: 0, key: o.tls2.key, cert: o.tls2.cert, sessions, logger, terminals: async () => o.terminal });
  const paosUrl = `https://127.0.0.1:${eid.port}/paos`;
  const front = await startEidFront(sessions, paosUrl);
  const soap = await listenSoapInterface({
    host: '127.0.0.1', port: 0, key: o.soap.key, cert: o.soap.cert, clientCa: o.soap.clientCa, registry: o.registry, logger,
    sessions, signer: o.soap.signer, terminalChat: o.soap.terminalChat, replayStore: store, eCardServerAddress: paosUrl,
  });
  return {
    sessions, eid, paosUrl, front, soap, soapUrl: `https://127.0.0.1:${soap.port}/eID`,
    async close() {
      await soap.close();
      await front.close();
      await eid.close();
    },
  };
}
