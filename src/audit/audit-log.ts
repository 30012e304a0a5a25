/**
 * The audit trail of logins and service access (SPEC §7: system logins with success and failure,
 * access attempts, every web-service access). One typed event per fact, written twice: appended to
 * the store's `audit` stream (the eService registry writes its admin changes there too) and logged as
 * a pino record with a stable `audit` field, so operators see it in the logs as well.
 *
 * No personal data, by construction: an event carries only ids, codes, a level-of-assurance URI and
 * the address of an eService's server. The eID session id is a bearer credential (it fetches the TC
 * Token), so only a truncated SHA-256 of it is written (`session`, for correlating the steps of one
 * login). Citizens' browser addresses are never written (the access log omits them too); the
 * address is kept only where the peer is an eService's server (SOAP mutual-TLS peer, OIDC token /
 * PAR / userinfo caller). Values that do not have the expected form (service id, LoA, address,
 * request id) are dropped, so a caller cannot smuggle free text into the trail.
 *
 * The stream is never trimmed here: an audit trail must not drop records silently. Retention and
 * export are the operator's job (e.g. a shipper that reads the stream with XREAD and trims what it
 * has archived). A record that cannot be appended (store down) does not stop the request: the login
 * goes on (a SOAP result is delivered only once and must not be lost), the pino record is already
 * written, and the failure is logged at error level with AUDIT_WRITE_FAILED and counted in
 * neid_audit_write_failures_total, so the administrator is alerted (seed 002 §陸.伍.二: a failing
 * logging function raises an alert).
 *
 * @spec SPEC §7 (log logins, access attempts, web-service access; no personal data in logs); seed 002 §陸.伍.三.(六).4
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { isKnownLevelOfAssurance } from '../eid/level-of-assurance.js';
import { isErrorCode, type ErrorCode } from '../errors/catalog.js';
import { isIdpError } from '../errors/idp-error.js';
import type { Metrics } from '../http/metrics.js';
import { serviceIdSchema } from '../services/model.js';
import type { EidFront, EidResult } from '../session/eid-session-model.js';
import type { Store } from '../session/store/store.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

/** The one audit stream of the store (registry changes and the events below). */
export const AUDIT_STREAM = 'audit';

/**
 * - `login.request`: an eService asked for a login (SOAP useID, SAML AuthnRequest of an authenticated
 *   eService, OIDC consent given); `success` = an eID session was opened.
 * - `login.finished`: the login ended at its front (SOAP getResult delivered the result or the login's
 *   error, SAML Response issued, OIDC interaction finished).
 * - `access.refused`: an access attempt refused before any login (unknown or unauthenticated peer,
 *   bad signature, a result fetched by a browser that did not start the login).
 * - `service.request`: any other SOAP call (getServerInfo, getResult before the result is there).
 */
export const AUDIT_EVENTS = ['login.request', 'login.finished', 'access.refused', 'service.request'] as const;
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** `success`, or the catalog code the step ended with. */
export type AuditOutcome = 'success' | ErrorCode;

export const SOAP_OPERATIONS = ['useID', 'getResult', 'getServerInfo'] as const;
export type SoapOperation = (typeof SOAP_OPERATIONS)[number];

export interface AuditEvent {
  event: AuditEventName;
  front: EidFront;
  outcome: AuditOutcome;
  /** Registry id of the eService (authenticated, or named by a safe error detail). */
  serviceId?: string;
  /** SOAP: the eID-Interface operation. */
  operation?: SoapOperation;
  /** The level of assurance reached (a known LoA URI; others are dropped). */
  levelOfAssurance?: string;
  /** The eID session id: only sessionRef() of it is written. */
  eidSessionId?: string;
  /** Address of an eService's server (SOAP peer, OIDC back-channel caller); never a citizen's browser. */
  clientAddress?: string;
  /** The HTTP request id (src/http/request-id.ts), to find the access-log line. */
  requestId?: string;
}

/** Facts a protocol step fills in as it learns them, for the event written when the step ends (SOAP operations). */
export interface AuditFacts {
  eidSessionId?: string;
  /** getResult: the login's outcome was delivered to the eService (the session is over). */
  finished?: boolean;
  outcome?: AuditOutcome;
  levelOfAssurance?: string;
}

