/**
 * Client side of the eID-Interface for tests and the demo eService: request builders for useID,
 * getResult and getServerInfo, a caller that signs the request (WS-Security), sends it over mutual
 * TLS and verifies the server's response signature before returning the operation element, and
 * readers of that element (its children, its dss:Result).
 *
 * @spec tr03130-1 §3.2 (operations), §3.5 (mutual TLS, WS-Security)
 */
import { request } from 'node:https';
import type { ProfileId } from '../eid/profiles/types.js';
import { elementChildren, hasName } from '../shared/xml-dom.js';
import { DSS_NS, soapProfile } from './profiles.js';
import { signEnvelope, verifyEnvelope, type WssCredentials } from './wss/ws-security.js';
import { esc } from './xml/dom.js';
import { parseXml } from './xml/parse.js';

export interface UseIdRequestInput {
  /** Operation element → REQUIRED / ALLOWED (everything else PROHIBITED). */
  operations: Record<string, 'REQUIRED' | 'ALLOWED' | 'PROHIBITED'>;
  age?: number;
  communityId?: string;
  transactionInfo?: string;
  levelOfAssurance?: string;
  psk?: { id: string; keyHex: string };
}

export function useIdRequestXml(profileId: ProfileId, input: UseIdRequestInput): string {
  const ns = soapProfile(profileId).ns;
  const ops = Object.entries(input.operations).map(([k, v]) => `<eid:${k}>${v}</eid:${k}>`).join('');
  return (
    `<eid:useIDRequest xmlns:eid="${ns}"><eid:UseOperations>${ops}</eid:UseOperations>` +
    (input.age === undefined ? '' : `<eid:AgeVerificationRequest><eid:Age>${input.age}</eid:Age></eid:AgeVerificationRequest>`) +
    (input.communityId === undefined ? '' : `<eid:PlaceVerificationRequest><eid:CommunityID>${esc(input.communityId)}</eid:CommunityID></eid:PlaceVerificationRequest>`) +
    (input.transactionInfo === undefined ? '' : `<eid:TransactionInfo>${esc(input.transactionInfo)}</eid:TransactionInfo>`) +
    (input.levelOfAssurance === undefined ? '' : `<eid:LevelOfAssuranceRequest>${esc(input.levelOfAssurance)}</eid:LevelOfAssuranceRequest>`) +
    (input.psk === undefined ? '' : `<eid:PSK><eid:ID>${esc(input.psk.id)}</eid:ID><eid:Key>${esc(input.psk.keyHex)}</eid:Key></eid:PSK>`) +
    '</eid:useIDRequest>'
  );
}

export function getResultRequestXml(profileId: ProfileId, sessionId: string, requestCounter: number): string {
  const ns = soapProfile(profileId).ns;
  return `<eid:getResultRequest xmlns:eid="${ns}"><eid:Session><eid:ID>${esc(sessionId)}</eid:ID></eid:Session><eid:RequestCounter>${requestCounter}</eid:RequestCounter></eid:getResultRequest>`;
}

export function getServerInfoRequestXml(profileId: ProfileId): string {
  return `<eid:getServerInfoRequest xmlns:eid="${soapProfile(profileId).ns}"/>`;
}

export interface EidInterfaceClientOptions {
  /** https URL of the SOAP listener. */
  url: string;
  /** Mutual TLS: the eService's client key/certificate and the CA of the server certificate. */
  tls: { key: string; cert: string; ca: string | string[]; servername?: string };
  /** WS-Security signing credentials of the eService. */
  wss: WssCredentials;
  /** The server's WS-Security certificate; responses not signed with it are rejected. */
  serverWssCert: string;
  timeoutMs?: number;
}

export interface EidInterfaceReply {
  status: number;
  /** The verified operation element of the response Body (or the soap:Fault). */
  operation: Element;
  xml: string;
}

/** Signs `operationXml`, posts it, verifies the response signature. Rejects on transport or signature failure. */
export async function callEidInterface(options: EidInterfaceClientOptions, operationXml: string): Promise<EidInterfaceReply> {
  const envelope = signEnvelope(operationXml, options.wss);
  const { status, body } = await postXml(options, envelope);
  const verified = verifyEnvelope(body, parseXml(body), options.serverWssCert);
  return { status, operation: verified.operation, xml: body };
}

/** Element children of an element of a verified reply. */
export function replyChildren(el: Element): Element[] {
  return elementChildren(el);
}

/** The first child with this local name (the reply's elements are in its profile's namespace). */
export function replyChild(el: Element, localName: string): Element | undefined {
  return replyChildren(el).find((c) => c.localName === localName);
}

export interface ReplyResult {
  major: string;
  minor: string | undefined;
  message: string | undefined;
}

/** The dss:Result of a reply's operation element (tr03130-1 §3.4); undefined when it has none. */
export function replyResult(operation: Element): ReplyResult | undefined {
  const dss = (el: Element, localName: string) => replyChildren(el).find((c) => hasName(c, DSS_NS, localName));
  const result = dss(operation, 'Result');
  if (result === undefined) return undefined;
  const text = (localName: string) => dss(result, localName)?.textContent ?? undefined;
  return { major: text('ResultMajor') ?? '', minor: text('ResultMinor'), message: text('ResultMessage') };
}

/** Posts a raw body (tests send unsigned or tampered envelopes with it). */
export function postXml(options: Pick<EidInterfaceClientOptions, 'url' | 'tls' | 'timeoutMs'>, body: string): Promise<{ status: number; body: string }> {
  const url = new URL(options.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST',
        key: options.tls.key, cert: options.tls.cert, ca: options.tls.ca, servername: options.tls.servername ?? url.hostname, minVersion: 'TLSv1.2',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', 'content-length': Buffer.byteLength(body) },
        timeout: options.timeoutMs ?? 10_000, agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
