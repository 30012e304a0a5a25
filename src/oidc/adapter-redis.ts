/**
 * oidc-provider storage adapter over the shared Store (src/session/store): Redis in production, the
 * memory store for the embedded single-process default. Every model oidc-provider keeps (Session,
 * Interaction, AuthorizationCode, AccessToken, RefreshToken, Grant, PushedAuthorizationRequest,
 * ReplayDetection, …) lives here, so any node continues any login and a restart loses nothing.
 *
 * @spec rfc6749 §4.1.2 (codes single use; reuse revokes the grant's tokens), §10.5; rfc9449 §11.1 (DPoP jti replay); SPEC §7 SO1, §8
 *
 * Store layout (`<p>` = `oidc:`; every operation addresses one key, so Redis Cluster works):
 *
 * | key | type | what | TTL |
 * |---|---|---|---|
 * | `<p><Model>:<id>` | string | the model payload as JSON, sealed (AES-GCM, the key as AAD) | expiresIn + clock tolerance |
 * | `<p><Model>:<id>:consumed` | string | epoch seconds of the one consumption (SET NX) | the payload's remaining TTL |
 * | `<p>grant:<grantId>` | set | `<Model>:<id>` of every token of the grant (revokeByGrantId) | the longest member |
 * | `<p>uid:<uid>` | string | Session id for a session uid (findByUid) | the session's |
 * | `<p>userCode:<code>` | string | DeviceCode id for a user code (findByUserCode) | the device code's |
 *
 * Secondary keys are written before the payload, so a payload that is visible is always revocable.
 * Sealing means a copy of Redis yields neither usable token ids (the payload carries the jti) nor the
 * interaction state.
 */
import { errors } from 'oidc-provider';
import type { SealedBox } from '../session/sealed-box.js';
import type { Store } from '../session/store/store.js';

/** What oidc-provider hands the adapter (lib/models/*: payload fields of each model). */
export interface AdapterPayload {
  [key: string]: unknown;
  jti?: string;
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
}

/** The adapter contract of oidc-provider (example/my_adapter.js). */
export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

/** Where client metadata comes from (the eService registry); no dynamic registration is stored. */
export interface ClientSource {
  /** RFC 7591 client metadata of an active client, or undefined. */
  find(clientId: string): Promise<AdapterPayload | undefined>;
}

export interface StoreAdapterOptions {
  store: Store;
  /** Seals payloads at rest; absent only in adapter unit tests that inspect the raw layout. */
  box?: SealedBox;
  /** Key namespace inside the store (default `oidc:`). */
  prefix?: string;
  /** Added to every TTL so a record outlives its `exp` a little and oidc-provider reports "expired", not "not found". */
  clockToleranceSeconds?: number;
  /** TTL for records oidc-provider saves without expiry (there should be none; nothing is kept forever). */
  defaultTtlSeconds?: number;
  /** Lookup for the `Client` model; without it no client is found. */
  clients?: ClientSource;
}

/** Models whose records carry a grantId and die with their grant (lib/adapters/memory_adapter.js). */
const GRANTABLE: ReadonlySet<string> = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);
/** Models with consume() (lib/models/*: `consumed` in IN_PAYLOAD). */
const CONSUMABLE: ReadonlySet<string> = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);
/**
 * ReplayDetection.unique() does find() then save(): two nodes could both see "absent". find() claims
 * the id with SET NX instead (for at most this long; save() right after sets the exact expiry).
 */
const REPLAY_CLAIM_TTL_MS = 3600_000;
/** Ids oidc-provider generates are base64url; anything else a client sends is not a stored id. */
const ID_PATTERN = /^[\x21-\x7e]{1,512}$/;

export function createStoreAdapter(options: StoreAdapterOptions): (model: string) => OidcAdapter {
  const prefix = options.prefix ?? 'oidc:';
  const toleranceMs = (options.clockToleranceSeconds ?? 15) * 1000;
  const defaultTtlMs = (options.defaultTtlSeconds ?? 86_400) * 1000;
  return (model: string) => {
    if (model === 'Client') return new ClientAdapter(options.clients);
    return new StoreAdapter(model, options.store, options.box, prefix, toleranceMs, defaultTtlMs);
  };
}

class StoreAdapter implements OidcAdapter {
  readonly #model: string;
  readonly #store: Store;
  readonly #box: SealedBox | undefined;
  readonly #prefix: string;
  readonly #toleranceMs: number;
  readonly #defaultTtlMs: number;

  constructor(model: string, store: Store, box: SealedBox | undefined, prefix: string, toleranceMs: number, defaultTtlMs: number) {
    this.#model = model;
    this.#store = store;
    this.#box = box;
    this.#prefix = prefix;
    this.#toleranceMs = toleranceMs;
    this.#defaultTtlMs = defaultTtlMs;
  }

