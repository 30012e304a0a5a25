/**
 * Error class of the terminal (eID-Server) side of EAC: TA, CA, RI, auxiliary data and the
 * server-side EAC session. Codes: src/errors/catalog/eac-terminal.ts.
 *
 * @spec tr03110-2 §3
 */
import { IdpError } from '../../errors/idp-error.js';

export class EacTerminalError extends IdpError {}
