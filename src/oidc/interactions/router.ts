/**
 * The login interaction: consent page (requested ∩ approved fields, optional ones deselectable) →
 * an eID session with exactly the kept fields → the eID client → back through the RefreshAddress →
 * the result taken once, claims released, login + grant handed to oidc-provider.
 *
 * @spec oidc-core §3.1.2.3 (authenticate the end-user), §3.1.2.4 (consent), §3.1.2.6 (errors); rfc8176 §2 (amr sc, pin, mfa); tr03130-1 §3.2.1 (RequiredCHAT / OptionalCHAT); tr03124-1 §2.2 (eID client start URL); SPEC §5.3, §5.4, §7
 *
 * Browser binding, twice: every step calls provider.interactionDetails(), which requires
 * oidc-provider's interaction cookie (signed, HttpOnly, SameSite=Lax, path-scoped to this uid), and
 * the eID step is a shared auth transaction (src/session/auth-transaction.ts) whose cookie secret
 * must come back before the result is taken. A stolen RefreshAddress opened in another browser ends
 * in OIDC_INTERACTION_BINDING / AUTHTX_BROWSER_MISMATCH; the result stays for the right browser.
 *
 * Audited (src/audit), before the answer goes out: the eID step opened (login.request), the login's
 * end with its outcome and acr (login.finished), a RefreshAddress refused (access.refused). The
 * browser is the citizen's: its address is never recorded.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { errors, type InteractionDetails, type Provider } from 'oidc-provider';
import { outcomeOf, serviceOfError, type AuditEvent, type AuditLog } from '../../audit/audit-log.js';
import { IdpError } from '../../errors/idp-error.js';
import { decideRequestedAttributes } from '../../services/attribute-policy.js';
import type { ServiceRecord } from '../../services/model.js';
import type { AuthTransactions } from '../../session/auth-transaction.js';
import type { EidRequest, EidSession } from '../../session/eid-session-model.js';
import type { EidSessions } from '../../session/eid-session.js';
import type { SealedBox } from '../../session/sealed-box.js';
import type { Store } from '../../session/store/store.js';
import { transientSubject, type AccountStore } from '../account.js';
import { claimsFromResult, readClaimRequest, SCOPE_CLAIMS } from '../claims.js';
import type { RegistryClientSource } from '../clients.js';
import { interactionError, OidcError } from '../errors.js';
import { chooseAcr, eidLoginRank } from '../loa.js';
import { chooseLocale, texts, type Locale } from './i18n.js';
import { consentPage, eidStartPage, STYLESHEET } from './views.js';

export interface InteractionDeps {
  provider: Provider;
  clients: RegistryClientSource;
  accounts: AccountStore;
  eidSessions: EidSessions;
  /** The login transaction shared with the SAML front (browser binding of the eID step). */
  authTransactions: AuthTransactions;
  store: Store;
  box: SealedBox;
  /** Public base URL (TC Token URL, RefreshAddress target). */
  publicUrl: string;
  mountPath: string;
  interactionSeconds: number;
  /** eID client start (SPEC §5.4); tests point it elsewhere. */
  eidClientUrl?: string;
  audit: AuditLog;
}

/** What the interaction remembers between its requests (sealed; uid-scoped). */
interface InteractionState {
  v: 1;
  clientId: string;
  serviceId: string;
  csrf: string;
  /** requested ∩ approved (+ RestrictedID for the subject, DocumentValidity always). */
  granted: string[];
  deselectable: string[];
  age?: number;
  place?: string;
  eidSessionId?: string;
  /** Attributes the citizen kept (required + kept optional). */
  kept?: string[];
}

const STATE_PREFIX = 'oidc:ia:';
export const DEFAULT_EID_CLIENT_URL = 'http://127.0.0.1:24727/eID-Client';
const ALWAYS_SHOWN_INFO = new Set(['RestrictedID', 'DocumentValidity']);

