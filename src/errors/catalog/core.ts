import { entry } from './types.js';

/** Process-wide codes: configuration, HTTP plumbing, the store, the eService registry. */
export const coreCodes = {
  INTERNAL: entry('Unexpected internal error', {
    http: 500, saml: ['Responder'], oidc: 'server_error', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  CONFIG_INVALID: entry('Configuration value missing or invalid (process exits with code 2)'),
  HTTP_NOT_FOUND: entry('No such endpoint', { http: 404, expose: true }),
  HTTP_BODY_TOO_LARGE: entry('Request body exceeds the configured limit', { http: 413, saml: ['Requester'], oidc: 'invalid_request', expose: true }),
  HTTP_BAD_REQUEST: entry('Malformed HTTP request (body could not be parsed)', { http: 400, saml: ['Requester'], oidc: 'invalid_request', expose: true }),
  HTTP_UNSUPPORTED_MEDIA_TYPE: entry('Content-Type not accepted by this endpoint', { http: 415, expose: true }),
  STORE_UNAVAILABLE: entry('Session store unreachable', {
    http: 503, saml: ['Responder'], oidc: 'temporarily_unavailable', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError', expose: true,
  }),
  STORE_VALUE_INVALID: entry('A stored value could not be decoded'),
  AUDIT_WRITE_FAILED: entry('An audit record could not be appended to the audit stream (the request went on; the record is in the log line; counted in neid_audit_write_failures_total)'),
  REGISTRY_FILE_INVALID: entry('An eService registry file is malformed or violates the schema', { http: 400, expose: true }),
  REGISTRY_SERVICE_NOT_FOUND: entry('No eService with this id', { http: 404, expose: true }),
  REGISTRY_SERVICE_EXISTS: entry('An eService with this id already exists', { http: 409, expose: true }),
  REGISTRY_TRANSITION_INVALID: entry('eService state change not allowed from its current state', { http: 409, expose: true }),
  REGISTRY_SERVICE_INACTIVE: entry('eService is not active', {
    http: 403, saml: ['Requester', 'RequestDenied'], oidc: 'unauthorized_client', eidMinor: 'common#internalError', expose: true,
  }),
} as const;
