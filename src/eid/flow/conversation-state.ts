/**
 * The PAOS conversation's own state, kept in the eID session's `conversation` slot (the session
 * record is sealed in the store), next to the EAC terminal state in the `eac` slot. Any node reads
 * both, runs one step and writes both back (compare-and-set), so consecutive PAOS messages may
 * reach different nodes.
 *
 * @spec tr03112-7 §3.4 (message correlation), tr03130-1 §2.3 (eID-Server session); SPEC §3 (any node continues)
 */
import { z } from 'zod';
import { PaosError } from '../paos/errors.js';

/** Steps after StartPAOS; `start` (no state yet) is implied by an empty slot. */
export const CONVERSATION_STEPS = ['initialize', 'eac1', 'eac-additional', 'eac2', 'transmit', 'done'] as const;
export type ConversationStep = (typeof CONVERSATION_STEPS)[number];

const schema = z.strictObject({
  v: z.literal(1),
  step: z.enum(CONVERSATION_STEPS),
  /** wsa:MessageID of the last server request; the client's wsa:RelatesTo must name it. */
  lastMessageId: z.string().min(1).max(512),
  /** StartPAOS ConnectionHandle, copied into DIDAuthenticate and Transmit. */
  connectionHandle: z.record(z.string(), z.union([z.string(), z.number()])),
  didName: z.string().min(1).max(16),
  /** UserAgent of StartPAOS, for logs and metrics (no personal data). */
  userAgent: z.string().max(200).optional(),
  /** Number of server requests so far (bounds a conversation). */
  requests: z.int().min(0).max(1000),
});

export type ConversationState = z.infer<typeof schema>;

export function parseConversationState(value: unknown): ConversationState | null {
  if (value === null || value === undefined) return null;
  const r = schema.safeParse(value);
  if (!r.success) throw new PaosError('PAOS_SESSION_FINISHED', 'stored conversation state is invalid; the conversation cannot continue');
  return r.data;
}
