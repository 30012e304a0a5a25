/**
 * Error classes of the card layer. Each carries a stable catalog code (src/errors/catalog/card.ts).
 *
 * @spec iso7816-4 §5.2, §5.1, §5.6
 */
import { IdpError } from '../../errors/idp-error.js';
import type { IdpErrorOptions } from '../../errors/idp-error.js';
import type { ErrorCode } from '../../errors/catalog.js';

/** Malformed or unexpected BER-TLV. `detail.offset` is the byte offset where parsing stopped. */
export class TlvError extends IdpError {}

/** Command/response APDU bytes that cannot be encoded or decoded. */
export class ApduError extends IdpError {}

/**
 * The card answered with a status word other than the one expected. `sw` is the full SW1-SW2;
 * read it via status-words.ts (SW, swName, isWarningRetries), never as a bare number.
 */
export class CardError extends IdpError {
  readonly sw: number;

  constructor(sw: number, message: string, options: IdpErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? 'CARD_STATUS_ERROR', message, { ...options, detail: { ...options.detail, sw: sw.toString(16).padStart(4, '0').toUpperCase() } });
    this.sw = sw;
  }
}
