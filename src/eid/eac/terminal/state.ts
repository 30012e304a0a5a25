/**
 * Serialisable state of one server-side EAC session (kept in the session store between PAOS
 * steps, so any node can continue). Everything is hex/JSON; secrets (ephemeral scalar, SM keys)
 * make the whole object secret: the store encrypts it at rest (SPEC §7).
 *
 * @spec tr03110-2 §3.4-§3.6, tr03112-7 §3.6 (DIDAuthenticate EAC1/EAC2, Transmit)
 */
import { z } from 'zod';
import { EacTerminalError } from '../eac-terminal-error.js';

const hex = z.string().regex(/^(?:[0-9a-f]{2})*$/);
const curve = z.enum(['brainpoolP256r1', 'brainpoolP384r1', 'P-384']);
const check = z.enum(['age', 'place', 'validity']);

const planned = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ri-mse') }).strict(),
  z.object({ kind: z.literal('ri-ga') }).strict(),
  z.object({ kind: z.literal('verify'), check }).strict(),
  z.object({ kind: z.literal('select') }).strict(),
  z.object({ kind: z.literal('read'), dg: z.number().int().min(1).max(22) }).strict(),
]);

const smState = z.object({
  v: z.literal(1), role: z.enum(['terminal', 'chip']), cipher: z.enum(['AES-128', 'AES-192', 'AES-256']),
  kEnc: hex, kMac: hex, ssc: hex, phase: z.enum(['command', 'response']), closed: z.boolean(),
}).strict();

const stateSchema = z.object({
  v: z.literal(1),
  step: z.enum(['eac1', 'eac2', 'transmit', 'done']),
  requiredChat: hex,
  optionalChat: hex,
  auxiliaryData: hex.nullable(),
  checks: z.array(check),
  effectiveChat: hex.optional(),
  idPicc: hex.optional(),
  challenge: hex.optional(),
  ca: z.object({ protocolOid: z.string(), keyId: z.number().int().nullable(), curve }).strict().optional(),
  ephemeral: z.object({ curve, privateScalar: hex, publicPoint: hex }).strict().optional(),
  sm: smState.optional(),
  ri: z.object({ protocolOid: z.string(), sectors: z.number().int().min(1).max(2) }).strict().optional(),
  plan: z.array(planned).optional(),
}).strict();

export type EacTerminalState = z.infer<typeof stateSchema>;
export type PlannedCommand = z.infer<typeof planned>;

/** Validates a state read back from the store (EAC_STATE_INVALID on any mismatch). */
export function parseEacTerminalState(json: unknown): EacTerminalState {
  const r = stateSchema.safeParse(json);
  if (!r.success) throw new EacTerminalError('EAC_STATE_INVALID', `stored EAC state invalid at ${r.error.issues[0]?.path.join('.') ?? '?'}`);
  return r.data;
}

export function requireStep(state: EacTerminalState, step: EacTerminalState['step']): void {
  if (state.step !== step) throw new EacTerminalError('EAC_STEP_ORDER', `EAC session is at step ${state.step}, not ${step}`);
}
