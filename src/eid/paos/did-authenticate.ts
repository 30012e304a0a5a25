/**
 * DIDAuthenticate / DIDAuthenticateResponse frame shared by the EAC messages: ConnectionHandle,
 * DIDName, AuthenticationProtocolData (Protocol attribute, xsi:type) resp. dss:Result and
 * AuthenticationProtocolData. The typed contents live in did-authenticate-eac1.ts, -eac2.ts and
 * -eac-additional.ts.
 *
 * @spec iso24727-3 §3.6.1 (DIDAuthenticate), tr03112-7 §3.6.4 (EAC protocol data); eid-protocol §3.2
 */
import { buildConnectionHandle, parseConnectionHandle } from './connection-handle.js';
import type { ConnectionHandle } from './connection-handle.js';
import { PaosError } from './errors.js';
import { NS } from './namespaces.js';
import { buildResult, parseResult } from './result.js';
import type { PaosResult } from './result.js';
import { attributeOf, el, leaf, Sequence, textOf, xsiTypeOf } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

/** TR-03112-7 §3.6.4: id-EAC protocol URI (EAC2 generation); fixtures also use the shorter arc. */
export const EAC_PROTOCOL = 'urn:oid:1.3.162.15480.3.0.14.2';
const EAC_PROTOCOLS: ReadonlySet<string> = new Set([EAC_PROTOCOL, 'urn:oid:1.3.162.15480.3.0.14']);

export type EacDataType = 'EAC1InputType' | 'EAC2InputType' | 'EACAdditionalInputType' | 'EAC1OutputType' | 'EAC2OutputType';

export interface DidAuthenticateFrame {
  connectionHandle: ConnectionHandle;
  didName: string;
  type: EacDataType;
  /** AuthenticationProtocolData, read further by the typed parser. */
  data: XmlElement;
}

export interface DidAuthenticateResponseFrame {
  result: PaosResult;
  /** Absent in some error answers. */
  type?: EacDataType | undefined;
  data?: XmlElement | undefined;
}

const TYPES: readonly EacDataType[] = ['EAC1InputType', 'EAC2InputType', 'EACAdditionalInputType', 'EAC1OutputType', 'EAC2OutputType'];

function protocolData(type: EacDataType, children: readonly (XmlOut | undefined)[]): XmlOut {
  return el('iso:AuthenticationProtocolData', children, { Protocol: EAC_PROTOCOL, 'xsi:type': `iso:${type}` });
}

export function buildDidAuthenticate(handle: ConnectionHandle, didName: string, type: EacDataType, children: readonly (XmlOut | undefined)[]): XmlOut {
  return el('iso:DIDAuthenticate', [buildConnectionHandle(handle), leaf('iso:DIDName', didName), protocolData(type, children)]);
}

export function buildDidAuthenticateResponse(result: PaosResult, type: EacDataType, children: readonly (XmlOut | undefined)[]): XmlOut {
  return el('iso:DIDAuthenticateResponse', [buildResult(result), protocolData(type, children)]);
}

/** xsi:type of AuthenticationProtocolData (prefix resolved; unprefixed accepted) and the Protocol URI. */
export function eacDataType(data: XmlElement): EacDataType {
  const t = xsiTypeOf(data);
  if (t === null) throw new PaosError('PAOS_VALUE_INVALID', 'AuthenticationProtocolData without xsi:type');
  if (t.namespace !== null && t.namespace !== NS.iso) throw new PaosError('PAOS_VALUE_INVALID', `xsi:type ${t.local} in namespace ${t.namespace}`);
  const type = TYPES.find((x) => x === t.local);
  if (type === undefined) throw new PaosError('PAOS_VALUE_INVALID', `unsupported AuthenticationProtocolData type ${t.local.slice(0, 64)}`);
  const protocol = attributeOf(data, 'Protocol');
  if (protocol !== null && !EAC_PROTOCOLS.has(protocol.trim())) throw new PaosError('PAOS_VALUE_INVALID', `unsupported DID protocol ${protocol.slice(0, 64)}`);
  return type;
}

export function parseDidAuthenticate(body: XmlElement): DidAuthenticateFrame {
  const seq = new Sequence(body);
  const connectionHandle = parseConnectionHandle(seq.required('ConnectionHandle'));
  const didName = textOf(seq.required('DIDName'));
  const data = seq.required('AuthenticationProtocolData');
  seq.end();
  return { connectionHandle, didName, type: eacDataType(data), data };
}

export function parseDidAuthenticateResponse(body: XmlElement): DidAuthenticateResponseFrame {
  const seq = new Sequence(body);
  const result = parseResult(seq.required('Result'));
  const data = seq.optional('AuthenticationProtocolData');
  seq.end();
  if (data === undefined) {
    if (result.major === 'error') return { result };
    throw new PaosError('PAOS_ELEMENT_MISSING', 'DIDAuthenticateResponse lacks AuthenticationProtocolData');
  }
  return { result, type: eacDataType(data), data };
}

/** An error answer of the client: dss:Result and an empty AuthenticationProtocolData of the expected type. */
export function buildDidAuthenticateErrorResponse(result: PaosResult, type: EacDataType): XmlOut {
  return buildDidAuthenticateResponse(result, type, []);
}
