import { entry } from './types.js';

/** The login transaction shared by the SAML and OIDC fronts (src/session/auth-transaction.ts). */
export const authTransactionCodes = {
  AUTHTX_NOT_FOUND: entry('No login transaction for this continue request (unknown, expired or already finished)', { http: 400, expose: true }),
  AUTHTX_BROWSER_MISMATCH: entry('The continue request does not come from the browser that started the login', { http: 400, expose: true }),
} as const;
