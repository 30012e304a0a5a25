/**
 * The eService registry over the shared Store: one JSON record per service under `svc:<id>`, the set
 * of ids under `registry:services`, every write by compare-and-set on the record (optimistic
 * concurrency: a concurrent writer gets REGISTRY_CONFLICT and nothing is lost), and one audit event per
 * change on the `audit` stream (ids, states, reason codes and field names only; no personal data).
 *
 * @spec SPEC §6, §7 (log every admin access; logs never contain personal data); seed 002 §陸.伍.三
 */
import { AUDIT_STREAM } from '../audit/audit-log.js';
import type { Store } from '../session/store/store.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { RegistryError } from './errors.js';
import { planTransition, type TransitionRequest } from './lifecycle.js';
import {
  PARSE_OPTIONS,
  REVIEWED_FIELDS,
  formatIssues,
  serviceDefinitionSchema,
  serviceIdSchema,
  serviceRecordSchema,
  type ServiceDefinition,
  type ServiceDefinitionInput,
  type ServiceRecord,
  type StatusChange,
} from './model.js';
import type { ServiceState } from './states.js';
import { IdpError } from '../errors/idp-error.js';

export const SERVICE_KEY_PREFIX = 'svc:';
export const SERVICE_INDEX_KEY = 'registry:services';
/** The audit trail's one stream (src/audit): admin changes here, logins and access attempts there. */
export { AUDIT_STREAM };

export type ServicePatch = Partial<Omit<ServiceDefinitionInput, 'id' | 'state'>>;

export interface ActorOptions {
  by: string;
}

export interface UpdateOptions extends ActorOptions {
  /** Fail with REGISTRY_CONFLICT unless the stored revision is this one (stale console forms). */
  expectedRevision?: number;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** States in which the application may still be edited freely by its author (not under or past review). */
const EDITABLE_STATES: ReadonlySet<ServiceState> = new Set(['draft', 'rejected']);
const BOOKKEEPING = ['statusHistory', 'revision', 'createdAt', 'updatedAt', 'pendingChange'] as const;

export class ServiceRegistry {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock = systemClock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** All services, sorted by id. */
  async list(): Promise<ServiceRecord[]> {
    const ids = (await this.#store.smembers(SERVICE_INDEX_KEY)).sort();
    const records: ServiceRecord[] = [];
    for (const id of ids) {
      const loaded = await this.#load(id);
      // An id in the index without a record is a removal interrupted half-way; it is not a service.
      if (loaded) records.push(loaded.record);
    }
    return records;
  }

  async find(id: string): Promise<ServiceRecord | undefined> {
    if (!serviceIdSchema.safeParse(id).success) return undefined;
    return (await this.#load(id))?.record;
  }

  /** Throws REGISTRY_SERVICE_NOT_FOUND. */
  async get(id: string): Promise<ServiceRecord> {
    const found = await this.find(id);
    if (!found) throw notFound(id);
    return found;
  }

  /**
   * The service for a protocol front: only registered, active eServices are served (SPEC §5.2).
   * `allowTesting` also serves services in `testing` (test environments). Throws
   * REGISTRY_SERVICE_NOT_FOUND or REGISTRY_SERVICE_INACTIVE.
   */
  async getActive(id: string, options: { allowTesting?: boolean } = {}): Promise<ServiceRecord> {
    const record = await this.get(id);
    if (record.state === 'active' || (options.allowTesting === true && record.state === 'testing')) return record;
    throw new RegistryError('REGISTRY_SERVICE_INACTIVE', `${id}: eService is ${record.state}`, { detail: { service: id, state: record.state } });
  }

  /**
   * Registers a new application. It starts in `draft` unless `declarative` is set (config files and
   * tests: the state comes from the definition). Throws REGISTRY_SERVICE_INVALID, REGISTRY_SERVICE_EXISTS.
   */
  async create(input: ServiceDefinitionInput, options: ActorOptions & { declarative?: boolean }): Promise<ServiceRecord> {
    const definition = validateDefinition(input);
    if (!options.declarative && definition.state !== 'draft') {
      throw new RegistryError('REGISTRY_TRANSITION_INVALID', `${definition.id}: a new application starts in draft, not ${definition.state}`, { detail: { service: definition.id } });
    }
    const at = this.#now();
    const record = buildRecord(definition, {
      statusHistory: [{ from: null, to: definition.state, at, by: options.by }],
      revision: 1,
      createdAt: at,
      updatedAt: at,
    });
    const created = await this.#store.setIfAbsent(keyOf(definition.id), JSON.stringify(record));
    if (!created) throw new RegistryError('REGISTRY_SERVICE_EXISTS', `${definition.id}: already registered`, { detail: { service: definition.id } });
    await this.#store.sadd(SERVICE_INDEX_KEY, definition.id);
    await this.#audit('registry.create', record, options.by, { to: definition.state });
    return record;
  }

  /**
   * Replaces the given top-level fields. Fields under review (REVIEWED_FIELDS) change freely only in
   * draft / rejected; afterwards use proposeChange + decideChange. State changes only by transition().
   */
  async update(id: string, patch: ServicePatch, options: UpdateOptions): Promise<ServiceRecord> {
    rejectIdentityFields(id, patch);
    return this.#mutate(id, options, (current) => {
      const touched = REVIEWED_FIELDS.filter((field) => Object.hasOwn(patch, field));
      if (touched.length > 0 && !EDITABLE_STATES.has(current.state)) {
        throw new RegistryError('REGISTRY_REVIEW_REQUIRED', `${id}: ${touched.join(', ')} of a ${current.state} service change only through a reviewed change request`, {
          detail: { service: id, fields: touched },
        });
      }
      const definition = validateDefinition({ ...definitionOf(current), ...patch });
      if (sameDefinition(definition, definitionOf(current))) return null;
      return { next: buildRecord(definition, bookkeepingOf(current)), event: 'registry.update', fields: { fields: changedFields(current, definition).join(',') } };
    });
  }

