/**
 * The eService state machine with its reason rules and the separation-of-duties check.
 *
 * @spec SPEC §6; seed 002 表8 (審核意見: 提供 / 無法提供 + 原因), §陸.伍.三 (separation of duties); seed 004 §三, §四, §六 (啟用, 停用, 逕行停止服務)
 *
 *   draft ─submit─▶ submitted ─approve─▶ approved ─▶ testing ─▶ active ─▶ suspended ─reinstate─▶ active
 *                      ▲   └─reject─▶ rejected              │          │      └──────▶ deactivated
 *                      └──resubmit──────┘                   └──────────┴──────────────▶ deactivated
 */
import type { ServiceState, TransitionReason } from './states.js';
import { DEACTIVATION_REASONS, REVIEW_REASONS, SUSPENSION_REASONS } from './states.js';
import type { StatusChange } from './model.js';
import { RegistryError } from './errors.js';

export const TRANSITIONS: Readonly<Record<ServiceState, readonly ServiceState[]>> = {
  draft: ['submitted'],
  submitted: ['approved', 'rejected'],
  rejected: ['submitted'], // resubmission after correcting the application
  approved: ['testing', 'deactivated'],
  testing: ['active', 'deactivated'],
  active: ['suspended', 'deactivated'],
  suspended: ['active', 'deactivated'], // reinstatement, or stopping for good
  deactivated: [],
};

/** Which reason catalogue a target state requires; states not listed take no reason code. */
const REASON_CATALOGUE: Partial<Record<ServiceState, Readonly<Record<string, string>>>> = {
  rejected: REVIEW_REASONS,
  suspended: SUSPENSION_REASONS,
  deactivated: DEACTIVATION_REASONS,
};

export interface TransitionRequest {
  /** Actor id of whoever makes the change (administrator, system job, import). */
  by: string;
  reason?: TransitionReason;
  /** Free text; required with reason `other`. Never personal data of citizens. */
  note?: string;
  /** For `harmful-load`: when the agency was warned and given a deadline (seed 004 §六(五)). */
  warnedAt?: string;
}

export function allowedTransitions(from: ServiceState): readonly ServiceState[] {
  return TRANSITIONS[from];
}

export function canTransition(from: ServiceState, to: ServiceState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The actor who last put the service into `submitted` (the one whose application is under review). */
export function submitterOf(history: readonly StatusChange[]): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const change = history[i];
    if (change?.to === 'submitted') return change.by;
  }
  return undefined;
}

/**
 * Checks a state change and returns the history entry to append. Throws RegistryError:
 * REGISTRY_TRANSITION_INVALID (not allowed from the current state, or a reason that does not apply),
 * REGISTRY_REASON_REQUIRED (rejection / suspension / deactivation without a catalogue reason),
 * REGISTRY_SAME_ACTOR (the submitter reviews their own application).
 */
export function planTransition(
  current: { id: string; state: ServiceState; statusHistory: readonly StatusChange[] },
  to: ServiceState,
  request: TransitionRequest,
  at: Date,
): StatusChange {
  const from = current.state;
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    throw new RegistryError('REGISTRY_TRANSITION_INVALID', `${current.id}: ${from} → ${to} is not allowed (from ${from}: ${allowed.length === 0 ? 'none, final state' : allowed.join(', ')})`, {
      detail: { service: current.id, from, to },
    });
  }

  const catalogue = REASON_CATALOGUE[to];
  if (catalogue === undefined) {
    if (request.reason !== undefined) {
      throw new RegistryError('REGISTRY_TRANSITION_INVALID', `${current.id}: reason ${request.reason} does not apply to ${from} → ${to}`, { detail: { service: current.id, from, to } });
    }
  } else {
    if (request.reason === undefined || !Object.hasOwn(catalogue, request.reason)) {
      throw new RegistryError('REGISTRY_REASON_REQUIRED', `${current.id}: ${from} → ${to} needs a reason, one of ${Object.keys(catalogue).join(', ')}`, {
        detail: { service: current.id, from, to, reason: request.reason },
      });
    }
    // seed 002 表8 "其他：____": the other-reason box is filled in.
    if (request.reason === 'other' && (request.note === undefined || request.note.trim() === '')) {
      throw new RegistryError('REGISTRY_REASON_REQUIRED', `${current.id}: reason other needs a note`, { detail: { service: current.id, to } });
    }
    // seed 004 §六(五): only after MOI asked for improvement within a deadline and it was not met.
    if (request.reason === 'harmful-load' && to === 'suspended') {
      const warned = request.warnedAt === undefined ? Number.NaN : Date.parse(request.warnedAt);
      if (Number.isNaN(warned) || warned >= at.getTime()) {
        throw new RegistryError('REGISTRY_REASON_REQUIRED', `${current.id}: harmful-load suspension needs warnedAt, the earlier date of the warning (seed 004 §六(五))`, { detail: { service: current.id } });
      }
    }
  }

  // seed 002 §陸.伍.三 / SPEC §6: whoever submits a change may not approve it.
  if (from === 'submitted' && (to === 'approved' || to === 'rejected')) {
    const submitter = submitterOf(current.statusHistory);
    if (submitter !== undefined && submitter === request.by) {
      throw new RegistryError('REGISTRY_SAME_ACTOR', `${current.id}: ${request.by} submitted this application and may not review it`, { detail: { service: current.id, to } });
    }
  }

  const change: StatusChange = { from, to, at: at.toISOString(), by: request.by };
  if (request.reason !== undefined) change.reason = request.reason;
  if (request.note !== undefined) change.note = request.note;
  if (request.warnedAt !== undefined && request.reason === 'harmful-load') change.warnedAt = new Date(request.warnedAt).toISOString();
  return change;
}
