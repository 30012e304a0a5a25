/**
 * The mutual-TLS HTTPS listener of the SOAP eID-Interface (config soap.host / soap.port, 3444).
 * TLS ≥ 1.2, a client certificate is required and must chain to `clientCa`; it must then be the one
 * registered for an active eService (protocols.soap) and the peer address must be on its allow
 * list, otherwise the connection is closed without an answer. WSDL and XSD are published here.
 * Every refused connection and every request is audited (src/audit; the peer is an eService's
 * server, so its address is recorded).
 *
 * Routes: POST <any path> (SOAP 1.1, text/xml) · GET ?wsdl · GET ?xsd · GET /schema/<profile>/<file>
 * (the schema files the WSDL and XSD import); `profile=de|tw` selects the profile (default: the
 * eService's).
 *
 * @spec tr03130-1 §3.5.1 (mutual TLS), §3.5.2 (WS-Security); SPEC §5.1; seed 002 表8 (host addresses)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { AuditLog } from '../audit/audit-log.js';
import type { ErrorCode } from '../errors/catalog.js';
import { allowListContains } from '../services/cidr.js';
import { certificateSha256, type ServiceRecord } from '../services/model.js';
import type { ServiceRegistry } from '../services/registry.js';
import type { Logger } from '../shared/logger.js';
import { handleEidInterfaceRequest, type EidInterfaceDeps } from './eid-interface.js';
import type { ProfileId } from '../eid/profiles/types.js';

export interface SoapListenerOptions extends EidInterfaceDeps {
  host: string;
  port: number;
  /** PEM key and certificate of the TLS server. */
  key: string;
  cert: string;
  /** PEM certificates client certificates must chain to (the CA of the eServices, or self-signed registered certificates). */
  clientCa: string[];
  registry: ServiceRegistry;
  logger: Logger;
  /** Serve eServices in state `testing` too (test environments). */
  allowTesting?: boolean;
  maxBodyBytes?: number;
  /** How long the fingerprint → eService index is cached (default 10 s). */
  indexTtlMs?: number;
  /** The audit trail (src/main.ts passes the process's); default: one over `replayStore` (the shared store). */
  audit?: AuditLog;
}

export interface SoapListener {
  readonly port: number;
  close(): Promise<void>;
}

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'schema');
const SCHEMA_FILES: Readonly<Record<ProfileId, { wsdl: string; xsd: string }>> = {
  de: { wsdl: 'TR-03130eID-Server20.wsdl', xsd: 'TR-03130eID-Server20.xsd' },
  tw: { wsdl: 'neid-tw-eID.wsdl', xsd: 'neid-tw-eID.xsd' },
};

interface Client {
  service: ServiceRecord;
  certPem: string;
}

interface Refusal {
  refused: ErrorCode;
  serviceId?: string;
}

