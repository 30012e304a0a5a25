/**
 * The login record behind oidc-provider's accountId: the claims the citizen released to one client
 * in one eID login, the pairwise subject and the reached level of assurance, sealed in the store and
 * gone when the login session ends (SPEC §7: personal data only as long as the login needs it).
 *
 * @spec oidc-core §8.1 (pairwise identifier per sector), §5.3 (userinfo), §2 (acr, amr, auth_time); tr03110-2 §3.6 (restricted identification: one pseudonym per card and sector); SPEC §4.1, §5.3, §7 SO1
 *
 * The accountId is random per browser login session (oidc-provider's Session holds one), never the
 * pseudonym, so a session, token or log line never carries it. Under one accountId there is one
 * record per client: a second eService logged in from the same browser adds its own record (its own
 * eID login, claims and sector subject) instead of replacing the session, so logging in to one
 * eService never logs the citizen out of another. `sub` is the card's restricted identification for
 * the eService's sector (RI is computed by the card for exactly that sector, so it is pairwise by
 * construction). Without RestrictedID the subject is transient: random per login and never reused.
 */
import { randomBytes } from 'node:crypto';
import type { SealedBox } from '../session/sealed-box.js';
import type { Store } from '../session/store/store.js';
import { OidcError } from './errors.js';

export interface AccountRecord {
  v: 1;
  clientId: string;
  serviceId: string;
  /** Pairwise subject (RestrictedID hex) or a transient random subject. */
  sub: string;
  subjectKind: 'restricted-id' | 'transient';
  /** Released claims only (approved ∩ requested ∩ consented ∩ read from the card). */
  claims: Record<string, unknown>;
  /** Attribute ids released, for the consent record. */
  released: string[];
  acr: string;
  amr: string[];
  /** Epoch seconds of the eID login. */
  authTime: number;
}

const PREFIX = 'oidc:account:';
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class AccountStore {
  readonly #store: Store;
  readonly #box: SealedBox;
  readonly #ttlMs: number;

  constructor(options: { store: Store; box: SealedBox; ttlSeconds: number }) {
    this.#store = options.store;
    this.#box = options.box;
    this.#ttlMs = options.ttlSeconds * 1000;
  }

  /**
   * Stores the client's record under `accountId` (the browser session's account, if it has one) and
   * returns the accountId; a missing or malformed one gets a new random id. A record of the same
   * client is replaced (a new login of that client).
   */
  async save(accountId: string | undefined, record: AccountRecord): Promise<string> {
    const id = accountId !== undefined && ID_PATTERN.test(accountId) ? accountId : randomBytes(32).toString('base64url');
    const key = keyOf(id, record.clientId);
    await this.#store.set(key, this.#box.seal(key, JSON.stringify(record)), { ttlMs: this.#ttlMs });
    return id;
  }

  /** The record of `clientId` under `accountId`; undefined when that client has no login there. */
  async find(accountId: string, clientId: string | undefined): Promise<AccountRecord | undefined> {
    if (typeof accountId !== 'string' || !ID_PATTERN.test(accountId) || clientId === undefined) return undefined;
    const key = keyOf(accountId, clientId);
    const sealed = await this.#store.get(key);
    if (sealed === null) return undefined;
    const record = JSON.parse(this.#box.openText(key, sealed)) as AccountRecord;
    if (record.v !== 1) throw new OidcError('OIDC_ACCOUNT_NOT_FOUND', 'login record of an unknown version');
    // The sealed box binds the value to its key; this also guards against a record filed under another client.
    if (record.clientId !== clientId) return undefined;
    return record;
  }

  /** Ends one client's record (logout of that client). */
  async delete(accountId: string, clientId: string): Promise<void> {
    if (typeof accountId === 'string' && ID_PATTERN.test(accountId)) await this.#store.delete(keyOf(accountId, clientId));
  }
}

function keyOf(accountId: string, clientId: string): string {
  // client_id is 1-128 unreserved characters (registry model), so ':' cannot be forged into it.
  return `${PREFIX}${accountId}:${clientId}`;
}

/** A transient subject: random, 256 bits, never reused. */
export function transientSubject(): string {
  return randomBytes(32).toString('base64url');
}
