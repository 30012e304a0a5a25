/**
 * Error class of the card command builders and response parsers (codes in
 * src/errors/catalog/eac-terminal.ts: CMD_*). Status words other than the expected ones are
 * reported as CardError (../errors.ts) with the SW kept.
 *
 * @spec iso7816-4 §5.1
 */
import { IdpError } from '../../../errors/idp-error.js';

export class CommandError extends IdpError {}
