/**
 * eID sessions in the shared store: open (useID / SAML / OIDC), the single-use PSK of the TLS-2
 * channel, phase timeouts, the per-eService cap on open sessions, the strict getResult
 * RequestCounter, the EAC state slot (any node continues a conversation) and the result, sealed and
 * deleted on delivery.
 *
 * Delivery under a store outage (SPEC §8 "nothing is lost"): the result is read, never get-and-deleted.
 * A store command that times out may still run when the store comes back (the command sits in
 * Redis' socket buffer); a GETDEL would then delete a result nobody received. A read that times out
 * changes nothing, and the delete happens only once the result is in hand (takeResult).
 *
 * @spec tr03130-1 §3.2.1 (Session ID, PSK), §3.2.2 (RequestCounter, lifetime, delete after delivery), §3.3.1; tr03124-1 §2.4.3 (PSK, SessionIdentifier); SPEC §5.1, §7 SO1
 *
 * Store layout (every operation addresses one key, so Redis Cluster works; `<p>` = `eid:`):
 *
 * | key | type | what | TTL |
 * |---|---|---|---|
 * | `<p>s:<id>` | string | the session record, sealed (it carries the EAC state and its keys) | current phase deadline |
 * | `<p>psk:<id>` | string | the PSK, sealed; taken by getAndDelete on the full handshake | until the handshake window ends |
 * | `<p>res:<id>` | string | the result, sealed; read on delivery, deleted with the session right after | result window |
 * | `<p>take:<id>` | string | delivery claim: one delivery at a time across nodes | TAKE_CLAIM_TTL_MS |
 * | `<p>open:<service>` | hash | session id → phase deadline (ms): the open set the cap counts | lifetime |
 * | `<p>open-lock:<service>` | string | short lock around "count the live entries, add one" | OPEN_LOCK_TTL_MS |
 * | `<p>tls:<tls session id>` | string | a TLS session (master secret!) for resumption, sealed | tlsSessionTtlMs |
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PskSource } from '../eid/tls-psk/psk-server.js';
import { IdpError } from '../errors/idp-error.js';
import { systemClock, type Clock } from '../shared/clock.js';
import {
  parseEidRequest,
  parseEidResult,
  parseEidSessionRecord,
  phaseIndex,
  type EidPhase,
  type EidRequest,
  type EidResult,
  type EidSession,
} from './eid-session-model.js';
import type { SealedBox } from './sealed-box.js';
import type { Store } from './store/store.js';

export * from './eid-session-model.js';

/** Errors of the eID session model (codes EID_*, src/errors/catalog/eid-session.ts). */
export class EidSessionError extends IdpError {}

export interface EidSessionTimeouts {
  /** useID → result fetched: no phase outlives it (TR-03130-1 §3.2.2). */
  lifetimeMs: number;
  /** useID → TC Token fetched. */
  tcTokenTimeoutMs: number;
  /** TC Token → TLS-PSK handshake. */
  handshakeTimeoutMs: number;
  /** Between two PAOS messages. */
  paosStepTimeoutMs: number;
  /** Result stored → collected. */
  resultTimeoutMs: number;
  /** Cached TLS sessions. */
  tlsSessionTtlMs: number;
}

export interface EidSessionsOptions {
  store: Store;
  /** Seals records, PSKs, TLS sessions and results (store.dataKey). */
  box: SealedBox;
  timeouts: EidSessionTimeouts;
  clock?: Clock;
}

export interface OpenOptions {
  /** The eService's cap (registry maxConcurrentSessions). */
  maxOpenSessions: number;
  /** TR-03130-1 §3.2.1: a PSK the eService chose; its ID becomes the session id and it is echoed. */
  psk?: { id: string; key: Buffer };
}

export interface OpenedSession {
  /** Session id = PSK identity = TC Token SessionIdentifier. */
  id: string;
  psk: Buffer;
  session: EidSession;
}

const PREFIX = 'eid:';
/** TR-03130-1 §3.3.1 "at least 32 hexadecimal characters"; 32 random bytes → 64. */
const ID_BYTES = 32;
const PSK_BYTES = 32;
const MIN_SERVICE_PSK_BYTES = 32;
const ID_PATTERN = /^[0-9A-Fa-f]{32,128}$/;
const CAS_ATTEMPTS = 16;
export const OPEN_LOCK_TTL_MS = 2000;
const OPEN_LOCK_WAIT_MS = 5000;
/**
 * How long a delivery claim blocks another delivery of the same result. Short: a claim whose owner
 * failed (store outage between claim and delete) must not keep the retry from the result for long;
 * longer than a delivery takes (a few store commands, each bounded by the store's command timeout).
 */
