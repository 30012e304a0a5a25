/**
 * What a conversation step receives and returns. Steps are pure over (session, states, message):
 * they never write the store; conversation.ts writes their outcome with compare-and-set.
 *
 * @spec tr03112-7 §3 (PAOS request/response pairs)
 */
import type { EacTerminalConfig } from '../../eac/terminal/config.js';
import type { EacTerminalState } from '../../eac/terminal/state.js';
import type { XmlElement, XmlOut } from '../../paos/xml.js';
import type { EidResult, EidSession } from '../../../session/eid-session-model.js';
import type { ConversationState, ConversationStep } from '../conversation-state.js';

export interface ConversationOptions {
  /** Send InitializeFramework after StartPAOS (default true; clients may also answer it with an error). */
  initializeFramework: boolean;
}

export interface StepContext {
  session: EidSession;
  /** null only for StartPAOS. */
  conversation: ConversationState | null;
  eac: EacTerminalState | null;
  /** The EAC configuration of this session's eService and request (built lazily: it signs, reads keys). */
  config(): Promise<EacTerminalConfig>;
  options: ConversationOptions;
}

export interface StepOutcome {
  step: ConversationStep;
  /** Conversation fields a step sets (StartPAOS: handle, DID name, user agent). */
  conversation?: Partial<Pick<ConversationState, 'connectionHandle' | 'didName' | 'userAgent'>>;
  eac: EacTerminalState | null;
  /** Body of the next server request. */
  request: XmlOut;
  /** Set by the last step: the login's outcome for getResult / the fronts. */
  result?: EidResult;
}

export type Step = (ctx: StepContext, body: XmlElement) => Promise<StepOutcome>;
