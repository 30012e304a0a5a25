/**
 * DIDAuthenticateResponse EAC1OutputType → DIDAuthenticate EAC2InputType. With the chip's
 * challenge in EAC1OutputType the TA signature goes along; without it EAC2InputType carries no
 * Signature and the conversation waits for the challenge (EACAdditionalInputType path).
 *
 * @spec tr03112-7 §3.6.4.2 (EAC1OutputType), §3.6.4.3 (EAC2InputType); eid-protocol §6.6
 */
import { handleEac1Output } from '../../eac/terminal/eac1-output.js';
import { connectionHandleFromJson } from '../../paos/connection-handle.js';
import { buildEac2Input } from '../../paos/did-authenticate-eac2.js';
import { parseEac1Output } from '../../paos/did-authenticate-eac1.js';
import { requireEac } from './require-eac.js';
import type { Step } from './types.js';

export const eac1OutputStep: Step = async (ctx, body) => {
  const m = parseEac1Output(body);
  const { state, eac2 } = await handleEac1Output(await ctx.config(), requireEac(ctx), {
    chat: m.chat, cars: m.cars, efCardAccess: m.efCardAccess, idPicc: m.idPicc, challenge: m.challenge,
  });
  const conversation = ctx.conversation!;
  const request = buildEac2Input({
    connectionHandle: connectionHandleFromJson(conversation.connectionHandle), didName: conversation.didName,
    certificates: eac2.certificates, ephemeralPublicKey: eac2.ephemeralPublicKey, signature: eac2.signature,
  });
  return { step: eac2.signature === undefined ? 'eac-additional' : 'eac2', eac: state, request };
};
