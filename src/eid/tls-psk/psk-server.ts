/**
 * The TLS-2 listener of the eID-Server: TLS 1.2 with RSA_PSK cipher suites only, the PSK of the eID
 * session as key, session resumption bound to the same PSK identity, any node of the cluster.
 *
 * - TR-03130-1 §2.3.2: TLS_RSA_PSK_WITH_AES_256_CBC_SHA SHALL be supported, other RSA_PSK suites of
 *   TR-03116-4 MAY, all other suites MUST NOT; session resumption SHALL be supported.
 * - A PSK is single-use: a full handshake claims it atomically in the store (`claim`), so a second
 *   full handshake with the same identity, on this node or another, is refused.
 * - Resumption uses TLS session ids (tickets are off) cached in the shared store, so a client may
 *   resume on another node; a resumed session is accepted only while its eID session is open.
 *
 * @spec tr03130-1 §2.3.2; tr03124-1 §2.4.3 (PSK, TLS-2); rfc4279 §2, §4; rfc5246 §7.4.1.2 (session resumption)
 */
import { constants } from 'node:crypto';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, RequestListener } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { isIdpError } from '../../errors/idp-error.js';
import type { Logger } from '../../shared/logger.js';
import { ClientFlightScanner } from './client-key-exchange.js';
import { Gate } from './gate.js';
import { pskIdentityOfSession } from './session-der.js';

/** RSA_PSK suites, strongest first (TR-03116-4 list; OpenSSL names). */
export const RSA_PSK_CIPHERS = [
  'RSA-PSK-AES256-GCM-SHA384',
  'RSA-PSK-AES128-GCM-SHA256',
  'RSA-PSK-AES256-CBC-SHA384',
  'RSA-PSK-AES128-CBC-SHA256',
  'RSA-PSK-AES256-CBC-SHA', // TR-03130-1 §2.3.2: mandatory
].join(':');

/** Where PSKs and TLS sessions come from; implemented over the session store. */
export interface PskSource {
  /** Atomically takes the PSK of an open eID session for one full handshake; null when unknown, used or expired. */
  claim(identity: string): Promise<Buffer | null>;
  /** True while the eID session named by the identity may still be continued (resumption). */
  isOpen(identity: string): Promise<boolean>;
  saveTlsSession(sessionId: string, sessionDer: Buffer): Promise<void>;
  loadTlsSession(sessionId: string): Promise<Buffer | null>;
}

export interface PskServerOptions {
  host: string;
  port: number;
  /** PEM RSA key (≥ 3072 bits, TR-03116-4) and certificate of the eID-Server. */
  key: string;
  cert: string;
  source: PskSource;
  handler: RequestListener;
  logger: Logger;
  /** Time a client has to finish the handshake. */
  handshakeTimeoutMs?: number;
  /** Lifetime of cached TLS sessions, seconds. */
  sessionTimeoutSeconds?: number;
}

export interface PskServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The catalog code of a PskSource failure, for the log line (STORE_UNAVAILABLE when the store is down). */
function codeOf(err: unknown): string {
  return isIdpError(err) ? err.code : 'INTERNAL';
}

/** The PSK identity (= eID SessionIdentifier) the TLS connection of a request is bound to. */
export function pskIdentityOf(req: IncomingMessage): string | null {
  const socket = req.socket as TLSSocket;
  const der = typeof socket.getSession === 'function' ? socket.getSession() : undefined;
  return der ? pskIdentityOfSession(der) : null;
}

export async function listenTlsPsk(options: PskServerOptions): Promise<PskServer> {
  const { source, logger } = options;
  /** PSKs claimed for connections whose ClientKeyExchange is on its way to OpenSSL, by identity. */
  const claimed = new Map<string, Buffer>();

  const https: HttpsServer = createHttpsServer(
    {
      key: options.key,
      cert: options.cert,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: RSA_PSK_CIPHERS,
      honorCipherOrder: true,
      secureOptions: constants.SSL_OP_NO_TICKET, // session ids in the shared store, not node-local ticket keys
      sessionTimeout: options.sessionTimeoutSeconds ?? 600,
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      pskCallback: (_socket: TLSSocket, identity: string) => {
        const psk = claimed.get(identity);
        claimed.delete(identity);
        return psk ?? null; // null → OpenSSL alert unknown_psk_identity
      },
    },
    options.handler,
  );
  https.headersTimeout = 20_000;
  https.requestTimeout = 60_000;
  https.keepAliveTimeout = 30_000;

  https.on('newSession', (sessionId: Buffer, sessionData: Buffer, done: () => void) => {
    source.saveTlsSession(sessionId.toString('hex'), sessionData).then(done, (err: unknown) => {
      logger.warn({ err }, 'TLS session not cached; the client will need a full handshake');
      done();
    });
  });
  https.on('resumeSession', (sessionId: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
    void (async () => {
      const der = await source.loadTlsSession(sessionId.toString('hex'));
      const identity = der ? pskIdentityOfSession(der) : null;
      // Resumption keeps the PSK binding: only while the eID session named by the identity is open.
      if (der && identity && (await source.isOpen(identity))) return der;
      return null;
    })().then((der) => done(null, der), (err: unknown) => {
      // Not resumed: the client falls back to a full handshake, which needs the (already claimed) PSK.
      logger.warn({ err, code: codeOf(err) }, 'TLS session lookup failed');
      done(null, null);
    });
  });
  https.on('tlsClientError', (err: Error & { code?: string }) => {
    logger.info({ code: err.code ?? 'TLS_ERROR' }, 'TLS-PSK handshake refused');
  });

  const onConnection = (raw: Socket): void => {
    raw.setNoDelay(true);
    const scanner = new ClientFlightScanner();
    let pendingIdentity: string | undefined;
    const gate: Gate = new Gate(raw, (chunk) => {
      const scan = scanner.push(chunk);
      switch (scan.kind) {
        case 'need-more':
          return 'forward';
        case 'no-identity':
          queueMicrotask(() => gate.passThrough());
          return 'forward';
        case 'malformed':
          logger.info({ reason: scan.reason }, 'TLS-PSK client flight malformed');
          return 'drop';
        case 'identity':
          pendingIdentity = scan.identity;
          void claimFor(scan.identity);
          return 'hold';
      }
    });
    const claimFor = async (identity: string): Promise<void> => {
      const psk = await source.claim(identity).catch((err: unknown) => {
        // The connection is closed without a handshake (STORE_UNAVAILABLE: the store is down or hung).
        logger.warn({ err, code: codeOf(err) }, 'PSK lookup failed');
        return null;
      });
      // Only the connection that won the claim ever reaches pskCallback with this identity.
      if (psk === null || claimed.has(identity)) {
        gate.destroy();
        return;
      }
      claimed.set(identity, psk);
      gate.release();
    };
    gate.on('close', () => {
      if (pendingIdentity !== undefined) claimed.delete(pendingIdentity);
    });
    gate.on('error', () => undefined);
    // The TLS socket's handshakeTimeout covers the whole handshake, including a pending claim.
    https.emit('connection', gate);
  };

  const net: NetServer = createNetServer({ pauseOnConnect: false }, onConnection);
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen(options.port, options.host, () => {
      net.off('error', reject);
      resolve();
    });
  });
  const port = (net.address() as AddressInfo).port;
  return {
    port,
    async close() {
      await new Promise<void>((resolve) => {
        net.close(() => resolve());
        https.closeAllConnections();
      });
    },
  };
}
