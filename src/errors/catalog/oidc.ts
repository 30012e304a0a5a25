import { entry } from './types.js';

/**
 * OpenID Connect front codes (src/oidc): each carries the OAuth 2.0 / OIDC `error` value it takes on
 * the wire (rfc6749 §4.1.2.1, §5.2; openid-connect-core §3.1.2.6; rfc9126 §2.3; rfc9449 §7.1).
 * oidc-provider's own errors keep their `error` value; src/oidc/errors.ts maps them to these codes
 * for logs and metrics.
 */
export const oidcCodes = {
  OIDC_INVALID_REQUEST: entry('Authorization or token request malformed or missing a required parameter', {
    http: 400, oidc: 'invalid_request', expose: true,
  }),
  OIDC_REDIRECT_URI_INVALID: entry('redirect_uri is not one of the client\'s registered redirect URIs (never redirected to)', {
    http: 400, oidc: 'invalid_redirect_uri', expose: true,
  }),
  OIDC_CLIENT_UNKNOWN: entry('client_id unknown, or its eService is not registered or not active', {
    http: 400, oidc: 'invalid_client', expose: true,
  }),
  OIDC_CLIENT_AUTH_FAILED: entry('Client authentication at the token/PAR endpoint failed (private_key_jwt: unknown key, bad signature, wrong audience, expired or replayed assertion)', {
    http: 401, oidc: 'invalid_client', expose: true,
  }),
  OIDC_GRANT_INVALID: entry('Authorization code or refresh token unknown, expired, already used, or bound to another client, redirect_uri or PKCE verifier', {
    http: 400, oidc: 'invalid_grant', expose: true,
  }),
  OIDC_CODE_REUSED: entry('Authorization code presented a second time; every token issued from it is revoked (rfc6749 §4.1.2)', {
    http: 400, oidc: 'invalid_grant', expose: true,
  }),
  OIDC_PKCE_MISMATCH: entry('code_verifier does not match the code_challenge of the authorization request (rfc7636 §4.6)', {
    http: 400, oidc: 'invalid_grant', expose: true,
  }),
  OIDC_PKCE_REQUIRED: entry('Authorization request without a S256 code_challenge (PKCE is mandatory here)', {
    http: 400, oidc: 'invalid_request', expose: true,
  }),
  OIDC_PAR_REQUIRED: entry('This client must push its authorization request first (rfc9126 §5)', {
    http: 400, oidc: 'invalid_request', expose: true,
  }),
  OIDC_REQUEST_URI_INVALID: entry('request_uri unknown, expired or already used (rfc9126 §2.2, §4)', {
    http: 400, oidc: 'invalid_request_uri', expose: true,
  }),
  OIDC_LOGOUT_REDIRECT_URI_INVALID: entry('post_logout_redirect_uri is not one of the client\'s registered post-logout redirect URIs (never redirected to; oidc-rp-logout §3)', {
    http: 400, oidc: 'invalid_request', expose: true,
  }),
  OIDC_ID_TOKEN_HINT_INVALID: entry('id_token_hint at the logout endpoint is not a signed ID token of this provider for the client (undecodable, still encrypted, another key, or another client\'s; oidc-rp-logout §2)', {
    http: 400, oidc: 'invalid_request', expose: true,
  }),
  OIDC_SCOPE_INVALID: entry('Requested scope unknown or not allowed for the client', {
    http: 400, oidc: 'invalid_scope', expose: true,
  }),
  OIDC_DPOP_INVALID: entry('DPoP proof missing, malformed, replayed or not matching the request (rfc9449 §4.3)', {
    http: 400, oidc: 'invalid_dpop_proof', expose: true,
  }),
  OIDC_TOKEN_INVALID: entry('Access token unknown, expired, revoked or not bound to the presented DPoP key', {
    http: 401, oidc: 'invalid_token', expose: true,
  }),
  OIDC_ACCESS_DENIED: entry('The citizen cancelled the login or refused consent', {
    http: 400, oidc: 'access_denied', expose: true,
  }),
  OIDC_LOGIN_REQUIRED: entry('prompt=none, but there is no suitable login session', {
    http: 400, oidc: 'login_required', expose: true,
  }),
  OIDC_ACR_NOT_MET: entry('The level of assurance reached is below what the client requires (registry minimum_acr or essential acr)', {
    http: 400, oidc: 'unmet_authentication_requirements', expose: true,
  }),
  OIDC_CLAIMS_REQUEST_INVALID: entry('claims parameter malformed, or asks for incompatible verifications (two ages, a place prefix that is not digits)', {
    http: 400, oidc: 'invalid_request', expose: true,
  }),
  OIDC_INTERACTION_NOT_FOUND: entry('Login interaction unknown or expired (the browser took too long, or the cookie is missing)', {
    http: 400, oidc: 'invalid_request', expose: true,
  }),
  OIDC_INTERACTION_BINDING: entry('The eID result came back to a browser that did not start this login (auth transaction cookie missing or different)', {
    http: 403, oidc: 'access_denied', expose: true,
  }),
  OIDC_EID_FAILED: entry('The eID step ended without a usable result (card error, cancelled in the eID client, invalid document)', {
    http: 400, oidc: 'access_denied', expose: true,
  }),
  OIDC_ACCOUNT_NOT_FOUND: entry('The login record behind a token is gone (expired); the client must log the citizen in again', {
    http: 401, oidc: 'invalid_token', expose: true,
  }),
  OIDC_BACKCHANNEL_LOGOUT_FAILED: entry('A client\'s back-channel logout endpoint refused, failed or timed out; the logout itself completed (oidc-backchannel-logout §2.8)'),
  OIDC_KEYS_INVALID: entry('OIDC signing keys missing, malformed or not private keys of a supported type'),
  OIDC_SERVER_ERROR: entry('Unexpected error inside the OpenID provider', {
    http: 500, oidc: 'server_error',
  }),
} as const;