  /** Moves the service to another state (lifecycle.ts rules); appends to statusHistory. */
  async transition(id: string, to: ServiceState, request: TransitionRequest): Promise<ServiceRecord> {
    return this.#mutate(id, request, (current) => {
      const change = planTransition(current, to, request, this.#clock.now());
      const definition = validateDefinition({ ...definitionOf(current), state: to });
      const next = buildRecord(definition, { ...bookkeepingOf(current), statusHistory: [...current.statusHistory, change] });
      const fields: Record<string, string> = { from: current.state, to };
      if (change.reason !== undefined) fields.reason = change.reason;
      return { next, event: 'registry.transition', fields };
    });
  }

  /** Files a change of reviewed fields for a second administrator (SPEC §6 separation of duties). */
  async proposeChange(id: string, patch: ServicePatch, options: UpdateOptions): Promise<ServiceRecord> {
    rejectIdentityFields(id, patch);
    return this.#mutate(id, options, (current) => {
      if (current.pendingChange) {
        throw new RegistryError('REGISTRY_CONFLICT', `${id}: a change proposed by ${current.pendingChange.by} is still pending`, { detail: { service: id } });
      }
      // Validate now so the reviewer never sees a change that cannot be applied.
      const definition = validateDefinition({ ...definitionOf(current), ...patch });
      if (sameDefinition(definition, definitionOf(current))) return null;
      const next = buildRecord(definitionOf(current), { ...bookkeepingOf(current), pendingChange: { patch: { ...patch }, by: options.by, at: this.#now() } });
      return { next, event: 'registry.change.proposed', fields: { fields: changedFields(current, definition).join(',') } };
    });
  }

  /** Approves (applies) or rejects the pending change; the proposer may not decide (REGISTRY_SAME_ACTOR). */
  async decideChange(id: string, options: UpdateOptions & { approve: boolean }): Promise<ServiceRecord> {
    return this.#mutate(id, options, (current) => {
      const pending = current.pendingChange;
      if (!pending) throw new RegistryError('REGISTRY_NO_PENDING_CHANGE', `${id}: no pending change`, { detail: { service: id } });
      if (pending.by === options.by) {
        throw new RegistryError('REGISTRY_SAME_ACTOR', `${id}: ${options.by} proposed this change and may not decide on it`, { detail: { service: id } });
      }
      const bookkeeping = bookkeepingOf(current);
      delete bookkeeping.pendingChange;
      const definition = options.approve ? validateDefinition({ ...definitionOf(current), ...pending.patch }) : definitionOf(current);
      return {
        next: buildRecord(definition, bookkeeping),
        event: options.approve ? 'registry.change.approved' : 'registry.change.rejected',
        fields: { fields: Object.keys(pending.patch).sort().join(','), proposedBy: pending.by },
      };
    });
  }

  /**
   * Deletes a service that never went live or is deactivated (an active service is suspended or
   * deactivated first, so its history is kept until then). Throws REGISTRY_TRANSITION_INVALID otherwise.
   */
  async remove(id: string, options: ActorOptions): Promise<void> {
    const loaded = await this.#load(id);
    if (!loaded) throw notFound(id);
    const { record, raw } = loaded;
    if (!['draft', 'rejected', 'deactivated'].includes(record.state)) {
      throw new RegistryError('REGISTRY_TRANSITION_INVALID', `${id}: a ${record.state} service cannot be removed; deactivate it first`, { detail: { service: id } });
    }
    // Guard against a concurrent change between the read and the delete: the marker replaces the exact value.
    const tombstone = JSON.stringify({ removing: id, at: this.#now() });
    if (!(await this.#store.compareAndSet(keyOf(id), raw, tombstone))) throw conflict(id);
    await this.#store.delete(keyOf(id));
    await this.#store.srem(SERVICE_INDEX_KEY, id);
    await this.#audit('registry.remove', record, options.by, { from: record.state });
  }

  /**
   * Declarative upsert (config/services/*.yaml): the file is the reviewed source of truth, so the state
   * is taken from it as is (no lifecycle checks); a state change is still recorded in statusHistory.
   */
  async applyDeclared(input: ServiceDefinitionInput, options: ActorOptions): Promise<{ outcome: UpsertOutcome; record: ServiceRecord }> {
    const definition = validateDefinition(input);
    const existing = await this.#load(definition.id);
    if (!existing) {
      try {
        return { outcome: 'created', record: await this.create(definition, { ...options, declarative: true }) };
      } catch (err) {
        if (!(err instanceof IdpError && err.code === 'REGISTRY_SERVICE_EXISTS')) throw err;
        // Created concurrently by another node importing the same files: fall through to compare.
      }
    }
    let outcome: UpsertOutcome = 'unchanged';
    const record = await this.#mutate(definition.id, options, (current) => {
      if (sameDefinition(definition, definitionOf(current))) return null;
      outcome = 'updated';
      const history: StatusChange[] = [...current.statusHistory];
      if (current.state !== definition.state) history.push({ from: current.state, to: definition.state, at: this.#now(), by: options.by });
      const fields: Record<string, string> = { fields: changedFields(current, definition).join(','), declarative: 'true' };
      if (current.state !== definition.state) Object.assign(fields, { from: current.state, to: definition.state });
      return { next: buildRecord(definition, { ...bookkeepingOf(current), statusHistory: history }), event: 'registry.update', fields };
    });
    return { outcome, record };
  }

  // ------------------------------------------------------------ internals

  /** Read → change → compare-and-set; null from `change` means nothing to write. */
  async #mutate(
    id: string,
    options: ActorOptions & { expectedRevision?: number },
    change: (current: ServiceRecord) => { next: ServiceRecord; event: string; fields: Record<string, string> } | null,
  ): Promise<ServiceRecord> {
    const loaded = await this.#load(id);
    if (!loaded) throw notFound(id);
    const { record: current, raw } = loaded;
    if (options.expectedRevision !== undefined && options.expectedRevision !== current.revision) throw conflict(id, current.revision);
    const result = change(current);
    if (result === null) return current;
    const next: ServiceRecord = { ...result.next, revision: current.revision + 1, updatedAt: this.#now() };
    const written = await this.#store.compareAndSet(keyOf(id), raw, JSON.stringify(next));
    if (!written) throw conflict(id);
    await this.#audit(result.event, next, options.by, result.fields);
    return next;
  }

  async #load(id: string): Promise<{ record: ServiceRecord; raw: string } | undefined> {
    const raw = await this.#store.get(keyOf(id));
    if (raw === null) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new IdpError('STORE_VALUE_INVALID', `${keyOf(id)}: not JSON`, { cause: err });
    }
    if (typeof json === 'object' && json !== null && 'removing' in json) return undefined;
    const parsed = serviceRecordSchema.safeParse(json);
    if (!parsed.success) {
      throw new IdpError('STORE_VALUE_INVALID', `${keyOf(id)}: stored record violates the schema: ${formatIssues(parsed.error).join('; ')}`, { detail: { service: id } });
    }
    return { record: parsed.data, raw };
  }

  async #audit(event: string, record: ServiceRecord, by: string, fields: Record<string, string>): Promise<void> {
    await this.#store.append(AUDIT_STREAM, {
      event,
      service: record.id,
      by,
      at: this.#now(),
      revision: String(record.revision),
      state: record.state,
      ...fields,
    });
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }
}