/** Starts the SOAP eID-Interface listener (src/main.ts wires it with config.soap). */
export async function listenSoapInterface(options: SoapListenerOptions): Promise<SoapListener> {
  const { logger } = options;
  const audit = options.audit ?? (options.replayStore ? new AuditLog({ store: options.replayStore, logger }) : undefined);
  const deps = { ...options, ...(audit && { audit }) };
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const clients = new WeakMap<TLSSocket, Promise<Client | null>>();
  let index: { at: number; byFingerprint: Map<string, string> } | undefined;

  const fingerprintIndex = async (): Promise<Map<string, string>> => {
    if (index && Date.now() - index.at < (options.indexTtlMs ?? 10_000)) return index.byFingerprint;
    const byFingerprint = new Map<string, string>();
    for (const record of await options.registry.list()) {
      const soap = record.protocols.soap;
      const fp = soap?.clientCertificate !== undefined ? certificateSha256(soap.clientCertificate) : soap?.clientCertificateSha256?.replace(/:/g, '').toUpperCase();
      if (fp !== undefined) byFingerprint.set(fp, record.id);
    }
    index = { at: Date.now(), byFingerprint };
    return byFingerprint;
  };

  const identify = async (socket: TLSSocket): Promise<Client | Refusal> => {
    const peer = socket.getPeerX509Certificate();
    if (!peer) return { refused: 'SOAP_CLIENT_UNKNOWN' };
    const fingerprint = createHash('sha256').update(peer.raw).digest('hex').toUpperCase();
    const id = (await fingerprintIndex()).get(fingerprint);
    if (id === undefined) return { refused: 'SOAP_CLIENT_UNKNOWN' };
    const service = await options.registry.getActive(id, { allowTesting: options.allowTesting === true }).catch(() => null);
    if (!service?.protocols.soap) return { refused: 'SOAP_CLIENT_UNKNOWN', serviceId: id };
    // seed 002 表8 主機網路位址: requests only from the registered hosts.
    if (!allowListContains(service.ipAllowList, socket.remoteAddress ?? '')) return { refused: 'SOAP_CLIENT_ADDRESS_NOT_ALLOWED', serviceId: id };
    return { service, certPem: peer.toString() };
  };

  // SPEC §7 access attempts: recorded before the connection is closed.
  const refused = (socket: TLSSocket, refusal: Refusal, address = socket.remoteAddress): Promise<void> => audit?.record({
    event: 'access.refused', front: 'soap', outcome: refusal.refused,
    ...(refusal.serviceId !== undefined && { serviceId: refusal.serviceId }),
    ...(address !== undefined && { clientAddress: address }),
  }) ?? Promise.resolve();

  const server: Server = createServer(
    {
      key: options.key,
      cert: options.cert,
      ca: options.clientCa,
      // TR-03130-1 §3.5.1: mutual authentication; the handshake fails without a trusted client certificate.
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      void serve(req, res).catch((err: unknown) => {
        logger.error({ err }, 'SOAP listener failure');
        req.socket.destroy();
      });
    },
  );
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  server.on('secureConnection', (socket: TLSSocket) => {
    // Settles only once a refusal is audited, so no path closes the connection before the record is written.
    const client = identify(socket)
      .catch((err: unknown): Refusal => {
        logger.warn({ err }, 'SOAP client lookup failed');
        return { refused: 'SOAP_CLIENT_UNKNOWN' };
      })
      .then(async (found) => {
        if (!('refused' in found)) return found;
        logger.info({ code: found.refused, service: found.serviceId }, 'SOAP connection closed: client certificate not registered, or peer address not allowed');
        await refused(socket, found);
        return null;
      });
    clients.set(socket, client);
    void client.then((c) => {
      if (c === null) socket.destroy();
    });
  });
  // A refused handshake is reported after both sockets closed: the peer address is taken when the TCP
  // connection arrives (Node's TLS socket keeps its TCP socket as `_parent`).
  const peers = new WeakMap<object, string>();
  server.on('connection', (tcp: Socket) => {
    if (tcp.remoteAddress !== undefined) peers.set(tcp, tcp.remoteAddress);
  });
  server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
    logger.info({ code: err.code ?? 'TLS_ERROR' }, 'SOAP TLS handshake refused');
    // A reset before the handshake ends is no refusal by us (load-balancer TCP probes, a client that
    // gave up; Node also reports an untrusted certificate so): logged only, or probes would fill the trail.
    if (err.code === 'ECONNRESET') return;
    // No client certificate, not TLS at all: an access attempt of an unknown client.
    const tcp = (socket as TLSSocket & { _parent?: object })._parent;
    void refused(socket, { refused: 'SOAP_CLIENT_UNKNOWN' }, socket.remoteAddress ?? (tcp && peers.get(tcp)));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket as TLSSocket;
    const client = await (clients.get(socket) ?? Promise.resolve(null));
    if (client === null) {
      socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'https://soap.invalid');
    if (req.method === 'GET') return publish(url, client, res);
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const body = await readBody(req, maxBody);
    if (body === null) {
      socket.destroy();
      return;
    }
    const outcome = await handleEidInterfaceRequest(body, client.service, client.certPem, deps, { ...(socket.remoteAddress !== undefined && { clientAddress: socket.remoteAddress }) });
    if (outcome.kind === 'drop') {
      socket.destroy();
      return;
    }
    res.writeHead(outcome.status, { 'content-type': 'text/xml; charset=utf-8', 'cache-control': 'no-store' }).end(outcome.xml);
  }

  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listening;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads a UTF-8 body up to `limit` bytes; null when larger or not UTF-8 (the connection is then closed). */
async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    return null;
  }
}

function publish(url: URL, client: Client, res: ServerResponse): void {
  const requested = url.searchParams.get('profile');
  const profile: ProfileId = requested === 'de' || requested === 'tw' ? requested : client.service.profile;
  let file: string | undefined;
  if (url.searchParams.has('wsdl')) file = join(profile, SCHEMA_FILES[profile].wsdl);
  else if (url.searchParams.has('xsd')) file = join(profile, SCHEMA_FILES[profile].xsd);
  else {
    const m = /^\/schema\/(de|tw)\/([A-Za-z0-9._/-]+\.(?:xsd|wsdl))$/.exec(url.pathname);
    if (m && !m[2]?.includes('..')) file = normalize(join(m[1] as string, m[2] as string));
  }
  if (file === undefined) {
    res.writeHead(404).end();
    return;
  }
  let content: Buffer;
  try {
    content = readFileSync(join(SCHEMA_DIR, file));
  } catch {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'public, max-age=3600' }).end(content);
}

