/**
 * EAC step 1 (server): build EAC1InputType — certificates, CertificateDescription, Required/Optional
 * CHAT, AuthenticatedAuxiliaryData — after checking that the eService asks for no more than its
 * terminal certificate grants.
 *
 * @spec tr03112-7 §3.6.4.1 (EAC1InputType), tr03130-1 §2.4 (missingTerminalRights), tr03110-3 §A.6.5 (aux data)
 */
import { chatAllows, chatIsSubset, chatRightsBeyond, encodeChat } from '../cvc/chat.js';
import { cvcDateFromDate } from '../cvc/dates.js';
import { parseCvCertificate } from '../cvc/cv-certificate.js';
import { ageVerificationDate, calendarDate, encodeAuxiliaryData, requestedChecks } from '../auxiliary-data.js';
import type { AuxiliaryDataRequest } from '../auxiliary-data.js';
import { EacTerminalError } from '../eac-terminal-error.js';
import { checkTerminalChain, parseCertificatePool } from './certificate-chain.js';
import type { EacTerminalConfig } from './config.js';
import type { EacTerminalState } from './state.js';

export interface Eac1Input {
  /** CVCA link certificates, DV certificate(s), terminal certificate (the client picks the path for the chip's CAR). */
  certificates: Buffer[];
  certificateDescription?: Buffer;
  /** 7F4C encodings. */
  requiredChat: Buffer;
  optionalChat: Buffer;
  /** 67 encoding, exactly as it will be signed in TA. */
  authenticatedAuxiliaryData?: Buffer;
}

export function startEac(config: EacTerminalConfig): { state: EacTerminalState; eac1: Eac1Input } {
  const terminal = parseCvCertificate(config.terminalCertificate);
  const pool = parseCertificatePool(config.certificates);
  const now = config.clock.now();
  checkTerminalChain(terminal, pool, cvcDateFromDate(now));
  // TR-03130-1 §2.4 / reference §4.2: Required and Optional CHAT must be subsets of the terminal CHAT.
  for (const [name, chat] of [['required', config.requiredChat], ['optional', config.optionalChat]] as const) {
    if (!chatIsSubset(chat, terminal.chat)) {
      throw new EacTerminalError('TA_CHAT_EXCEEDS_TERMINAL', `${name} CHAT asks for rights the terminal certificate lacks`, { detail: { bits: chatRightsBeyond(chat, terminal.chat) } });
    }
  }
  const aux = config.auxiliary ?? {};
  const today = calendarDate(now, config.timeZone);
  const request: AuxiliaryDataRequest = {};
  const requested = (right: 'AGE_VERIFICATION' | 'COMMUNITY_ID_VERIFICATION'): boolean => chatAllows(config.requiredChat, right) || chatAllows(config.optionalChat, right);
  if (aux.minimumAge !== undefined) {
    // reference §6.5: age/place verification needs the special-function right and aux data.
    if (!requested('AGE_VERIFICATION')) throw new EacTerminalError('AUX_VERIFICATION_NOT_ALLOWED', 'age verification configured without the AGE_VERIFICATION right in the CHAT');
    request.bornOnOrBefore = ageVerificationDate(aux.minimumAge, today);
  }
  if (aux.communityIdPrefix !== undefined) {
    if (!requested('COMMUNITY_ID_VERIFICATION')) throw new EacTerminalError('AUX_VERIFICATION_NOT_ALLOWED', 'place verification configured without the COMMUNITY_ID_VERIFICATION right in the CHAT');
    request.communityIdPrefix = aux.communityIdPrefix;
  }
  if (aux.checkValidity !== false) request.validOn = today;
  const auxiliaryData = encodeAuxiliaryData(request);
  const requiredChat = encodeChat(config.requiredChat);
  const optionalChat = encodeChat(config.optionalChat);
  const eac1: Eac1Input = { certificates: [...config.certificates.map((c) => Buffer.from(c)), Buffer.from(config.terminalCertificate)], requiredChat, optionalChat };
  if (config.certificateDescription !== undefined) eac1.certificateDescription = Buffer.from(config.certificateDescription);
  if (auxiliaryData !== undefined) eac1.authenticatedAuxiliaryData = auxiliaryData;
  const state: EacTerminalState = {
    v: 1, step: 'eac1', requiredChat: requiredChat.toString('hex'), optionalChat: optionalChat.toString('hex'),
    auxiliaryData: auxiliaryData === undefined ? null : auxiliaryData.toString('hex'), checks: requestedChecks(request),
  };
  return { state, eac1 };
}
