/**
 * The oidc-provider configuration: every feature that is on, why, and the spec it implements. What
 * is not listed is off, so discovery advertises exactly what this provider does (SPEC §5.3).
 *
 * @spec oidc-core §3.1 (code flow), §8.1 (pairwise), §5.5 (claims parameter); oidc-discovery §3; rfc7636 (PKCE S256); rfc9126 (PAR); rfc9449 (DPoP); rfc7516 (JWE ID tokens); oidc-rp-logout; oidc-backchannel-logout; rfc9207 (iss in the authorization response); rfc7523 §2.2 (private_key_jwt); SPEC §5.3
 */
import { interactionPolicy, type KoaContextLike, type ClientInstance, type UnknownObject } from 'oidc-provider';
import type { AccountStore } from './account.js';
import type { OidcAdapter } from './adapter-redis.js';
import { claimsConfiguration, SCOPE_CLAIMS } from './claims.js';
import { MINIMUM_ACR_METADATA, SERVICE_ID_METADATA } from './clients.js';
import { codeForProviderError } from './errors.js';
import { chooseLocale } from './interactions/i18n.js';
import { errorPage, loggedOutPage, logoutPage } from './interactions/views.js';
import type { PrivateJwk } from './keys.js';
import { satisfies, SUPPORTED_ACRS } from './loa.js';
import { catalogEntry } from '../errors/catalog.js';

export interface OidcTtls {
  /** rfc6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; ours is far shorter. */
  authorizationCodeSeconds: number;
  accessTokenSeconds: number;
  idTokenSeconds: number;
  /** Browser time for consent + eID login (card, PIN, eID client). */
  interactionSeconds: number;
  /** Login session and grant: also the lifetime of the released claims (account.ts). */
  sessionSeconds: number;
}

export const DEFAULT_TTLS: OidcTtls = {
  authorizationCodeSeconds: 60,
  accessTokenSeconds: 300,
  idTokenSeconds: 300,
  interactionSeconds: 900,
  sessionSeconds: 600,
};

export interface ConfigurationInput {
  adapter: (model: string) => OidcAdapter;
  jwks: { keys: PrivateJwk[] };
  /** Keys that sign the provider's cookies (all nodes share them). */
  cookieKeys: string[];
  /** Secure cookies (https deployments). */
  secureCookies: boolean;
  accounts: AccountStore;
  ttl: OidcTtls;
  /** Path prefix the provider is mounted at (interaction URLs live under it). */
  mountPath: string;
  /** Development only: back-channel logout and jwks_uri calls may go to loopback hosts. */
  allowLoopbackTargets?: boolean;
}

const JWS_ALGS = ['ES256', 'ES384', 'PS256', 'RS256'];
const JWE_ALGS = ['RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'];
const JWE_ENCS = ['A128GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512'];

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The login prompt gets two checks of ours (SPEC §5.3, key finding 8 of the IdP landscape): a
 * session from another client's eID login is never reused (each eService reads its own approved
 * data with its own terminal certificate, and its own sector pseudonym), and a session below the
 * client's declared minimum acr always logs in again — not only when acr is requested as essential.
 */
function policy(accounts: AccountStore): unknown {
  const { base, Check } = interactionPolicy;
  const prompts = base();
  const login = prompts.get('login');
  if (!login) throw new Error('oidc-provider base policy without a login prompt');
  // oidc-core §3.1.2.6: both mean "End-User authentication is required" → login_required under prompt=none.
  login.checks.add(new Check('neid_client_session', 'the login session belongs to another eService', 'login_required', async (ctx: KoaContextLike) => {
    const accountId = ctx.oidc.session?.accountId;
    if (accountId === undefined) return false;
    return (await accounts.find(accountId, ctx.oidc.client?.clientId)) === undefined;
  }));
  login.checks.add(new Check('neid_minimum_acr', 'the login session is below the minimum level of assurance of the client', 'login_required', async (ctx: KoaContextLike) => {
    const accountId = ctx.oidc.session?.accountId;
    if (accountId === undefined) return false;
    const minimum = str(ctx.oidc.client?.[camel(MINIMUM_ACR_METADATA)]) ?? str(ctx.oidc.client?.metadata()[MINIMUM_ACR_METADATA]);
    const record = await accounts.find(accountId, ctx.oidc.client?.clientId);
    // The ID token's acr is the session's (the latest login in this browser), so both must reach the minimum.
    return !satisfies(record?.acr, minimum) || !satisfies(ctx.oidc.session?.acr, minimum);
  }));
  return prompts;
}

