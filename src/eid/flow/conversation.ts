/**
 * The PAOS conversation as one table: state → the client message it expects → the server step →
 * the next request. Every client POST runs exactly one row; the states live in the eID session
 * (store), so any node can run the next row.
 *
 * | state | expects | step | next request |
 * |---|---|---|---|
 * | start | StartPAOS | steps/start-paos.ts | InitializeFramework, or DIDAuthenticate EAC1InputType |
 * | initialize | InitializeFrameworkResponse | steps/initialize-framework.ts | DIDAuthenticate EAC1InputType |
 * | eac1 | DIDAuthenticateResponse (EAC1OutputType) | steps/eac1-output.ts | EAC2InputType (with Signature → eac2, without → eac-additional) |
 * | eac-additional | DIDAuthenticateResponse (EAC2OutputType{Challenge}) | steps/eac-additional.ts | EACAdditionalInputType |
 * | eac2 | DIDAuthenticateResponse (EAC2OutputType) | steps/eac2-output.ts | Transmit |
 * | transmit | TransmitResponse | steps/transmit-response.ts | StartPAOSResponse (ok), result stored |
 * | done | — | — | every message refused |
 *
 * Any error — ours, or an error result / cancellation from the client — ends the conversation: the
 * session gets an error result (getResult reports it) and the client a StartPAOSResponse error.
 *
 * @spec tr03112-7 §3 (PAOS), tr03124-1 §2.5.3, tr03130-1 §2.4; eid-protocol §3.2, §6.4, §6.6
 */
import { isIdpError, toIdpError } from '../../errors/idp-error.js';
import type { IdpError } from '../../errors/idp-error.js';
import type { Logger } from '../../shared/logger.js';
import type { EidResult, EidSession } from '../../session/eid-session-model.js';
import type { EidSessions } from '../../session/eid-session.js';
import { buildEnvelope, newMessageId, parseEnvelope } from '../paos/envelope.js';
import { PaosError } from '../paos/errors.js';
import { clientMessageKind } from '../paos/message.js';
import type { ClientMessageKind } from '../paos/message.js';
import { ECARD_RESULT_MINOR_PATTERN, resultForError } from '../paos/result.js';
import type { PaosResult } from '../paos/result.js';
import { buildStartPaosResponse } from '../paos/start-paos-response.js';
import type { XmlLimits } from '../paos/xml.js';
import type { EacTerminalConfig } from '../eac/terminal/config.js';
import type { EacTerminalState } from '../eac/terminal/state.js';
import { parseConversationState } from './conversation-state.js';
import type { ConversationState, ConversationStep } from './conversation-state.js';
import { eacAdditionalStep } from './steps/eac-additional.js';
import { eac1OutputStep } from './steps/eac1-output.js';
import { eac2OutputStep } from './steps/eac2-output.js';
import { initializeFrameworkStep } from './steps/initialize-framework.js';
import { startPaosStep } from './steps/start-paos.js';
import { transmitResponseStep } from './steps/transmit-response.js';
import type { ConversationOptions, Step, StepContext } from './steps/types.js';
import { eacConfigForRequest } from './terminal-config.js';
import type { ServiceTerminalProvider } from './terminal-config.js';

type State = 'start' | Exclude<ConversationStep, 'done'>;

/** The table. */
export const CONVERSATION: Readonly<Record<State, { expects: ClientMessageKind; step: Step }>> = {
  start: { expects: 'StartPAOS', step: startPaosStep },
  initialize: { expects: 'InitializeFrameworkResponse', step: initializeFrameworkStep },
  eac1: { expects: 'DIDAuthenticateResponse', step: eac1OutputStep },
  'eac-additional': { expects: 'DIDAuthenticateResponse', step: eacAdditionalStep },
  eac2: { expects: 'DIDAuthenticateResponse', step: eac2OutputStep },
  transmit: { expects: 'TransmitResponse', step: transmitResponseStep },
};

/** A conversation never needs more server requests than this (one Transmit batch today). */
const MAX_REQUESTS = 16;

export interface ConversationDeps {
  sessions: EidSessions;
  terminals: ServiceTerminalProvider;
  logger: Logger;
  options?: Partial<ConversationOptions>;
  xmlLimits?: XmlLimits;
}

export interface PaosReply {
  /** Complete PAOS document (the next server request, or StartPAOSResponse). */
  body: string;
  /** Set when the conversation ended with this reply. */
  ended?: 'ok' | 'error';
  /** The error code that ended it, if any. */
  code?: string;
}

/** The StartPAOSResponse result for an error: our codes through the catalog, client errors keep their URI. */
function errorResult(err: IdpError): PaosResult {
  if (err.code === 'PAOS_CLIENT_ERROR' || err.code === 'PAOS_CLIENT_CANCELLED') {
    const minor = typeof err.detail?.minor === 'string' ? err.detail.minor : undefined;
    return { major: 'error', ...(minor === undefined ? {} : { minor }), message: err.code };
  }
  return resultForError(err.code, err.code);
}

function errorOutcome(err: IdpError): EidResult {
  const minor = typeof err.detail?.minor === 'string' ? err.detail.minor : undefined;
  // TR-03130-1 §3.2.2: the eService learns why the login failed (the client's eCard-API ResultMinor, e.g.
  // ifdl/common#invalidPIN) in the getResult ResultMessage; other client-supplied text is not passed on.
  return { error: { code: err.code, ...(minor !== undefined && ECARD_RESULT_MINOR_PATTERN.test(minor) ? { message: minor } : {}) }, attributes: {} };
}

