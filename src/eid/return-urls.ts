/**
 * Where the RefreshAddress sends the browser after the eID part of a SOAP-front session, in this order:
 * 1. a return URL stored with the eID session (same TTL as the session): the development demo
 *    eService sets it right after useID and correlates by its own cookie, so it gets no parameters;
 * 2. the eService's registered `protocols.soap.refreshAddress` (reviewed like every protocol setting),
 *    with the result the browser may learn: `ResultMajor=ok`, or `ResultMajor=error&ResultMinor=<short>`;
 * 3. none: the eID router shows a neutral "you may close this window" page.
 * SAML and OIDC sessions return through their own fronts (eidRouter returnTo). Only code inside the
 * IdP process and the reviewed registry decide the target, so the RefreshAddress is never an open
 * redirect. The session id, the PSK and personal data are never added: the eService correlates by its
 * own session and fetches the data with getResult.
 *
 * @spec tr03124-1 §2.5.4 (RefreshAddress, ResultMajor/ResultMinor), tr03130-1 §3.1.2; eid-protocol §2.2
 */
import type { EidResult } from '../session/eid-session-model.js';
import type { EidSessions } from '../session/eid-session.js';
import type { Store } from '../session/store/store.js';

const PREFIX = 'eid:return:';

/** tr03124-1 §2.5.4 / eid-protocol §2.2: the short ResultMinor names of the browser's RefreshAddress. */
export const REFRESH_RESULT_MINORS = ['trustedChannelEstablishmentFailed', 'communicationError', 'cancellationByUser', 'serverError', 'clientError'] as const;
export type RefreshResultMinor = (typeof REFRESH_RESULT_MINORS)[number];

export type RefreshOutcome = { major: 'ok' } | { major: 'error'; minor: RefreshResultMinor };

function isRefreshMinor(value: string): value is RefreshResultMinor {
  return (REFRESH_RESULT_MINORS as readonly string[]).includes(value);
}

/**
 * The outcome the browser may learn from the stored result: only whether it failed and the short
 * reason, never data. Client-reported errors keep their reason (cancellationByUser,
 * trustedChannelEstablishmentFailed …, any other client error → clientError); errors the server decided
 * (invalid document, timeouts …) → serverError; no result at all → serverError.
 */
export function refreshOutcome(result: Pick<EidResult, 'error'> | null): RefreshOutcome {
  if (result === null) return { major: 'error', minor: 'serverError' };
  const error = result.error;
  if (error === undefined) return { major: 'ok' };
  if (error.code === 'PAOS_CLIENT_CANCELLED') return { major: 'error', minor: 'cancellationByUser' };
  if (error.code === 'PAOS_CLIENT_ERROR') {
    // The stored message is the client's eCard-API ResultMinor URI; its fragment is the short name.
    const message = error.message ?? '';
    const short = message.slice(message.lastIndexOf('#') + 1);
    return { major: 'error', minor: isRefreshMinor(short) ? short : 'clientError' };
  }
  return { major: 'error', minor: 'serverError' };
}

/**
 * tr03124-1 §2.5.4: the RefreshAddress with ResultMajor (and ResultMinor on error) appended; the
 * registered query is kept as it is (the registry refuses addresses that already carry these names).
 */
export function withRefreshResult(address: string, outcome: RefreshOutcome): string {
  const url = new URL(address);
  const params = new URLSearchParams({ ResultMajor: outcome.major, ...(outcome.major === 'error' ? { ResultMinor: outcome.minor } : {}) });
  const existing = url.search.slice(1);
  url.search = existing === '' ? params.toString() : `${existing}&${params.toString()}`;
  return url.toString();
}

export class ReturnUrls {
  readonly #store: Store;
  readonly #ttlMs: number;

  constructor(store: Store, ttlMs: number) {
    this.#store = store;
    this.#ttlMs = ttlMs;
  }

  async set(sessionId: string, url: string): Promise<void> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TypeError('return URL must be http(s)');
    await this.#store.set(`${PREFIX}${sessionId}`, parsed.toString(), { ttlMs: this.#ttlMs });
  }

  async get(sessionId: string): Promise<string | null> {
    return this.#store.get(`${PREFIX}${sessionId}`);
  }

  /**
   * The browser's target for a SOAP-front session: the per-session return URL, else the registered
   * refreshAddress with the outcome of the stored result (read only then, not delivered), else null
   * (neutral page).
   */
  async target(sessionId: string, refreshAddress: string | undefined, sessions: Pick<EidSessions, 'peekResultError'>): Promise<string | null> {
    const own = await this.get(sessionId);
    if (own !== null) return own;
    if (refreshAddress === undefined) return null;
    return withRefreshResult(refreshAddress, refreshOutcome(await sessions.peekResultError(sessionId)));
  }
}
