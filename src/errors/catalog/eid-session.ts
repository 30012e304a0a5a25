import { entry } from './types.js';

/**
 * eID session codes (src/session/eid-session.ts): the TR-03130-1 §3.4 ResultMinor each takes on the
 * SOAP eID-Interface, and the SAML/OIDC forms for the fronts that open sessions the same way.
 */
export const eidSessionCodes = {
  EID_SESSION_NOT_FOUND: entry('No open eID session with this id (unknown, expired, or already finished)', {
    http: 404, saml: ['Requester', 'RequestDenied'], oidc: 'invalid_request', ecardMinor: '/al/common#incorrectParameter', eidMinor: 'getResult#invalidSession', expose: true,
  }),
  EID_RESULT_PENDING: entry('The eID login of this session has not finished yet; ask again with the next RequestCounter', {
    http: 202, eidMinor: 'getResult#noResultYet', expose: true,
  }),
  EID_SESSION_TOO_MANY: entry('The eService has reached its cap of concurrently open eID sessions', {
    http: 429, saml: ['Responder', 'RequestDenied'], oidc: 'temporarily_unavailable', eidMinor: 'useID#tooManyOpenSessions', expose: true,
  }),
  EID_SESSION_COUNTER_INVALID: entry('getResult RequestCounter is not the previous value + 1 (replay or skip); the session is ended', {
    http: 400, eidMinor: 'getResult#invalidCounter', expose: true,
  }),
  EID_SESSION_PHASE: entry('The eID session is not in a phase that allows this step', {
    http: 409, saml: ['Responder'], oidc: 'invalid_request', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  EID_SESSION_CONFLICT: entry('The eID session was changed concurrently too often to apply an update', {
    http: 503, saml: ['Responder'], oidc: 'temporarily_unavailable', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  EID_SESSION_BUSY: entry('The per-eService open-session lock could not be taken in time', {
    http: 503, saml: ['Responder'], oidc: 'temporarily_unavailable', eidMinor: 'common#internalError',
  }),
  EID_PSK_INVALID: entry('The PSK the eService sent is malformed, too short, or its ID is already in use', {
    http: 400, eidMinor: 'useID#invalidPSK', expose: true,
  }),
  EID_REQUEST_INVALID: entry('The protocol-neutral eID request is inconsistent (unknown attribute, bad age or community id)', {
    http: 400, saml: ['Requester', 'RequestUnsupported'], oidc: 'invalid_request', eidMinor: 'common#schemaViolation', expose: true,
  }),
  EID_MISSING_ARGUMENT: entry('Age or place verification requested without its AgeVerificationRequest / PlaceVerificationRequest', {
    http: 400, saml: ['Requester'], oidc: 'invalid_request', eidMinor: 'useID#missingArgument', expose: true,
  }),
  EID_MISSING_TERMINAL_RIGHTS: entry('The request asks for rights the eService terminal certificate (or its approval) does not grant', {
    http: 403, saml: ['Requester', 'RequestDenied'], oidc: 'access_denied', eidMinor: 'useID#missingTerminalRights', expose: true,
  }),
  EID_DOCUMENT_DENIED: entry('The eID document type is not accepted for the requested level of assurance', {
    http: 403, saml: ['Responder', 'AuthnFailed'], oidc: 'access_denied', eidMinor: 'getResult#deniedDocument', expose: true,
  }),
  EID_DOCUMENT_INVALID: entry('The eID document failed passive authentication, chip authentication, expiry or the block list', {
    http: 403, saml: ['Responder', 'AuthnFailed'], oidc: 'access_denied', eidMinor: 'getResult#invalidDocument', expose: true,
  }),
} as const;