// ------------------------------------------------------------------ helpers

function keyOf(id: string): string {
  return `${SERVICE_KEY_PREFIX}${id}`;
}

function notFound(id: string): RegistryError {
  return new RegistryError('REGISTRY_SERVICE_NOT_FOUND', `no eService ${JSON.stringify(id)}`, { detail: { service: id } });
}

function conflict(id: string, revision?: number): RegistryError {
  const now = revision === undefined ? '' : ` (now at revision ${revision})`;
  return new RegistryError('REGISTRY_CONFLICT', `${id}: changed concurrently${now}; reload and retry`, { detail: { service: id } });
}

function rejectIdentityFields(id: string, patch: object): void {
  for (const field of ['id', 'state', ...BOOKKEEPING]) {
    if (Object.hasOwn(patch, field)) {
      throw new RegistryError('REGISTRY_SERVICE_INVALID', `${id}: ${field} cannot be changed by update (${field === 'state' ? 'use transition' : 'managed by the registry'})`, { detail: { service: id, field } });
    }
  }
}

/** Parses a definition; schema violations become REGISTRY_SERVICE_INVALID listing `path: problem`. */
export function validateDefinition(input: unknown): ServiceDefinition {
  const parsed = serviceDefinitionSchema.safeParse(input, PARSE_OPTIONS);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error);
    const id = typeof input === 'object' && input !== null && 'id' in input && typeof input.id === 'string' ? input.id : '(no id)';
    throw new RegistryError('REGISTRY_SERVICE_INVALID', `${id}: ${issues.join('; ')}`, { detail: { issues } });
  }
  return parsed.data;
}

