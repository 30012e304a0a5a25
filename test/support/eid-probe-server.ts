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
import { parseEacTerminalState } from '../../src/eid/eac/terminal/index.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { EidSessions, type AttributeOutcome, type EidRequest, type EidResult } from '../../src/session/eid-session.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import { isErrorCode, type ErrorCode } from '../../src/errors/catalog.js';
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

/** Diagnostics of one eID session (the session itself lives in EidSessions). */
export interface ProbeSession {
  readonly id: string;
  readonly request: EidRequest;
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
  /** Builds the EAC configuration of the eService for one session's request. */
  eacConfig: (request: EidRequest) => EacTerminalConfig;
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
  /** The eID session model over an in-memory store (sealed records, single-use PSKs, EAC state between steps). */
  readonly eidSessions: EidSessions;
  /** useID: opens an eID session; returns its tcTokenURL. */
  openSession(request: EidRequest): Promise<{ session: ProbeSession; tcTokenUrl: string }>;
  /** getResult: the stored result, once (then the session is gone). */
  takeResult(id: string): Promise<EidResult | null>;
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
  config: EacTerminalConfig;
  handle: ConnectionHandle | undefined;
  lastMessageId: string | undefined;
  done: boolean;
}

/**
 * EacResult → the protocol-neutral EidResult for the attributes the request named (TR-03130-1
 * §3.3.22: value, NOTONCHIP, PROHIBITED). Local to the probe; the server's own mapping is
 * src/eid/flow (result-mapping).
 */
export function eidResultOf(request: EidRequest, eac: EacResult): EidResult {
  if (eac.documentValidity !== 'valid') return { error: { code: 'EID_DOCUMENT_INVALID' }, attributes: {}, documentValidity: eac.documentValidity };
  const profile = getProfile(request.profile);
  const attributes: Record<string, AttributeOutcome> = {};
  for (const id of new Set([...request.required, ...request.optional])) {
    const def = profile.attribute(id);
    if (def?.kind !== 'dg' || def.dg === null) continue;
    const value = eac.dataGroups[String(def.dg)];
    if (value !== undefined) attributes[id] = value.text !== undefined ? { status: 'value', text: value.text } : { status: 'value', base64: value.base64 ?? '' };
    else attributes[id] = eac.notOnChip.includes(def.dg) ? { status: 'notOnChip' } : { status: 'prohibited' };
  }
  const out: EidResult = { attributes, documentValidity: 'valid' };
  const ids = eac.restrictedIds ?? [];
  if (ids[0] !== undefined) out.restrictedId = ids[1] === undefined ? { id: ids[0] } : { id: ids[0], id2: ids[1] };
  if (eac.ageVerified !== undefined) out.ageVerification = eac.ageVerified;
  if (eac.placeVerified !== undefined) out.placeVerification = eac.placeVerified;
  return out;
}

