/**
 * DIDAuthenticate with EAC1InputType (server → client) and DIDAuthenticateResponse with
 * EAC1OutputType (client → server).
 *
 * EAC1InputType order: Certificate*, CertificateDescription, RequiredCHAT?, OptionalCHAT?,
 * AuthenticatedAuxiliaryData?, TransactionInfo?, AcceptedEIDType*.
 * EAC1OutputType order (AusweisApp DidAuthenticateResponseEac1): RetryCounter?,
 * CertificateHolderAuthorizationTemplate?, CertificationAuthorityReference{0,2}, EFCardAccess,
 * IDPICC, Challenge?.
 *
 * @spec tr03112-7 §3.6.4.1 (EAC1InputType), §3.6.4.2 (EAC1OutputType); tr03130-1 §3.2.1 (TransactionInfo, EIDType); eid-protocol §3.2
 */
import type { ConnectionHandle } from './connection-handle.js';
import { buildDidAuthenticate, buildDidAuthenticateResponse, parseDidAuthenticate, parseDidAuthenticateResponse } from './did-authenticate.js';
import { PaosError } from './errors.js';
import { throwIfError, type PaosResult } from './result.js';
import { hexLeaf, hexOf, leaf, Sequence, textOf, uintOf } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export const ACCEPTED_EID_TYPES = ['CardCertified', 'SECertified', 'SEEndorsed', 'HWKeyStore'] as const;
export type AcceptedEidType = (typeof ACCEPTED_EID_TYPES)[number];

export interface Eac1InputMessage {
  connectionHandle: ConnectionHandle;
  didName: string;
  certificates: Buffer[];
  certificateDescription: Buffer;
  requiredChat?: Buffer | undefined;
  optionalChat?: Buffer | undefined;
  authenticatedAuxiliaryData?: Buffer | undefined;
  transactionInfo?: string | undefined;
  acceptedEidTypes?: AcceptedEidType[] | undefined;
}

export interface Eac1OutputMessage {
  result: PaosResult;
  retryCounter?: number | undefined;
  chat?: Buffer | undefined;
  cars: string[];
  efCardAccess: Buffer;
  idPicc: Buffer;
  challenge?: Buffer | undefined;
}

const CERT_MAX = 2048;
const DESCRIPTION_MAX = 16384;

export function buildEac1Input(m: Eac1InputMessage): XmlOut {
  return buildDidAuthenticate(m.connectionHandle, m.didName, 'EAC1InputType', [
    ...m.certificates.map((c) => hexLeaf('iso:Certificate', c)),
    hexLeaf('iso:CertificateDescription', m.certificateDescription),
    m.requiredChat === undefined ? undefined : hexLeaf('iso:RequiredCHAT', m.requiredChat),
    m.optionalChat === undefined ? undefined : hexLeaf('iso:OptionalCHAT', m.optionalChat),
    m.authenticatedAuxiliaryData === undefined ? undefined : hexLeaf('iso:AuthenticatedAuxiliaryData', m.authenticatedAuxiliaryData),
    m.transactionInfo === undefined ? undefined : leaf('iso:TransactionInfo', m.transactionInfo),
    ...(m.acceptedEidTypes ?? []).map((t) => leaf('iso:AcceptedEIDType', t)),
  ]);
}

