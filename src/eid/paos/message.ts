/**
 * Which PAOS message a body element is, for each direction. Detection is by namespace URI and local
 * name (any prefix), DIDAuthenticate additionally by the xsi:type of AuthenticationProtocolData
 * (AusweisApp ElementDetector / PaosHandler do the same).
 *
 * @spec tr03112-7 §3.4-§3.6 (PAOS messages), iso24727-3 §3; eid-protocol §3.1
 */
import { eacDataType } from './did-authenticate.js';
import { PaosError } from './errors.js';
import { NS } from './namespaces.js';
import { elementChildren, localNameOf } from './xml.js';
import type { XmlElement } from './xml.js';

/** Messages the eID client sends (the server parses them). */
export const CLIENT_MESSAGES = ['StartPAOS', 'InitializeFrameworkResponse', 'DIDAuthenticateResponse', 'TransmitResponse'] as const;
export type ClientMessageKind = (typeof CLIENT_MESSAGES)[number];

/** Requests the server sends (the client parses them). */
export const SERVER_MESSAGES = ['InitializeFramework', 'EAC1InputType', 'EAC2InputType', 'EACAdditionalInputType', 'Transmit', 'StartPAOSResponse'] as const;
export type ServerMessageKind = (typeof SERVER_MESSAGES)[number];

// The eCard framework messages live in the eCard namespace, the ISO 24727-3 ones in iso; some
// implementations put InitializeFramework(Response) in iso, which is tolerated.
const NAMESPACES: Readonly<Record<string, readonly string[]>> = {
  StartPAOS: [NS.iso], DIDAuthenticateResponse: [NS.iso], TransmitResponse: [NS.iso], DIDAuthenticate: [NS.iso], Transmit: [NS.iso], StartPAOSResponse: [NS.iso],
  InitializeFramework: [NS.ecard, NS.iso], InitializeFrameworkResponse: [NS.ecard, NS.iso],
};

function known(body: XmlElement, names: readonly string[]): string {
  const name = localNameOf(body);
  const ns = NAMESPACES[name];
  if (!names.includes(name) || ns === undefined || !ns.includes(body.namespaceURI ?? '')) {
    throw new PaosError('PAOS_MESSAGE_UNKNOWN', `unknown PAOS message {${(body.namespaceURI ?? '').slice(0, 100)}}${name.slice(0, 100)}`);
  }
  return name;
}

export function clientMessageKind(body: XmlElement): ClientMessageKind {
  return known(body, CLIENT_MESSAGES) as ClientMessageKind;
}

export function serverMessageKind(body: XmlElement): ServerMessageKind {
  const name = known(body, ['InitializeFramework', 'DIDAuthenticate', 'Transmit', 'StartPAOSResponse']);
  if (name !== 'DIDAuthenticate') return name as ServerMessageKind;
  const data = elementChildren(body).find((c) => localNameOf(c) === 'AuthenticationProtocolData');
  if (data === undefined) throw new PaosError('PAOS_ELEMENT_MISSING', 'DIDAuthenticate lacks AuthenticationProtocolData');
  const type = eacDataType(data);
  if (type !== 'EAC1InputType' && type !== 'EAC2InputType' && type !== 'EACAdditionalInputType') throw new PaosError('PAOS_MESSAGE_UNKNOWN', `DIDAuthenticate with ${type}`);
  return type;
}
