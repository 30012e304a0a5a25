/**
 * DIDAuthenticateResponse EAC2OutputType{EFCardSecurity, AuthenticationToken, Nonce} → Transmit:
 * passive authentication, CA v2, then the first batch of secure-messaging APDUs (RI, aux data
 * verification, READ BINARY of the effective CHAT's DGs).
 *
 * @spec tr03112-7 §3.6.4.4 (EAC2OutputType), §3.6.5 (Transmit), tr03130-1 §2.4.6
 */
import { handleEac2Output } from '../../eac/terminal/eac2-output.js';
import { connectionHandleFromJson } from '../../paos/connection-handle.js';
import { parseEac2Output } from '../../paos/did-authenticate-eac2.js';
import { PaosError } from '../../paos/errors.js';
import { buildTransmit } from '../../paos/transmit.js';
import { requireEac } from './require-eac.js';
import type { Step } from './types.js';

export const eac2OutputStep: Step = async (ctx, body) => {
  const m = parseEac2Output(body);
  if (m.efCardSecurity === undefined || m.authenticationToken === undefined || m.nonce === undefined) {
    throw new PaosError('PAOS_ELEMENT_MISSING', 'EAC2OutputType needs EFCardSecurity, AuthenticationToken and Nonce');
  }
  const { state, transmit } = await handleEac2Output(await ctx.config(), requireEac(ctx), { efCardSecurity: m.efCardSecurity, nonce: m.nonce, token: m.authenticationToken });
  const handle = connectionHandleFromJson(ctx.conversation!.connectionHandle);
  const request = buildTransmit({ slotHandle: handle.slotHandle ?? Buffer.from([0]), apdus: transmit });
  return { step: 'transmit', eac: state, request };
};