export function interactionRouter(deps: InteractionDeps): { router: Router; returnTo(session: EidSession): Promise<string | null> } {
  const router = Router();
  // The provider is mounted before the app's body parsers (it parses its own endpoints); the consent forms need one.
  const form = express.urlencoded({ extended: false, limit: 16 * 1024, parameterLimit: 100 });
  const base = deps.publicUrl.replace(/\/+$/, '');
  const ttlMs = deps.interactionSeconds * 1000;

  const stateKey = (uid: string) => STATE_PREFIX + uid;
  const saveState = async (uid: string, state: InteractionState): Promise<void> => {
    const key = stateKey(uid);
    await deps.store.set(key, deps.box.seal(key, JSON.stringify(state)), { ttlMs });
  };
  const loadState = async (uid: string): Promise<InteractionState> => {
    const key = stateKey(uid);
    const raw = await deps.store.get(key);
    if (raw === null) throw new OidcError('OIDC_INTERACTION_NOT_FOUND', 'interaction state expired');
    return JSON.parse(deps.box.openText(key, raw)) as InteractionState;
  };

  const details = async (req: Request, res: Response): Promise<InteractionDetails> => {
    let found: InteractionDetails;
    try {
      found = await deps.provider.interactionDetails(req, res);
    } catch (cause) {
      // SPEC §8: the store is down or hung → 503, try again; the login is not the browser's fault.
      if (cause instanceof IdpError && cause.code === 'STORE_UNAVAILABLE') throw cause;
      // The cookie names an interaction the store does not know (expired, or lost with the store's data).
      if (cause instanceof errors.OIDCProviderError && cause.error_description === 'interaction session not found') {
        throw new OidcError('OIDC_INTERACTION_NOT_FOUND', 'login interaction unknown or expired', { cause });
      }
      throw new OidcError('OIDC_INTERACTION_BINDING', 'no interaction for this browser (cookie missing or for another login)', { cause });
    }
    if (found.uid !== req.params.uid) throw new OidcError('OIDC_INTERACTION_BINDING', 'interaction cookie is for another login');
    return found;
  };

  const serviceOf = async (clientId: string): Promise<ServiceRecord> => {
    const service = await deps.clients.service(clientId);
    if (!service) throw new OidcError('OIDC_CLIENT_UNKNOWN', 'the client is no longer an active eService');
    return service;
  };

  const localeOf = (req: Request, d: InteractionDetails): Locale => chooseLocale(d.params.ui_locales, req.get('accept-language'));

  /** Ends the interaction with an OAuth error at the client's redirect_uri. */
  const finishWithError = async (req: Request, res: Response, err: unknown): Promise<void> => {
    await deps.provider.interactionFinished(req, res, interactionError(err), { mergeWithLastSubmission: false });
  };

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    fn(req, res).catch(next);
  };

  const record = (req: Request, e: Pick<AuditEvent, 'event' | 'outcome'> & Partial<AuditEvent>): Promise<void> =>
    deps.audit.record({ front: 'oidc', ...(typeof req.id === 'string' && { requestId: req.id }), ...e });

  router.get('/assets/style.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(STYLESHEET);
  });

  // Consent: requested ∩ approved; the citizen sees every field before the card is touched.
  router.get('/interaction/:uid', wrap(async (req, res) => {
    const d = await details(req, res);
    const locale = localeOf(req, d);
    let service: ServiceRecord;
    let state: InteractionState;
    try {
      service = await serviceOf(d.params.client_id);
      const request = readClaimRequest(service.profile, d.params.scope, d.params.claims);
      const approved = new Set(service.approvedAttributes);
      const wanted = [...request.attributes, 'DocumentValidity', ...(approved.has('RestrictedID') ? ['RestrictedID'] : [])];
      // SPEC §5.3: a claim the eService is not approved for is dropped here, essential or not — it is never read.
      const { granted } = decideRequestedAttributes(service, wanted);
      const optional = new Set(service.optionalAttributes);
      state = {
        v: 1, clientId: d.params.client_id, serviceId: service.id, csrf: randomBytes(32).toString('base64url'), granted,
        deselectable: granted.filter((a) => optional.has(a) && !request.essential.has(a) && !ALWAYS_SHOWN_INFO.has(a)),
        ...(request.age !== undefined && granted.includes('AgeVerification') && { age: request.age }),
        ...(request.place !== undefined && granted.includes('PlaceVerification') && { place: request.place }),
      };
    } catch (err) {
      await finishWithError(req, res, err);
      return;
    }
    await saveState(d.uid, state);
    const t = texts(locale);
    const label = (id: string): string => {
      if (id === 'RestrictedID') return t.pseudonym;
      if (id === 'DocumentValidity') return t.documentValidity;
      if (id === 'AgeVerification' && state.age !== undefined) return t.ageOver(state.age);
      if (id === 'PlaceVerification') return t.placeCheck;
      return t.attribute(id);
    };
    res.type('html').send(consentPage({
      locale,
      action: `${deps.mountPath}/interaction/${d.uid}/confirm`,
      cancelAction: `${deps.mountPath}/interaction/${d.uid}/abort`,
      csrf: state.csrf,
      serviceName: locale === 'en' ? service.names.en : service.names.zh,
      purpose: service.purpose,
      items: state.granted.map((attribute) => ({ attribute, label: label(attribute), deselectable: state.deselectable.includes(attribute) })),
    }));
  }));

  // Consent given: open the eID session with exactly the kept fields and start the eID client.
  router.post('/interaction/:uid/confirm', form, wrap(async (req, res) => {
    const d = await details(req, res);
    const state = await loadState(d.uid);
    checkCsrf(req, state);
    try {
      const service = await serviceOf(state.clientId);
      const picked = formValues(req.body, 'attr');
      const kept = state.granted.filter((a) => !state.deselectable.includes(a) || picked.includes(a));
      const required = kept.filter((a) => !state.deselectable.includes(a));
      const optional = kept.filter((a) => state.deselectable.includes(a));
      const minimum = service.protocols.oidc?.minimum_acr;
      const request: EidRequest = {
        profile: service.profile, front: 'oidc', required, optional,
        ...(state.age !== undefined && { ageVerification: { age: state.age } }),
        ...(state.place !== undefined && { placeVerification: { communityId: state.place } }),
        ...(minimum !== undefined && { levelOfAssurance: minimum }),
      };
      const opened = await deps.eidSessions.open(service.id, request, { maxOpenSessions: service.maxConcurrentSessions });
      const { setCookie } = await deps.authTransactions.begin({ front: 'oidc', serviceId: service.id, eidSessionId: opened.id, state: { uid: d.uid } });
      res.append('Set-Cookie', setCookie);
      await saveState(d.uid, { ...state, eidSessionId: opened.id, kept });
      await record(req, { event: 'login.request', outcome: 'success', serviceId: service.id, eidSessionId: opened.id });
      const tcTokenUrl = `${base}/eid/tctoken?sessionId=${opened.id}`;
      res.type('html').send(eidStartPage({
        locale: localeOf(req, d),
        clientUrl: `${deps.eidClientUrl ?? DEFAULT_EID_CLIENT_URL}?tcTokenURL=${encodeURIComponent(tcTokenUrl)}`,
        continueUrl: `${deps.mountPath}/interaction/${d.uid}/eid-done`,
      }));
    } catch (err) {
      await record(req, { event: 'login.request', outcome: outcomeOf(err), serviceId: state.serviceId });
      await finishWithError(req, res, err);
    }
  }));

  router.post('/interaction/:uid/abort', form, wrap(async (req, res) => {
    const d = await details(req, res);
    const state = await loadState(d.uid);
    checkCsrf(req, state);
    await deps.store.delete(stateKey(d.uid));
    await finishWithError(req, res, new OidcError('OIDC_ACCESS_DENIED', 'the citizen cancelled the login'));
  }));

  // RefreshAddress target: take the eID result once and finish the login.
  router.get('/interaction/:uid/eid-done', wrap(async (req, res) => {
    try {
      await eidDone(req, res);
    } catch (err) {
      // Another browser (stolen RefreshAddress), an expired interaction: refused before any result is taken.
      await record(req, { event: 'access.refused', outcome: outcomeOf(err), ...serviceOfError(err) });
      throw err;
    }
  }));

  async function eidDone(req: Request, res: Response): Promise<void> {
    const d = await details(req, res);
    const state = await loadState(d.uid);
    if (state.eidSessionId === undefined || state.kept === undefined) throw new OidcError('OIDC_INTERACTION_NOT_FOUND', 'no eID login was started for this interaction');
    const eidId = state.eidSessionId;
    const pending = await deps.eidSessions.get(eidId);
    if (pending !== null && pending.phase !== 'result') {
      // Not finished yet (the citizen followed the continue link early): show the start page again.
        res.type('html').send(eidStartPage({
          locale: localeOf(req, d),
          clientUrl: `${deps.eidClientUrl ?? DEFAULT_EID_CLIENT_URL}?tcTokenURL=${encodeURIComponent(`${base}/eid/tctoken?sessionId=${eidId}`)}`,
          continueUrl: `${deps.mountPath}/interaction/${d.uid}/eid-done`,
        }));
        return;
    }
    // The shared transaction: only the browser that started the eID step may take its result.
    const { clearCookie } = await deps.authTransactions.finish(eidId, req.get('cookie'), 'oidc');
    res.append('Set-Cookie', clearCookie);
    const result = await deps.eidSessions.takeResult(eidId);
    await deps.store.delete(stateKey(d.uid));
    const finished = (e: Pick<AuditEvent, 'outcome'> & Partial<AuditEvent>) => record(req, { event: 'login.finished', serviceId: state.serviceId, eidSessionId: eidId, ...e });
    if (result === null) {
      await finished({ outcome: 'OIDC_EID_FAILED' });
      await finishWithError(req, res, new OidcError('OIDC_EID_FAILED', 'the eID session ended without a result'));
      return;
    }
    let recorded = false;
    try {
      if (result.error) throw new OidcError('OIDC_EID_FAILED', 'the eID login failed', { detail: { code: result.error.code } });
      const service = await serviceOf(state.clientId);
      const rank = eidLoginRank(result.documentValidity);
      if (rank === 0) throw new OidcError('OIDC_EID_FAILED', `the document is ${result.documentValidity ?? 'not verified'}`);
      const requestedAcrs = (d.params.acr_values ?? '').split(' ').filter((v) => v !== '');
      const acr = chooseAcr(rank, requestedAcrs, service.protocols.oidc?.minimum_acr);
      if (acr === undefined) throw new OidcError('OIDC_ACR_NOT_MET', 'the login does not reach the level of assurance the client requires');
      const claims = claimsFromResult(service.profile, result, state.kept, state.age);
      const useRi = state.kept.includes('RestrictedID') && result.restrictedId !== undefined;
      // The browser's login session keeps its account: this client's record joins (or replaces) the
      // others under it, so oidc-provider never ends the session of another eService (account.ts).
      const accountId = await deps.accounts.save(d.session?.accountId, {
        v: 1, clientId: state.clientId, serviceId: service.id,
        sub: useRi && result.restrictedId ? result.restrictedId.id : transientSubject(),
        subjectKind: useRi ? 'restricted-id' : 'transient',
        claims, released: state.kept, acr, amr: ['sc', 'pin', 'mfa'], authTime: Math.floor(Date.now() / 1000),
      });
      // The grant covers what was asked; what is released is bounded by the login record (approved ∩ consented ∩ read).
      const grant = new deps.provider.Grant({ accountId, clientId: state.clientId });
      const scopes = (d.params.scope ?? '').split(' ').filter((s) => Object.hasOwn(SCOPE_CLAIMS, s));
      grant.addOIDCScope(scopes.join(' '));
      const claimNames = claimNamesOf(d.params.claims);
      if (claimNames.length > 0) grant.addOIDCClaims(claimNames);
      const grantId = await grant.save();
      recorded = true;
      await finished({ outcome: 'success', levelOfAssurance: acr });
      await deps.provider.interactionFinished(req, res, { login: { accountId, acr, amr: ['sc', 'pin', 'mfa'], remember: false }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (err) {
      // The eID step's own code when it failed there (as the SOAP and SAML fronts record it).
      if (!recorded) await finished({ outcome: result.error?.code ?? outcomeOf(err) });
      await finishWithError(req, res, err);
    }
  }

  const returnTo = async (session: EidSession): Promise<string | null> => {
    if (session.request.front !== 'oidc') return null;
    const transaction = await deps.authTransactions.peek(session.id);
    const uid = transaction?.front === 'oidc' ? transaction.state.uid : undefined;
    return typeof uid === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(uid) ? `${base}${deps.mountPath}/interaction/${uid}/eid-done` : null;
  };

  return { router, returnTo };
}

function formValues(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const value = (body as Record<string, unknown>)[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function checkCsrf(req: Request, state: InteractionState): void {
  const [sent] = formValues(req.body, 'csrf');
  const a = Buffer.from(sent ?? '');
  const b = Buffer.from(state.csrf);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new OidcError('OIDC_INTERACTION_BINDING', 'form token missing or wrong');
}

function claimNamesOf(claimsParam: string | undefined): string[] {
  if (claimsParam === undefined || claimsParam === '') return [];
  try {
    const parsed = JSON.parse(claimsParam) as Record<string, Record<string, unknown> | null | undefined>;
    return [...new Set([...Object.keys(parsed.id_token ?? {}), ...Object.keys(parsed.userinfo ?? {})])];
  } catch {
    return [];
  }
}
