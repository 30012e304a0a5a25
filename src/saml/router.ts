/**
 * The SAML 2.0 IdP endpoints.
 *
 * | method | path | step |
 * |---|---|---|
 * | GET  | /saml/metadata | signed IdP metadata (saml-metadata §2.3.2) |
 * | GET  | /saml/sso      | AuthnRequest, HTTP-Redirect binding (saml-bindings §3.4) |
 * | POST | /saml/sso      | AuthnRequest, HTTP-POST binding (saml-bindings §3.5) |
 * | GET  | /saml/continue | after the eID part (RefreshAddress → here): Response to the ACS |
 *
 * Audited (src/audit), before the answer goes out: a refused AuthnRequest or continue (access.refused),
 * the AuthnRequest of an authenticated eService (login.request), the Response issued (login.finished).
 *
 * @spec saml-profiles §4.1 (Web Browser SSO); saml-bindings §3.4, §3.5; tr03130-1 §4; SPEC §5.2
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { AuditLog, loginOutcome, outcomeOf, serviceOfError, type AuditEvent } from '../audit/audit-log.js';
import { IdpError, isIdpError, toIdpError } from '../errors/index.js';
import type { KeyStore } from '../keys/key-store.js';
import { isEidSessionId, type EidSessions } from '../session/eid-session.js';
import type { EidSession } from '../session/eid-session-model.js';
import type { AuthTransactions } from '../session/auth-transaction.js';
import type { Store } from '../session/store/store.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { RedirectLimits } from './bindings/redirect.js';
import { SamlError } from './errors.js';
import { buildIdpMetadata } from './metadata/idp-metadata.js';
import type { ResolvedSp, SpResolver } from './metadata/sp-resolver.js';
import { BINDING } from './namespaces.js';
import { errorPage, pendingPage, startEidPage } from './pages.js';
import { isDeliverable, toSamlStatus } from './status.js';
import { buildAssertion } from './sso/build-assertion.js';
import { checkAuthnRequest, chooseAcs, type ChosenAcs } from './sso/check-authn-request.js';
import { buildResponseXml, deliver, encryptAssertion, type ResponseDelivery, type ResponseTarget } from './sso/issue-response.js';
import { receivePostAuthnRequest, receiveRedirectAuthnRequest, type VerifiedAuthnRequest } from './sso/receive-authn-request.js';
import { readEncryptedExtension } from './sso/request-extension.js';
import { toEidRequest } from './sso/requested-attributes.js';

export interface SamlSettings {
  /** Redirect URLs longer than this switch to the POST binding (default 8192). */
  redirectMaxBytes: number;
  /** Accepted age of an AuthnRequest IssueInstant. */
  requestMaxAgeMs: number;
  clockSkewMs: number;
  /** SubjectConfirmationData/Conditions NotOnOrAfter − now; at most 5 minutes. */
  assertionLifetimeMs: number;
  metadataValidityMs: number;
  limits: RedirectLimits;
  /** The local eID client (tr03124-1 §2.2). */
  eidClientUrl: string;
}

export interface SamlRouterDeps {
  /** Public base URL of this front; the IdP entityID is `<publicUrl>/saml/metadata`. */
  publicUrl: string;
  keys: KeyStore;
  resolver: SpResolver;
  store: Store;
  sessions: EidSessions;
  transactions: AuthTransactions;
  settings: SamlSettings;
  logger: Logger;
  clock?: Clock;
  /** The audit trail (src/main.ts passes the process's); default: one over `store` and `logger`. */
  audit?: AuditLog;
}

export const DEFAULT_SAML_SETTINGS: SamlSettings = {
  redirectMaxBytes: 8192,
  requestMaxAgeMs: 5 * 60_000,
  clockSkewMs: 60_000,
  assertionLifetimeMs: 5 * 60_000,
  metadataValidityMs: 7 * 86_400_000,
  limits: { maxEncodedBytes: 64 * 1024, maxInflatedBytes: 256 * 1024 },
  eidClientUrl: 'http://127.0.0.1:24727/eID-Client',
};

interface SamlTxState extends Record<string, unknown> {
  entityId: string;
  requestId: string;
  acsUrl: string;
  acsBinding: 'redirect' | 'post' | null;
  relayState?: string;
}

export function samlEndpoints(publicUrl: string): { entityId: string; ssoUrl: string; continueUrl: string } {
  const base = publicUrl.replace(/\/+$/, '');
  return { entityId: `${base}/saml/metadata`, ssoUrl: `${base}/saml/sso`, continueUrl: `${base}/saml/continue` };
}

/** For the eID router's `returnTo`: where the browser goes after the eID part of a SAML login. */
export function samlContinueUrl(publicUrl: string, session: Pick<EidSession, 'id'>): string {
  return `${samlEndpoints(publicUrl).continueUrl}?session=${session.id}`;
}

