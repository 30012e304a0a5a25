/**
 * EAC step 2 (server): from EAC1OutputType (effective CHAT, CAR, EF.CardAccess, ID_PICC, r_PICC)
 * to EAC2InputType (certificates for the CAR, ephemeral public key, TA signature).
 *
 * - the effective CHAT must contain the required CHAT and stay within required ∪ optional;
 * - rights are further limited by the chain the chip sees and the CVCA above it, when the certificate
 *   pool holds it (TR-03110-3 §2.7 / §C.4 effective authorization);
 * - the ephemeral key is generated on the CA domain parameters of EF.CardAccess (TR-03110-2 §3.4.1);
 * - signature = Sign(SK_PCD, ID_PICC ‖ r_PICC ‖ Comp(ePK_PCD) ‖ aux data) (TR-03110-2 §3.4.1 step 5).
 *
 * @spec tr03112-7 §3.6.4.2 (EAC1OutputType, EAC2InputType), tr03110-2 §3.4 (TA v2)
 */
import { chatIsSubset, decodeChat, encodeChat } from '../cvc/chat.js';
import { parseCvCertificate } from '../cvc/cv-certificate.js';
import { decodeSecurityInfos } from '../security-infos.js';
import { caParametersFromCardAccess } from '../ca.js';
import { compressEphemeralPublicKey, generateTaEphemeralKey } from '../ta.js';
import { signTaVerified } from './ta-signature.js';
import { EacTerminalError } from '../eac-terminal-error.js';
import { chainForCars, chainFromTrustPoint, effectiveChatOf, parseCertificatePool, topCar } from './certificate-chain.js';
import type { EacTerminalConfig } from './config.js';
import { requireStep } from './state.js';
import type { EacTerminalState } from './state.js';

export interface Eac1Output {
  /** CertificateHolderAuthorizationTemplate: the CHAT the user allowed (7F4C); absent = as requested. */
  chat?: Buffer | undefined;
  /** CertificationAuthorityReference: CAR_curr [, CAR_prev]. */
  cars: readonly string[];
  efCardAccess: Buffer;
  idPicc: Buffer;
  /**
   * r_PICC; optional in EAC1OutputType (TR-03112-7 §3.6.4.2). Without it EAC2InputType goes out
   * without Signature, the client returns the challenge in EAC2OutputType and the signature follows
   * in EACAdditionalInputType (signTaChallenge, ta-signature.ts).
   */
  challenge?: Buffer | undefined;
}

export interface Eac2Input {
  /** Certificates from the chip's trust point to the terminal (CVCA link, DV, terminal). */
  certificates: Buffer[];
  /** ePK_PCD, uncompressed 04‖X‖Y. */
  ephemeralPublicKey: Buffer;
  /** TA signature, plain r‖s; absent when the challenge is still to come (EACAdditionalInputType path). */
  signature?: Buffer | undefined;
}

export async function handleEac1Output(config: EacTerminalConfig, state: EacTerminalState, output: Eac1Output): Promise<{ state: EacTerminalState; eac2: Eac2Input }> {
  requireStep(state, 'eac1');
  const required = decodeChat(Buffer.from(state.requiredChat, 'hex'));
  const optional = decodeChat(Buffer.from(state.optionalChat, 'hex'));
  const requested = { ...required, rights: required.rights | optional.rights };
  const userChat = output.chat === undefined ? requested : decodeChat(output.chat);
  // TR-03130-1 §2.4 / tr03112-7: the user may only deselect optional rights.
  if (!chatIsSubset(userChat, requested) || !chatIsSubset(required, userChat)) {
    throw new EacTerminalError('TA_EFFECTIVE_CHAT_INVALID', 'effective CHAT from the client is outside [required, required ∪ optional]');
  }
  const terminal = parseCvCertificate(config.terminalCertificate);
  const pool = parseCertificatePool(config.certificates);
  // TR-03112-7 §3.6.4.2: CertificationAuthorityReference is absent when the client could already build
  // the chain from the EAC1 certificates (AusweisApp does so); the chip then trusts the top of that chain
  // and the client needs no further certificates in EAC2InputType.
  const clientHasChain = output.cars.length === 0;
  const chain = clientHasChain ? chainFromTrustPoint(terminal, pool, topCar(terminal, pool)) : chainForCars(terminal, pool, output.cars);
  // TR-03110-3 §2.7 / §C.4: effective rights = user selection ∧ terminal ∧ DV ∧ the trust point's CVCA CHAT.
  const effective = effectiveChatOf(userChat, chain, pool);
  const ca = caParametersFromCardAccess(decodeSecurityInfos(output.efCardAccess, { allowZeroPadding: true }));
  const ephemeral = generateTaEphemeralKey(ca.curve);
  const auxiliaryData = state.auxiliaryData === null ? undefined : Buffer.from(state.auxiliaryData, 'hex');
  const signature = output.challenge === undefined ? undefined : await signTaVerified(config, terminal, {
    idPicc: output.idPicc,
    challenge: output.challenge,
    ephemeralPublicKeyComp: compressEphemeralPublicKey(ca.curve, ephemeral.publicPoint),
    auxiliaryData,
  });
  const next: EacTerminalState = {
    ...state,
    step: 'eac2',
    effectiveChat: encodeChat(effective).toString('hex'),
    idPicc: output.idPicc.toString('hex'),
    ...(output.challenge === undefined ? {} : { challenge: output.challenge.toString('hex') }),
    ca,
    ephemeral: { curve: ephemeral.curve, privateScalar: ephemeral.privateScalar.toString('hex'), publicPoint: ephemeral.publicPoint.toString('hex') },
  };
  const eac2: Eac2Input = { certificates: clientHasChain ? [] : chain.map((c) => Buffer.from(c.raw)), ephemeralPublicKey: ephemeral.publicPoint };
  if (signature !== undefined) eac2.signature = signature;
  return { state: next, eac2 };
}
