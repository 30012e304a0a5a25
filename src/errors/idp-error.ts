import type { ErrorCode } from './catalog.js';

export interface IdpErrorOptions {
  cause?: unknown;
  /** Context that is safe to log (never personal data). */
  detail?: Record<string, unknown>;
}

/**
 * Base of every error the IdP throws on purpose. The `code` is stable and is what tests assert;
 * adapters translate it through errors/catalog.ts. Subclasses exist per area only to make
 * `instanceof` and stack traces readable.
 */
export class IdpError extends Error {
  readonly code: ErrorCode;
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: IdpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.detail = options.detail;
  }
}

export function isIdpError(err: unknown): err is IdpError {
  return err instanceof IdpError;
}

/** Wraps anything thrown into an IdpError (unknown errors become INTERNAL, keeping the cause). */
export function toIdpError(err: unknown): IdpError {
  if (err instanceof IdpError) return err;
  return new IdpError('INTERNAL', 'internal error', { cause: err });
}
