/**
 * The session store's error class. Both implementations throw only StoreError, with the codes
 * STORE_UNAVAILABLE (backend unreachable or closed), STORE_WRONG_TYPE, STORE_VALUE_INVALID
 * (stored value not usable, e.g. INCR on a non-integer), STORE_ARGUMENT_INVALID and STORE_FULL.
 *
 * Messages and details name the operation only: never a key or a value (keys can embed session
 * ids, values personal data).
 */
import { IdpError } from '../../errors/idp-error.js';

export class StoreError extends IdpError {}

export function wrongType(op: string): StoreError {
  return new StoreError('STORE_WRONG_TYPE', `store ${op}: key holds a value of another type`, { detail: { op } });
}

export function notAnInteger(op: string): StoreError {
  return new StoreError('STORE_VALUE_INVALID', `store ${op}: value is not an integer or out of range`, { detail: { op } });
}

export function invalidArgument(op: string, what: string): StoreError {
  return new StoreError('STORE_ARGUMENT_INVALID', `store ${op}: ${what}`, { detail: { op } });
}

export function unavailable(op: string, reason: string, cause?: unknown): StoreError {
  return new StoreError('STORE_UNAVAILABLE', `store ${op}: backend unavailable (${reason})`, { cause, detail: { op } });
}
