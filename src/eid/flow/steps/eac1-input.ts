/**
 * Server step shared by StartPAOS (without InitializeFramework) and InitializeFrameworkResponse:
 * start the EAC terminal session and send DIDAuthenticate EAC1InputType.
 *
 * @spec tr03112-7 §3.6.4.1 (EAC1InputType), tr03130-1 §2.4
 */
import { startEac } from '../../eac/terminal/start.js';
import { buildEac1Input } from '../../paos/did-authenticate-eac1.js';
import type { ConnectionHandle } from '../../paos/connection-handle.js';
import { PaosError } from '../../paos/errors.js';
import type { StepContext, StepOutcome } from './types.js';

export async function sendEac1Input(ctx: StepContext, handle: ConnectionHandle, didName: string): Promise<StepOutcome> {
  const config = await ctx.config();
  const { state, eac1 } = startEac(config);
  // tr03112-7 §3.6.4.1: CertificateDescription is mandatory in EAC1InputType; clients show it to the user.
  if (eac1.certificateDescription === undefined) throw new PaosError('PAOS_ELEMENT_MISSING', 'the eService terminal has no CertificateDescription');
  const request = buildEac1Input({
    connectionHandle: handle, didName, certificates: eac1.certificates, certificateDescription: eac1.certificateDescription,
    requiredChat: eac1.requiredChat, optionalChat: eac1.optionalChat, authenticatedAuxiliaryData: eac1.authenticatedAuxiliaryData,
    transactionInfo: ctx.session.request.transactionInfo,
  });
  return { step: 'eac1', eac: state, request };
}
