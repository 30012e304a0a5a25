import { entry } from './types.js';

/**
 * Session store codes beyond the core STORE_* rows (core.ts keeps STORE_UNAVAILABLE and
 * STORE_VALUE_INVALID). None of these is exposed: they mean a bug or an exhausted dev store,
 * never something the peer can fix, so the wire shows a generic 500.
 */
export const storeCodes = {
  STORE_WRONG_TYPE: entry('A store operation addressed a key holding another data type (Redis WRONGTYPE)', {
    saml: ['Responder'], oidc: 'server_error', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  STORE_ARGUMENT_INVALID: entry('A store operation was called with an invalid argument (empty key, bad TTL, malformed stream id, lone surrogate)', {
    saml: ['Responder'], oidc: 'server_error', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  STORE_FULL: entry('The in-memory store reached its key or per-key item bound (embedded single-process mode only)', {
    http: 503, saml: ['Responder'], oidc: 'temporarily_unavailable', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  STORE_URL_INVALID: entry('The session store URL (redis://, rediss://, redis+sentinel://, redis+cluster://) is malformed'),
} as const;
