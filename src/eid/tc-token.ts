/**
 * The TC Token (TR-03124-1 §2.4): where the eID client finds the eID-Server (ServerAddress), which
 * session it continues (SessionIdentifier = PSK identity), the PSK for TLS-2, and where the browser
 * goes afterwards (RefreshAddress) or on a channel failure (CommunicationErrorAddress).
 * Root TCTokenType without namespace; element order as the XSD; served as text/xml.
 *
 * @spec tr03124-1 §2.4 (TC Token), §2.5 (TLS-2, PSK); tr03130-1 §2.3.2; eid-protocol §2.1
 */
import { IdpError } from '../errors/idp-error.js';
import { PAOS_VERSION } from './paos/namespaces.js';
import { elementChildren, escapeText, localNameOf, parseXml, textOf } from './paos/xml.js';

export const PATH_SECURITY_PSK = 'urn:ietf:rfc:4279';

export interface TcToken {
  serverAddress: string;
  sessionIdentifier: string;
  refreshAddress: string;
  communicationErrorAddress?: string | undefined;
  /** Absent in the "attached eID-Server" model (plain TLS). */
  psk?: Buffer | undefined;
}

export class TcTokenError extends IdpError {}

export function buildTcToken(t: TcToken): string {
  const el = (name: string, value: string): string => `<${name}>${escapeText(value)}</${name}>`;
  return '<?xml version="1.0" encoding="UTF-8"?><TCTokenType>'
    + el('ServerAddress', t.serverAddress)
    + el('SessionIdentifier', t.sessionIdentifier)
    + el('RefreshAddress', t.refreshAddress)
    + (t.communicationErrorAddress === undefined ? '' : el('CommunicationErrorAddress', t.communicationErrorAddress))
    + el('Binding', PAOS_VERSION)
    + (t.psk === undefined ? '' : `${el('PathSecurity-Protocol', PATH_SECURITY_PSK)}<PathSecurity-Parameters>${el('PSK', t.psk.toString('hex').toUpperCase())}</PathSecurity-Parameters>`)
    + '</TCTokenType>';
}

function invalid(message: string): TcTokenError {
  return new TcTokenError('TCTOKEN_INVALID', `TC Token: ${message}`);
}

/**
 * Parses a TC Token as a client does (AusweisApp TcToken.cpp: local names, trimmed values): Binding
 * must be PAOS, PathSecurity-Protocol if present RFC 4279, the PSK even-length hex, addresses absolute URLs.
 */
export function parseTcToken(xml: string | Buffer): TcToken {
  let root;
  try {
    root = parseXml(xml, { maxBytes: 16 * 1024, maxDepth: 4 });
  } catch (cause) {
    throw new TcTokenError('TCTOKEN_INVALID', 'TC Token is not well-formed XML', { cause });
  }
  if (localNameOf(root) !== 'TCTokenType') throw invalid(`root <${root.nodeName}>`);
  const values = new Map<string, string>();
  let psk: Buffer | undefined;
  for (const child of elementChildren(root)) {
    const name = localNameOf(child);
    if (values.has(name)) throw invalid(`<${name}> repeated`);
    if (name === 'PathSecurity-Parameters') {
      const inner = elementChildren(child).find((c) => localNameOf(c) === 'PSK');
      if (inner === undefined) throw invalid('PathSecurity-Parameters without PSK');
      const hex = textOf(inner);
      if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) throw invalid('PSK is not even-length hex');
      psk = Buffer.from(hex, 'hex');
      values.set(name, '');
    } else values.set(name, textOf(child));
  }
  const url = (name: string, required: boolean): string | undefined => {
    const v = values.get(name);
    if (v === undefined) {
      if (required) throw invalid(`<${name}> missing`);
      return undefined;
    }
    if (!URL.canParse(v)) throw invalid(`<${name}> is not an absolute URL`);
    return v;
  };
  if (values.get('Binding') !== PAOS_VERSION) throw invalid('Binding is not urn:liberty:paos:2006-08');
  const protocol = values.get('PathSecurity-Protocol');
  if (protocol !== undefined && protocol !== PATH_SECURITY_PSK) throw invalid('PathSecurity-Protocol is not urn:ietf:rfc:4279');
  if (psk !== undefined && protocol === undefined) throw invalid('PSK without PathSecurity-Protocol');
  const sessionIdentifier = values.get('SessionIdentifier');
  if (sessionIdentifier === undefined || sessionIdentifier === '') throw invalid('<SessionIdentifier> missing');
  return {
    serverAddress: url('ServerAddress', true)!, sessionIdentifier, refreshAddress: url('RefreshAddress', true)!,
    communicationErrorAddress: url('CommunicationErrorAddress', false), psk,
  };
}
