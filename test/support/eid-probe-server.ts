/**
 * A stand-in eID-Server for the AusweisApp interop test while the real one (`createEidServer`, the
 * conversation table, SOAP) is being built: it serves a TC Token over https, runs the real TLS-2
 * listener (listenTlsPsk) and answers PAOS with the real message codecs (src/eid/paos) and the real
 * server-side EAC engine (src/eid/eac/terminal). Only the glue (which message comes next) is local,
 * and it records every exchange so the test can show what AusweisApp sent.
 *
 * @spec tr03124-1 §2.4 (TC Token), §2.5 (TLS-2, PAOS); tr03112-7 §3.4-§3.6; tr03130-1 §2.4
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { listenTlsPsk, pskIdentityOf, type PskServer, type PskSource } from '../../src/eid/tls-psk/psk-server.js';
import { buildEnvelope, newMessageId, parseEnvelope } from '../../src/eid/paos/envelope.js';
import { localNameOf } from '../../src/eid/paos/xml.js';
import type { XmlOut } from '../../src/eid/paos/xml.js';
import { parseStartPaos, type StartPaos } from '../../src/eid/paos/start-paos.js';
import { buildStartPaosResponse } from '../../src/eid/paos/start-paos-response.js';
import { buildEac1Input, parseEac1Output, type Eac1OutputMessage } from '../../src/eid/paos/did-authenticate-eac1.js';
import { buildEac2Input, parseEac2Output, type Eac2OutputMessage } from '../../src/eid/paos/did-authenticate-eac2.js';
import { buildTransmit, parseTransmitResponse } from '../../src/eid/paos/transmit.js';
import { RESULT_MINOR, type PaosResult } from '../../src/eid/paos/result.js';
import type { ConnectionHandle } from '../../src/eid/paos/connection-handle.js';
import { PAOS_MEDIA_TYPE } from '../../src/eid/paos/namespaces.js';
import { handleEac1Output, handleEac2Output, handleTransmitResponse, startEac } from '../../src/eid/eac/terminal/index.js';
import type { EacResult, EacTerminalConfig, EacTerminalState } from '../../src/eid/eac/terminal/index.js';
import type { Logger } from '../../src/shared/logger.js';

/** One HTTP exchange on TLS-2, as seen by the server. */
export interface PaosExchange {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** PSK identity of the TLS connection (pskIdentityOf). */
  pskIdentity: string | null;
  cipher: string | undefined;
  protocol: string | null;
  sessionReused: boolean;
  requestBody: string;
  /** Local name of the SOAP body element the client sent. */
  clientMessage: string | undefined;
  responseBody: string;
  serverMessage: string | undefined;
}

export interface ProbeSession {
  readonly id: string;
  readonly psk: Buffer;
  startPaos?: StartPaos;
  eac1Output?: Eac1OutputMessage;
  eac2Output?: Eac2OutputMessage;
  result?: EacResult;
  /** The first error the conversation ended with (code of an IdpError, or a message). */
  error?: { code: string; message: string };
  /** Client-reported error result, if the client ended the conversation. */
  clientResult?: PaosResult;
  /** The CAR list used to pick the chain (what the client sent, or the fallback; see `carFallbackUsed`). */
  carFallbackUsed?: boolean;
}

export interface ProbeServerOptions {
  key: string;
  cert: string;
  /** Builds the EAC configuration of the eService for one session. */
  eacConfig: () => EacTerminalConfig;
  logger: Logger;
  /**
   * CVCA the EAC1 certificate list starts at: used when the client omits the CAR in EAC1OutputType
   * (AusweisApp does that when it already built the chain from the EAC1 certificates).
   */
  chainTrustPoint: string;
}

