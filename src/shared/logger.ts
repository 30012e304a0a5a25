/**
 * Structured logging (pino). Personal data must never reach a log (SPEC §7): besides the explicit
 * rule that callers log ids and codes only, every log record passes through a deep redaction that
 * blanks fields whose names could carry personal data, secrets or key material.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Field names (lowercased, without - and _) whose values are never logged. */
const SENSITIVE = new Set([
  'pin', 'can', 'puk', 'psk', 'password', 'passwd', 'secret', 'token', 'accesstoken', 'idtoken', 'refreshtoken', 'authorizationcode',
  'authorization', 'cookie', 'setcookie', 'privatekey', 'key', 'personaldata', 'attributes', 'claims', 'userinfo',
  'name', 'givennames', 'familynames', 'chinesename', 'romanizedname', 'nationalid', 'nationalidnumber', 'birthdate',
  'dateofbirth', 'address', 'householdaddress', 'photo', 'picture', 'samlresponse', 'samlrequest', 'assertion', 'apdu',
  'data', 'body', 'restrictedid', 'sub', 'email', 'phone',
]);

const REDACTED = '[REDACTED]';
const MAX_DEPTH = 8;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '[DEPTH]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE.has(normalise(k)) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  return value;
}

export function createLogger(options: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  const config: LoggerOptions = {
    level: options.level,
    name: options.name ?? 'neid',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (record) => redact(record) as Record<string, unknown> },
    serializers: {
      // Errors: type, code, message and stack only; `detail` is safe by contract (IdpError) but still redacted.
      err: (err: Error & { code?: unknown; detail?: unknown }) => ({
        type: err.name, code: err.code, message: err.message, stack: err.stack, detail: redact(err.detail),
      }),
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
