/**
 * SOAP 1.1 envelope of PAOS messages with the PAOS and WS-Addressing headers.
 *
 * - Client messages carry `paos:PAOS` (Version, EndpointReference/Address, MetaData/ServiceType),
 *   `wsa:ReplyTo`, `wsa:RelatesTo` (the MessageID of the server request it answers; absent in StartPAOS)
 *   and `wsa:MessageID`.
 * - Server requests carry `wsa:RelatesTo` (the client message answered) and a fresh `wsa:MessageID`.
 * - Reading tolerates any prefixes, a missing header and the legacy `sb:Correlation`
 *   (messageID / refToMessageID attributes) that older servers and fixtures use.
 *
 * @spec tr03112-7 §3.3 (PAOS header), §3.4 (message correlation); soap11 §4 (envelope); ws-addressing §3 (MessageID, RelatesTo); eid-protocol §3.1
 */
import { randomUUID } from 'node:crypto';
import { PaosError } from './errors.js';
import { NS, PAOS_SERVICE_TYPE, PAOS_VERSION } from './namespaces.js';
import { attributeOf, elementChildren, el, leaf, localNameOf, parseXml, serialize, textOf } from './xml.js';
import type { XmlElement, XmlLimits, XmlOut } from './xml.js';

/** Whose message: the eID client's (PAOS header) or the server's request (addressing only). */
export type Sender = 'client' | 'server';

export interface EnvelopeHeader {
  messageId?: string | undefined;
  relatesTo?: string | undefined;
}

export interface ParsedEnvelope extends EnvelopeHeader {
  body: XmlElement;
  /** True when the PAOS header block was present (client messages). */
  paosHeader: boolean;
}

/** A fresh wsa:MessageID (TR-03112-7 §3.4: unique per message). */
export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

const ROLE_PAOS_2006_01 = 'http://www.projectliberty.org/2006/01/role/paos';
const ROLE_PAOS_2006_02 = 'http://www.projectliberty.org/2006/02/role/paos';
const ACTOR_NEXT = 'http://schemas.xmlsoap.org/soap/actor/next';

function namespaceDeclarations(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const prefix of ['soap', 'paos', 'wsa', 'iso', 'ecard', 'dss', 'xsi'] as const) out[`xmlns:${prefix}`] = NS[prefix];
  return out;
}

/** Builds the complete document around one body element. */
export function buildEnvelope(sender: Sender, header: EnvelopeHeader, body: XmlOut): string {
  const blocks: (XmlOut | undefined)[] = [];
  if (sender === 'client') {
    blocks.push(el('paos:PAOS', [
      leaf('paos:Version', PAOS_VERSION),
      el('paos:EndpointReference', [
        leaf('paos:Address', ROLE_PAOS_2006_01),
        el('paos:MetaData', [leaf('paos:ServiceType', PAOS_SERVICE_TYPE)]),
      ]),
    ], { 'soap:mustUnderstand': '1', 'soap:actor': ACTOR_NEXT }));
    blocks.push(el('wsa:ReplyTo', [leaf('wsa:Address', ROLE_PAOS_2006_02)]));
  }
  if (header.relatesTo !== undefined) blocks.push(leaf('wsa:RelatesTo', header.relatesTo));
  if (header.messageId !== undefined) blocks.push(leaf('wsa:MessageID', header.messageId));
  const envelope = el('soap:Envelope', [el('soap:Header', blocks), el('soap:Body', [body])], namespaceDeclarations());
  return `<?xml version="1.0" encoding="UTF-8"?>${serialize(envelope)}`;
}

const MAX_ID_LENGTH = 512;

function idText(element: XmlElement): string {
  const value = textOf(element);
  if (value === '' || value.length > MAX_ID_LENGTH) throw new PaosError('PAOS_VALUE_INVALID', `<${localNameOf(element)}> empty or longer than ${MAX_ID_LENGTH}`);
  return value;
}

/** Parses a PAOS document: SOAP 1.1 envelope, optional header, exactly one body element. */
export function parseEnvelope(input: string | Buffer, limits?: XmlLimits): ParsedEnvelope {
  const root = parseXml(input, limits);
  if (localNameOf(root) !== 'Envelope' || root.namespaceURI !== NS.soap) {
    throw new PaosError('PAOS_ENVELOPE_INVALID', `root is <${root.nodeName}>, not a SOAP 1.1 Envelope`);
  }
  const parts = elementChildren(root);
  let at = 0;
  let header: XmlElement | undefined;
  if (parts[at] !== undefined && localNameOf(parts[at]!) === 'Header' && parts[at]!.namespaceURI === NS.soap) header = parts[at++];
  const body = parts[at++];
  if (body === undefined || localNameOf(body) !== 'Body' || body.namespaceURI !== NS.soap) throw new PaosError('PAOS_ENVELOPE_INVALID', 'SOAP Body missing');
  if (at !== parts.length) throw new PaosError('PAOS_ENVELOPE_INVALID', 'elements after the SOAP Body');
  const content = elementChildren(body);
  if (content.length !== 1) throw new PaosError('PAOS_ENVELOPE_INVALID', `SOAP Body holds ${content.length} elements, expected exactly one`);

  const out: ParsedEnvelope = { body: content[0]!, paosHeader: false };
  for (const block of header === undefined ? [] : elementChildren(header)) {
    const name = localNameOf(block);
    if (block.namespaceURI === NS.wsa && name === 'MessageID') {
      if (out.messageId !== undefined) throw new PaosError('PAOS_ELEMENT_UNEXPECTED', 'two wsa:MessageID headers');
      out.messageId = idText(block);
    } else if (block.namespaceURI === NS.wsa && name === 'RelatesTo') {
      if (out.relatesTo !== undefined) throw new PaosError('PAOS_ELEMENT_UNEXPECTED', 'two wsa:RelatesTo headers');
      out.relatesTo = idText(block);
    } else if (block.namespaceURI === NS.paos && name === 'PAOS') {
      out.paosHeader = true;
    } else if (name === 'Correlation' && (block.namespaceURI === NS.sb || block.namespaceURI === `http://${NS.sb}`)) {
      // Legacy liberty SOAP binding (fixtures spell the namespace with and without http://).
      const id = attributeOf(block, 'messageID');
      const ref = attributeOf(block, 'refToMessageID');
      if (out.messageId === undefined && id !== null && id !== '') out.messageId = id.slice(0, MAX_ID_LENGTH);
      if (out.relatesTo === undefined && ref !== null && ref !== '') out.relatesTo = ref.slice(0, MAX_ID_LENGTH);
    } else if (attributeOf(block, 'mustUnderstand', NS.soap) === '1' && block.namespaceURI !== NS.wsa) {
      // soap11 §4.2.3: a mandatory header we do not understand must fail the message.
      throw new PaosError('PAOS_ENVELOPE_INVALID', `mandatory header <${block.nodeName}> not understood`);
    }
    // Other headers (wsa:ReplyTo, wsa:Action, wsa:To …) carry nothing the conversation needs.
  }
  return out;
}
