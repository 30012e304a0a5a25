/**
 * DIDAuthenticate with EAC2InputType (server → client: Certificate*, EphemeralPublicKey, Signature?)
 * and DIDAuthenticateResponse with EAC2OutputType (client → server: EFCardSecurity?,
 * AuthenticationToken?, Nonce?, Challenge?).
 *
 * Without Signature the client answers with only a Challenge, and the signature follows in
 * EACAdditionalInputType (did-authenticate-eac-additional.ts).
 *
 * @spec tr03112-7 §3.6.4.3 (EAC2InputType), §3.6.4.4 (EAC2OutputType); eid-protocol §3.2
 */
import type { ConnectionHandle } from './connection-handle.js';
import { buildDidAuthenticate, buildDidAuthenticateResponse, parseDidAuthenticate, parseDidAuthenticateResponse } from './did-authenticate.js';
import { PaosError } from './errors.js';
import { throwIfError, type PaosResult } from './result.js';
import { hexLeaf, hexOf, Sequence } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export interface Eac2InputMessage {
  connectionHandle: ConnectionHandle;
  didName: string;
  certificates: Buffer[];
  ephemeralPublicKey: Buffer;
  signature?: Buffer | undefined;
}

export interface Eac2OutputMessage {
  result: PaosResult;
  efCardSecurity?: Buffer | undefined;
  authenticationToken?: Buffer | undefined;
  nonce?: Buffer | undefined;
  challenge?: Buffer | undefined;
}

export function buildEac2Input(m: Eac2InputMessage): XmlOut {
  return buildDidAuthenticate(m.connectionHandle, m.didName, 'EAC2InputType', [
    ...m.certificates.map((c) => hexLeaf('iso:Certificate', c)),
    hexLeaf('iso:EphemeralPublicKey', m.ephemeralPublicKey),
    m.signature === undefined ? undefined : hexLeaf('iso:Signature', m.signature),
  ]);
}

export function parseEac2Input(body: XmlElement): Eac2InputMessage {
  const frame = parseDidAuthenticate(body);
  if (frame.type !== 'EAC2InputType') throw new PaosError('PAOS_MESSAGE_UNEXPECTED', `DIDAuthenticate ${frame.type}, expected EAC2InputType`);
  const seq = new Sequence(frame.data);
  const certificates = seq.many('Certificate', 0, 16).map((c) => hexOf(c, { maxBytes: 2048, minBytes: 1 }));
  const ephemeralPublicKey = hexOf(seq.required('EphemeralPublicKey'), { maxBytes: 256, minBytes: 1 });
  const sig = seq.optional('Signature');
  seq.end();
  const out: Eac2InputMessage = { connectionHandle: frame.connectionHandle, didName: frame.didName, certificates, ephemeralPublicKey };
  if (sig !== undefined) out.signature = hexOf(sig, { maxBytes: 256, minBytes: 1 });
  return out;
}

export function buildEac2Output(m: Eac2OutputMessage): XmlOut {
  return buildDidAuthenticateResponse(m.result, 'EAC2OutputType', [
    m.efCardSecurity === undefined ? undefined : hexLeaf('iso:EFCardSecurity', m.efCardSecurity),
    m.authenticationToken === undefined ? undefined : hexLeaf('iso:AuthenticationToken', m.authenticationToken),
    m.nonce === undefined ? undefined : hexLeaf('iso:Nonce', m.nonce),
    m.challenge === undefined ? undefined : hexLeaf('iso:Challenge', m.challenge),
  ]);
}

/** Parses the client's answer; an error result throws (PAOS_CLIENT_CANCELLED / PAOS_CLIENT_ERROR). */
export function parseEac2Output(body: XmlElement): Eac2OutputMessage {
  const frame = parseDidAuthenticateResponse(body);
  throwIfError(frame.result, 'DIDAuthenticate EAC2');
  if (frame.type !== 'EAC2OutputType' || frame.data === undefined) throw new PaosError('PAOS_MESSAGE_UNEXPECTED', `DIDAuthenticateResponse ${frame.type ?? 'without data'}, expected EAC2OutputType`);
  const seq = new Sequence(frame.data);
  const out: Eac2OutputMessage = { result: frame.result };
  const cs = seq.optional('EFCardSecurity');
  if (cs !== undefined) out.efCardSecurity = hexOf(cs, { maxBytes: 65536, minBytes: 1 });
  const token = seq.optional('AuthenticationToken');
  if (token !== undefined) out.authenticationToken = hexOf(token, { maxBytes: 64, minBytes: 1 });
  const nonce = seq.optional('Nonce');
  if (nonce !== undefined) out.nonce = hexOf(nonce, { maxBytes: 64, minBytes: 1 });
  const challenge = seq.optional('Challenge');
  if (challenge !== undefined) out.challenge = hexOf(challenge, { maxBytes: 64, minBytes: 1 });
  seq.end();
  return out;
}
