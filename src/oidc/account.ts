/**
 * The login record behind oidc-provider's accountId: the claims the citizen released to one client
 * in one eID login, the pairwise subject and the reached level of assurance, sealed in the store and
 * gone when the login session ends (SPEC §7: personal data only as long as the login needs it).
 *
 * @spec oidc-core §8.1 (pairwise identifier per sector), §5.3 (userinfo), §2 (acr, amr, auth_time); tr03110-2 §3.6 (restricted identification: one pseudonym per card and sector); SPEC §4.1, §5.3, §7 SO1
 *
 * The accountId is random per login, so a session, token or log line never carries the pseudonym;
 * `sub` is the card's restricted identification for the eService's sector (RI is computed by the
 * card for exactly that sector, so it is pairwise by construction). Without RestrictedID the
 * subject is transient: random per login and never reused.
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

  /** Stores the record and returns the new accountId. */
  async create(record: AccountRecord): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const key = PREFIX + id;
    await this.#store.set(key, this.#box.seal(key, JSON.stringify(record)), { ttlMs: this.#ttlMs });
    return id;
  }

  async find(accountId: string): Promise<AccountRecord | undefined> {
    if (typeof accountId !== 'string' || !ID_PATTERN.test(accountId)) return undefined;
    const key = PREFIX + accountId;
    const sealed = await this.#store.get(key);
    if (sealed === null) return undefined;
    const record = JSON.parse(this.#box.openText(key, sealed)) as AccountRecord;
    if (record.v !== 1) throw new OidcError('OIDC_ACCOUNT_NOT_FOUND', 'login record of an unknown version');
    return record;
  }

  /** Ends the record (logout). */
  async delete(accountId: string): Promise<void> {
    if (typeof accountId === 'string' && ID_PATTERN.test(accountId)) await this.#store.delete(PREFIX + accountId);
  }
}

/** A transient subject: random, 256 bits, never reused. */
export function transientSubject(): string {
  return randomBytes(32).toString('base64url');
}
