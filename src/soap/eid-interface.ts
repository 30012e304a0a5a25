/**
 * The eID-Interface request pipeline behind the mutual-TLS listener: parse (hardened) → verify the
 * WS-Security signature with the eService's registered certificate → replay check → dispatch to
 * useID / getResult / getServerInfo → sign the answer. Transport-free, so tests drive it directly.
 *
 * - Unsigned requests and signatures by another certificate get no answer (`drop`).
 * - An invalid signature is answered only with common#internalError (TR-03130-1 §3.5.2).
 * - Input that is not a well-formed, DTD-free envelope gets a signed SOAP Fault with
 *   common#schemaViolation; operation errors get the operation's response with the ResultMinor.
 * - Every request leaves one audit record (src/audit), written before the answer goes out:
 *   refused before dispatch → access.refused; useID → login.request; getResult that delivers the
 *   result or the login's error → login.finished; other calls → service.request.
 *
 * @spec tr03130-1 §3.2 (operations), §3.4 (results), §3.5 (transport and message security); soap-1.1 §4.4 (Fault)
 */
import type { AuditEvent, AuditFacts, AuditLog } from '../audit/audit-log.js';
import type { Chat } from '../eid/eac/cvc/chat.js';
import { isIdpError } from '../errors/idp-error.js';
import type { ErrorCode } from '../errors/catalog.js';
import type { ServiceRecord } from '../services/model.js';
import type { EidSessions } from '../session/eid-session.js';
import type { Store } from '../session/store/store.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { getResult } from './get-result.js';
import { getServerInfo } from './get-server-info.js';
import { soapProfile, SOAP11_NS, type SoapProfile } from './profiles.js';
import { errorResult } from './result.js';
import { useId } from './use-id.js';
import { envelopeParts } from './envelope.js';
import { signEnvelope, verifyEnvelope, type WssCredentials } from './wss/ws-security.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from './xml/parse.js';
import { esc } from './xml/dom.js';

export interface EidInterfaceDeps {
  sessions: EidSessions;
  /** The server's WS-Security key and certificate (responses are signed with it). */
  signer: WssCredentials;
  /** The CHAT of the eService's current terminal certificate (null: none). */
  terminalChat: (service: ServiceRecord) => Promise<Chat | null>;
  /** Replay cache for request signatures (the shared store). */
  replayStore?: Store;
  eCardServerAddress?: string;
  clock?: Clock;
  logger?: Logger;
  limits?: XmlLimits;
  /** WS-Security Timestamp window (default 5 minutes, 60 s skew). */
  maxAgeMs?: number;
  skewMs?: number;
  /** The audit trail (absent: nothing is audited, for tests of the pipeline alone). */
  audit?: AuditLog;
}

/** The connection a request came over (for the audit trail). */
export interface RequestPeer {
  /** The eService server's address (mutual-TLS peer). */
  clientAddress?: string;
}

export type SoapOutcome =
  | { kind: 'reply'; status: number; xml: string; code?: ErrorCode }
  /** Close the connection without an answer. */
  | { kind: 'drop'; code: ErrorCode };

const OPERATIONS = { useIDRequest: 'useIDResponse', getResultRequest: 'getResultResponse', getServerInfoRequest: 'getServerInfoResponse' } as const;
type OperationName = keyof typeof OPERATIONS;
const AUDIT_OPERATION = { useIDRequest: 'useID', getResultRequest: 'getResult', getServerInfoRequest: 'getServerInfo' } as const;

