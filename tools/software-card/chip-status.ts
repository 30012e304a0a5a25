/**
 * How the software card ends a command: a handler throws `ChipStatus` with a named status word,
 * the dispatcher turns it into the response trailer. Nothing else may escape `transmit()`.
 *
 * @spec iso7816-4 §5.6 (status bytes), tr03110-3 §B.11 (status bytes per command)
 */
import { IdpError } from '../../src/errors/idp-error.js';

/** Errors of the software-card tooling itself (bad card.json, issuing inputs, CLI arguments). */
export class SoftwareCardError extends IdpError {}

/** TR-03110-3 §B.11.1/§B.11.2: 63Cx, x = remaining retries of the PIN (63C1 suspended, 63C0 blocked). */
export function retryWarning(retries: number): number {
  return 0x63c0 | (retries & 0x0f);
}

/** Thrown by command handlers to end a command with `sw` (and optionally data, e.g. on warnings). */
export class ChipStatus extends IdpError {
  readonly sw: number;
  readonly data: Buffer;

  constructor(sw: number, reason: string, data: Buffer = Buffer.alloc(0)) {
    super('SOFTCARD_STATUS', reason, { detail: { sw: sw.toString(16).padStart(4, '0').toUpperCase() } });
    this.sw = sw;
    this.data = data;
  }
}

/** Ends the command with `sw` unless `condition` holds. */
export function ensure(condition: boolean, sw: number, reason: string): asserts condition {
  if (!condition) throw new ChipStatus(sw, reason);
}