  #key(id: string): string {
    return `${this.#prefix}${this.#model}:${id}`;
  }

  #member(id: string): string {
    return `${this.#model}:${id}`;
  }

  #grantKey(grantId: string): string {
    return `${this.#prefix}grant:${grantId}`;
  }

  #uidKey(uid: string): string {
    return `${this.#prefix}uid:${uid}`;
  }

  #userCodeKey(code: string): string {
    return `${this.#prefix}userCode:${code}`;
  }

  #encode(key: string, payload: AdapterPayload): string {
    const json = JSON.stringify(payload);
    return this.#box ? this.#box.seal(key, json) : json;
  }

  #decode(key: string, raw: string): AdapterPayload {
    const json = this.#box ? this.#box.openText(key, raw) : raw;
    return JSON.parse(json) as AdapterPayload;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.#key(id);
    const ttlMs = typeof expiresIn === 'number' && expiresIn > 0 ? Math.ceil(expiresIn * 1000) + this.#toleranceMs : this.#defaultTtlMs;
    const grantId = typeof payload.grantId === 'string' ? payload.grantId : undefined;
    if (GRANTABLE.has(this.#model) && grantId !== undefined) {
      const grantKey = this.#grantKey(grantId);
      await this.#store.sadd(grantKey, this.#member(id));
      // The index must outlive its longest member; never shorten it.
      const current = await this.#store.ttl(grantKey);
      if (current === null || current === -1 || current < ttlMs) await this.#store.expire(grantKey, ttlMs);
    }
    if (this.#model === 'Session' && typeof payload.uid === 'string') {
      await this.#store.set(this.#uidKey(payload.uid), id, { ttlMs });
    }
    if (typeof payload.userCode === 'string') {
      await this.#store.set(this.#userCodeKey(payload.userCode), id, { ttlMs });
    }
    // The consumption mark is kept apart from the payload so an upsert never resurrects a consumed code.
    const { consumed: _ignored, ...rest } = payload;
    await this.#store.set(key, this.#encode(key, rest), { ttlMs });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return undefined;
    const key = this.#key(id);
    if (this.#model === 'ReplayDetection') {
      // rfc9449 §11.1: a jti is accepted once across every node — the first SET NX wins.
      const claimed = await this.#store.setIfAbsent(key, this.#encode(key, { jti: id }), { ttlMs: REPLAY_CLAIM_TTL_MS });
      return claimed ? undefined : { jti: id };
    }
    const raw = await this.#store.get(key);
    if (raw === null) return undefined;
    const payload = this.#decode(key, raw);
    if (CONSUMABLE.has(this.#model)) {
      const consumed = await this.#store.get(`${key}:consumed`);
      if (consumed !== null) payload.consumed = Number(consumed);
    }
    return payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    if (typeof uid !== 'string' || !ID_PATTERN.test(uid)) return undefined;
    const id = await this.#store.get(this.#uidKey(uid));
    return id === null ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    if (typeof userCode !== 'string' || !ID_PATTERN.test(userCode)) return undefined;
    const id = await this.#store.get(this.#userCodeKey(userCode));
    return id === null ? undefined : this.find(id);
  }

  /**
   * Marks the record consumed, once across all nodes (SET NX). oidc-provider checks `consumed` and
   * then calls consume(); two token requests racing with one code on two nodes both pass the check,
   * so the loser is refused here with invalid_grant and the grant is revoked (rfc6749 §4.1.2).
   */
  async consume(id: string): Promise<void> {
    const key = this.#key(id);
    const remaining = await this.#store.ttl(key);
    if (remaining === null) throw new errors.InvalidGrant('grant source not found');
    const ttlMs = remaining > 0 ? remaining : this.#defaultTtlMs;
    const first = await this.#store.setIfAbsent(`${key}:consumed`, String(Math.floor(Date.now() / 1000)), { ttlMs });
    if (!first) {
      const raw = await this.#store.get(key);
      const grantId = raw === null ? undefined : this.#decode(key, raw).grantId;
      if (typeof grantId === 'string') await this.revokeByGrantId(grantId);
      throw new errors.InvalidGrant('grant source already consumed');
    }
  }

  async destroy(id: string): Promise<void> {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) return;
    const key = this.#key(id);
    const raw = await this.#store.get(key);
    const payload = raw === null ? undefined : this.#decode(key, raw);
    await this.#store.delete(key, `${key}:consumed`);
    if (payload && typeof payload.uid === 'string' && this.#model === 'Session') {
      // Only drop the pointer if it still points here (a newer session may own the uid).
      await this.#store.compareAndSet(this.#uidKey(payload.uid), id, 'gone', { ttlMs: 1 });
    }
    if (payload && typeof payload.userCode === 'string') {
      await this.#store.compareAndSet(this.#userCodeKey(payload.userCode), id, 'gone', { ttlMs: 1 });
    }
    if (payload && typeof payload.grantId === 'string' && GRANTABLE.has(this.#model)) {
      await this.#store.srem(this.#grantKey(payload.grantId), this.#member(id));
    }
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    if (typeof grantId !== 'string' || !ID_PATTERN.test(grantId)) return;
    const grantKey = this.#grantKey(grantId);
    const members = await this.#store.smembers(grantKey);
    // The grant index is shared by all grantable models; each member names its own model.
    const keys = members.flatMap((member) => [`${this.#prefix}${member}`, `${this.#prefix}${member}:consumed`]);
    if (keys.length > 0) await this.#store.delete(...keys);
    await this.#store.delete(grantKey);
  }
}

/** Clients are read from the eService registry; writes would be dynamic registration, which is off. */
class ClientAdapter implements OidcAdapter {
  readonly #source: ClientSource | undefined;

  constructor(source: ClientSource | undefined) {
    this.#source = source;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || !this.#source) return undefined;
    return this.#source.find(id);
  }

  async upsert(): Promise<void> {
    throw new errors.InvalidClientMetadata('clients are managed in the eService registry');
  }

  async findByUid(): Promise<undefined> {
    return undefined;
  }

  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  async consume(): Promise<void> {
    /* clients are not consumable */
  }

  async destroy(): Promise<void> {
    throw new errors.InvalidClientMetadata('clients are managed in the eService registry');
  }

  async revokeByGrantId(): Promise<void> {
    /* clients have no grants */
  }
}