export function parseEac1Input(body: XmlElement): Eac1InputMessage {
  const frame = parseDidAuthenticate(body);
  if (frame.type !== 'EAC1InputType') throw new PaosError('PAOS_MESSAGE_UNEXPECTED', `DIDAuthenticate ${frame.type}, expected EAC1InputType`);
  const seq = new Sequence(frame.data);
  const certificates = seq.many('Certificate', 0, 16).map((c) => hexOf(c, { maxBytes: CERT_MAX, minBytes: 1 }));
  const certificateDescription = hexOf(seq.required('CertificateDescription'), { maxBytes: DESCRIPTION_MAX, minBytes: 1 });
  const out: Eac1InputMessage = { connectionHandle: frame.connectionHandle, didName: frame.didName, certificates, certificateDescription };
  const req = seq.optional('RequiredCHAT');
  if (req !== undefined) out.requiredChat = hexOf(req, { maxBytes: 64 });
  const opt = seq.optional('OptionalCHAT');
  if (opt !== undefined) out.optionalChat = hexOf(opt, { maxBytes: 64 });
  const aux = seq.optional('AuthenticatedAuxiliaryData');
  if (aux !== undefined) out.authenticatedAuxiliaryData = hexOf(aux, { maxBytes: 1024 });
  const info = seq.optional('TransactionInfo');
  if (info !== undefined) out.transactionInfo = textOf(info).slice(0, 8192);
  const types = seq.many('AcceptedEIDType', 0, 4).map((t) => {
    const v = textOf(t);
    const known = ACCEPTED_EID_TYPES.find((x) => x === v);
    if (known === undefined) throw new PaosError('PAOS_VALUE_INVALID', `unknown AcceptedEIDType ${v.slice(0, 32)}`);
    return known;
  });
  if (types.length > 0) out.acceptedEidTypes = types;
  seq.end();
  return out;
}

export function buildEac1Output(m: Eac1OutputMessage): XmlOut {
  return buildDidAuthenticateResponse(m.result, 'EAC1OutputType', [
    m.retryCounter === undefined ? undefined : leaf('iso:RetryCounter', String(m.retryCounter)),
    m.chat === undefined ? undefined : hexLeaf('iso:CertificateHolderAuthorizationTemplate', m.chat),
    ...m.cars.map((c) => leaf('iso:CertificationAuthorityReference', c)),
    hexLeaf('iso:EFCardAccess', m.efCardAccess),
    hexLeaf('iso:IDPICC', m.idPicc),
    m.challenge === undefined ? undefined : hexLeaf('iso:Challenge', m.challenge),
  ]);
}

/** Parses the client's answer; an error result throws (PAOS_CLIENT_CANCELLED / PAOS_CLIENT_ERROR). */
export function parseEac1Output(body: XmlElement): Eac1OutputMessage {
  const frame = parseDidAuthenticateResponse(body);
  throwIfError(frame.result, 'DIDAuthenticate EAC1');
  if (frame.type !== 'EAC1OutputType' || frame.data === undefined) throw new PaosError('PAOS_MESSAGE_UNEXPECTED', `DIDAuthenticateResponse ${frame.type ?? 'without data'}, expected EAC1OutputType`);
  const seq = new Sequence(frame.data);
  const out: Eac1OutputMessage = { result: frame.result, cars: [], efCardAccess: Buffer.alloc(0), idPicc: Buffer.alloc(0) };
  const retry = seq.optional('RetryCounter');
  if (retry !== undefined) out.retryCounter = uintOf(retry, 255);
  const chat = seq.optional('CertificateHolderAuthorizationTemplate');
  if (chat !== undefined) out.chat = hexOf(chat, { maxBytes: 64, minBytes: 1 });
  out.cars = seq.many('CertificationAuthorityReference', 0, 2).map((c) => {
    const car = textOf(c);
    // TR-03110-3 App. A.6.1: CAR = country (2) ‖ mnemonic (≤ 9) ‖ sequence (5), printable characters.
    if (!/^[\x20-\x7e]{8,16}$/.test(car)) throw new PaosError('PAOS_VALUE_INVALID', 'CertificationAuthorityReference malformed');
    return car;
  });
  out.efCardAccess = hexOf(seq.required('EFCardAccess'), { maxBytes: 8192, minBytes: 1 });
  out.idPicc = hexOf(seq.required('IDPICC'), { maxBytes: 128, minBytes: 1 });
  const challenge = seq.optional('Challenge');
  if (challenge !== undefined) out.challenge = hexOf(challenge, { maxBytes: 64, minBytes: 1 });
  seq.end();
  return out;
}
