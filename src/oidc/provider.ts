/**
 * The OpenID Connect front: oidc-provider over the shared store, clients from the eService registry,
 * our eID login interaction, and an Express router the app mounts at `/oidc`.
 *
 * @spec oidc-core §3.1; oidc-discovery §4 (issuer = publicUrl + mount path); SPEC §5.3, §8 (any node continues any login)
 *
 * Everything a second node needs is shared: the store (sessions, grants, codes, PAR requests, login
 * records), the signing keys (files), and the cookie keys (derived from store.dataKey), so a code
 * issued by one node is redeemed at another and a restart loses nothing on Redis.
 *
 * Audited (src/audit): refused client authentication anywhere, and every refused request at the
 * endpoints an eService's server calls (token, PAR, userinfo; with that server's address); the
 * login itself in interactions/router.ts.
 */
import { hkdfSync } from 'node:crypto';
import { Router } from 'express';
import Provider, { type KoaContextLike } from 'oidc-provider';
import { AuditLog } from '../audit/audit-log.js';
import type { ServiceRegistry } from '../services/registry.js';
import type { AuthTransactions } from '../session/auth-transaction.js';
import type { EidSession } from '../session/eid-session-model.js';
import type { EidSessions } from '../session/eid-session.js';
import type { SealedBox } from '../session/sealed-box.js';
import type { Store } from '../session/store/store.js';
import type { Logger } from '../shared/logger.js';
import { AccountStore } from './account.js';
import { createStoreAdapter } from './adapter-redis.js';
import { RegistryClientSource, SERVICE_ID_METADATA } from './clients.js';
import { buildConfiguration, DEFAULT_TTLS, type OidcTtls } from './configuration.js';
import { codeForProviderError } from './errors.js';
import { catalogEntry } from '../errors/catalog.js';
import { interactionRouter } from './interactions/router.js';
import { loadOidcKeys } from './keys.js';

export interface OidcFrontDeps {
  /** Public base URL of the browser-facing front (config publicUrl). */
  publicUrl: string;
  store: Store;
  /** Seals store values (store.dataKey). */
  box: SealedBox;
  /** 32-byte store.dataKey: the provider's cookie keys are derived from it (all nodes share it). */
  dataKey: Uint8Array;
  registry: ServiceRegistry;
  eidSessions: EidSessions;
  /** Shared with the SAML front (src/session/auth-transaction.ts). */
  authTransactions: AuthTransactions;
  /** Key directory (`<dev.dataDir>/keys` in development); OIDC keys live in `<keysDir>/oidc-signing/`. */
  keysDir: string;
  /** Generate missing keys (development only). */
  generateKeys: boolean;
  /** Serve eServices in state `testing` too (test environments). */
  allowTesting?: boolean;
  logger?: Logger;
  ttl?: Partial<OidcTtls>;
  /** Where the provider is mounted (default `/oidc`); the issuer is publicUrl + mountPath. */
  mountPath?: string;
  /** eID client start URL (default http://127.0.0.1:24727/eID-Client). */
  eidClientUrl?: string;
  /** Development only: back-channel logout / jwks_uri calls may target loopback hosts (demo RP). */
  allowLoopbackTargets?: boolean;
  /** The audit trail (src/main.ts passes the process's); default: one over `store` and `logger`. */
  audit?: AuditLog;
}

export interface OidcFront {
  /** Mount at `mountPath` (default `/oidc`): `app.use('/oidc', front.router)`. */
  router: Router;
  provider: Provider;
  issuer: string;
  /** For eidRouter's returnTo: where the browser goes after the eID part of an OIDC login. */
  returnTo(session: EidSession): Promise<string | null>;
}

/** Endpoints only an eService's server calls: their caller's address is not a citizen's. */
const BACKCHANNEL_ROUTES: ReadonlySet<string> = new Set(['token', 'pushed_authorization_request', 'userinfo']);

/** Cookie signing keys: HKDF-SHA256 from the store data key, so every node signs and verifies alike. */
export function deriveCookieKeys(dataKey: Uint8Array): string[] {
  return [Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'neid oidc-provider cookie keys v1', 32)).toString('base64url')];
}