export const TAKE_CLAIM_TTL_MS = 5000;

const keys = {
  session: (id: string) => `${PREFIX}s:${id}`,
  psk: (id: string) => `${PREFIX}psk:${id}`,
  result: (id: string) => `${PREFIX}res:${id}`,
  take: (id: string) => `${PREFIX}take:${id}`,
  open: (serviceId: string) => `${PREFIX}open:${serviceId}`,
  openLock: (serviceId: string) => `${PREFIX}open-lock:${serviceId}`,
  tls: (sessionId: string) => `${PREFIX}tls:${sessionId}`,
};

/** Whether a session id has the form this server issues or accepts from an eService PSK. */
export function isEidSessionId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export class EidSessions {
  readonly #store: Store;
  readonly #box: SealedBox;
  readonly #t: EidSessionTimeouts;
  readonly #clock: Clock;

  constructor(options: EidSessionsOptions) {
    this.#store = options.store;
    this.#box = options.box;
    this.#t = options.timeouts;
    this.#clock = options.clock ?? systemClock;
  }

  get timeouts(): Readonly<EidSessionTimeouts> {
    return this.#t;
  }

  /**
   * Opens a session for the eService. Throws EID_SESSION_TOO_MANY when the eService already has
   * `maxOpenSessions` live sessions (expired ones do not count), EID_PSK_INVALID for a bad eService
   * PSK, EID_REQUEST_INVALID for an inconsistent request.
   */
  async open(serviceId: string, request: EidRequest, options: OpenOptions): Promise<OpenedSession> {
    const parsed = parseEidRequest(request);
    if (!parsed.ok) throw new EidSessionError('EID_REQUEST_INVALID', `eID request: ${parsed.problem}`);
    const { id, psk } = this.#credentials(options.psk);
    const now = this.#now();
    const expiresAt = now + this.#t.lifetimeMs;
    const session: EidSession = {
      v: 1, id, serviceId, phase: 'created', createdAt: now, expiresAt,
      phaseDeadline: Math.min(now + this.#t.tcTokenTimeoutMs, expiresAt),
      request: parsed.request, requestCounter: 0, pskFromService: options.psk !== undefined, eac: null, conversation: null,
    };

    // Reserve the id first: a random 256-bit id never collides; an eService PSK ID may (TR-03130-1 §3.3.18: one session).
    const created = await this.#store.setIfAbsent(keys.session(id), this.#sealRecord(session), { ttlMs: session.phaseDeadline - now });
    if (!created) throw new EidSessionError('EID_PSK_INVALID', 'PSK ID already in use', { detail: { service: serviceId } });
    try {
      await this.#admit(serviceId, id, session.phaseDeadline, options.maxOpenSessions);
    } catch (err) {
      await this.#store.delete(keys.session(id)).catch(() => 0);
      throw err;
    }
    try {
      const pskTtl = Math.min(this.#t.tcTokenTimeoutMs + this.#t.handshakeTimeoutMs, this.#t.lifetimeMs);
      await this.#store.set(keys.psk(id), this.#box.seal(keys.psk(id), psk), { ttlMs: pskTtl });
    } catch (err) {
      await this.end(id, serviceId).catch(() => undefined);
      throw err;
    }
    return { id, psk, session };
  }

  /** The session, or null when unknown or expired. */
  async get(id: string): Promise<EidSession | null> {
    if (!isEidSessionId(id)) return null;
    const raw = await this.#store.get(keys.session(id));
    return raw === null ? null : this.#openRecord(id, raw);
  }

  /** Like get, but throws EID_SESSION_NOT_FOUND. */
  async require(id: string): Promise<EidSession> {
    const session = await this.get(id);
    if (!session) throw notFound();
    return session;
  }

  /**
   * Compare-and-set loop: applies `fn` to the current record and writes the result only if nobody
   * wrote in between (else retries with the fresh record). Re-arms the phase timeout. `fn` may
   * throw to abort. Throws EID_SESSION_NOT_FOUND, EID_SESSION_CONFLICT.
   */
  async update(id: string, fn: (session: EidSession) => EidSession): Promise<EidSession> {
    if (!isEidSessionId(id)) throw notFound();
    const key = keys.session(id);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const raw = await this.#store.get(key);
      if (raw === null) throw notFound();
      const current = this.#openRecord(id, raw);
      const next = fn(structuredClone(current));
      if (next.id !== current.id || next.serviceId !== current.serviceId || next.createdAt !== current.createdAt || next.expiresAt !== current.expiresAt) {
        throw new EidSessionError('EID_SESSION_PHASE', 'update must not change id, serviceId, createdAt or expiresAt');
      }
      if (phaseIndex(next.phase) < phaseIndex(current.phase)) {
        throw new EidSessionError('EID_SESSION_PHASE', `session cannot go back from ${current.phase} to ${next.phase}`);
      }
      const checked = parseEidSessionRecord(next);
      if (!checked.ok) throw new EidSessionError('EID_REQUEST_INVALID', `eID session update: ${checked.problem}`);
      const now = this.#now();
      const armed: EidSession = { ...checked.session, phaseDeadline: this.#deadline(checked.session, now) };
      const ttlMs = armed.phaseDeadline - now;
      if (ttlMs <= 0) {
        await this.end(id, current.serviceId);
        throw notFound();
      }
      if (await this.#store.compareAndSet(key, raw, this.#sealRecord(armed), { ttlMs })) {
        await this.#store.hset(keys.open(armed.serviceId), { [id]: String(armed.phaseDeadline) }, { ttlMs: this.#t.lifetimeMs });
        return armed;
      }
    }
    throw new EidSessionError('EID_SESSION_CONFLICT', 'eID session changed concurrently; update abandoned');
  }

  /** Moves the session forward to `phase` (never back; the same phase re-arms its timeout). */
  async advance(id: string, phase: EidPhase): Promise<EidSession> {
    return this.update(id, (s) => ({ ...s, phase }));
  }

  /**
   * TC Token delivery (TR-03124-1 §2.4): moves the session from `created` to `tc-token` and returns
   * the PSK (it stays stored until the TLS-2 handshake claims it). Only once: any later call, or a
   * session in another phase, throws EID_SESSION_PHASE; unknown sessions EID_SESSION_NOT_FOUND.
   * (Added by the PAOS part for GET /eid/tctoken.)
   */
  async issueTcToken(id: string): Promise<{ session: EidSession; psk: Buffer }> {
    const session = await this.update(id, (s) => {
      if (s.phase !== 'created') throw new EidSessionError('EID_SESSION_PHASE', `TC Token already issued (session is ${s.phase})`);
      return { ...s, phase: 'tc-token' };
    });
    const key = keys.psk(id);
    const sealed = await this.#store.get(key);
    if (sealed === null) throw notFound();
    return { session, psk: this.#box.open(key, sealed) };
  }

  /** Stores the serialised EAC terminal state (sealed with the record) for the next PAOS step, on any node. */
  async saveEacState(id: string, state: unknown): Promise<EidSession> {
    return this.update(id, (s) => {
      if (s.phase !== 'paos') throw new EidSessionError('EID_SESSION_PHASE', `EAC state only during PAOS, session is ${s.phase}`);
      return { ...s, eac: state };
    });
  }

  /**
   * TR-03130-1 §3.2.2: RequestCounter must be the previous one + 1 (the first call sends 1). Atomic
   * across nodes; on any other value the session ends (all its data is deleted) and
   * EID_SESSION_COUNTER_INVALID is thrown. Also throws EID_SESSION_NOT_FOUND.
   */
  async checkRequestCounter(id: string, counter: number): Promise<EidSession> {
    let rejected: EidSession | undefined;
    try {
      return await this.update(id, (s) => {
        if (!Number.isSafeInteger(counter) || counter !== s.requestCounter + 1) {
          rejected = s;
          throw new EidSessionError('EID_SESSION_COUNTER_INVALID', `RequestCounter ${counter} after ${s.requestCounter}`, { detail: { service: s.serviceId } });
        }
        return { ...s, requestCounter: counter };
      });
    } catch (err) {
      if (rejected) await this.end(id, rejected.serviceId);
      throw err;
    }
  }

  /**
   * Stores the outcome of the login (sealed) and moves the session to `result`. Only once: a second
   * result is refused with EID_SESSION_PHASE.
   */
  async storeResult(id: string, result: EidResult): Promise<void> {
    const parsed = parseEidResult(result);
    if (!parsed.ok) throw new EidSessionError('EID_REQUEST_INVALID', `eID result: ${parsed.problem}`);
    const key = keys.result(id);
    const session = await this.update(id, (s) => {
      if (s.phase === 'result') throw new EidSessionError('EID_SESSION_PHASE', 'the session already has a result');
      // The EAC state holds session keys; with the result stored nothing may continue the card conversation.
      return { ...s, phase: 'result', eac: null };
    });
    await this.#store.set(key, this.#box.seal(key, JSON.stringify(parsed.result)), { ttlMs: Math.max(1, session.phaseDeadline - this.#now()) });
  }

  /**
   * Whether the stored result is an error, and which, without delivering it (getResult still gets it
   * once): for the RefreshAddress, which may tell the browser the outcome but never the data. Null when
   * there is no (readable) result.
   */
  async peekResultError(id: string): Promise<Pick<EidResult, 'error'> | null> {
    if (!isEidSessionId(id)) return null;
    const key = keys.result(id);
    const sealed = await this.#store.get(key);
    if (sealed === null) return null;
    const parsed = parseEidResult(JSON.parse(this.#box.openText(key, sealed)) as unknown);
    if (!parsed.ok) return null;
    return parsed.result.error === undefined ? {} : { error: parsed.result.error };
  }

  /**
   * Delivers the result once, then the whole session is ended (SPEC §7: personal data deleted on
   * delivery). Null when there is no result (yet), or while another delivery of it holds the claim;
   * the session is then left alone.
   *
   * Under a store outage: a failure before the result is read leaves everything as it was (the claim
   * expires after TAKE_CLAIM_TTL_MS), so a retry gets the result. A failure of the delete after the
   * read does not withhold the result: it is delivered, and what was not deleted expires with its TTL.
   */
  async takeResult(id: string): Promise<EidResult | null> {
    if (!isEidSessionId(id)) return null;
    const key = keys.result(id);
    // One delivery at a time across nodes (a concurrent getResult with the next RequestCounter gets nothing).
    const claim = randomBytes(16).toString('hex');
    if (!(await this.#store.setIfAbsent(keys.take(id), claim, { ttlMs: TAKE_CLAIM_TTL_MS }))) return null;
    const sealed = await this.#store.get(key);
    if (sealed === null) {
      // Release only our own claim (it may have expired and been taken since), as #admit does with its lock.
      await this.#store.compareAndSet(keys.take(id), claim, 'released', { ttlMs: 1 }).catch(() => false);
      return null;
    }
    const opened = this.#openResult(key, sealed);
    try {
      await this.end(id, (await this.get(id))?.serviceId);
    } catch (err) {
      // The result is in hand: withholding it now could lose it for good (the delete may still run).
      if (opened instanceof IdpError || !(err instanceof IdpError && err.code === 'STORE_UNAVAILABLE')) throw err;
    }
    if (opened instanceof IdpError) throw opened;
    return opened;
  }

  /** Deletes everything of the session (record, PSK, result, delivery claim, open-set entry). Idempotent. */
  async end(id: string, serviceId?: string): Promise<void> {
    if (!isEidSessionId(id)) return;
    const owner = serviceId ?? (await this.get(id))?.serviceId;
    await this.#store.delete(keys.session(id), keys.psk(id), keys.result(id), keys.take(id));
    if (owner !== undefined) await this.#store.hdel(keys.open(owner), id);
  }

  /** Live sessions of the eService (the number the cap compares with). */
  async openCount(serviceId: string): Promise<number> {
    const now = this.#now();
    return Object.values(await this.#store.hgetall(keys.open(serviceId))).filter((v) => Number(v) > now).length;
  }

  /** The PSK side for src/eid/tls-psk/psk-server.ts. */
  pskSource(): PskSource {
    return {
      claim: async (identity) => {
        if (!isEidSessionId(identity)) return null;
        const key = keys.psk(identity);
        // Single use across all nodes: whoever deletes the key owns the handshake.
        const sealed = await this.#store.getAndDelete(key);
        if (sealed === null) return null;
        const psk = this.#box.open(key, sealed);
        try {
          await this.update(identity, (s) => {
            if (s.phase !== 'created' && s.phase !== 'tc-token') throw new EidSessionError('EID_SESSION_PHASE', `PSK claimed in phase ${s.phase}`);
            return { ...s, phase: 'paos' };
          });
        } catch (err) {
          if (err instanceof EidSessionError) return null;
          throw err;
        }
        return psk;
      },
      isOpen: async (identity) => (await this.get(identity))?.phase === 'paos',
      saveTlsSession: async (sessionId, der) => {
        const key = keys.tls(sessionId);
        await this.#store.set(key, this.#box.seal(key, der), { ttlMs: this.#t.tlsSessionTtlMs });
      },
      loadTlsSession: async (sessionId) => {
        if (!/^[0-9a-f]{2,64}$/.test(sessionId)) return null;
        const key = keys.tls(sessionId);
        const sealed = await this.#store.get(key);
        return sealed === null ? null : this.#box.open(key, sealed);
      },
    };
  }

  #credentials(servicePsk: OpenOptions['psk']): { id: string; psk: Buffer } {
    if (servicePsk === undefined) return { id: randomBytes(ID_BYTES).toString('hex'), psk: randomBytes(PSK_BYTES) };
    // TR-03130-1 §3.3.18: PSK/ID is the psk_identity = SessionIdentifier = Session/ID (hexBinary, §3.3.1 ≥ 32 hex).
    if (!isEidSessionId(servicePsk.id) || servicePsk.id.length % 2 !== 0) {
      throw new EidSessionError('EID_PSK_INVALID', 'PSK ID must be 32 to 128 hexadecimal characters (it becomes the Session ID)');
    }
    // Stricter than the XSD minimum of 16 octets: the PSK is the only secret of TLS-2 besides the RSA exchange.
    if (servicePsk.key.length < MIN_SERVICE_PSK_BYTES) throw new EidSessionError('EID_PSK_INVALID', `PSK Key must have at least ${MIN_SERVICE_PSK_BYTES} bytes`);
    return { id: servicePsk.id, psk: Buffer.from(servicePsk.key) };
  }

  /** Counts the live sessions and adds one under a short per-service lock (atomic across nodes). */
  async #admit(serviceId: string, id: string, deadline: number, cap: number): Promise<void> {
    const lockKey = keys.openLock(serviceId);
    const token = randomBytes(16).toString('hex');
    const waitUntil = Date.now() + OPEN_LOCK_WAIT_MS;
    while (!(await this.#store.setIfAbsent(lockKey, token, { ttlMs: OPEN_LOCK_TTL_MS }))) {
      if (Date.now() > waitUntil) throw new EidSessionError('EID_SESSION_BUSY', 'open-session lock not obtained', { detail: { service: serviceId } });
      await sleep(2 + Math.floor(Math.random() * 8));
    }
    try {
      const openKey = keys.open(serviceId);
      const entries = await this.#store.hgetall(openKey);
      const now = this.#now();
      const expired = Object.keys(entries).filter((k) => !(Number(entries[k]) > now));
      if (expired.length > 0) await this.#store.hdel(openKey, ...expired);
      const live = Object.keys(entries).length - expired.length;
      // seed 002 §陸.參.四.1 / TR-03130-1 §3.4: refuse beyond the per-eService cap.
      if (live >= cap) throw new EidSessionError('EID_SESSION_TOO_MANY', `eService has ${live} open eID sessions (cap ${cap})`, { detail: { service: serviceId, cap } });
      await this.#store.hset(openKey, { [id]: String(deadline) }, { ttlMs: this.#t.lifetimeMs });
    } finally {
      // Release only our own lock: a compare-and-set to a value that expires at once (no delete-if-equal in the Store API).
      await this.#store.compareAndSet(lockKey, token, 'released', { ttlMs: 1 }).catch(() => false);
    }
  }

  #deadline(session: EidSession, now: number): number {
    const phaseMs = {
      created: this.#t.tcTokenTimeoutMs,
      'tc-token': this.#t.handshakeTimeoutMs,
      paos: this.#t.paosStepTimeoutMs,
      result: this.#t.resultTimeoutMs,
    }[session.phase];
    return Math.min(now + phaseMs, session.expiresAt);
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #sealRecord(session: EidSession): string {
    return this.#box.seal(keys.session(session.id), JSON.stringify(session));
  }

  /** The stored result, or the error that makes it undeliverable (the session is ended either way). */
  #openResult(key: string, sealed: string): EidResult | IdpError {
    try {
      const parsed = parseEidResult(JSON.parse(this.#box.openText(key, sealed)) as unknown);
      return parsed.ok ? parsed.result : new IdpError('STORE_VALUE_INVALID', `stored eID result invalid: ${parsed.problem}`);
    } catch (err) {
      return err instanceof IdpError ? err : new IdpError('STORE_VALUE_INVALID', 'stored eID result could not be opened', { cause: err });
    }
  }

  #openRecord(id: string, raw: string): EidSession {
    const parsed = parseEidSessionRecord(JSON.parse(this.#box.openText(keys.session(id), raw)) as unknown);
    if (!parsed.ok) throw new IdpError('STORE_VALUE_INVALID', `stored eID session invalid: ${parsed.problem}`);
    return parsed.session;
  }
}

function notFound(): EidSessionError {
  return new EidSessionError('EID_SESSION_NOT_FOUND', 'no open eID session with this id');
}
