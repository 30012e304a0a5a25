import assert from 'node:assert/strict';
import { allowedTransitions, planTransition, submitterOf, TRANSITIONS } from '../../../src/services/lifecycle.js';
import type { StatusChange } from '../../../src/services/model.js';
import { SERVICE_STATES, type ServiceState } from '../../../src/services/states.js';

const AT = new Date('2026-11-20T08:00:00Z');

function service(state: ServiceState, history: StatusChange[] = []) {
  return { id: 'svc', state, statusHistory: history };
}

const submittedBy = (by: string): StatusChange[] => [
  { from: null, to: 'draft', at: '2026-11-01T00:00:00.000Z', by },
  { from: 'draft', to: 'submitted', at: '2026-11-02T00:00:00.000Z', by },
];

describe('SPEC §6 eService lifecycle', () => {
  it('allows exactly the transitions of the state diagram', () => {
    const allowed = new Set([
      'draft>submitted', 'submitted>approved', 'submitted>rejected', 'rejected>submitted', 'approved>testing', 'approved>deactivated',
      'testing>active', 'testing>deactivated', 'active>suspended', 'active>deactivated', 'suspended>active', 'suspended>deactivated',
    ]);
    const reasons: Partial<Record<ServiceState, { reason: 'incomplete-data' | 'false-data' | 'agency-request' }>> = {
      rejected: { reason: 'incomplete-data' }, suspended: { reason: 'false-data' }, deactivated: { reason: 'agency-request' },
    };
    for (const from of SERVICE_STATES) {
      for (const to of SERVICE_STATES) {
        const request = { by: 'admin:b', ...reasons[to] };
        const attempt = () => planTransition(service(from, submittedBy('admin:a')), to, request, AT);
        if (allowed.has(`${from}>${to}`)) {
          assert.deepEqual(attempt(), { from, to, at: AT.toISOString(), by: 'admin:b', ...reasons[to] }, `${from} → ${to}`);
        } else {
          assert.throws(attempt, { code: 'REGISTRY_TRANSITION_INVALID' }, `${from} → ${to}`);
        }
      }
    }
    assert.deepEqual(allowedTransitions('deactivated'), []);
    assert.equal(Object.values(TRANSITIONS).flat().length, allowed.size);
  });

  it('names the allowed targets in the error', () => {
    assert.throws(() => planTransition(service('draft'), 'active', { by: 'x' }, AT), {
      code: 'REGISTRY_TRANSITION_INVALID',
      message: 'svc: draft → active is not allowed (from draft: submitted)',
    });
    assert.throws(() => planTransition(service('deactivated'), 'active', { by: 'x' }, AT), { message: /none, final state/ });
  });

  describe('表8 review reasons', () => {
    it('rejection needs a review reason from the catalogue', () => {
      const s = service('submitted', submittedBy('admin:a'));
      assert.throws(() => planTransition(s, 'rejected', { by: 'admin:b' }, AT), { code: 'REGISTRY_REASON_REQUIRED' });
      assert.throws(() => planTransition(s, 'rejected', { by: 'admin:b', reason: 'false-data' }, AT), { code: 'REGISTRY_REASON_REQUIRED' });
      for (const reason of ['incomplete-data', 'host-address-mismatch', 'purpose-mismatch'] as const) {
        assert.equal(planTransition(s, 'rejected', { by: 'admin:b', reason }, AT).reason, reason);
      }
    });

    it('reason other needs a note', () => {
      const s = service('submitted', submittedBy('admin:a'));
      assert.throws(() => planTransition(s, 'rejected', { by: 'admin:b', reason: 'other' }, AT), { code: 'REGISTRY_REASON_REQUIRED', message: /needs a note/ });
      assert.throws(() => planTransition(s, 'rejected', { by: 'admin:b', reason: 'other', note: '  ' }, AT), { code: 'REGISTRY_REASON_REQUIRED' });
      assert.equal(planTransition(s, 'rejected', { by: 'admin:b', reason: 'other', note: '數據線路編號有誤' }, AT).note, '數據線路編號有誤');
    });

    it('a reason code where none applies is refused', () => {
      assert.throws(() => planTransition(service('approved'), 'testing', { by: 'x', reason: 'other', note: 'n' }, AT), { code: 'REGISTRY_TRANSITION_INVALID', message: /does not apply/ });
    });
  });

  describe('seed 004 §六 suspension reasons', () => {
    it('suspension needs one of the five grounds', () => {
      const s = service('active');
      assert.throws(() => planTransition(s, 'suspended', { by: 'admin:b' }, AT), { code: 'REGISTRY_REASON_REQUIRED' });
      assert.throws(() => planTransition(s, 'suspended', { by: 'admin:b', reason: 'incomplete-data' }, AT), { code: 'REGISTRY_REASON_REQUIRED' });
      for (const reason of ['false-data', 'reorganisation', 'system-transfer', 'security-violation'] as const) {
        assert.equal(planTransition(s, 'suspended', { by: 'admin:b', reason }, AT).reason, reason);
      }
    });

    it('harmful load only after an earlier warning (§六(五))', () => {
      const s = service('active');
      assert.throws(() => planTransition(s, 'suspended', { by: 'ops', reason: 'harmful-load' }, AT), { code: 'REGISTRY_REASON_REQUIRED', message: /warnedAt/ });
      assert.throws(() => planTransition(s, 'suspended', { by: 'ops', reason: 'harmful-load', warnedAt: '2026-11-21T00:00:00Z' }, AT), { code: 'REGISTRY_REASON_REQUIRED' });
      assert.throws(() => planTransition(s, 'suspended', { by: 'ops', reason: 'harmful-load', warnedAt: 'last week' }, AT), { code: 'REGISTRY_REASON_REQUIRED' });
      const change = planTransition(s, 'suspended', { by: 'ops', reason: 'harmful-load', warnedAt: '2026-11-06T00:00:00+08:00' }, AT);
      assert.equal(change.warnedAt, '2026-11-05T16:00:00.000Z');
    });

    it('reinstatement takes no reason; deactivation takes a deactivation reason', () => {
      assert.equal(planTransition(service('suspended'), 'active', { by: 'admin:a' }, AT).to, 'active');
      assert.throws(() => planTransition(service('active'), 'deactivated', { by: 'admin:a' }, AT), { code: 'REGISTRY_REASON_REQUIRED' });
      assert.equal(planTransition(service('active'), 'deactivated', { by: 'admin:a', reason: 'certificate-expired' }, AT).reason, 'certificate-expired');
    });
  });

  describe('separation of duties', () => {
    it('the submitter may neither approve nor reject (REGISTRY_SAME_ACTOR)', () => {
      const s = service('submitted', submittedBy('admin:a'));
      assert.throws(() => planTransition(s, 'approved', { by: 'admin:a' }, AT), { code: 'REGISTRY_SAME_ACTOR' });
      assert.throws(() => planTransition(s, 'rejected', { by: 'admin:a', reason: 'incomplete-data' }, AT), { code: 'REGISTRY_SAME_ACTOR' });
      assert.equal(planTransition(s, 'approved', { by: 'admin:b' }, AT).by, 'admin:b');
    });

    it('after a resubmission the resubmitter counts, not the first applicant', () => {
      const history: StatusChange[] = [
        ...submittedBy('admin:a'),
        { from: 'submitted', to: 'rejected', at: '2026-11-03T00:00:00.000Z', by: 'admin:b', reason: 'incomplete-data' },
        { from: 'rejected', to: 'submitted', at: '2026-11-04T00:00:00.000Z', by: 'admin:b' },
      ];
      assert.equal(submitterOf(history), 'admin:b');
      assert.throws(() => planTransition(service('submitted', history), 'approved', { by: 'admin:b' }, AT), { code: 'REGISTRY_SAME_ACTOR' });
      assert.equal(planTransition(service('submitted', history), 'approved', { by: 'admin:a' }, AT).to, 'approved');
    });
  });
});