type Bookkeeping = Pick<ServiceRecord, 'statusHistory' | 'revision' | 'createdAt' | 'updatedAt'> & Partial<Pick<ServiceRecord, 'pendingChange'>>;

function buildRecord(definition: ServiceDefinition, bookkeeping: Bookkeeping): ServiceRecord {
  return { ...definition, ...bookkeeping };
}

function bookkeepingOf(record: ServiceRecord): Bookkeeping {
  const out: Bookkeeping = { statusHistory: record.statusHistory, revision: record.revision, createdAt: record.createdAt, updatedAt: record.updatedAt };
  if (record.pendingChange) out.pendingChange = record.pendingChange;
  return out;
}

/** The definition part of a record (what a registry file holds). */
export function definitionOf(record: ServiceRecord): ServiceDefinition {
  const copy: Record<string, unknown> = { ...record };
  for (const field of BOOKKEEPING) delete copy[field];
  return copy as ServiceDefinition; // the record schema is the definition shape plus BOOKKEEPING
}

function changedFields(current: ServiceRecord, next: ServiceDefinition): string[] {
  const before = definitionOf(current) as Record<string, unknown>;
  const after = next as Record<string, unknown>;
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonicalJson(before[k]) !== canonicalJson(after[k])).sort();
}

export function sameDefinition(a: ServiceDefinition, b: ServiceDefinition): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  }) ?? 'undefined';
}