/** oidc-provider exposes extra client metadata as camelCase properties. */
function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function buildConfiguration(input: ConfigurationInput): UnknownObject {
  const { accounts, ttl } = input;
  const cookie = { httpOnly: true, sameSite: 'lax', secure: input.secureCookies, signed: true };
  return {
    adapter: input.adapter,
    jwks: input.jwks,
    // Clients are found through the adapter (registry), none are static.
    clients: [],
    // No dynamic registration, so no client metadata choices beyond the registry's.
    extraClientMetadata: { properties: [SERVICE_ID_METADATA, MINIMUM_ACR_METADATA] },
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'private_key_jwt', subject_type: 'pairwise' },
    // rfc7523 §2.2 / rfc7591 §2: key-based client authentication only (no shared secrets). mTLS methods need the TLS terminator's certificate header and are not enabled yet.
    clientAuthMethods: ['private_key_jwt'],
    // oidc-core §3.1: authorization code flow only.
    responseTypes: ['code'],
    // rfc7636 §4.2: S256 is the only method oidc-provider 9 implements; required for every request.
    pkce: { required: () => true },
    scopes: Object.keys(SCOPE_CLAIMS),
    claims: claimsConfiguration(),
    // oidc-core §5.4: scope claims go to userinfo when an access token is issued; the ID token carries them only when asked for in claims.id_token.
    conformIdTokenClaims: true,
    // oidc-core §8.1: pairwise only; the value is the card's restricted identification for the client's sector (account.ts).
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: async (_ctx: unknown, accountId: string, client: ClientInstance) => {
      // Never derive a subject from another client's login (the account record is per client).
      const record = await accounts.find(accountId, client.clientId);
      if (!record) throw new Error('no login record for this client');
      return record.sub;
    },
    findAccount: async (ctx: KoaContextLike, accountId: string) => {
      const record = await accounts.find(accountId, ctx.oidc.client?.clientId);
      if (!record) return undefined;
      return {
        accountId,
        // Only what the citizen released in this login exists here; oidc-provider further filters by scope/claims/grant.
        claims: async () => ({ sub: accountId, ...record.claims }),
      };
    },
    acrValues: [...SUPPORTED_ACRS],
    // Skew allowed for client assertions, DPoP proofs and our own expiries: small, since codes and PAR requests live under a minute.
    clockTolerance: 5,
    // No refresh tokens: logins are short, the eID data is not kept (SPEC §7).
    issueRefreshToken: async () => false,
    allowOmittingSingleRegisteredRedirectUri: false,
    // Access tokens only in the Authorization header (rfc6750 §2.1), never in the query.
    acceptQueryParamAccessTokens: false,
    clientBasedCORS: () => false,
    cookies: {
      keys: input.cookieKeys,
      long: { ...cookie, maxAge: ttl.sessionSeconds * 1000 },
      short: { ...cookie, maxAge: ttl.interactionSeconds * 1000 },
    },
    discovery: {
      claim_types_supported: ['normal'],
      ui_locales_supported: ['zh-TW', 'en'],
    },
    enabledJWA: {
      clientAuthSigningAlgValues: JWS_ALGS,
      idTokenSigningAlgValues: JWS_ALGS,
      idTokenEncryptionAlgValues: JWE_ALGS,
      idTokenEncryptionEncValues: JWE_ENCS,
      userinfoSigningAlgValues: JWS_ALGS,
      userinfoEncryptionAlgValues: JWE_ALGS,
      userinfoEncryptionEncValues: JWE_ENCS,
      dPoPSigningAlgValues: ['ES256', 'ES384', 'PS256'],
      requestObjectSigningAlgValues: JWS_ALGS,
      authorizationSigningAlgValues: JWS_ALGS,
    },
    // Every outbound call of oidc-provider (oidc-backchannel-logout §2.5 logout token POSTs, jwks_uri,
    // sector_identifier_uri) is bounded: oidc-provider aborts after 2.5 s itself; the same bound is set
    // here so it does not rest on a library internal. A back-channel receiver that never answers thus
    // delays the browser's logout by at most that. oidc-provider refuses special-use addresses (SSRF);
    // in development only (input.allowLoopbackTargets), a URL that names a loopback host literally is
    // let through for the demo RP and test receivers; production keeps the check (no SSRF towards the
    // IdP host's own services, whatever an administrator registers).
    fetch: (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => {
      const target = new URL(url);
      const { dispatcher, signal, ...rest } = options;
      const timeout = AbortSignal.timeout(2500);
      const loopback = input.allowLoopbackTargets === true && ['localhost', '127.0.0.1', '[::1]'].includes(target.hostname);
      return globalThis.fetch(target, {
        ...rest, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, ...(dispatcher !== undefined && !loopback && { dispatcher }),
      } as RequestInit);
    },
    features: {
      // Our own interaction pages (interactions/), never the development ones.
      devInteractions: { enabled: false },
      // rfc9126: PAR; requirable per client through require_pushed_authorization_requests (registry).
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false, allowUnregisteredRedirectUris: false },
      // rfc9449: DPoP-bound access tokens when the client sends a proof.
      dPoP: { enabled: true },
      // oidc-core §5.5: the claims parameter (essential claims, place_verified value).
      claimsParameter: { enabled: true },
      // rfc7516 via oidc-registration §2: ID token (and userinfo) encryption per client.
      encryption: { enabled: true },
      // oidc-core §5.3.2: signed userinfo for clients that register userinfo_signed_response_alg.
      jwtUserinfo: { enabled: true },
      userinfo: { enabled: true },
      // oidc-rp-logout §2: RP-initiated logout with our confirmation page (id_token_hint validated, expired ones
      // accepted); §3: only a registered post_logout_redirect_uri is redirected to, with the RP's state.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextLike, form: string) => {
          ctx.type = 'html';
          ctx.body = logoutPage(localeOf(ctx), form);
        },
        postLogoutSuccessSource: async (ctx: KoaContextLike) => {
          ctx.type = 'html';
          ctx.body = loggedOutPage(localeOf(ctx));
        },
      },
      // oidc-backchannel-logout §2: logout tokens (§2.4, signed and encrypted like the client's ID tokens) to every
      // client of the ended session that registers backchannel_logout_uri; sid in its ID and logout tokens (§2.2,
      // clients.ts sets backchannel_logout_session_required). A receiver's error answer (§2.8) or silence never stops the logout.
      backchannelLogout: { enabled: true },
      // Everything else stays off: no dynamic registration, no implicit/hybrid, no device flow, no CIBA, no introspection/revocation, no resource indicators.
      registration: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: { enabled: false },
      requestObjects: { enabled: false },
      deviceFlow: { enabled: false },
      ciba: { enabled: false },
      clientCredentials: { enabled: false },
    },
    ttl: {
      AuthorizationCode: ttl.authorizationCodeSeconds,
      AccessToken: ttl.accessTokenSeconds,
      IdToken: ttl.idTokenSeconds,
      // PushedAuthorizationRequest: fixed by oidc-provider at 60 s (rfc9126 §2.2 "between 5 and 600 seconds"), not configurable.
      Interaction: ttl.interactionSeconds,
      Session: ttl.sessionSeconds,
      Grant: ttl.sessionSeconds,
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${input.mountPath}/interaction/${interaction.uid}`,
      policy: policy(accounts),
    },
    renderError: async (ctx: KoaContextLike, out: { error: string; error_description?: string }, error: unknown) => {
      const code = codeForProviderError(error as Record<string, unknown>);
      const row = catalogEntry(code);
      ctx.type = 'html';
      ctx.body = errorPage(localeOf(ctx), out.error, row.expose ? (out.error_description ?? row.summary) : undefined);
    },
  };
}

function localeOf(ctx: KoaContextLike): ReturnType<typeof chooseLocale> {
  return chooseLocale(str(ctx.oidc?.params?.ui_locales), ctx.get('accept-language'));
}
