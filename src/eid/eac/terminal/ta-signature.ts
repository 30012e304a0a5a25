/**
 * EAC step 2b (server), the EACAdditionalInputType path: the client sent EAC1OutputType without
 * the chip's challenge, got EAC2InputType without Signature, ran the chain and MSE:Set AT, and
 * returned r_PICC in EAC2OutputType. Now the terminal signs
 * ID_PICC ‖ r_PICC ‖ Comp(ePK_PCD) ‖ aux data (TR-03110-2 §3.4.1 step 5) with the same ephemeral key.
 *
 * @spec tr03112-7 §3.6.4.4 (EAC2OutputType Challenge), §3.6.4.5 (EACAdditionalInputType), tr03110-2 §3.4 (TA v2)
 */
import { parseCvCertificate } from '../cvc/cv-certificate.js';
import type { CvCertificate } from '../cvc/cv-certificate.js';
import { compressEphemeralPublicKey, signTa, verifyTaSignature } from '../ta.js';
import type { TaSignatureInput } from '../ta.js';
import { parseCertificatePool, terminalPublicKey } from './certificate-chain.js';
import { EacTerminalError } from '../eac-terminal-error.js';
import type { EacTerminalConfig } from './config.js';
import { requireStep } from './state.js';
import type { EacTerminalState } from './state.js';

/**
 * TA step 5 with a check of the own signature against the terminal certificate before it goes to the
 * chip: a signer holding another key (misconfiguration, HSM slot mix-up) or a faulty signature becomes
 * TA_TERMINAL_KEY_MISMATCH here instead of 6300 from the chip after the user entered the PIN.
 */
export async function signTaVerified(config: EacTerminalConfig, terminal: CvCertificate, input: TaSignatureInput): Promise<Buffer> {
  const signature = await signTa(config.signer, terminal.publicKey.oid, input);
  const publicKey = terminalPublicKey(terminal, parseCertificatePool(config.certificates));
  if (!verifyTaSignature(publicKey, terminal.publicKey.oid, input, signature)) {
    throw new EacTerminalError('TA_TERMINAL_KEY_MISMATCH', `the TA signature does not verify with the key of ${terminal.chr}: signer and terminal certificate do not match`);
  }
  return signature;
}

/** True while the TA signature still waits for the chip's challenge. */
export function awaitsChallenge(state: EacTerminalState): boolean {
  return state.step === 'eac2' && state.challenge === undefined;
}

export async function signTaChallenge(config: EacTerminalConfig, state: EacTerminalState, challenge: Buffer): Promise<{ state: EacTerminalState; signature: Buffer }> {
  requireStep(state, 'eac2');
  const { ephemeral, idPicc } = state;
  if (state.challenge !== undefined) throw new EacTerminalError('EAC_STEP_ORDER', 'TA signature was already sent in EAC2InputType');
  if (ephemeral === undefined || idPicc === undefined) throw new EacTerminalError('EAC_STATE_INVALID', 'EAC state lacks the TA ephemeral key');
  const terminal = parseCvCertificate(config.terminalCertificate);
  const signature = await signTaVerified(config, terminal, {
    idPicc: Buffer.from(idPicc, 'hex'),
    challenge,
    ephemeralPublicKeyComp: compressEphemeralPublicKey(ephemeral.curve, Buffer.from(ephemeral.publicPoint, 'hex')),
    auxiliaryData: state.auxiliaryData === null ? undefined : Buffer.from(state.auxiliaryData, 'hex'),
  });
  return { state: { ...state, challenge: challenge.toString('hex') }, signature };
}