export function createOidcFront(deps: OidcFrontDeps): OidcFront {
  const mountPath = deps.mountPath ?? '/oidc';
  const issuer = `${deps.publicUrl.replace(/\/+$/, '')}${mountPath}`;
  const ttl: OidcTtls = { ...DEFAULT_TTLS, ...deps.ttl };
  const clients = new RegistryClientSource({ registry: deps.registry, allowTesting: deps.allowTesting ?? false });
  const accounts = new AccountStore({ store: deps.store, box: deps.box, ttlSeconds: ttl.sessionSeconds });
  const keys = loadOidcKeys(deps.keysDir, { generate: deps.generateKeys });
  const configuration = buildConfiguration({
    adapter: createStoreAdapter({ store: deps.store, box: deps.box, clients }),
    jwks: keys.jwks,
    cookieKeys: deriveCookieKeys(deps.dataKey),
    secureCookies: issuer.startsWith('https:'),
    accounts,
    ttl,
    mountPath,
    allowLoopbackTargets: deps.allowLoopbackTargets ?? false,
  });
  const provider = new Provider(issuer, configuration);
  // Behind the app's own trust-proxy setting; X-Forwarded-* decide https for secure cookies.
  provider.proxy = true;
  const audit = deps.audit ?? new AuditLog({ store: deps.store, ...(deps.logger && { logger: deps.logger }) });

  // Audit records of a request are written before its response leaves (error events cannot await).
  const auditing = new WeakMap<object, Promise<void>>();
  provider.use(async (ctx, next) => {
    await next();
    await auditing.get(ctx);
  });

  // oidc-provider lists every grant handler it has registered (refresh_token is built in), though no
  // client may use it and none is ever issued (configuration.ts issueRefreshToken): discovery says
  // exactly what is supported (oidc-discovery §3 grant_types_supported).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'discovery' && typeof ctx.body === 'object' && ctx.body !== null) {
      (ctx.body as Record<string, unknown>).grant_types_supported = ['authorization_code'];
    }
  });

  // Error events: log the catalog code, and give the client the specific cause (oidc-provider
  // answers every invalid_grant with the same description and keeps the cause in error_detail).
  const describe = (ctx: unknown, err: unknown): void => {
    const code = codeForProviderError(err as Record<string, unknown>);
    const row = catalogEntry(code);
    const c = ctx as KoaContextLike | undefined;
    // Only invalid_grant: oidc-provider's description there is always "grant request is invalid"; elsewhere it is already specific.
    if (c && typeof c.body === 'object' && c.body !== null && (c.body as { error?: unknown }).error === 'invalid_grant' && row.expose) {
      c.body = { ...(c.body as Record<string, unknown>), error_description: row.summary };
      c.set('x-neid-error-code', code);
    }
    deps.logger?.info({ code, route: c?.oidc?.route, client: c?.oidc?.client?.clientId }, 'oidc error');
    // SPEC §7 access attempts: refused client authentication, and anything refused at a back-channel endpoint.
    const route = c?.oidc?.route ?? '';
    const backchannel = BACKCHANNEL_ROUTES.has(route);
    if (c && (backchannel || code === 'OIDC_CLIENT_AUTH_FAILED' || code === 'OIDC_CLIENT_UNKNOWN')) {
      const serviceId = c.oidc.client?.metadata()[SERVICE_ID_METADATA];
      const http = c.req as { id?: unknown; ip?: unknown };
      auditing.set(c, audit.record({
        event: 'access.refused', front: 'oidc', outcome: code,
        ...(typeof serviceId === 'string' && { serviceId }),
        // Express's req.ip (the app's trust-proxy setting), not Koa's.
        ...(backchannel && typeof http.ip === 'string' && { clientAddress: http.ip }),
        ...(typeof http.id === 'string' && { requestId: http.id }),
      }));
    }
  };
  for (const event of ['grant.error', 'pushed_authorization_request.error', 'authorization.error', 'userinfo.error', 'end_session.error', 'jwks.error', 'discovery.error', 'check_session.error']) {
    provider.on(event, describe);
  }
  // oidc-backchannel-logout §2.8: a receiver that fails does not stop the logout; it is logged (client and code only, no sub or sid).
  provider.on('backchannel.error', (_ctx: unknown, err: unknown, client: unknown) => {
    deps.logger?.warn({ code: 'OIDC_BACKCHANNEL_LOGOUT_FAILED', client: (client as { clientId?: string } | undefined)?.clientId, reason: (err as Error | undefined)?.name }, 'back-channel logout not delivered');
  });

  // SPEC §7: the released claims go with the login. Full logout ends every client's record of the
  // session; "only this service" ends that client's (oidc-provider keeps the session for the others).
  // Done before the logout response leaves, so the RP's post-logout page never races the deletion.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'end_session_confirm' || ctx.status !== 303) return;
    const session = ctx.oidc.session;
    const accountId = session?.accountId;
    if (!session || accountId === undefined) return;
    const everywhere = Boolean(ctx.oidc.params?.logout);
    const entities = ctx.oidc.entities as { Client?: { clientId?: string } };
    const clientIds = everywhere ? Object.keys((session.authorizations ?? {}) as Record<string, unknown>) : [entities.Client?.clientId].filter((c): c is string => c !== undefined);
    try {
      await Promise.all(clientIds.map((clientId) => accounts.delete(accountId, clientId)));
    } catch (err) {
      // The records still expire with the session; the logout itself stands.
      deps.logger?.error({ err, code: 'STORE_UNAVAILABLE' }, 'login records not deleted at logout');
    }
  });

  provider.on('server_error', (_ctx: unknown, err: unknown) => deps.logger?.error({ err, code: 'OIDC_SERVER_ERROR' }, 'oidc-provider server error'));

  const interactions = interactionRouter({
    provider, clients, accounts, eidSessions: deps.eidSessions, authTransactions: deps.authTransactions, store: deps.store, box: deps.box,
    publicUrl: deps.publicUrl, mountPath, interactionSeconds: ttl.interactionSeconds, audit,
    ...(deps.eidClientUrl !== undefined && { eidClientUrl: deps.eidClientUrl }),
  });

  const router = Router();
  router.use(interactions.router);
  const callback = provider.callback();
  router.use((req, res) => callback(req, res));
  return { router, provider, issuer, returnTo: interactions.returnTo };
}
