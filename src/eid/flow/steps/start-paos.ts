/**
 * StartPAOS → InitializeFramework (or directly EAC1InputType). The SessionIdentifier must name
 * this session (the handler has already bound it to the TLS-PSK identity); the ConnectionHandle of
 * the eID application is kept for the following requests.
 *
 * @spec tr03112-7 §3.4.1 (StartPAOS), tr03124-1 §2.5.3; eid-protocol §6.4 (second StartPAOS refused)
 */
import { connectionHandleToJson, EID_CARD_APPLICATION } from '../../paos/connection-handle.js';
import type { ConnectionHandle } from '../../paos/connection-handle.js';
import { PaosError } from '../../paos/errors.js';
import { buildInitializeFramework } from '../../paos/initialize-framework.js';
import { parseStartPaos } from '../../paos/start-paos.js';
import { sendEac1Input } from './eac1-input.js';
import type { Step } from './types.js';

/** DIDName of the PIN (TR-03112-7 §3.6.4: the server asks for PACE with the eID PIN). */
export const DID_NAME = 'PIN';

export const startPaosStep: Step = async (ctx, body) => {
  const m = parseStartPaos(body);
  if (m.sessionIdentifier.toLowerCase() !== ctx.session.id.toLowerCase()) {
    throw new PaosError('PAOS_SESSION_UNKNOWN', 'StartPAOS SessionIdentifier differs from the TLS-PSK identity');
  }
  const chosen = m.connectionHandles.find((h) => h.cardApplication?.equals(EID_CARD_APPLICATION)) ?? m.connectionHandles[0]!;
  // iso24727-3: DIDAuthenticate needs a SlotHandle; clients without one get the neutral 00.
  const handle: ConnectionHandle = { ...chosen, slotHandle: chosen.slotHandle ?? Buffer.from([0]) };
  const conversation = {
    connectionHandle: connectionHandleToJson(handle),
    didName: DID_NAME,
    ...(m.userAgent === undefined ? {} : { userAgent: `${m.userAgent.name}/${m.userAgent.versionMajor}.${m.userAgent.versionMinor}.${m.userAgent.versionSubminor}` }),
  };
  if (ctx.options.initializeFramework) return { step: 'initialize', conversation, eac: null, request: buildInitializeFramework() };
  return { ...(await sendEac1Input(ctx, handle, DID_NAME)), conversation };
};