export async function startProbeServer(o: ProbeServerOptions): Promise<ProbeServer> {
  const sessions = new Map<string, ProbeSession>();
  const eidSessions = new EidSessions({
    store: createMemoryStore(), box: new SealedBox(randomBytes(32)),
    timeouts: { lifetimeMs: 120_000, tcTokenTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, paosStepTimeoutMs: 30_000, resultTimeoutMs: 60_000, tlsSessionTtlMs: 60_000 },
  });
  const conversations = new Map<string, Conversation>();
  const exchanges: PaosExchange[] = [];
  const tcTokenRequests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const refreshRequests: { url: string; headers: IncomingHttpHeaders }[] = [];

  const source: PskSource = eidSessions.pskSource();
  /** The EAC state goes through the store after every step (serialised, sealed), as on a cluster. */
  const loadState = async (id: string): Promise<EacTerminalState> => parseEacTerminalState((await eidSessions.require(id)).eac);
  const saveState = async (id: string, state: EacTerminalState): Promise<void> => { await eidSessions.saveEacState(id, state); };

  const reply = (conversation: Conversation, body: XmlOut, relatesTo: string | undefined): string => {
    const messageId = newMessageId();
    conversation.lastMessageId = messageId;
    return buildEnvelope('server', { messageId, relatesTo }, body);
  };

  const fail = async (conversation: Conversation, err: unknown, relatesTo: string | undefined): Promise<string> => {
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'PROBE_ERROR';
    conversation.session.error ??= { code, message: err instanceof Error ? err.message : String(err) };
    conversation.done = true;
    // Our own codes reach getResult unchanged; probe-local ones as an unexpected-message error.
    const known: ErrorCode = isErrorCode(code) ? code : 'PAOS_MESSAGE_UNEXPECTED';
    await eidSessions.storeResult(conversation.session.id, { error: { code: known }, attributes: {} }).catch((e: unknown) => o.logger.warn({ err: e }, 'probe: result not stored'));
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
      conversation = { session, config: o.eacConfig(session.request), handle: undefined, lastMessageId: undefined, done: false };
      conversations.set(identity, conversation);
      try {
        const start = parseStartPaos(envelope.body);
        session.startPaos = start;
        if (start.sessionIdentifier !== identity) throw Object.assign(new Error('SessionIdentifier ≠ PSK identity'), { code: 'PROBE_SESSION_MISMATCH' });
        const handle = start.connectionHandles[0];
        if (handle === undefined) throw Object.assign(new Error('no ConnectionHandle'), { code: 'PROBE_NO_HANDLE' });
        conversation.handle = handle;
        const { state, eac1 } = startEac(conversation.config);
        await saveState(identity, state);
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
        return { clientMessage: name, response: await fail(conversation, err, envelope.messageId) };
      }
    }
    const c = conversation;
    const handle = c?.handle;
    if (c === undefined || handle === undefined) throw new Error(`${name} before StartPAOS`);
    try {
      const state = await loadState(identity);
      if (envelope.relatesTo !== c.lastMessageId) throw Object.assign(new Error(`RelatesTo ${envelope.relatesTo} ≠ ${c.lastMessageId}`), { code: 'PROBE_RELATES_TO' });
      if (name === 'DIDAuthenticateResponse' && state.step === 'eac1') {
        const out = parseEac1Output(envelope.body);
        c.session.eac1Output = out;
        if (out.challenge === undefined) throw Object.assign(new Error('EAC1OutputType without Challenge'), { code: 'PROBE_NO_CHALLENGE' });
        const cars = out.cars.length > 0 ? out.cars : [o.chainTrustPoint];
        c.session.carFallbackUsed = out.cars.length === 0;
        const r = await handleEac1Output(c.config, state, { chat: out.chat, cars, efCardAccess: out.efCardAccess, idPicc: out.idPicc, challenge: out.challenge });
        await saveState(identity, r.state);
        // The client already holds the chain when it sent no CAR: the certificates are not repeated.
        const certificates = out.cars.length > 0 ? r.eac2.certificates : [];
        return { clientMessage: name, response: reply(c, buildEac2Input({ connectionHandle: handle, didName: 'PIN', certificates, ephemeralPublicKey: r.eac2.ephemeralPublicKey, signature: r.eac2.signature }), envelope.messageId) };
      }
      if (name === 'DIDAuthenticateResponse' && state.step === 'eac2') {
        const out = parseEac2Output(envelope.body);
        c.session.eac2Output = out;
        if (out.efCardSecurity === undefined || out.authenticationToken === undefined || out.nonce === undefined) {
          throw Object.assign(new Error('EAC2OutputType without EFCardSecurity/AuthenticationToken/Nonce'), { code: 'PROBE_EAC2_INCOMPLETE' });
        }
        const r = await handleEac2Output(c.config, state, { efCardSecurity: out.efCardSecurity, token: out.authenticationToken, nonce: out.nonce });
        await saveState(identity, r.state);
        return { clientMessage: name, response: reply(c, buildTransmit({ slotHandle: handle.slotHandle ?? Buffer.alloc(0), apdus: r.transmit.map((t) => ({ apdu: t.apdu, acceptableStatusCodes: t.acceptableStatusCodes })) }), envelope.messageId) };
      }
      if (name === 'TransmitResponse') {
        const out = parseTransmitResponse(envelope.body);
        const r = await handleTransmitResponse(c.config, state, out.outputApdus);
        c.session.result = r.result;
        c.done = true;
        await eidSessions.storeResult(identity, eidResultOf(c.session.request, r.result));
        return { clientMessage: name, response: reply(c, buildStartPaosResponse({ major: 'ok' }), envelope.messageId) };
      }
      throw Object.assign(new Error(`unexpected ${name} in step ${state.step}`), { code: 'PROBE_UNEXPECTED_MESSAGE' });
    } catch (err) {
      // parseEac*/parseTransmitResponse throw PAOS_CLIENT_* with the client's ResultMinor in detail.
      const e = err as { code?: string; detail?: { minor?: string | null; message?: string | null } };
      if (e.code === 'PAOS_CLIENT_CANCELLED' || e.code === 'PAOS_CLIENT_ERROR') {
        c.session.clientResult = { major: 'error', minor: e.detail?.minor ?? undefined, message: e.detail?.message ?? undefined };
      }
      return { clientMessage: name, response: await fail(c, err, envelope.messageId) };
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
  const web: HttpsServer = createHttpsServer({ key: o.key, cert: o.cert, minVersion: 'TLSv1.2' }, (req, res) => { void (async () => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/tctoken') {
      tcTokenRequests.push({ url: req.url ?? '', headers: req.headers });
      const id = url.searchParams.get('session') ?? '';
      let issued: { psk: Buffer };
      try { issued = await eidSessions.issueTcToken(id); } catch { res.writeHead(404).end(); return; }
      const session = { id, psk: issued.psk };
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
  })(); });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(web.address() as AddressInfo).port}`;

  return {
    origin, tlsPskPort: psk.port, exchanges, tcTokenRequests, refreshRequests, sessions, eidSessions,
    openSession: async (request) => {
      const opened = await eidSessions.open('demo-de', request, { maxOpenSessions: 8 });
      const session: ProbeSession = { id: opened.id, request };
      sessions.set(session.id, session);
      return { session, tcTokenUrl: `${origin}/tctoken?session=${session.id}` };
    },
    takeResult: (id) => eidSessions.takeResult(id),
    close: async () => {
      web.closeAllConnections();
      await new Promise<void>((resolve) => web.close(() => resolve()));
      await psk.close();
    },
  };
}