export function samlRouter(deps: SamlRouterDeps): Router {
  const router = Router();
  const clock = deps.clock ?? systemClock;
  const { entityId, ssoUrl } = samlEndpoints(deps.publicUrl);
  const s = deps.settings;
  let metadataCache: { xml: string; at: number } | undefined;
  const audit = deps.audit ?? new AuditLog({ store: deps.store, logger: deps.logger, clock });
  // The browser is the citizen's: its address is never recorded (SPEC §7), the request id is.
  const record = (req: Request, e: Pick<AuditEvent, 'event' | 'outcome'> & Partial<AuditEvent>): Promise<void> =>
    audit.record({ front: 'saml', ...(typeof req.id === 'string' && { requestId: req.id }), ...e });

  const page = (req: Request, res: Response, err: unknown): void => {
    const e = toIdpError(err);
    const known = isIdpError(err) && e.code !== 'INTERNAL';
    deps.logger.warn({ reqId: req.id, code: e.code, detail: e.detail, err: known ? undefined : err }, 'SAML request refused');
    res.status(known ? 400 : 500).set('Cache-Control', 'no-store').type('text/html; charset=utf-8')
      .send(errorPage(e.code, known ? e.message : 'internal error', typeof req.id === 'string' ? req.id : undefined));
  };

  const send = (res: Response, delivery: ResponseDelivery, setCookie?: string): void => {
    res.set('Cache-Control', 'no-store');
    if (setCookie) res.append('Set-Cookie', setCookie);
    if (delivery.kind === 'redirect') {
      res.redirect(303, delivery.url);
      return;
    }
    res.status(200).set('Content-Security-Policy', delivery.form.csp).type('text/html; charset=utf-8').send(delivery.form.html);
  };

  const postAllowed = (sp: ResolvedSp, url: string) => sp.acs.some((a) => a.url === url && a.binding === BINDING.post);

  const statusResponse = (sp: ResolvedSp, target: ResponseTarget, err: unknown): ResponseDelivery => {
    const xml = buildResponseXml(target, clock.now(), { status: toSamlStatus(err) });
    return deliver(target, xml, { signingKey: deps.keys.current('saml-signing'), redirectMaxBytes: s.redirectMaxBytes, postAllowed: postAllowed(sp, target.acs.url) });
  };

  async function handle(req: Request, res: Response, receive: () => Promise<VerifiedAuthnRequest>): Promise<void> {
    let verified: VerifiedAuthnRequest;
    let acs: ChosenAcs;
    try {
      verified = await receive();
      acs = chooseAcs(verified);
    } catch (err) {
      // Unknown issuer, bad or missing signature, unregistered ACS: an access attempt refused.
      await record(req, { event: 'access.refused', outcome: outcomeOf(err), ...serviceOfError(err) });
      page(req, res, err);
      return;
    }
    // From here the requester is authenticated and its ACS known: errors go back as SAML status.
    const requestId = verified.request.getAttribute('ID') ?? '';
    const target: ResponseTarget = { idpEntityId: entityId, acs, inResponseTo: requestId, ...(verified.relayState !== undefined ? { relayState: verified.relayState } : {}) };
    try {
      const checked = await checkAuthnRequest(verified, acs, {
        ssoUrls: [ssoUrl], now: clock.now(), window: { maxAgeMs: s.requestMaxAgeMs, skewMs: s.clockSkewMs }, store: deps.store,
      });
      const service = verified.sp.service;
      const extension = readEncryptedExtension(verified.request, deps.keys.decryptionKeys('saml-encryption').map((k) => k.privateKey), service.profile);
      const eidRequest = toEidRequest(extension, service);
      const opened = await deps.sessions.open(service.id, eidRequest, { maxOpenSessions: service.maxConcurrentSessions });
      const state: SamlTxState = {
        entityId: verified.sp.entityId, requestId: checked.id, acsUrl: acs.url, acsBinding: acs.binding,
        ...(checked.relayState !== undefined ? { relayState: checked.relayState } : {}),
      };
      const { setCookie } = await deps.transactions.begin({ front: 'saml', serviceId: service.id, eidSessionId: opened.id, state });
      const tcTokenUrl = `${deps.publicUrl.replace(/\/+$/, '')}/eid/tctoken?sessionId=${opened.id}`;
      const clientUrl = `${s.eidClientUrl}?tcTokenURL=${encodeURIComponent(tcTokenUrl)}`;
      deps.logger.info({ reqId: req.id, service: service.id, binding: verified.binding }, 'SAML AuthnRequest accepted');
      await record(req, { event: 'login.request', outcome: 'success', serviceId: service.id, eidSessionId: opened.id });
      res.status(200).set('Cache-Control', 'no-store').append('Set-Cookie', setCookie).type('text/html; charset=utf-8').send(startEidPage(clientUrl, service.names.en));
    } catch (err) {
      await record(req, { event: 'login.request', outcome: outcomeOf(err), serviceId: verified.sp.service.id });
      if (!isDeliverable(err)) {
        page(req, res, err);
        return;
      }
      const e = toIdpError(err);
      deps.logger.warn({ reqId: req.id, code: e.code, detail: e.detail, service: verified.sp.service.id }, 'SAML request answered with an error status');
      send(res, statusResponse(verified.sp, target, err));
    }
  }

  router.get('/saml/metadata', (_req: Request, res: Response, next: NextFunction) => {
    try {
      const now = clock.now();
      // Re-signed every 5 minutes (after a key rotation the new keys appear within that time).
      if (!metadataCache || now.getTime() - metadataCache.at > 300_000) {
        metadataCache = { xml: buildIdpMetadata({ entityId, ssoUrl, keys: deps.keys, now, validityMs: s.metadataValidityMs }), at: now.getTime() };
      }
      res.status(200).set('Cache-Control', 'public, max-age=300').type('application/samlmetadata+xml').send(metadataCache.xml);
    } catch (err) {
      next(err);
    }
  });

  router.get('/saml/sso', (req: Request, res: Response, next: NextFunction) => {
    const q = req.originalUrl.indexOf('?');
    const raw = q < 0 ? '' : req.originalUrl.slice(q + 1);
    handle(req, res, () => receiveRedirectAuthnRequest(raw, { resolver: deps.resolver, limits: s.limits })).catch(next);
  });

  router.post('/saml/sso', (req: Request, res: Response, next: NextFunction) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    handle(req, res, () => receivePostAuthnRequest(body, { resolver: deps.resolver, limits: s.limits })).catch(next);
  });

  router.get('/saml/continue', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const id = typeof req.query.session === 'string' ? req.query.session : '';
      let sp: ResolvedSp;
      let target: ResponseTarget;
      let session: EidSession | null;
      let state: SamlTxState;
      try {
        const peeked = await deps.transactions.peek(id);
        if (!peeked || peeked.front !== 'saml') throw new IdpError('AUTHTX_NOT_FOUND', 'no SAML login transaction');
        session = await deps.sessions.get(id);
        if (session !== null && session.phase !== 'result') {
          res.status(409).set('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(pendingPage());
          return;
        }
        const { transaction, clearCookie } = await deps.transactions.finish(id, req.headers.cookie, 'saml');
        res.append('Set-Cookie', clearCookie);
        state = transaction.state as SamlTxState;
        const resolved = await deps.resolver.resolve(state.entityId);
        if (!resolved) throw new SamlError('SAML_ISSUER_UNKNOWN', 'the eService is no longer registered');
        sp = resolved;
        target = { idpEntityId: entityId, acs: { url: state.acsUrl, binding: state.acsBinding }, inResponseTo: state.requestId, ...(state.relayState !== undefined ? { relayState: state.relayState } : {}) };
      } catch (err) {
        // E.g. a stolen RefreshAddress opened in another browser (AUTHTX_BROWSER_MISMATCH).
        await record(req, { event: 'access.refused', outcome: outcomeOf(err), ...serviceOfError(err), ...(isEidSessionId(id) && { eidSessionId: id }) });
        page(req, res, err);
        return;
      }
      const finished = (e: Pick<AuditEvent, 'outcome'> & Partial<AuditEvent>) => record(req, { event: 'login.finished', serviceId: sp.service.id, eidSessionId: id, ...e });
      try {
        const result = await deps.sessions.takeResult(id);
        if (!result || !session) throw new SamlError('SAML_LOGIN_FAILED', 'no eID result for this login');
        if (result.error) throw new IdpError(result.error.code, result.error.message ?? 'eID login failed');
        if (sp.service.state !== 'active') throw new SamlError('SAML_SERVICE_INACTIVE', 'eService no longer active');
        const assertion = buildAssertion({
          idpEntityId: entityId, spEntityId: sp.entityId, inResponseTo: state.requestId, recipient: state.acsUrl,
          ...(req.ip ? { clientAddress: req.ip } : {}), now: clock.now(), lifetimeMs: s.assertionLifetimeMs, request: session.request, result,
        });
        const encrypted = encryptAssertion(assertion.xml, sp.encryptionCertificates, sp.keyTransport);
        const xml = buildResponseXml(target, clock.now(), { encryptedAssertion: encrypted });
        deps.logger.info({ reqId: req.id, service: sp.service.id }, 'SAML Response issued');
        const delivery = deliver(target, xml, { signingKey: deps.keys.current('saml-signing'), redirectMaxBytes: s.redirectMaxBytes, postAllowed: postAllowed(sp, state.acsUrl) });
        await finished(loginOutcome(result));
        send(res, delivery);
      } catch (err) {
        const e = toIdpError(err);
        deps.logger.warn({ reqId: req.id, code: e.code, service: sp.service.id }, 'SAML login ended with an error status');
        await finished({ outcome: e.code });
        send(res, statusResponse(sp, target, err));
      }
    })().catch(next);
  });

  return router;
}
