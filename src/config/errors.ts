import { IdpError } from '../errors/index.js';

/** A configuration problem. The process exits with code 2 and prints `message`, which names the key. */
export class ConfigError extends IdpError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CONFIG_INVALID', message, options);
  }
}
