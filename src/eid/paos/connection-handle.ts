/**
 * iso:ConnectionHandle (ConnectionHandleType): the client names its card slot in StartPAOS and the
 * server copies it into DIDAuthenticate (SlotHandle mandatory there) and Transmit.
 *
 * Reading accepts the children in any order (AusweisApp ConnectionHandleParser does too), each at
 * most once, and skips the complex ones the server does not use (ChannelHandle, RecognitionInfo, SlotInfo).
 *
 * @spec iso24727-3 §3.2 (ConnectionHandleType), tr03112-7 §3.6 (DIDAuthenticate), eid-protocol §3.2
 */
import { PaosError } from './errors.js';
import { el, elementChildren, hexLeaf, hexOf, leaf, localNameOf, textOf, uintOf } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export interface ConnectionHandle {
  contextHandle?: Buffer | undefined;
  ifdName?: string | undefined;
  slotIndex?: number | undefined;
  /** AID of the card application (eID: E8 07 04 00 7F 00 07 03 02). */
  cardApplication?: Buffer | undefined;
  slotHandle?: Buffer | undefined;
}

/** AID of the eID application as clients announce it (TR-03110-4 §3.1.2). */
export const EID_CARD_APPLICATION = Buffer.from('e80704007f00070302', 'hex');

const MAX_HANDLE = 256;
const IGNORED = new Set(['ChannelHandle', 'RecognitionInfo', 'SlotInfo']);

/** ISO/IEC 24727-3 element order: ContextHandle, IFDName, SlotIndex, CardApplication, SlotHandle. */
export function buildConnectionHandle(handle: ConnectionHandle): XmlOut {
  return el('iso:ConnectionHandle', [
    handle.contextHandle === undefined ? undefined : hexLeaf('iso:ContextHandle', handle.contextHandle),
    handle.ifdName === undefined ? undefined : leaf('iso:IFDName', handle.ifdName),
    handle.slotIndex === undefined ? undefined : leaf('iso:SlotIndex', String(handle.slotIndex)),
    handle.cardApplication === undefined ? undefined : hexLeaf('iso:CardApplication', handle.cardApplication),
    handle.slotHandle === undefined ? undefined : hexLeaf('iso:SlotHandle', handle.slotHandle),
  ]);
}

export function parseConnectionHandle(element: XmlElement): ConnectionHandle {
  const out: ConnectionHandle = {};
  const seen = new Set<string>();
  for (const child of elementChildren(element)) {
    const name = localNameOf(child);
    if (seen.has(name)) throw new PaosError('PAOS_ELEMENT_UNEXPECTED', `ConnectionHandle repeats <${name}>`);
    seen.add(name);
    switch (name) {
      case 'ContextHandle': out.contextHandle = hexOf(child, { maxBytes: MAX_HANDLE }); break;
      case 'IFDName': out.ifdName = textOf(child).slice(0, MAX_HANDLE); break;
      case 'SlotIndex': out.slotIndex = uintOf(child); break;
      case 'CardApplication': out.cardApplication = hexOf(child, { maxBytes: 16 }); break;
      case 'SlotHandle': out.slotHandle = hexOf(child, { maxBytes: MAX_HANDLE }); break;
      default:
        if (!IGNORED.has(name)) throw new PaosError('PAOS_ELEMENT_UNEXPECTED', `ConnectionHandle has unknown <${name}>`);
    }
  }
  return out;
}

/** JSON form for the session store. */
export function connectionHandleToJson(h: ConnectionHandle): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (h.contextHandle) out.contextHandle = h.contextHandle.toString('hex');
  if (h.ifdName !== undefined) out.ifdName = h.ifdName;
  if (h.slotIndex !== undefined) out.slotIndex = h.slotIndex;
  if (h.cardApplication) out.cardApplication = h.cardApplication.toString('hex');
  if (h.slotHandle) out.slotHandle = h.slotHandle.toString('hex');
  return out;
}

export function connectionHandleFromJson(json: Record<string, string | number>): ConnectionHandle {
  const h: ConnectionHandle = {};
  if (typeof json.contextHandle === 'string') h.contextHandle = Buffer.from(json.contextHandle, 'hex');
  if (typeof json.ifdName === 'string') h.ifdName = json.ifdName;
  if (typeof json.slotIndex === 'number') h.slotIndex = json.slotIndex;
  if (typeof json.cardApplication === 'string') h.cardApplication = Buffer.from(json.cardApplication, 'hex');
  if (typeof json.slotHandle === 'string') h.slotHandle = Buffer.from(json.slotHandle, 'hex');
  return h;
}