/** Handles one request of an authenticated eService (client certificate already matched). */
export async function handleEidInterfaceRequest(xml: string, service: ServiceRecord, clientCertPem: string, deps: EidInterfaceDeps, peer: RequestPeer = {}): Promise<SoapOutcome> {
  const profile = soapProfile(service.profile);
  const clock = deps.clock ?? systemClock;
  const sign = (body: string) => signEnvelope(body, deps.signer, clock);
  const log = (code: ErrorCode, extra: Record<string, unknown> = {}) => deps.logger?.info({ service: service.id, code, ...extra }, 'eID-Interface request refused');
  const audit = async (e: Pick<AuditEvent, 'event' | 'outcome'> & Partial<AuditEvent>): Promise<void> => {
    await deps.audit?.record({ front: 'soap', serviceId: service.id, ...(peer.clientAddress !== undefined && { clientAddress: peer.clientAddress }), ...e });
  };
  const refused = async <T extends SoapOutcome>(outcome: T & { code: ErrorCode }): Promise<T> => {
    await audit({ event: 'access.refused', outcome: outcome.code });
    return outcome;
  };

  let doc: Document;
  try {
    doc = parseXml(xml, deps.limits ?? DEFAULT_XML_LIMITS);
    // Structure before signature: a non-envelope is a schema fault, not a signature problem.
    envelopeParts(doc);
  } catch (err) {
    const code = codeOf(err);
    log(code);
    return refused({ kind: 'reply', status: 500, xml: sign(fault(code)), code });
  }

  // The operation's own response with an error result (or a fault when the operation is unknown).
  const refusedWith = (code: ErrorCode, name: ReturnType<typeof operationName>) =>
    refused({ kind: 'reply', status: name ? 200 : 500, xml: sign(name ? response(name, profile, errorResult(code)) : fault(code)), code });

  let operation: Element;
  let signatureDigest: string;
  try {
    const verified = verifyEnvelope(xml, doc, clientCertPem, { clock, ...(deps.maxAgeMs !== undefined && { maxAgeMs: deps.maxAgeMs }), ...(deps.skewMs !== undefined && { skewMs: deps.skewMs }) });
    operation = verified.operation;
    signatureDigest = verified.signatureDigest;
  } catch (err) {
    const code = codeOf(err);
    log(code);
    if (code === 'WSS_SIGNATURE_MISSING' || code === 'WSS_CERTIFICATE_UNKNOWN') return refused({ kind: 'drop', code });
    // TR-03130-1 §3.5.2: an invalid signature gets common#internalError and nothing else.
    return refusedWith('WSS_SIGNATURE_INVALID', operationName(unverifiedOperation(doc), profile));
  }

  if (deps.replayStore) {
    const ttlMs = (deps.maxAgeMs ?? 300_000) + 2 * (deps.skewMs ?? 60_000);
    let fresh: boolean;
    try {
      fresh = await deps.replayStore.setIfAbsent(`wss:seen:${signatureDigest}`, '1', { ttlMs });
    } catch (err) {
      // The replay cache is unreachable: the request is not processed (it could be a replay), and says so (STORE_UNAVAILABLE), not "bad signature".
      const code = codeOf(err);
      log(code);
      return refusedWith(code, operationName(operation, profile));
    }
    if (!fresh) {
      log('WSS_SIGNATURE_INVALID');
      // A replayed request is answered like an invalid signature (TR-03130-1 §3.5.2).
      return refusedWith('WSS_SIGNATURE_INVALID', operationName(operation, profile));
    }
  }

  const name = operationName(operation, profile);
  if (!name) {
    log('SOAP_OPERATION_UNKNOWN');
    return refused({ kind: 'reply', status: 500, xml: sign(fault('SOAP_OPERATION_UNKNOWN')), code: 'SOAP_OPERATION_UNKNOWN' });
  }
  // Filled by the operation (session id, whether getResult delivered the login's outcome, the LoA reached).
  const facts: AuditFacts = {};
  const audited = async <T extends SoapOutcome>(outcome: T, thrown?: ErrorCode): Promise<T> => {
    await audit(operationEvent(name, facts, thrown));
    return outcome;
  };
  try {
    const terminalChat = name === 'getResultRequest' ? null : await deps.terminalChat(service);
    let body: string;
    if (name === 'useIDRequest') {
      body = await useId(operation, { sessions: deps.sessions, service, profile, terminalChat, facts, ...(deps.eCardServerAddress !== undefined && { eCardServerAddress: deps.eCardServerAddress }) });
    } else if (name === 'getResultRequest') {
      body = await getResult(operation, { sessions: deps.sessions, service, profile, facts });
    } else {
      body = getServerInfo(operation, profile, terminalChat);
    }
    return await audited({ kind: 'reply', status: 200, xml: sign(body) });
  } catch (err) {
    const code = codeOf(err);
    if (!isIdpError(err)) deps.logger?.error({ err, service: service.id }, 'eID-Interface operation failed');
    else log(code, { operation: name });
    if (name === 'getServerInfoRequest') return audited({ kind: 'reply', status: 500, xml: sign(fault(code)), code }, code);
    return audited({ kind: 'reply', status: 200, xml: sign(response(name, profile, errorResult(code, isIdpError(err) ? err.message : undefined))), code }, code);
  }
}

/** The audit event of a dispatched operation (SPEC §7: every web-service access, logins with their outcome). */
function operationEvent(name: OperationName, facts: AuditFacts, thrown: ErrorCode | undefined): Pick<AuditEvent, 'event' | 'outcome'> & Partial<AuditEvent> {
  const event = name === 'useIDRequest' ? 'login.request' : name === 'getResultRequest' && facts.finished === true ? 'login.finished' : 'service.request';
  return {
    event, operation: AUDIT_OPERATION[name], outcome: thrown ?? facts.outcome ?? 'success',
    ...(facts.eidSessionId !== undefined && { eidSessionId: facts.eidSessionId }),
    ...(facts.levelOfAssurance !== undefined && thrown === undefined && { levelOfAssurance: facts.levelOfAssurance }),
  };
}

function codeOf(err: unknown): ErrorCode {
  return isIdpError(err) ? err.code : 'INTERNAL';
}

function operationName(el: Element | undefined, profile: SoapProfile): OperationName | undefined {
  if (!el) return undefined;
  const local = el.localName ?? '';
  if (!Object.hasOwn(OPERATIONS, local)) return undefined;
  // Reference §1.6: Example 7 sends getServerInfoRequest unqualified; everything else must be in the profile namespace.
  if (el.namespaceURI === profile.ns || (local === 'getServerInfoRequest' && (el.namespaceURI ?? null) === null)) return local as OperationName;
  return undefined;
}

/** The Body's element from the unverified document, only to pick the response element name. */
function unverifiedOperation(doc: Document): Element | undefined {
  const bodies = doc.getElementsByTagNameNS(SOAP11_NS, 'Body');
  const body = bodies.length === 1 ? bodies.item(0) : null;
  for (let n = body?.firstChild ?? null; n !== null; n = n.nextSibling) if (n.nodeType === 1) return n as Element;
  return undefined;
}

function response(name: OperationName, profile: SoapProfile, inner: string): string {
  const local = OPERATIONS[name];
  return `<eid:${local} xmlns:eid="${profile.ns}">${inner}</eid:${local}>`;
}

/** soap-1.1 §4.4: Client fault, the eID ResultMinor in the detail. */
function fault(code: ErrorCode): string {
  return `<soap:Fault xmlns:soap="${SOAP11_NS}"><faultcode>soap:Client</faultcode><faultstring>${esc(code)}</faultstring><detail>${errorResult(code)}</detail></soap:Fault>`;
}
