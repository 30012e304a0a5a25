/**
 * DIDAuthenticate with EACAdditionalInputType (server → client): the TA signature, sent after the
 * client returned the chip's challenge in EAC2OutputType. The client answers with EAC2OutputType
 * (EFCardSecurity, AuthenticationToken, Nonce).
 *
 * @spec tr03112-7 §3.6.4.5 (EACAdditionalInputType); eid-protocol §3.2, §6.6
 */
import type { ConnectionHandle } from './connection-handle.js';
import { buildDidAuthenticate, parseDidAuthenticate } from './did-authenticate.js';
import { PaosError } from './errors.js';
import { hexLeaf, hexOf, Sequence } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export interface EacAdditionalInputMessage {
  connectionHandle: ConnectionHandle;
  didName: string;
  signature: Buffer;
}

export function buildEacAdditionalInput(m: EacAdditionalInputMessage): XmlOut {
  return buildDidAuthenticate(m.connectionHandle, m.didName, 'EACAdditionalInputType', [hexLeaf('iso:Signature', m.signature)]);
}

export function parseEacAdditionalInput(body: XmlElement): EacAdditionalInputMessage {
  const frame = parseDidAuthenticate(body);
  if (frame.type !== 'EACAdditionalInputType') throw new PaosError('PAOS_MESSAGE_UNEXPECTED', `DIDAuthenticate ${frame.type}, expected EACAdditionalInputType`);
  const seq = new Sequence(frame.data);
  const signature = hexOf(seq.required('Signature'), { maxBytes: 256, minBytes: 1 });
  seq.end();
  return { connectionHandle: frame.connectionHandle, didName: frame.didName, signature };
}
