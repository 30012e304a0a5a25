/**
 * InitializeFrameworkResponse → DIDAuthenticate EAC1InputType. An error result (a client that does
 * not implement the call) is tolerated: the version is informative only — except a cancellation by
 * the user, which ends the conversation as at every other step.
 *
 * @spec tr03112-1 §3.1.1 (InitializeFramework), tr03112-7 §3.4; eid-protocol §6.6
 */
import { connectionHandleFromJson } from '../../paos/connection-handle.js';
import { parseInitializeFrameworkResponse } from '../../paos/initialize-framework.js';
import { RESULT_MINOR, throwIfError } from '../../paos/result.js';
import { sendEac1Input } from './eac1-input.js';
import type { Step } from './types.js';

export const initializeFrameworkStep: Step = async (ctx, body) => {
  const { result } = parseInitializeFrameworkResponse(body);
  if (result.minor === RESULT_MINOR.cancellationByUser) throwIfError(result, 'InitializeFramework');
  const conversation = ctx.conversation!;
  return sendEac1Input(ctx, connectionHandleFromJson(conversation.connectionHandle), conversation.didName);
};
