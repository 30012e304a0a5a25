import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { AUDIT_STREAM, AuditLog, auditEntry, loginOutcome, outcomeOf, serviceOfError, sessionRef, type AuditEvent } from '../../../src/audit/audit-log.js';
import { IdpError } from '../../../src/errors/idp-error.js';
import { createMetrics } from '../../../src/http/metrics.js';
import type { EidResult } from '../../../src/session/eid-session-model.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';
import { createRedisStore } from '../../../src/session/store/redis.js';
import type { Store } from '../../../src/session/store/store.js';
import { fixedClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../../support/redis.js';

const AT = '2026-03-01T08:00:00.000Z';
const SESSION_ID = randomBytes(32).toString('hex');
const PSK = randomBytes(32).toString('hex');
const RI = 'c0ffee'.repeat(10) + 'beef';

/** A finished login as the card gave it: names, ID number, address, dates, RestrictedID. */
const RESULT: EidResult = {
  attributes: {
    ChineseName: { status: 'value', text: '陳𠀋安' },
    RomanizedName: { status: 'value', text: 'CHEN, ZHI-AN' },
    NationalIdNumber: { status: 'value', text: 'F234567816' },
    DateOfBirth: { status: 'value', text: '19900520' },
    HouseholdAddress: { status: 'value', text: '臺北市松山區測試里5鄰測試路1段1號' },
    SpouseName: { status: 'value', text: '王小華' },
  },
  restrictedId: { id: RI },
  ageVerification: true,
  documentValidity: 'valid',
  levelOfAssurance: 'http://bsi.bund.de/eID/LoA/hoch',
};
const PERSONAL = ['陳𠀋安', 'CHEN', 'ZHI-AN', 'F234567816', '19900520', '1990-05-20', '臺北市', '王小華', RI, SESSION_ID, PSK];

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

function assertNoPersonalData(text: string, where: string): void {
  for (const value of PERSONAL) assert.ok(!text.includes(value), `${where} contains ${value}`);
  assert.ok(!text.toLowerCase().includes(SESSION_ID.slice(0, 16)), `${where} contains a piece of the session id`);
}

const finished = (extra: Partial<AuditEvent> = {}): AuditEvent => ({
  event: 'login.finished', front: 'soap', serviceId: 'demo-soap', operation: 'getResult', eidSessionId: SESSION_ID,
  clientAddress: '192.0.2.10', requestId: 'req-0000-1111', ...loginOutcome(RESULT), ...extra,
});

describe('audit/audit-log', () => {
  describe('auditEntry', () => {
    it('carries event, time, front, service, operation, outcome, LoA, session hash, eService address and request id', () => {
      assert.deepEqual(auditEntry(finished(), new Date(AT)), {
        event: 'login.finished', at: AT, front: 'soap', service: 'demo-soap', operation: 'getResult', outcome: 'success',
        loa: 'http://bsi.bund.de/eID/LoA/hoch', session: sessionRef(SESSION_ID), client: '192.0.2.10', reqId: 'req-0000-1111',
      });
    });

    it('the session reference is a truncated SHA-256, the same for either case of the hex id, never the id', () => {
      const ref = sessionRef(SESSION_ID);
      assert.match(ref, /^[0-9a-f]{32}$/);
      assert.equal(sessionRef(SESSION_ID.toUpperCase()), ref);
      assert.notEqual(sessionRef(randomBytes(32).toString('hex')), ref);
      assert.ok(!SESSION_ID.includes(ref));
    });

    it('drops values without the expected form instead of writing free text', () => {
      const entry = auditEntry({
        event: 'access.refused', front: 'saml', outcome: 'NOT_A_CODE' as never, serviceId: 'Chen Zhi-An F234567816',
        levelOfAssurance: '陳𠀋安', clientAddress: 'F234567816', requestId: 'name 陳𠀋安', operation: 'steal' as never, eidSessionId: '',
      }, new Date(AT));
      assert.deepEqual(entry, { event: 'access.refused', at: AT, front: 'saml', outcome: 'INTERNAL' });
    });

    it('a failed login records the code of its result and no LoA', () => {
      assert.deepEqual(loginOutcome({ ...RESULT, error: { code: 'PAOS_CLIENT_ERROR', message: '陳𠀋安 cancelled' } }), { outcome: 'PAOS_CLIENT_ERROR' });
      assert.equal(outcomeOf(new IdpError('SAML_SIGNATURE_INVALID', 'x')), 'SAML_SIGNATURE_INVALID');
      assert.equal(outcomeOf(new Error('F234567816')), 'INTERNAL');
    });

    it('takes the service of an error detail only when it is a service id', () => {
      assert.deepEqual(serviceOfError(new IdpError('AUTHTX_BROWSER_MISMATCH', 'x', { detail: { service: 'demo-oidc' } })), { serviceId: 'demo-oidc' });
      assert.deepEqual(serviceOfError(new IdpError('SAML_ISSUER_UNKNOWN', 'x', { detail: { service: 'F234567816', issuer: 'http://x' } })), {});
      assert.deepEqual(serviceOfError(new Error('x')), {});
    });
  });

  for (const kind of ['memory', 'redis'] as const) {
    describe(`AuditLog on the ${kind} store`, () => {
      let store: Store;
      let prefix: string;
      before(async () => {
        if (kind === 'redis') await requireRedis();
      });
      beforeEach(() => {
        prefix = randomPrefix('neid-audit');
        store = kind === 'memory' ? createMemoryStore() : createRedisStore({ url: testRedisUrl(), keyPrefix: prefix });
      });
      afterEach(async () => {
        await store.close();
        if (kind === 'redis') await deleteByPrefix(prefix);
      });

      it('appends one stream entry and logs one pino record with the same `audit` field; no personal data in either', async () => {
        const { lines, logger } = capture();
        const audit = new AuditLog({ store, logger, clock: fixedClock(AT) });
        // Everything a careless caller could hand over: the whole result in the event, personal data in the error.
        await audit.record({ ...finished(), result: RESULT, psk: PSK, name: '陳𠀋安' } as AuditEvent);
        await audit.record({ event: 'login.finished', front: 'oidc', serviceId: 'demo-oidc', eidSessionId: SESSION_ID, ...loginOutcome({ ...RESULT, error: { code: 'OIDC_EID_FAILED', message: 'F234567816' } }) });
        const entries = await store.readStream(AUDIT_STREAM);
        assert.deepEqual(entries.map((e) => e.fields), [auditEntry(finished(), new Date(AT)), {
          event: 'login.finished', at: AT, front: 'oidc', service: 'demo-oidc', outcome: 'OIDC_EID_FAILED', session: sessionRef(SESSION_ID),
        }]);
        assert.equal(lines.length, 2);
        const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; audit: Record<string, string> });
        assert.deepEqual(records.map((r) => r.audit), entries.map((e) => e.fields));
        assert.deepEqual(records.map((r) => [r.level, r.msg]), [[30, 'audit login.finished'], [30, 'audit login.finished']]);
        assertNoPersonalData(JSON.stringify(entries), 'stream entry');
        assertNoPersonalData(lines.join(''), 'log line');
      });

      it('never trims the stream', async () => {
        const audit = new AuditLog({ store });
        for (let i = 0; i < 5; i++) await audit.record({ event: 'service.request', front: 'soap', operation: 'getServerInfo', outcome: 'success' });
        assert.equal((await store.readStream(AUDIT_STREAM)).length, 5);
      });

      it('a store that refuses the write: the call resolves, AUDIT_WRITE_FAILED is logged with the record, the metric counts it', async () => {
        const { lines, logger } = capture();
        const metrics = createMetrics({ defaultMetrics: false });
        const audit = new AuditLog({ store, logger, metrics, clock: fixedClock(AT) });
        await store.close();
        await audit.record(finished());
        await audit.record(finished({ event: 'access.refused', outcome: 'SOAP_CLIENT_UNKNOWN' }));
        const records = lines.map((l) => JSON.parse(l) as { level: number; code?: string; audit: Record<string, string>; err?: { code?: string } });
        const failures = records.filter((r) => r.code === 'AUDIT_WRITE_FAILED');
        assert.equal(failures.length, 2);
        assert.ok(failures.every((r) => r.level === 50 && r.err?.code === 'STORE_UNAVAILABLE'));
        assert.deepEqual(failures.map((r) => r.audit.outcome), ['success', 'SOAP_CLIENT_UNKNOWN']);
        // The pino audit record is written whatever the store does.
        assert.equal(records.filter((r) => r.code === undefined && r.audit !== undefined).length, 2);
        const metric = await metrics.registry.getSingleMetricAsString('neid_audit_write_failures_total');
        assert.match(metric, /^neid_audit_write_failures_total 2$/m);
        assertNoPersonalData(lines.join(''), 'log line');
      });
    });
  }
});
