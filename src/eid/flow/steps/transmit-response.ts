/**
 * TransmitResponse → StartPAOSResponse: every response MAC-verified and decoded, document validity
 * decided, the result written for getResult / the fronts.
 *
 * @spec tr03112-7 §3.6.5 (TransmitResponse), §3.4.2 (StartPAOSResponse), tr03130-1 §2.4.6
 */
import { handleTransmitResponse } from '../../eac/terminal/transmit-response.js';
import { OK } from '../../paos/result.js';
import { buildStartPaosResponse } from '../../paos/start-paos-response.js';
import { parseTransmitResponse } from '../../paos/transmit.js';
import { eidResultFromEac } from '../result-mapping.js';
import { requireEac } from './require-eac.js';
import type { Step } from './types.js';

export const transmitResponseStep: Step = async (ctx, body) => {
  const m = parseTransmitResponse(body);
  const { state, result } = await handleTransmitResponse(await ctx.config(), requireEac(ctx), m.outputApdus);
  return { step: 'done', eac: state, request: buildStartPaosResponse(OK), result: eidResultFromEac(ctx.session.request, result) };
};
