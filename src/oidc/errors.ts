/**
 * Adapter between oidc-provider's errors, the error catalog (src/errors/catalog/oidc.ts) and the wire:
 * every error the OpenID front produces has a stable catalog code for logs and metrics, and the
 * OAuth `error` value the catalog gives it.
 *
 * @spec rfc6749 §4.1.2.1, §5.2 (error responses); oidc-core §3.1.2.6; rfc9126 §2.3; rfc9449 §7.1; rfc7636 §4.6
 */
import { catalogEntry, type ErrorCode } from '../errors/catalog.js';
import { IdpError } from '../errors/idp-error.js';

/** Errors of the OpenID front (codes OIDC_*). */
export class OidcError extends IdpError {}

interface ProviderErrorLike {
  error?: unknown;
  error_description?: unknown;
  /** oidc-provider keeps the precise cause here (not sent to the client). */
  error_detail?: unknown;
}

/**
 * The catalog code for an oidc-provider error (its `error` value and description, which name the
 * precise cause: lib/actions/grants/authorization_code.js, lib/helpers/pkce.js, lib/actions/authorization/*).
 */
export function codeForProviderError(err: ProviderErrorLike): ErrorCode {
  const error = typeof err.error === 'string' ? err.error : '';
  const description = [err.error_description, err.error_detail].filter((v) => typeof v === 'string').join(' ');
  switch (error) {
    case 'invalid_redirect_uri':
      return 'OIDC_REDIRECT_URI_INVALID';
    case 'invalid_client':
      // lib/actions/end_session.js: an id_token_hint whose audience is no client.
      if (/id_token_hint/.test(description)) return 'OIDC_ID_TOKEN_HINT_INVALID';
      return /authentication|assertion|jwt|signature/i.test(description) ? 'OIDC_CLIENT_AUTH_FAILED' : 'OIDC_CLIENT_UNKNOWN';
    case 'invalid_grant':
      if (/PKCE/i.test(description) || /code_verifier/i.test(description)) return 'OIDC_PKCE_MISMATCH';
      if (/already consumed|already used/i.test(description)) return 'OIDC_CODE_REUSED';
      // rfc9449 §5.2 (dpop_bound_access_tokens): lib/helpers/sender_constraints.js "DPoP proof JWT not provided".
      if (/DPoP/.test(description)) return 'OIDC_DPOP_INVALID';
      return 'OIDC_GRANT_INVALID';
    case 'invalid_request_uri':
      return 'OIDC_REQUEST_URI_INVALID';
    case 'invalid_scope':
      return 'OIDC_SCOPE_INVALID';
    case 'invalid_dpop_proof':
    case 'use_dpop_nonce':
      return 'OIDC_DPOP_INVALID';
    case 'invalid_token':
      return 'OIDC_TOKEN_INVALID';
    case 'access_denied':
      return 'OIDC_ACCESS_DENIED';
    case 'login_required':
    case 'interaction_required':
    case 'consent_required':
      return 'OIDC_LOGIN_REQUIRED';
    case 'unmet_authentication_requirements':
      return 'OIDC_ACR_NOT_MET';
    case 'temporarily_unavailable':
      return 'STORE_UNAVAILABLE';
    case 'invalid_request':
      if (/code_challenge|requires PKCE/i.test(description)) return 'OIDC_PKCE_REQUIRED';
      if (/redirect_uri did not match/i.test(description)) return 'OIDC_REDIRECT_URI_INVALID';
      if (/Pushed Authorization Request must be used/i.test(description)) return 'OIDC_PAR_REQUIRED';
      if (/interaction session/i.test(description)) return 'OIDC_INTERACTION_NOT_FOUND';
      // lib/actions/end_session.js (oidc-rp-logout §2, §3).
      if (/post_logout_redirect_uri not registered/.test(description)) return 'OIDC_LOGOUT_REDIRECT_URI_INVALID';
      if (/id_token_hint/.test(description)) return 'OIDC_ID_TOKEN_HINT_INVALID';
      return 'OIDC_INVALID_REQUEST';
    case 'server_error':
      return 'OIDC_SERVER_ERROR';
    default:
      return error === '' ? 'OIDC_SERVER_ERROR' : 'OIDC_INVALID_REQUEST';
  }
}

/**
 * The OAuth error an interaction finishes with (oidc-provider sends it to the client's redirect_uri):
 * the catalog's `oidc` column and, only where the catalog allows it, the message.
 */
export function interactionError(err: unknown): { error: string; error_description: string } {
  const idp = err instanceof IdpError ? err : new IdpError('INTERNAL', 'internal error', { cause: err });
  const row = catalogEntry(idp.code);
  return { error: row.oidc ?? 'server_error', error_description: row.expose ? idp.message : 'the login could not be completed' };
}