/** The form of the stream entry and of the pino record's `audit` field: strings only. */
export type AuditEntry = Record<string, string>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
/** 128 bits of SHA-256: unique among sessions, no way back to the id. */
const SESSION_REF_HEX = 32;

/** The reference of an eID session in the trail: SHA-256 of the id (hex, lowercased first), truncated. */
export function sessionRef(eidSessionId: string): string {
  return createHash('sha256').update(eidSessionId.toLowerCase(), 'utf8').digest('hex').slice(0, SESSION_REF_HEX);
}

/** The outcome of a failed step: its catalog code, INTERNAL for anything else. */
export function outcomeOf(err: unknown): ErrorCode {
  return isIdpError(err) ? err.code : 'INTERNAL';
}

/** What a finished login's result tells the trail: success or the login's error code, and the LoA reached. Nothing else of it. */
export function loginOutcome(result: Pick<EidResult, 'error' | 'levelOfAssurance'>): Pick<AuditEvent, 'outcome' | 'levelOfAssurance'> {
  if (result.error) return { outcome: result.error.code };
  return { outcome: 'success', ...(result.levelOfAssurance !== undefined && { levelOfAssurance: result.levelOfAssurance }) };
}

/** The eService an error names in its (safe by contract) detail, e.g. AUTHTX_BROWSER_MISMATCH. */
export function serviceOfError(err: unknown): Pick<AuditEvent, 'serviceId'> {
  const service = isIdpError(err) ? err.detail?.service : undefined;
  return typeof service === 'string' && serviceIdSchema.safeParse(service).success ? { serviceId: service } : {};
}

/** The entry for an event: only well-formed values, the session id hashed. */
export function auditEntry(e: AuditEvent, at: Date): AuditEntry {
  const out: AuditEntry = {
    event: (AUDIT_EVENTS as readonly string[]).includes(e.event) ? e.event : 'unknown',
    at: at.toISOString(),
    front: e.front,
  };
  if (e.serviceId !== undefined && serviceIdSchema.safeParse(e.serviceId).success) out.service = e.serviceId;
  if (e.operation !== undefined && (SOAP_OPERATIONS as readonly string[]).includes(e.operation)) out.operation = e.operation;
  out.outcome = e.outcome === 'success' || isErrorCode(e.outcome) ? e.outcome : 'INTERNAL';
  if (e.levelOfAssurance !== undefined && isKnownLevelOfAssurance(e.levelOfAssurance)) out.loa = e.levelOfAssurance;
  if (e.eidSessionId !== undefined && e.eidSessionId !== '') out.session = sessionRef(e.eidSessionId);
  if (e.clientAddress !== undefined && isIP(e.clientAddress) !== 0) out.client = e.clientAddress;
  if (e.requestId !== undefined && REQUEST_ID.test(e.requestId)) out.reqId = e.requestId;
  return out;
}

export interface AuditLogOptions {
  store: Store;
  /** Where the pino record goes (absent only in tests that build a front alone). */
  logger?: Logger;
  /** neid_audit_write_failures_total (src/http/metrics.ts). */
  metrics?: Pick<Metrics, 'auditWriteFailures'>;
  clock?: Clock;
}

export class AuditLog {
  readonly #store: Store;
  readonly #logger: Logger | undefined;
  readonly #metrics: Pick<Metrics, 'auditWriteFailures'> | undefined;
  readonly #clock: Clock;

  constructor(options: AuditLogOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Logs the record and appends it to the stream. Never rejects: the step that is audited goes on
   * whatever happens here; a failed append is logged (AUDIT_WRITE_FAILED) and counted.
   */
  async record(event: AuditEvent): Promise<void> {
    let entry: AuditEntry | undefined;
    try {
      entry = auditEntry(event, this.#clock.now());
      this.#logger?.info({ audit: entry }, `audit ${entry.event}`);
      await this.#store.append(AUDIT_STREAM, entry);
    } catch (err) {
      this.#metrics?.auditWriteFailures.inc();
      try {
        this.#logger?.error({ err, code: 'AUDIT_WRITE_FAILED', ...(entry && { audit: entry }) }, 'audit record not appended to the audit stream');
      } catch {
        // A failing logger has nowhere left to report to; the metric above still counts it.
      }
    }
  }
}
