import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountStore, type AccountRecord } from '../../../src/oidc/account.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';

function record(clientId: string, sub: string): AccountRecord {
  return { v: 1, clientId, serviceId: clientId, sub, subjectKind: 'restricted-id', claims: { name: 'X' }, released: ['ChineseName'], acr: 'http://eidas.europa.eu/LoA/high', amr: ['sc'], authTime: 1 };
}

describe('oidc/account: login records per browser account and client', () => {
  const store = createMemoryStore();
  const accounts = new AccountStore({ store, box: new SealedBox(randomBytes(32)), ttlSeconds: 60 });
  after(() => store.close());

  it('a new login gets a random id; a second client joins the same account with its own record', async () => {
    const id = await accounts.save(undefined, record('a', 'sub-a'));
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await accounts.save(id, record('b', 'sub-b')), id);
    assert.equal((await accounts.find(id, 'a'))?.sub, 'sub-a');
    assert.equal((await accounts.find(id, 'b'))?.sub, 'sub-b');
    assert.equal(await accounts.find(id, 'c'), undefined, 'no record for a client that never logged in here');
    assert.equal(await accounts.find(id, undefined), undefined);
  });

  it('a new login of the same client replaces its record; delete ends only that client', async () => {
    const id = await accounts.save(undefined, record('a', 'old'));
    await accounts.save(id, record('b', 'sub-b'));
    await accounts.save(id, record('a', 'new'));
    assert.equal((await accounts.find(id, 'a'))?.sub, 'new');
    await accounts.delete(id, 'a');
    assert.equal(await accounts.find(id, 'a'), undefined);
    assert.equal((await accounts.find(id, 'b'))?.sub, 'sub-b');
  });

  it('a malformed account id is never used as a key', async () => {
    const id = await accounts.save('../../etc', record('a', 's'));
    assert.notEqual(id, '../../etc');
    assert.equal(await accounts.find('../../etc', 'a'), undefined);
    assert.equal(await accounts.find(42 as unknown as string, 'a'), undefined);
  });

  it('a record stored under one client key but naming another client is not returned', async () => {
    const id = await accounts.save(undefined, record('a', 's'));
    // Same sealed value copied to b's key: the box binds value to key, so opening fails.
    const sealed = await store.get(`oidc:account:${id}:a`);
    assert.ok(sealed);
    await store.set(`oidc:account:${id}:b`, sealed, { ttlMs: 60_000 });
    await assert.rejects(accounts.find(id, 'b'), (err: { code?: string }) => err.code === 'STORE_VALUE_INVALID');
  });
});