export interface ProbeServer {
  /** https://127.0.0.1:<port> — TC Token and RefreshAddress server. */
  readonly origin: string;
  readonly tlsPskPort: number;
  readonly exchanges: PaosExchange[];
  readonly tcTokenRequests: { url: string; headers: IncomingHttpHeaders }[];
  readonly refreshRequests: { url: string; headers: IncomingHttpHeaders }[];
  readonly sessions: Map<string, ProbeSession>;
  /** Opens an eID session; returns its tcTokenURL. */
  openSession(): { session: ProbeSession; tcTokenUrl: string };
  close(): Promise<void>;
}

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function readBody(req: IncomingMessage, limit = 512 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface Conversation {
  session: ProbeSession;
  state: EacTerminalState | undefined;
  config: EacTerminalConfig;
  handle: ConnectionHandle | undefined;
  lastMessageId: string | undefined;
  done: boolean;
}

export async function startProbeServer(o: ProbeServerOptions): Promise<ProbeServer> {
  const sessions = new Map<string, ProbeSession>();
  const claimed = new Set<string>();
  const tlsSessions = new Map<string, Buffer>();
  const conversations = new Map<string, Conversation>();
  const exchanges: PaosExchange[] = [];
  const tcTokenRequests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const refreshRequests: { url: string; headers: IncomingHttpHeaders }[] = [];

  const source: PskSource = {
    claim: async (identity) => {
      const s = sessions.get(identity);
      if (s === undefined || claimed.has(identity)) return null;
      claimed.add(identity);
      return s.psk;
    },
    isOpen: async (identity) => sessions.has(identity) && conversations.get(identity)?.done !== true,
    saveTlsSession: async (id, der) => { tlsSessions.set(id, der); },
    loadTlsSession: async (id) => tlsSessions.get(id) ?? null,
  };

  const reply = (conversation: Conversation, body: XmlOut, relatesTo: string | undefined): string => {
    const messageId = newMessageId();
    conversation.lastMessageId = messageId;
    return buildEnvelope('server', { messageId, relatesTo }, body);
  };

  const fail = (conversation: Conversation, err: unknown, relatesTo: string | undefined): string => {
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'PROBE_ERROR';
    conversation.session.error ??= { code, message: err instanceof Error ? err.message : String(err) };
    conversation.done = true;
    return reply(conversation, buildStartPaosResponse({ major: 'error', minor: RESULT_MINOR.internalError, message: code }), relatesTo);
  };

  /** The conversation: StartPAOS → EAC1 → EAC2 → Transmit → StartPAOSResponse. */
  const step = async (identity: string, body: string): Promise<{ response: string; clientMessage?: string }> => {
    const envelope = parseEnvelope(body);
    const name = localNameOf(envelope.body);
    let conversation = conversations.get(identity);
    if (name === 'StartPAOS') {
      const session = sessions.get(identity);
      if (session === undefined) throw new Error(`StartPAOS on unknown PSK identity ${identity}`);
      conversation = { session, state: undefined, config: o.eacConfig(), handle: undefined, lastMessageId: undefined, done: false };
      conversations.set(identity, conversation);
      try {
        const start = parseStartPaos(envelope.body);
        session.startPaos = start;
        if (start.sessionIdentifier !== identity) throw Object.assign(new Error('SessionIdentifier ≠ PSK identity'), { code: 'PROBE_SESSION_MISMATCH' });
        const handle = start.connectionHandles[0];
        if (handle === undefined) throw Object.assign(new Error('no ConnectionHandle'), { code: 'PROBE_NO_HANDLE' });
        conversation.handle = handle;
        const { state, eac1 } = startEac(conversation.config);
        conversation.state = state;
        return {
          clientMessage: name,
          response: reply(conversation, buildEac1Input({
            connectionHandle: handle, didName: 'PIN', certificates: eac1.certificates,
            certificateDescription: eac1.certificateDescription ?? Buffer.alloc(0),
            requiredChat: eac1.requiredChat, optionalChat: eac1.optionalChat,
            authenticatedAuxiliaryData: eac1.authenticatedAuxiliaryData,
          }), envelope.messageId),
        };
      } catch (err) {
        return { clientMessage: name, response: fail(conversation, err, envelope.messageId) };
      }
    }
    if (conversation === undefined || conversation.state === undefined || conversation.handle === undefined) throw new Error(`${name} before StartPAOS`);
    const c = conversation;
    const handle = c.handle!;
    try {
      if (envelope.relatesTo !== c.lastMessageId) throw Object.assign(new Error(`RelatesTo ${envelope.relatesTo} ≠ ${c.lastMessageId}`), { code: 'PROBE_RELATES_TO' });
      if (name === 'DIDAuthenticateResponse' && c.state!.step === 'eac1') {
        const out = parseEac1Output(envelope.body);
        c.session.eac1Output = out;
        if (out.challenge === undefined) throw Object.assign(new Error('EAC1OutputType without Challenge'), { code: 'PROBE_NO_CHALLENGE' });
        const cars = out.cars.length > 0 ? out.cars : [o.chainTrustPoint];
        c.session.carFallbackUsed = out.cars.length === 0;
        const r = await handleEac1Output(c.config, c.state!, { chat: out.chat, cars, efCardAccess: out.efCardAccess, idPicc: out.idPicc, challenge: out.challenge });
        c.state = r.state;
        // The client already holds the chain when it sent no CAR: the certificates are not repeated.
        const certificates = out.cars.length > 0 ? r.eac2.certificates : [];
        return { clientMessage: name, response: reply(c, buildEac2Input({ connectionHandle: handle, didName: 'PIN', certificates, ephemeralPublicKey: r.eac2.ephemeralPublicKey, signature: r.eac2.signature }), envelope.messageId) };
      }
      if (name === 'DIDAuthenticateResponse' && c.state!.step === 'eac2') {
        const out = parseEac2Output(envelope.body);
        c.session.eac2Output = out;
        if (out.efCardSecurity === undefined || out.authenticationToken === undefined || out.nonce === undefined) {
          throw Object.assign(new Error('EAC2OutputType without EFCardSecurity/AuthenticationToken/Nonce'), { code: 'PROBE_EAC2_INCOMPLETE' });
        }
        const r = await handleEac2Output(c.config, c.state!, { efCardSecurity: out.efCardSecurity, token: out.authenticationToken, nonce: out.nonce });
        c.state = r.state;
        return { clientMessage: name, response: reply(c, buildTransmit({ slotHandle: handle.slotHandle ?? Buffer.alloc(0), apdus: r.transmit.map((t) => ({ apdu: t.apdu, acceptableStatusCodes: t.acceptableStatusCodes })) }), envelope.messageId) };
      }
      if (name === 'TransmitResponse') {
        const out = parseTransmitResponse(envelope.body);
        const r = await handleTransmitResponse(c.config, c.state!, out.outputApdus);
        c.state = r.state;
        c.session.result = r.result;
        c.done = true;
        return { clientMessage: name, response: reply(c, buildStartPaosResponse({ major: 'ok' }), envelope.messageId) };
      }
      throw Object.assign(new Error(`unexpected ${name} in step ${c.state!.step}`), { code: 'PROBE_UNEXPECTED_MESSAGE' });
    } catch (err) {
      // parseEac*/parseTransmitResponse throw PAOS_CLIENT_* with the client's ResultMinor in detail.
      const e = err as { code?: string; detail?: { minor?: string | null; message?: string | null } };
      if (e.code === 'PAOS_CLIENT_CANCELLED' || e.code === 'PAOS_CLIENT_ERROR') {
        c.session.clientResult = { major: 'error', minor: e.detail?.minor ?? undefined, message: e.detail?.message ?? undefined };
      }
      return { clientMessage: name, response: fail(c, err, envelope.messageId) };
    }
  };

  const paosHandler = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const socket = req.socket as TLSSocket;
      const identity = pskIdentityOf(req);
      const exchange: PaosExchange = {
        method: req.method ?? '', url: req.url ?? '', headers: req.headers, pskIdentity: identity,
        cipher: socket.getCipher?.()?.name, protocol: socket.getProtocol?.() ?? null, sessionReused: socket.isSessionReused?.() ?? false,
        requestBody: '', clientMessage: undefined, responseBody: '', serverMessage: undefined,
      };
      exchanges.push(exchange);
      try {
        exchange.requestBody = await readBody(req);
        if (identity === null) throw new Error('no PSK identity on the connection');
        const { response, clientMessage } = await step(identity, exchange.requestBody);
        exchange.clientMessage = clientMessage;
        exchange.responseBody = response;
        exchange.serverMessage = localNameOf(parseEnvelope(response).body);
        res.writeHead(200, { 'Content-Type': `${PAOS_MEDIA_TYPE}; charset=utf-8` });
        res.end(response);
      } catch (err) {
        o.logger.warn({ err }, 'probe PAOS request failed');
        exchange.responseBody = String(err);
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end('bad request');
      }
    })();
  };

  const psk: PskServer = await listenTlsPsk({ host: '127.0.0.1', port: 0, key: o.key, cert: o.cert, source, handler: paosHandler, logger: o.logger });

  let origin = '';
  const web: HttpsServer = createHttpsServer({ key: o.key, cert: o.cert, minVersion: 'TLSv1.2' }, (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/tctoken') {
      tcTokenRequests.push({ url: req.url ?? '', headers: req.headers });
      const id = url.searchParams.get('session') ?? '';
      const session = sessions.get(id);
      if (session === undefined) { res.writeHead(404).end(); return; }
      // TR-03124-1 §2.4: no namespace, root TCTokenType; PSK as hex (PathSecurity-Protocol RFC 4279).
      const token = `<?xml version="1.0" encoding="UTF-8"?><TCTokenType>`
        + `<ServerAddress>https://127.0.0.1:${psk.port}/paos</ServerAddress>`
        + `<SessionIdentifier>${xmlText(session.id)}</SessionIdentifier>`
        + `<RefreshAddress>${xmlText(`${origin}/refresh?session=${session.id}`)}</RefreshAddress>`
        + `<CommunicationErrorAddress>${xmlText(`${origin}/error?session=${session.id}`)}</CommunicationErrorAddress>`
        + `<Binding>urn:liberty:paos:2006-08</Binding>`
        + `<PathSecurity-Protocol>urn:ietf:rfc:4279</PathSecurity-Protocol>`
        + `<PathSecurity-Parameters><PSK>${session.psk.toString('hex')}</PSK></PathSecurity-Parameters>`
        + `</TCTokenType>`;
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
      res.end(token);
      return;
    }
    if (url.pathname === '/refresh' || url.pathname === '/error') {
      refreshRequests.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(web.address() as AddressInfo).port}`;

  return {
    origin, tlsPskPort: psk.port, exchanges, tcTokenRequests, refreshRequests, sessions,
    openSession: () => {
      const session: ProbeSession = { id: randomBytes(32).toString('hex'), psk: randomBytes(32) };
      sessions.set(session.id, session);
      return { session, tcTokenUrl: `${origin}/tctoken?session=${session.id}` };
    },
    close: async () => {
      web.closeAllConnections();
      await new Promise<void>((resolve) => web.close(() => resolve()));
      await psk.close();
    },
  };
}