/**
 * Runs one client message of the conversation bound to `pskIdentity` (the TLS-PSK identity of the
 * connection, = the eID session id) and returns the reply document.
 */
export async function converse(deps: ConversationDeps, pskIdentity: string, input: Buffer | string): Promise<PaosReply> {
  const options: ConversationOptions = { initializeFramework: deps.options?.initializeFramework ?? true };
  let relatesTo: string | undefined;
  try {
    const envelope = parseEnvelope(input, deps.xmlLimits);
    relatesTo = envelope.messageId;
    const kind = clientMessageKind(envelope.body);
    const session: EidSession | null = await deps.sessions.get(pskIdentity);
    if (session === null) throw new PaosError('PAOS_SESSION_UNKNOWN', 'no open eID session for this TLS-PSK identity');
    const current = session;
    if (current.phase === 'result') throw new PaosError('PAOS_SESSION_FINISHED', 'the conversation of this session has ended');
    if (current.phase !== 'paos') throw new PaosError('PAOS_SESSION_UNKNOWN', `eID session is in phase ${current.phase}`);
    const conversation = parseConversationState(current.conversation);
    if (conversation?.step === 'done') throw new PaosError('PAOS_SESSION_FINISHED', 'the conversation of this session has ended');
    const state: State = conversation === null ? 'start' : conversation.step as State;
    const row = CONVERSATION[state];
    if (kind !== row.expects) {
      // eid-protocol §6.4: a second StartPAOS for a running or finished session is refused.
      if (kind === 'StartPAOS') throw new PaosError('PAOS_SESSION_FINISHED', 'StartPAOS repeated within one eID session');
      throw new PaosError('PAOS_MESSAGE_UNEXPECTED', `${kind} while waiting for ${row.expects}`, { detail: { state, kind } });
    }
    // tr03112-7 §3.4: the answer relates to our last request (a missing header is tolerated, a wrong one not).
    if (conversation !== null && envelope.relatesTo !== undefined && envelope.relatesTo !== conversation.lastMessageId) {
      throw new PaosError('PAOS_RELATES_TO_MISMATCH', 'wsa:RelatesTo names another message');
    }
    if ((conversation?.requests ?? 0) >= MAX_REQUESTS) throw new PaosError('PAOS_MESSAGE_UNEXPECTED', 'conversation too long');

    let config: Promise<EacTerminalConfig> | undefined;
    const ctx: StepContext = {
      session: current,
      conversation,
      eac: current.eac as EacTerminalState | null,
      config: () => (config ??= deps.terminals(current.serviceId).then((t) => eacConfigForRequest(t, current.request))),
      options,
    };
    const outcome = await row.step(ctx, envelope.body);
    const messageId = newMessageId();
    const base: Omit<ConversationState, 'step' | 'lastMessageId' | 'requests'> = conversation ?? { v: 1, connectionHandle: {}, didName: 'PIN' };
    const next: ConversationState = { ...base, ...outcome.conversation, v: 1, step: outcome.step, lastMessageId: messageId, requests: (conversation?.requests ?? 0) + 1 };
    await deps.sessions.update(current.id, (s) => {
      // Compare-and-set on the conversation: a duplicate or concurrent message on another node loses.
      const seen = parseConversationState(s.conversation);
      if ((seen?.lastMessageId ?? null) !== (conversation?.lastMessageId ?? null) || s.phase !== 'paos') {
        throw new PaosError('PAOS_MESSAGE_UNEXPECTED', 'the conversation moved on concurrently');
      }
      return { ...s, conversation: next, eac: outcome.eac };
    });
    if (outcome.result !== undefined) {
      await deps.sessions.storeResult(current.id, outcome.result);
      deps.logger.info({ session: current.id.slice(0, 8), service: current.serviceId, outcome: outcome.result.error?.code ?? 'ok' }, 'PAOS conversation finished');
      return { body: buildEnvelope('server', { relatesTo, messageId }, outcome.request), ended: outcome.result.error === undefined ? 'ok' : 'error', ...(outcome.result.error ? { code: outcome.result.error.code } : {}) };
    }
    return { body: buildEnvelope('server', { relatesTo, messageId }, outcome.request) };
  } catch (thrown) {
    const err = toIdpError(thrown);
    if (!isIdpError(thrown)) deps.logger.error({ err: thrown }, 'PAOS step failed unexpectedly');
    else deps.logger.info({ code: err.code, session: pskIdentity.slice(0, 8) }, 'PAOS conversation ended with an error');
    // The TLS-PSK identity names the session: end it with the error (unless it already has a result).
    if (err.code !== 'PAOS_SESSION_FINISHED') await endWithError(deps, pskIdentity, err);
    return { body: buildEnvelope('server', { relatesTo, messageId: newMessageId() }, buildStartPaosResponse(errorResult(err))), ended: 'error', code: err.code };
  }
}

async function endWithError(deps: ConversationDeps, id: string, err: IdpError): Promise<void> {
  try {
    const session = await deps.sessions.get(id);
    if (session === null || session.phase === 'result') return;
    if (session.phase === 'paos') {
      await deps.sessions.update(id, (s) => {
        const conv = parseConversationState(s.conversation);
        return conv === null ? s : { ...s, conversation: { ...conv, step: 'done' } };
      }).catch(() => undefined);
    }
    await deps.sessions.storeResult(id, errorOutcome(err));
  } catch (storeErr) {
    deps.logger.warn({ err: storeErr }, 'could not record the PAOS error in the eID session');
  }
}

