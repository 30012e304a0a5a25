/**
 * The login transaction shared by the SAML and OIDC fronts: it links the front-channel request
 * (SAML AuthnRequest state / OIDC interaction) to an eID session and back, bound to the browser that
 * started it. The browser holds a random secret in an HttpOnly, SameSite=Lax cookie (Secure in
 * production); the store keeps only its SHA-256, so neither a stolen RefreshAddress nor a read of
 * the store lets another browser finish the login.
 *
 * @spec SPEC §5.2 ("an SP accepts only assertions bound to its own web session"), §7 SO1; tr03124-1 §2.5.4 (RefreshAddress); rfc6265bis §4.1.2.7 (SameSite), §4.1.3 (cookie prefixes)
 *
 * Store layout: `authtx:<eID session id>` → sealed JSON record, TTL = the eID session lifetime.
 * Finishing is single-use (get-and-delete after the browser check).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IdpError } from '../errors/idp-error.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { SealedBox } from './sealed-box.js';
import type { Store } from './store/store.js';

export type AuthFront = 'saml' | 'oidc';

export interface AuthTransaction<S = Record<string, unknown>> {
  v: 1;
  front: AuthFront;
  serviceId: string;
  eidSessionId: string;
  /** base64url SHA-256 of the browser secret. */
  browserHash: string;
  createdAt: number;
  expiresAt: number;
  /** Front-specific state (SAML: request ID, ACS, RelayState; OIDC: interaction uid). No personal data. */
  state: S;
}

export class AuthTransactionError extends IdpError {}

export interface AuthTransactionsOptions {
  store: Store;
  box: SealedBox;
  ttlMs: number;
  /** Secure cookies (production, https). */
  secureCookie: boolean;
  clock?: Clock;
}

const KEY = (eidSessionId: string) => `authtx:${eidSessionId}`;
const COOKIE_PREFIX = 'neid_tx_';
const ID = /^[0-9A-Fa-f]{32,128}$/;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** Cookie name per transaction, so two logins in one browser do not overwrite each other. */
export function transactionCookieName(eidSessionId: string): string {
  return `${COOKIE_PREFIX}${createHash('sha256').update(eidSessionId).digest('hex').slice(0, 16)}`;
}

/** Reads one cookie from a Cookie header (rfc6265 §5.4 syntax: `a=b; c=d`). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class AuthTransactions {
  readonly #o: AuthTransactionsOptions;
  readonly #clock: Clock;

  constructor(options: AuthTransactionsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Records the transaction for an opened eID session and returns the Set-Cookie header value that
   * binds it to this browser.
   */
  async begin<S extends Record<string, unknown>>(input: { front: AuthFront; serviceId: string; eidSessionId: string; state: S }): Promise<{ transaction: AuthTransaction<S>; setCookie: string }> {
    if (!ID.test(input.eidSessionId)) throw new AuthTransactionError('AUTHTX_NOT_FOUND', 'eID session id malformed');
    const secret = randomBytes(32).toString('base64url');
    const now = this.#clock.now().getTime();
    const transaction: AuthTransaction<S> = {
      v: 1, front: input.front, serviceId: input.serviceId, eidSessionId: input.eidSessionId,
      browserHash: hashSecret(secret), createdAt: now, expiresAt: now + this.#o.ttlMs, state: input.state,
    };
    const key = KEY(input.eidSessionId);
    const created = await this.#o.store.setIfAbsent(key, this.#o.box.seal(key, JSON.stringify(transaction)), { ttlMs: this.#o.ttlMs });
    if (!created) throw new AuthTransactionError('AUTHTX_NOT_FOUND', 'a transaction for this eID session already exists');
    const attrs = [`${transactionCookieName(input.eidSessionId)}=${secret}`, 'Path=/', `Max-Age=${Math.ceil(this.#o.ttlMs / 1000)}`, 'HttpOnly', 'SameSite=Lax'];
    if (this.#o.secureCookie) attrs.push('Secure');
    return { transaction, setCookie: attrs.join('; ') };
  }

  /** The transaction (no browser check): for the eID router's returnTo (which front, where to continue). */
  async peek(eidSessionId: string): Promise<AuthTransaction | null> {
    if (!ID.test(eidSessionId)) return null;
    const key = KEY(eidSessionId);
    const raw = await this.#o.store.get(key);
    return raw === null ? null : (JSON.parse(this.#o.box.openText(key, raw)) as AuthTransaction);
  }

  /**
   * Finishes the transaction once, from the browser that began it: the cookie secret must hash to
   * the stored value. A mismatch leaves the transaction intact (the rightful browser can still
   * finish) and throws AUTHTX_BROWSER_MISMATCH; unknown or finished: AUTHTX_NOT_FOUND.
   */
  async finish(eidSessionId: string, cookieHeader: string | undefined, front: AuthFront): Promise<{ transaction: AuthTransaction; clearCookie: string }> {
    const current = await this.peek(eidSessionId);
    if (!current || current.front !== front || current.expiresAt <= this.#clock.now().getTime()) throw new AuthTransactionError('AUTHTX_NOT_FOUND', 'no login transaction');
    const secret = readCookie(cookieHeader, transactionCookieName(eidSessionId));
    const given = Buffer.from(secret === undefined ? '' : hashSecret(secret));
    const expected = Buffer.from(current.browserHash);
    if (secret === undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AuthTransactionError('AUTHTX_BROWSER_MISMATCH', 'the login was started in another browser', { detail: { service: current.serviceId } });
    }
    const key = KEY(eidSessionId);
    const taken = await this.#o.store.getAndDelete(key);
    if (taken === null) throw new AuthTransactionError('AUTHTX_NOT_FOUND', 'login transaction already finished');
    const transaction = JSON.parse(this.#o.box.openText(key, taken)) as AuthTransaction;
    const clear = [`${transactionCookieName(eidSessionId)}=`, 'Path=/', 'Max-Age=0', 'HttpOnly', 'SameSite=Lax', ...(this.#o.secureCookie ? ['Secure'] : [])].join('; ');
    return { transaction, clearCookie: clear };
  }
}
