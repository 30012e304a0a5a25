/**
 * Error class of the CV certificate layer (codes in src/errors/catalog/cvc.ts).
 *
 * @spec tr03110-3 §C (card-verifiable certificates)
 */
import { IdpError } from '../../../errors/idp-error.js';
import type { ErrorCode } from '../../../errors/catalog.js';
import { TlvError } from '../../card/errors.js';

export class CvcError extends IdpError {}

/**
 * Runs a TLV-level step and turns TlvErrors into CvcErrors, so callers of the CVC layer see one
 * family of codes: TLV_TRAILING_BYTES becomes CVC_TRAILING_DATA, everything else CVC_MALFORMED,
 * with the original code in detail.tlvCode and the TlvError as cause.
 */
export function withTlvErrors<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof TlvError) {
      const code: ErrorCode = err.code === 'TLV_TRAILING_BYTES' ? 'CVC_TRAILING_DATA' : 'CVC_MALFORMED';
      throw new CvcError(code, `${what}: ${err.message}`, { cause: err, detail: { tlvCode: err.code, ...err.detail } });
    }
    throw err;
  }
}
