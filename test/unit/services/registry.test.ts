import assert from 'node:assert/strict';
import { importServices, loadServiceFiles } from '../../../src/services/import.js';
import { AUDIT_STREAM, definitionOf, SERVICE_INDEX_KEY, ServiceRegistry } from '../../../src/services/registry.js';
import type { Store } from '../../../src/session/store/store.js';
import { draft, newRegistry, SAMPLE_DIR, SAMPLE_IDS, sample } from './samples.js';

async function auditEvents(store: Store): Promise<Record<string, string>[]> {
  return (await store.readStream(AUDIT_STREAM)).map((e) => e.fields);
}

describe('SPEC §6 ServiceRegistry', () => {
  describe('round trip of the sample services', () => {
    it('import → list / get equals the files', async () => {
      const { registry } = newRegistry();
      const summary = await importServices(registry, { dir: SAMPLE_DIR });
      assert.deepEqual(summary, { created: [...SAMPLE_IDS], updated: [], unchanged: [] });
      const files = loadServiceFiles(SAMPLE_DIR).flatMap((f) => f.definitions);
      const listed = await registry.list();
      assert.deepEqual(listed.map((r) => r.id), [...SAMPLE_IDS]);
      assert.deepEqual(listed.map(definitionOf), files);
      for (const definition of files) assert.deepEqual(definitionOf(await registry.get(definition.id)), definition);
      const saml = await registry.get('demo-saml');
      assert.deepEqual(saml.statusHistory, [{ from: null, to: 'active', at: '2026-11-20T08:00:00.000Z', by: 'import:config/services/demo-saml.yaml' }]);
      assert.equal(saml.revision, 1);
    });

    it('is idempotent: a second import changes nothing, not even the revision', async () => {
      const { registry, store } = newRegistry();
      await importServices(registry, { dir: SAMPLE_DIR });
      const before = await registry.list();
      const events = (await auditEvents(store)).length;
      assert.deepEqual(await importServices(registry, { dir: SAMPLE_DIR }), { created: [], updated: [], unchanged: [...SAMPLE_IDS] });
      assert.deepEqual(await registry.list(), before);
      assert.equal((await auditEvents(store)).length, events);
    });

    it('a changed file updates the record and records a declared state change', async () => {
      const { registry } = newRegistry();
      await importServices(registry, { dir: SAMPLE_DIR });
      const s = sample('demo-soap');
      s.state = 'suspended';
      s.maxConcurrentSessions = 10;
      const { outcome, record } = await registry.applyDeclared(s as never, { by: 'import:test' });
      assert.equal(outcome, 'updated');
      assert.equal(record.revision, 2);
      assert.equal(record.maxConcurrentSessions, 10);
      assert.deepEqual(record.statusHistory.at(-1), { from: 'active', to: 'suspended', at: '2026-11-20T08:00:00.000Z', by: 'import:test' });
    });
  });

  describe('create / get / update', () => {
    it('a console application starts in draft; anything else is refused', async () => {
      const { registry } = newRegistry();
      await assert.rejects(registry.create(sample('demo-saml') as never, { by: 'admin:a' }), { code: 'REGISTRY_TRANSITION_INVALID' });
      const created = await registry.create(draft('demo-saml') as never, { by: 'admin:a' });
      assert.equal(created.state, 'draft');
      await assert.rejects(registry.create(draft('demo-saml') as never, { by: 'admin:b' }), { code: 'REGISTRY_SERVICE_EXISTS' });
    });

    it('schema violations are REGISTRY_SERVICE_INVALID listing path and problem', async () => {
      const { registry } = newRegistry();
      const bad = draft('demo-saml');
      bad.agency.businessNumber = '12345678';
      await assert.rejects(registry.create(bad as never, { by: 'admin:a' }), {
        code: 'REGISTRY_SERVICE_INVALID',
        message: 'demo-saml-app: agency.businessNumber: checksum of the 統一編號 is wrong (taiwan-pki §4.4)',
      });
    });

    it('get of an unknown or malformed id is REGISTRY_SERVICE_NOT_FOUND', async () => {
      const { registry } = newRegistry();
      await assert.rejects(registry.get('nope'), { code: 'REGISTRY_SERVICE_NOT_FOUND' });
      await assert.rejects(registry.get('../etc'), { code: 'REGISTRY_SERVICE_NOT_FOUND' });
      assert.equal(await registry.find('nope'), undefined);
    });

    it('update replaces fields, bumps the revision, refuses id / state / bookkeeping', async () => {
      const { registry } = newRegistry();
      await registry.create(draft('demo-saml') as never, { by: 'admin:a' });
      const updated = await registry.update('demo-saml-app', { maxConcurrentSessions: 5, approvedAttributes: ['ChineseName'], optionalAttributes: [] }, { by: 'admin:a' });
      assert.equal(updated.revision, 2);
      assert.deepEqual(updated.approvedAttributes, ['ChineseName']);
      const same = await registry.update('demo-saml-app', { maxConcurrentSessions: 5 }, { by: 'admin:a' });
      assert.equal(same.revision, 2, 'no-op update writes nothing');
      for (const field of ['id', 'state', 'revision', 'statusHistory']) {
        await assert.rejects(registry.update('demo-saml-app', { [field]: 'x' } as never, { by: 'admin:a' }), { code: 'REGISTRY_SERVICE_INVALID' });
      }
      await assert.rejects(registry.update('demo-saml-app', { approvedAttributes: ['Nope'] }, { by: 'admin:a' }), { code: 'REGISTRY_SERVICE_INVALID', message: /approvedAttributes\[0\]: unknown attribute/ });
      await assert.rejects(registry.update('nope', {}, { by: 'admin:a' }), { code: 'REGISTRY_SERVICE_NOT_FOUND' });
    });
  });

  describe('optimistic concurrency', () => {
    it('two concurrent updates: one wins, the other fails with REGISTRY_CONFLICT, nothing is lost', async () => {
      const { registry } = newRegistry();
      await registry.create(draft('demo-saml') as never, { by: 'admin:a' });
      const results = await Promise.allSettled([
        registry.update('demo-saml-app', { maxConcurrentSessions: 11 }, { by: 'admin:a' }),
        registry.update('demo-saml-app', { rateLimit: { requestsPerMinute: 22 } }, { by: 'admin:b' }),
      ]);
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r) => r.status === 'rejected');
      assert.equal(fulfilled.length, 1);
      assert.equal(rejected.length, 1);
      assert.equal((rejected[0] as PromiseRejectedResult).reason.code, 'REGISTRY_CONFLICT');
      const stored = await registry.get('demo-saml-app');
      assert.deepEqual(stored, (fulfilled[0] as PromiseFulfilledResult<unknown>).value);
      assert.equal(stored.revision, 2);
      // The loser retries on the fresh record and both changes survive.
      const winnerWasA = stored.maxConcurrentSessions === 11;
      const retried = winnerWasA
        ? await registry.update('demo-saml-app', { rateLimit: { requestsPerMinute: 22 } }, { by: 'admin:b' })
        : await registry.update('demo-saml-app', { maxConcurrentSessions: 11 }, { by: 'admin:a' });
      assert.equal(retried.maxConcurrentSessions, 11);
      assert.deepEqual(retried.rateLimit, { requestsPerMinute: 22 });
    });

    it('a write between read and compare-and-set is detected (deterministic interleaving)', async () => {
      const { store, registry } = newRegistry();
      await registry.create(draft('demo-saml') as never, { by: 'admin:a' });
      const other = new ServiceRegistry(store);
      let interfere = true;
      const compareAndSet = async (key: string, expected: string | null, value: string): Promise<boolean> => {
        if (interfere) {
          interfere = false;
          await other.update('demo-saml-app', { maxConcurrentSessions: 77 }, { by: 'admin:b' });
        }
        return store.compareAndSet(key, expected, value);
      };
      const racing = new Proxy(store, {
        get: (target, prop) => {
          if (prop === 'compareAndSet') return compareAndSet;
          const value: unknown = Reflect.get(target, prop);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      await assert.rejects(new ServiceRegistry(racing).transition('demo-saml-app', 'submitted', { by: 'admin:a' }), { code: 'REGISTRY_CONFLICT' });
      const stored = await registry.get('demo-saml-app');
      assert.equal(stored.maxConcurrentSessions, 77);
      assert.equal(stored.state, 'draft');
    });

    it('expectedRevision guards stale console forms', async () => {
      const { registry } = newRegistry();
      await registry.create(draft('demo-saml') as never, { by: 'admin:a' });
      await registry.update('demo-saml-app', { maxConcurrentSessions: 3 }, { by: 'admin:a', expectedRevision: 1 });
      await assert.rejects(registry.update('demo-saml-app', { maxConcurrentSessions: 4 }, { by: 'admin:a', expectedRevision: 1 }), {
        code: 'REGISTRY_CONFLICT',
        message: /now at revision 2/,
      });
    });
  });

  describe('lifecycle through the registry', () => {
    it('draft → … → active → suspended → active with history, separation of duties and the terminal requirement', async () => {
      const { registry } = newRegistry();
      const application = draft('demo-saml');
      delete application.terminal;
      await registry.create(application as never, { by: 'admin:a' });
      await registry.transition('demo-saml-app', 'submitted', { by: 'admin:a' });
      await assert.rejects(registry.transition('demo-saml-app', 'approved', { by: 'admin:a' }), { code: 'REGISTRY_SAME_ACTOR' });
      await registry.transition('demo-saml-app', 'approved', { by: 'admin:b' });
      await assert.rejects(registry.transition('demo-saml-app', 'testing', { by: 'ops' }), { code: 'REGISTRY_SERVICE_INVALID', message: /terminal: required in state testing/ });
      await assert.rejects(registry.update('demo-saml-app', { terminal: sample('demo-saml').terminal }, { by: 'ops' }), { code: 'REGISTRY_REVIEW_REQUIRED' });
      await registry.proposeChange('demo-saml-app', { terminal: sample('demo-saml').terminal }, { by: 'ops' });
      await assert.rejects(registry.decideChange('demo-saml-app', { by: 'ops', approve: true }), { code: 'REGISTRY_SAME_ACTOR' });
      await registry.decideChange('demo-saml-app', { by: 'admin:b', approve: true });
      await registry.transition('demo-saml-app', 'testing', { by: 'ops' });
      await registry.transition('demo-saml-app', 'active', { by: 'ops' });
      await registry.transition('demo-saml-app', 'suspended', { by: 'admin:b', reason: 'security-violation' });
      const back = await registry.transition('demo-saml-app', 'active', { by: 'admin:b' });
      assert.deepEqual(back.statusHistory.map((c) => `${c.from ?? '∅'}>${c.to}${c.reason ? `:${c.reason}` : ''}@${c.by}`), [
        '∅>draft@admin:a', 'draft>submitted@admin:a', 'submitted>approved@admin:b', 'approved>testing@ops', 'testing>active@ops',
        'active>suspended:security-violation@admin:b', 'suspended>active@admin:b',
      ]);
      assert.equal(back.pendingChange, undefined);
      await assert.rejects(registry.transition('demo-saml-app', 'approved', { by: 'admin:b' }), { code: 'REGISTRY_TRANSITION_INVALID' });
    });

    it('reviewed change requests: one at a time, rejection leaves the record as it was', async () => {
      const { registry } = newRegistry();
      await importServices(registry, { dir: SAMPLE_DIR });
      const before = await registry.get('demo-oidc');
      await registry.proposeChange('demo-oidc', { approvedAttributes: [...before.approvedAttributes, 'Photo'] }, { by: 'admin:a' });
      await assert.rejects(registry.proposeChange('demo-oidc', { ipAllowList: ['127.0.0.1'] }, { by: 'admin:c' }), { code: 'REGISTRY_CONFLICT' });
      const rejected = await registry.decideChange('demo-oidc', { by: 'admin:b', approve: false });
      assert.deepEqual(definitionOf(rejected), definitionOf(before));
      assert.equal(rejected.pendingChange, undefined);
      await assert.rejects(registry.decideChange('demo-oidc', { by: 'admin:b', approve: true }), { code: 'REGISTRY_NO_PENDING_CHANGE' });
      await assert.rejects(registry.proposeChange('demo-oidc', { approvedAttributes: ['Nope'] }, { by: 'admin:a' }), { code: 'REGISTRY_SERVICE_INVALID' });
      // Unreviewed fields stay editable in any state.
      assert.equal((await registry.update('demo-oidc', { maxConcurrentSessions: 7 }, { by: 'ops' })).maxConcurrentSessions, 7);
    });

    it('protocols.soap.refreshAddress is reviewed: a redirect target changes only through a second administrator once approved', async () => {
      const { registry } = newRegistry();
      await importServices(registry, { dir: SAMPLE_DIR });
      const before = await registry.get('demo-soap');
      const soap = { ...before.protocols.soap, refreshAddress: 'https://bank.example.com.tw/eid/back' };
      await assert.rejects(registry.update('demo-soap', { protocols: { ...before.protocols, soap } }, { by: 'ops' }), { code: 'REGISTRY_REVIEW_REQUIRED', message: /protocols/ });
      assert.equal((await registry.get('demo-soap')).protocols.soap?.refreshAddress, undefined);
      await registry.proposeChange('demo-soap', { protocols: { ...before.protocols, soap } }, { by: 'ops' });
      assert.equal((await registry.get('demo-soap')).protocols.soap?.refreshAddress, undefined, 'pending, not applied');
      await assert.rejects(registry.decideChange('demo-soap', { by: 'ops', approve: true }), { code: 'REGISTRY_SAME_ACTOR' });
      const approved = await registry.decideChange('demo-soap', { by: 'admin:b', approve: true });
      assert.equal(approved.protocols.soap?.refreshAddress, 'https://bank.example.com.tw/eid/back');
      await assert.rejects(registry.proposeChange('demo-soap', { protocols: { ...before.protocols, soap: { ...soap, refreshAddress: 'http://bank.example.com.tw/back' } } }, { by: 'ops' }), {
        code: 'REGISTRY_SERVICE_INVALID', message: /protocols\.soap\.refreshAddress: expected an https URL/,
      });
      // Before approval the applicant edits it freely.
      await registry.create(draft('demo-soap') as never, { by: 'admin:a' });
      const edited = await registry.update('demo-soap-app', { protocols: { ...before.protocols, soap } }, { by: 'admin:a' });
      assert.equal(edited.protocols.soap?.refreshAddress, 'https://bank.example.com.tw/eid/back');
    });

    it('getActive serves active services only (testing on request)', async () => {
      const { registry } = newRegistry();
      await importServices(registry, { dir: SAMPLE_DIR });
      assert.equal((await registry.getActive('demo-oidc')).id, 'demo-oidc');
      await registry.transition('demo-oidc', 'suspended', { by: 'admin:a', reason: 'reorganisation' });
      await assert.rejects(registry.getActive('demo-oidc'), { code: 'REGISTRY_SERVICE_INACTIVE', message: 'demo-oidc: eService is suspended' });
      await assert.rejects(registry.getActive('nope'), { code: 'REGISTRY_SERVICE_NOT_FOUND' });
      const testing = draft('demo-oidc', 'demo-oidc-test');
      testing.state = 'testing';
      await registry.create(testing as never, { by: 'import:x', declarative: true });
      await assert.rejects(registry.getActive('demo-oidc-test'), { code: 'REGISTRY_SERVICE_INACTIVE' });
      assert.equal((await registry.getActive('demo-oidc-test', { allowTesting: true })).state, 'testing');
    });

    it('remove: only draft, rejected or deactivated services', async () => {
      const { registry, store } = newRegistry();
      await importServices(registry, { dir: SAMPLE_DIR });
      await assert.rejects(registry.remove('demo-soap', { by: 'admin:a' }), { code: 'REGISTRY_TRANSITION_INVALID' });
      await registry.transition('demo-soap', 'deactivated', { by: 'admin:a', reason: 'agency-request' });
      await registry.remove('demo-soap', { by: 'admin:a' });
      await assert.rejects(registry.get('demo-soap'), { code: 'REGISTRY_SERVICE_NOT_FOUND' });
      assert.deepEqual((await store.smembers(SERVICE_INDEX_KEY)).sort(), ['demo-oidc', 'demo-saml']);
      await assert.rejects(registry.remove('demo-soap', { by: 'admin:a' }), { code: 'REGISTRY_SERVICE_NOT_FOUND' });
    });
  });

  describe('audit', () => {
    it('one event per change on the audit stream, without personal data', async () => {
      const { registry, store } = newRegistry();
      await registry.create(draft('demo-saml') as never, { by: 'admin:a' });
      await registry.update('demo-saml-app', { maxConcurrentSessions: 9, contacts: { ...sample('demo-saml').contacts, person: { ...sample('demo-saml').contacts.person, name: '李大同' } } }, { by: 'admin:a' });
      await registry.transition('demo-saml-app', 'submitted', { by: 'admin:a' });
      await registry.transition('demo-saml-app', 'rejected', { by: 'admin:b', reason: 'other', note: '聯絡人王小明電話錯誤' });
      await assert.rejects(registry.transition('demo-saml-app', 'active', { by: 'admin:b' }));
      const events = await auditEvents(store);
      assert.deepEqual(events, [
        { event: 'registry.create', service: 'demo-saml-app', by: 'admin:a', at: '2026-11-20T08:00:00.000Z', revision: '1', state: 'draft', to: 'draft' },
        { event: 'registry.update', service: 'demo-saml-app', by: 'admin:a', at: '2026-11-20T08:00:00.000Z', revision: '2', state: 'draft', fields: 'contacts,maxConcurrentSessions' },
        { event: 'registry.transition', service: 'demo-saml-app', by: 'admin:a', at: '2026-11-20T08:00:00.000Z', revision: '3', state: 'submitted', from: 'draft', to: 'submitted' },
        { event: 'registry.transition', service: 'demo-saml-app', by: 'admin:b', at: '2026-11-20T08:00:00.000Z', revision: '4', state: 'rejected', from: 'submitted', to: 'rejected', reason: 'other' },
      ]);
      const all = JSON.stringify(events);
      for (const personal of ['李大同', '王小明', '@example', '+886']) assert.ok(!all.includes(personal), personal);
    });
  });

  it('a corrupted stored record is STORE_VALUE_INVALID, not a crash or a silent default', async () => {
    const { registry, store } = newRegistry();
    await importServices(registry, { dir: SAMPLE_DIR });
    await store.set('svc:demo-oidc', '{"id":"demo-oidc"');
    await assert.rejects(registry.get('demo-oidc'), { code: 'STORE_VALUE_INVALID' });
    await store.set('svc:demo-oidc', JSON.stringify({ id: 'demo-oidc', state: 'active' }));
    await assert.rejects(registry.get('demo-oidc'), { code: 'STORE_VALUE_INVALID', message: /violates the schema/ });
  });
});
