/**
 * Transmit (server → client: SlotHandle, InputAPDUInfo+{InputAPDU, AcceptableStatusCode*}) and
 * TransmitResponse (client → server: dss:Result, OutputAPDU*). The client sends the APDUs in order
 * and stops after the first response whose status word starts with none of its AcceptableStatusCodes.
 *
 * @spec iso24727-3 §3.5.12 (Transmit), tr03112-7 §3.6.5; eid-protocol §3.2
 */
import { PaosError } from './errors.js';
import { buildResult, parseResult, throwIfError } from './result.js';
import type { PaosResult } from './result.js';
import { el, hexLeaf, hexOf, Sequence } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export interface InputApduInfo {
  apdu: Buffer;
  /** Status-word prefixes (hex, 1-2 bytes) after which the client may continue. */
  acceptableStatusCodes: string[];
}

export interface TransmitMessage {
  slotHandle: Buffer;
  apdus: InputApduInfo[];
}

export interface TransmitResponseMessage {
  result: PaosResult;
  outputApdus: Buffer[];
}

/** An extended-length APDU is at most 4 + 3 + 65535 + 3 bytes (ISO/IEC 7816-4 §5.1). */
const APDU_MAX = 65545;
const MAX_APDUS = 64;

export function buildTransmit(m: TransmitMessage): XmlOut {
  return el('iso:Transmit', [
    hexLeaf('iso:SlotHandle', m.slotHandle),
    ...m.apdus.map((a) => el('iso:InputAPDUInfo', [
      hexLeaf('iso:InputAPDU', a.apdu),
      ...a.acceptableStatusCodes.map((s) => hexLeaf('iso:AcceptableStatusCode', Buffer.from(s, 'hex'))),
    ])),
  ]);
}

export function parseTransmit(body: XmlElement): TransmitMessage {
  const seq = new Sequence(body);
  const slotHandle = hexOf(seq.required('SlotHandle'), { maxBytes: 256 });
  const apdus = seq.many('InputAPDUInfo', 1, MAX_APDUS).map((info) => {
    const s = new Sequence(info);
    const apdu = hexOf(s.required('InputAPDU'), { minBytes: 4, maxBytes: APDU_MAX });
    const acceptableStatusCodes = s.many('AcceptableStatusCode', 0, 16).map((c) => hexOf(c, { minBytes: 1, maxBytes: 2 }).toString('hex').toUpperCase());
    s.end();
    return { apdu, acceptableStatusCodes };
  });
  seq.end();
  return { slotHandle, apdus };
}

export function buildTransmitResponse(m: TransmitResponseMessage): XmlOut {
  return el('iso:TransmitResponse', [buildResult(m.result), ...m.outputApdus.map((a) => hexLeaf('iso:OutputAPDU', a))]);
}

/** Parses the client's answer; an error result throws (PAOS_CLIENT_CANCELLED / PAOS_CLIENT_ERROR). */
export function parseTransmitResponse(body: XmlElement): TransmitResponseMessage {
  const seq = new Sequence(body);
  const result = parseResult(seq.required('Result'));
  const outputApdus = seq.many('OutputAPDU', 0, MAX_APDUS).map((a) => hexOf(a, { minBytes: 2, maxBytes: APDU_MAX }));
  seq.end();
  // ISO/IEC 24727-3: an APDU outside AcceptableStatusCode makes the result an error, yet the
  // responses up to it are still present; the conversation evaluates them (card said no ≠ client fault).
  if (result.major === 'error' && outputApdus.length === 0) throwIfError(result, 'Transmit');
  if (result.major === 'error' && outputApdus.length > 0) return { result, outputApdus };
  if (outputApdus.length === 0) throw new PaosError('PAOS_ELEMENT_MISSING', 'TransmitResponse without OutputAPDU');
  return { result, outputApdus };
}
