/** The stored EAC terminal state of the session, validated (any node may have written it). */
import { parseEacTerminalState } from '../../eac/terminal/state.js';
import type { EacTerminalState } from '../../eac/terminal/state.js';
import type { StepContext } from './types.js';

export function requireEac(ctx: StepContext): EacTerminalState {
  return parseEacTerminalState(ctx.eac);
}
