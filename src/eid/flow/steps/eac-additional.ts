/**
 * DIDAuthenticateResponse EAC2OutputType{Challenge} → DIDAuthenticate EACAdditionalInputType{Signature}:
 * the TA signature over the challenge the chip issued after the chain and MSE:Set AT.
 *
 * @spec tr03112-7 §3.6.4.4 (EAC2OutputType), §3.6.4.5 (EACAdditionalInputType), tr03110-2 §3.4
 */
import { signTaChallenge } from '../../eac/terminal/ta-signature.js';
import { connectionHandleFromJson } from '../../paos/connection-handle.js';
import { buildEacAdditionalInput } from '../../paos/did-authenticate-eac-additional.js';
import { parseEac2Output } from '../../paos/did-authenticate-eac2.js';
import { PaosError } from '../../paos/errors.js';
import { requireEac } from './require-eac.js';
import type { Step } from './types.js';

export const eacAdditionalStep: Step = async (ctx, body) => {
  const m = parseEac2Output(body);
  if (m.challenge === undefined) throw new PaosError('PAOS_ELEMENT_MISSING', 'EAC2OutputType lacks the Challenge the EACAdditionalInputType path needs');
  const { state, signature } = await signTaChallenge(await ctx.config(), requireEac(ctx), m.challenge);
  const conversation = ctx.conversation!;
  const request = buildEacAdditionalInput({ connectionHandle: connectionHandleFromJson(conversation.connectionHandle), didName: conversation.didName, signature });
  return { step: 'eac2', eac: state, request };
};
