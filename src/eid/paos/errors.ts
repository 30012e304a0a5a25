/** Errors of the PAOS layer (XML, envelope, messages, conversation). */
import { IdpError } from '../../errors/idp-error.js';

export class PaosError extends IdpError {}
