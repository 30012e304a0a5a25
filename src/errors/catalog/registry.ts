import { entry } from './types.js';

/**
 * eService registry codes beyond the core REGISTRY_* rows (core.ts keeps FILE_INVALID, SERVICE_NOT_FOUND,
 * SERVICE_EXISTS, TRANSITION_INVALID, SERVICE_INACTIVE).
 */
export const registryCodes = {
  REGISTRY_SERVICE_INVALID: entry('An eService record violates the registry schema', { http: 400, expose: true }),
  REGISTRY_SAME_ACTOR: entry('Separation of duties: whoever submitted a change may not approve or reject it', { http: 403, expose: true }),
  REGISTRY_REASON_REQUIRED: entry('This state change needs a reason from the catalogue (rejection, suspension, deactivation)', { http: 400, expose: true }),
  REGISTRY_CONFLICT: entry('The eService was changed concurrently; reload and retry', { http: 409, expose: true }),
  REGISTRY_REVIEW_REQUIRED: entry('Reviewed fields of an approved eService change only through a reviewed change request', { http: 409, expose: true }),
  REGISTRY_NO_PENDING_CHANGE: entry('The eService has no pending change request', { http: 409, expose: true }),
} as const;
