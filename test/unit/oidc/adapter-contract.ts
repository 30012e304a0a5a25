/**
 * Contract of the oidc-provider adapter over the Store: run on the memory store and on Redis.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createStoreAdapter, type OidcAdapter } from '../../../src/oidc/adapter-redis.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import type { Store } from '../../../src/session/store/store.js';

export interface AdapterFixture {
  store: Store;
  /** A second store handle on the same data (another node); the memory store returns itself. */
  peer(): Store;
  cleanup(): Promise<void>;
}

export function adapterContract(label: string, make: () => Promise<AdapterFixture>): void {
  describe(`oidc adapter contract (${label})`, () => {
    let f: AdapterFixture;
    let box: SealedBox;
    let adapter: (model: string) => OidcAdapter;
    beforeEach(async () => {
      f = await make();
      box = new SealedBox(randomBytes(32));
      adapter = createStoreAdapter({ store: f.store, box, clockToleranceSeconds: 0 });
    });
    afterEach(async () => f.cleanup());

    it('upsert then find returns the payload; the stored value is sealed', async () => {
      await adapter('AccessToken').upsert('at1', { jti: 'at1', accountId: 'acc', grantId: 'g1' }, 60);
      assert.deepEqual(await adapter('AccessToken').find('at1'), { jti: 'at1', accountId: 'acc', grantId: 'g1' });
      const raw = await f.store.get('oidc:AccessToken:at1');
      assert.ok(raw !== null && raw.startsWith('v1.') && !raw.includes('acc'));
    });

    it('writes with expiry: the key TTL follows expiresIn', async () => {
      await adapter('Session').upsert('s1', { jti: 's1', uid: 'u1' }, 30);
      const ttl = await f.store.ttl('oidc:Session:s1');
      assert.ok(ttl !== null && ttl > 25_000 && ttl <= 30_000, String(ttl));
      assert.ok(((await f.store.ttl('oidc:uid:u1')) ?? 0) > 25_000);
    });

    it('expired records are gone', async () => {
      await adapter('Interaction').upsert('i1', { jti: 'i1' }, 0.05);
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(await adapter('Interaction').find('i1'), undefined);
    });

    it('findByUid and findByUserCode', async () => {
      await adapter('Session').upsert('s2', { jti: 's2', uid: 'uid-2' }, 60);
      assert.equal((await adapter('Session').findByUid('uid-2'))?.jti, 's2');
      assert.equal(await adapter('Session').findByUid('nope'), undefined);
      await adapter('DeviceCode').upsert('d1', { jti: 'd1', userCode: 'ABCD-EFGH' }, 60);
      assert.equal((await adapter('DeviceCode').findByUserCode('ABCD-EFGH'))?.jti, 'd1');
      await adapter('Session').destroy('s2');
      assert.equal(await adapter('Session').findByUid('uid-2'), undefined);
    });

    it('consume marks once; a second consume (another node) is invalid_grant and revokes the grant', async () => {
      const code = adapter('AuthorizationCode');
      await code.upsert('c1', { jti: 'c1', grantId: 'g2' }, 60);
      await adapter('AccessToken').upsert('t1', { jti: 't1', grantId: 'g2' }, 60);
      await code.consume('c1');
      const found = await code.find('c1');
      assert.equal(typeof found?.consumed, 'number');
      const other = createStoreAdapter({ store: f.peer(), box })('AuthorizationCode');
      await assert.rejects(other.consume('c1'), (err: { error?: string }) => err.error === 'invalid_grant');
      assert.equal(await adapter('AccessToken').find('t1'), undefined);
      assert.equal(await code.find('c1'), undefined);
    });

    it('concurrent consumes: exactly one wins', async () => {
      await adapter('AuthorizationCode').upsert('c2', { jti: 'c2' }, 60);
      const results = await Promise.allSettled([0, 1, 2, 3].map(() => createStoreAdapter({ store: f.peer(), box })('AuthorizationCode').consume('c2')));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    it('an upsert never resets consumption', async () => {
      const code = adapter('AuthorizationCode');
      await code.upsert('c3', { jti: 'c3' }, 60);
      await code.consume('c3');
      await code.upsert('c3', { jti: 'c3', consumed: undefined }, 60);
      assert.equal(typeof (await code.find('c3'))?.consumed, 'number');
    });

    it('revokeByGrantId deletes every model of the grant, not others', async () => {
      await adapter('AccessToken').upsert('a', { jti: 'a', grantId: 'g3' }, 60);
      await adapter('AuthorizationCode').upsert('b', { jti: 'b', grantId: 'g3' }, 60);
      await adapter('AccessToken').upsert('c', { jti: 'c', grantId: 'g4' }, 60);
      await adapter('AccessToken').revokeByGrantId('g3');
      assert.equal(await adapter('AccessToken').find('a'), undefined);
      assert.equal(await adapter('AuthorizationCode').find('b'), undefined);
      assert.ok(await adapter('AccessToken').find('c'));
    });

    it('ReplayDetection: the first find claims the id on every node', async () => {
      const a = adapter('ReplayDetection');
      const b = createStoreAdapter({ store: f.peer(), box })('ReplayDetection');
      assert.equal(await a.find('jti-1'), undefined);
      assert.ok(await b.find('jti-1'));
    });

    it('ids that are not printable ASCII are never looked up', async () => {
      assert.equal(await adapter('AccessToken').find(''), undefined);
      assert.equal(await adapter('AccessToken').find('a\ud800'), undefined);
      assert.equal(await adapter('AccessToken').find('x'.repeat(600)), undefined);
    });

    it('a tampered sealed value fails with STORE_VALUE_INVALID', async () => {
      await adapter('Grant').upsert('g5', { jti: 'g5' }, 60);
      const raw = (await f.store.get('oidc:Grant:g5')) ?? '';
      await f.store.set('oidc:Grant:g5', raw.slice(0, -4) + 'AAAA', { ttlMs: 60_000 });
      await assert.rejects(adapter('Grant').find('g5'), { code: 'STORE_VALUE_INVALID' });
    });

    it('Client model comes from the client source only; upsert is refused', async () => {
      const withClients = createStoreAdapter({ store: f.store, box, clients: { find: async (id) => (id === 'rp' ? { client_id: 'rp' } : undefined) } });
      assert.deepEqual(await withClients('Client').find('rp'), { client_id: 'rp' });
      assert.equal(await withClients('Client').find('other'), undefined);
      await assert.rejects(withClients('Client').upsert('rp', { client_id: 'rp' }), (err: { error?: string }) => err.error === 'invalid_client_metadata');
    });
  });
}
