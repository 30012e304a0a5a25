/**
 * The one behavioural contract of Store (src/session/store/store.ts). memory-store.test.ts and
 * redis-store.test.ts run it, so both implementations are held to the same observable behaviour.
 * TTL tests use real time with short TTLs (tens to hundreds of ms).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../../src/session/store/store.js';

export interface StoreFixture {
  store: Store;
  /** Called after the suite (after store.close()): remove what the suite left in the backend. */
  cleanup?: () => Promise<void>;
}

const UNICODE = ['中華民國國民身分證 王小明', 'Müller-Lüdenscheidt ß', '👩🏽‍💻 🇹🇼 𝕏', 'e\u0301 (combining)', 'NUL\u0000inside', '', 'ﬀ \u200b \ufeff'];

export function storeContract(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, function () {
    this.timeout(10_000);
    let fixture: StoreFixture;
    let store: Store;
    /** A fresh key per call, so tests never see each other's data. */
    const key = (label = 'k'): string => `${label}:${randomBytes(6).toString('hex')}`;

    before(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    after(async () => {
      await store.close();
      await fixture.cleanup?.();
    });

    it('reports its kind', () => {
      assert.ok(store.kind === 'memory' || store.kind === 'redis');
    });

    it('ping resolves', async () => {
      await store.ping();
    });

    describe('strings', () => {
      it('get of a missing key is null; set/get round-trips and overwrites', async () => {
        const k = key();
        assert.equal(await store.get(k), null);
        await store.set(k, 'one');
        assert.equal(await store.get(k), 'one');
        await store.set(k, 'two');
        assert.equal(await store.get(k), 'two');
      });

      it('stores Unicode, NUL and the empty string unchanged', async () => {
        for (const value of UNICODE) {
          const k = key('ü-ключ-鍵');
          await store.set(k, value);
          assert.equal(await store.get(k), value);
        }
      });

      it('set with ttlMs expires; set without ttlMs drops an earlier TTL', async () => {
        const k = key();
        await store.set(k, 'v', { ttlMs: 80 });
        const t = await store.ttl(k);
        assert.ok(t !== null && t > 0 && t <= 80, `ttl ${t}`);
        await sleep(150);
        assert.equal(await store.get(k), null);
        assert.equal(await store.ttl(k), null);

        const p = key();
        await store.set(p, 'v', { ttlMs: 80 });
        await store.set(p, 'w');
        assert.equal(await store.ttl(p), -1);
        await sleep(150);
        assert.equal(await store.get(p), 'w');
      });

      it('set replaces a key of another type', async () => {
        const k = key();
        await store.hset(k, { f: 'v' });
        await store.set(k, 'now a string');
        assert.equal(await store.get(k), 'now a string');
      });
    });

    describe('setIfAbsent', () => {
      it('sets only when absent, honours the TTL, and can set again after expiry', async () => {
        const k = key();
        assert.equal(await store.setIfAbsent(k, 'first', { ttlMs: 80 }), true);
        assert.equal(await store.setIfAbsent(k, 'second'), false);
        assert.equal(await store.get(k), 'first');
        await sleep(150);
        assert.equal(await store.setIfAbsent(k, 'third'), true);
        assert.equal(await store.get(k), 'third');
        assert.equal(await store.ttl(k), -1);
      });

      it('is false for an existing key of another type', async () => {
        const k = key();
        await store.sadd(k, 'm');
        assert.equal(await store.setIfAbsent(k, 'v'), false);
        assert.deepEqual(await store.smembers(k), ['m']);
      });

      it('race: of 20 concurrent attempts exactly one wins', async () => {
        const k = key();
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent(k, `v${i}`, { ttlMs: 5000 })));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal(await store.get(k), `v${results.indexOf(true)}`);
      });
    });

    describe('compareAndSet', () => {
      it('null expected means "absent"; a value expected must match exactly', async () => {
        const k = key();
        assert.equal(await store.compareAndSet(k, 'x', 'y'), false);
        assert.equal(await store.get(k), null);
        assert.equal(await store.compareAndSet(k, null, 'v1'), true);
        assert.equal(await store.compareAndSet(k, null, 'v2'), false);
        assert.equal(await store.compareAndSet(k, 'V1', 'v2'), false);
        assert.equal(await store.get(k), 'v1');
        assert.equal(await store.compareAndSet(k, 'v1', 'v2'), true);
        assert.equal(await store.get(k), 'v2');
        await store.set(k, '');
        assert.equal(await store.compareAndSet(k, null, 'v3'), false, 'the empty string is a value, not absence');
        assert.equal(await store.compareAndSet(k, '', '—ünïcode—'), true);
        assert.equal(await store.get(k), '—ünïcode—');
      });

      it('applies the TTL of the new value', async () => {
        const k = key();
        await store.set(k, 'a');
        assert.equal(await store.compareAndSet(k, 'a', 'b', { ttlMs: 80 }), true);
        const t = await store.ttl(k);
        assert.ok(t !== null && t > 0 && t <= 80, `ttl ${t}`);
        await sleep(150);
        assert.equal(await store.get(k), null);
        assert.equal(await store.compareAndSet(k, null, 'c'), true, 'an expired key is absent');
      });

      it('race: 20 concurrent updates from the same expected value → exactly one succeeds', async () => {
        const k = key();
        await store.set(k, 'state-0');
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.compareAndSet(k, 'state-0', `state-${i + 1}`)));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal(await store.get(k), `state-${results.indexOf(true) + 1}`);
      });

      it('rejects STORE_WRONG_TYPE on a hash, even with expected null, and leaves it alone', async () => {
        const k = key();
        await store.hset(k, { f: 'v' });
        await assert.rejects(store.compareAndSet(k, null, 'v'), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.compareAndSet(k, 'x', 'v'), { code: 'STORE_WRONG_TYPE' });
        assert.deepEqual(await store.hgetall(k), { f: 'v' });
      });
    });

    describe('getAndDelete', () => {
      it('returns the value once and deletes the key', async () => {
        const k = key();
        await store.set(k, 'token', { ttlMs: 5000 });
        assert.equal(await store.getAndDelete(k), 'token');
        assert.equal(await store.get(k), null);
        assert.equal(await store.getAndDelete(k), null);
      });

      it('race: of 20 concurrent readers exactly one gets the value', async () => {
        const k = key();
        await store.set(k, 'single-use');
        const results = await Promise.all(Array.from({ length: 20 }, () => store.getAndDelete(k)));
        assert.deepEqual(results.filter((r) => r !== null), ['single-use']);
      });

      it('rejects STORE_WRONG_TYPE on a set and keeps it', async () => {
        const k = key();
        await store.sadd(k, 'm');
        await assert.rejects(store.getAndDelete(k), { code: 'STORE_WRONG_TYPE' });
        assert.deepEqual(await store.smembers(k), ['m']);
      });
    });

    describe('delete, expire, ttl', () => {
      it('delete removes keys of every type and counts those that existed (duplicates once)', async () => {
        const [a, b, c, d, missing] = [key(), key(), key(), key(), key()];
        await store.set(a, '1');
        await store.hset(b, { f: 'v' });
        await store.sadd(c, 'm');
        await store.append(d, { e: '1' });
        assert.equal(await store.delete(a, b, c, d, missing, a), 4);
        assert.equal(await store.get(a), null);
        assert.deepEqual(await store.hgetall(b), {});
        assert.deepEqual(await store.smembers(c), []);
        assert.deepEqual(await store.readStream(d), []);
        assert.equal(await store.delete(), 0);
        assert.equal(await store.delete(a), 0);
      });

      it('ttl: null for a missing key, -1 without expiry, remaining ms otherwise', async () => {
        const k = key();
        assert.equal(await store.ttl(k), null);
        await store.set(k, 'v');
        assert.equal(await store.ttl(k), -1);
        assert.equal(await store.expire(k, 10_000), true);
        const t = await store.ttl(k);
        assert.ok(t !== null && t > 9000 && t <= 10_000, `ttl ${t}`);
      });

      it('expire is false for a missing key and makes any type expire', async () => {
        assert.equal(await store.expire(key(), 1000), false);
        const h = key();
        const s = key();
        await store.hset(h, { f: 'v' });
        await store.sadd(s, 'm');
        assert.equal(await store.expire(h, 80), true);
        assert.equal(await store.expire(s, 80), true);
        await sleep(150);
        assert.deepEqual(await store.hgetall(h), {});
        assert.deepEqual(await store.smembers(s), []);
        assert.equal(await store.ttl(h), null);
        assert.equal(await store.expire(h, 1000), false, 'an expired key cannot be revived');
      });
    });

    describe('incr', () => {
      it('creates at 0, adds `by` (also negative), returns the new value', async () => {
        const k = key();
        assert.equal(await store.incr(k), 1);
        assert.equal(await store.incr(k, 5), 6);
        assert.equal(await store.incr(k, -10), -4);
        assert.equal(await store.get(k), '-4');
      });

      it('applies the TTL only when creating the counter; the window restarts after expiry', async () => {
        const k = key();
        assert.equal(await store.incr(k, 1, { ttlMs: 150 }), 1);
        assert.equal(await store.incr(k, 1, { ttlMs: 60_000 }), 2);
        const t = await store.ttl(k);
        assert.ok(t !== null && t > 0 && t <= 150, `the second ttlMs must not extend the window (ttl ${t})`);
        await sleep(220);
        assert.equal(await store.incr(k, 1, { ttlMs: 60_000 }), 1);
        const t2 = await store.ttl(k);
        assert.ok(t2 !== null && t2 > 150, `new window (ttl ${t2})`);
        const plain = key();
        await store.incr(plain);
        assert.equal(await store.ttl(plain), -1);
      });

      it('keeps an existing TTL of a string it increments', async () => {
        const k = key();
        await store.set(k, '41', { ttlMs: 5000 });
        assert.equal(await store.incr(k), 42);
        const t = await store.ttl(k);
        assert.ok(t !== null && t > 0 && t <= 5000, `ttl ${t}`);
      });

      it('is atomic: 50 concurrent increments yield 1..50 exactly once each', async () => {
        const k = key();
        const results = await Promise.all(Array.from({ length: 50 }, () => store.incr(k, 1, { ttlMs: 10_000 })));
        assert.deepEqual([...results].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i + 1));
        assert.equal(await store.get(k), '50');
      });

      it('rejects STORE_VALUE_INVALID on values that are not canonical integers, leaving them unchanged', async () => {
        for (const bad of ['abc', '1.5', ' 1', '01', '+1', '-0', '', '9223372036854775808', '１']) {
          const k = key();
          await store.set(k, bad);
          await assert.rejects(store.incr(k), { code: 'STORE_VALUE_INVALID' }, JSON.stringify(bad));
          await assert.rejects(store.incr(k, 1, { ttlMs: 1000 }), { code: 'STORE_VALUE_INVALID' }, JSON.stringify(bad));
          assert.equal(await store.get(k), bad);
          assert.equal(await store.ttl(k), -1);
        }
      });

      it('rejects results beyond the safe-integer range with STORE_VALUE_INVALID', async () => {
        const k = key();
        await store.set(k, String(Number.MAX_SAFE_INTEGER));
        await assert.rejects(store.incr(k), { code: 'STORE_VALUE_INVALID' });
      });

      it('rejects STORE_WRONG_TYPE on a hash and STORE_ARGUMENT_INVALID on a non-integer step', async () => {
        const k = key();
        await store.hset(k, { n: '1' });
        await assert.rejects(store.incr(k), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.incr(key(), 1.5), { code: 'STORE_ARGUMENT_INVALID' });
        await assert.rejects(store.incr(key(), Number.NaN), { code: 'STORE_ARGUMENT_INVALID' });
      });
    });

    describe('hashes', () => {
      it('hset/hget/hgetall, overwriting fields; missing hash and field read as empty/null', async () => {
        const k = key();
        assert.deepEqual(await store.hgetall(k), {});
        assert.equal(await store.hget(k, 'a'), null);
        await store.hset(k, { a: '1', b: '2' });
        await store.hset(k, { b: 'two', 'ünï 鍵': '値 ✓' });
        assert.equal(await store.hget(k, 'b'), 'two');
        assert.equal(await store.hget(k, 'zzz'), null);
        assert.deepEqual(await store.hgetall(k), { a: '1', b: 'two', 'ünï 鍵': '値 ✓' });
      });

      it('field names like "__proto__" and "constructor" stay plain fields (hashes and streams)', async () => {
        const k = key();
        const fields = Object.fromEntries([['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']]) as Record<string, string>;
        await store.hset(k, fields);
        const all = await store.hgetall(k);
        assert.deepEqual(Object.entries(all).sort(), [['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']]);
        assert.equal(Object.getPrototypeOf(all), Object.prototype);
        assert.equal(await store.hget(k, '__proto__'), 'p');
        const s = key();
        await store.append(s, fields);
        const [entry] = await store.readStream(s);
        assert.deepEqual(Object.entries(entry?.fields ?? {}).sort(), [['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']]);
        assert.equal(Object.getPrototypeOf(entry?.fields), Object.prototype);
      });

      it('hdel counts removed fields; removing the last field removes the key', async () => {
        const k = key();
        await store.hset(k, { a: '1', b: '2' });
        assert.equal(await store.hdel(k, 'a', 'nope'), 1);
        assert.equal(await store.hdel(k), 0);
        assert.equal(await store.hdel(key(), 'a'), 0);
        assert.equal(await store.hdel(k, 'b'), 1);
        assert.equal(await store.ttl(k), null);
        assert.equal(await store.setIfAbsent(k, 'free again'), true);
      });

      it('hset with ttlMs (re)sets the TTL; without it the TTL is kept', async () => {
        const k = key();
        await store.hset(k, { a: '1' }, { ttlMs: 5000 });
        await store.hset(k, { b: '2' });
        const t = await store.ttl(k);
        assert.ok(t !== null && t > 0 && t <= 5000, `ttl kept (${t})`);
        await store.hset(k, { c: '3' }, { ttlMs: 80 });
        await sleep(150);
        assert.deepEqual(await store.hgetall(k), {});
      });

      it('type errors: hash ops on a string and string ops on a hash reject STORE_WRONG_TYPE', async () => {
        const s = key();
        const h = key();
        await store.set(s, 'v');
        await store.hset(h, { f: 'v' });
        await assert.rejects(store.hset(s, { f: 'v' }), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.hset(s, { f: 'v' }, { ttlMs: 1000 }), { code: 'STORE_WRONG_TYPE' });
        assert.equal(await store.ttl(s), -1, 'a failed hset with TTL must not set a TTL');
        await assert.rejects(store.hget(s, 'f'), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.hgetall(s), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.hdel(s, 'f'), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.get(h), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.sadd(h, 'm'), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.append(h, { e: '1' }), { code: 'STORE_WRONG_TYPE' });
        assert.equal(await store.get(s), 'v');
      });

      it('hset without fields rejects STORE_ARGUMENT_INVALID', async () => {
        await assert.rejects(store.hset(key(), {}), { code: 'STORE_ARGUMENT_INVALID' });
      });
    });

    describe('sets', () => {
      it('sadd counts new members, srem counts removed ones, smembers lists them', async () => {
        const k = key();
        assert.deepEqual(await store.smembers(k), []);
        assert.equal(await store.sadd(k, 'a', 'b', 'a'), 2);
        assert.equal(await store.sadd(k, 'b', 'c', '名前'), 2);
        assert.deepEqual((await store.smembers(k)).sort(), ['a', 'b', 'c', '名前']);
        assert.equal(await store.srem(k, 'a', 'x'), 1);
        assert.equal(await store.sadd(k), 0);
        assert.equal(await store.srem(k), 0);
        assert.deepEqual((await store.smembers(k)).sort(), ['b', 'c', '名前']);
      });

      it('removing the last member removes the key; type errors reject STORE_WRONG_TYPE', async () => {
        const k = key();
        await store.sadd(k, 'only');
        assert.equal(await store.srem(k, 'only'), 1);
        assert.equal(await store.ttl(k), null);
        const s = key();
        await store.set(s, 'v');
        await assert.rejects(store.sadd(s, 'm'), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.srem(s, 'm'), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.smembers(s), { code: 'STORE_WRONG_TYPE' });
      });
    });

    describe('streams', () => {
      const ID = /^\d+-\d+$/;
      const cmp = (a: string, b: string): number => {
        const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
        const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
        return am === bm ? (as < bs ? -1 : as > bs ? 1 : 0) : am < bm ? -1 : 1;
      };

      it('append returns strictly increasing <ms>-<seq> ids; readStream returns entries oldest first', async () => {
        const k = key();
        const ids: string[] = [];
        // Sequential appends within the same millisecond must still get increasing ids (seq part).
        for (let i = 0; i < 30; i += 1) ids.push(await store.append(k, { n: String(i), note: 'ünï 🔐' }));
        for (const id of ids) assert.match(id, ID);
        for (let i = 1; i < ids.length; i += 1) assert.equal(cmp(ids[i - 1] as string, ids[i] as string), -1, `${ids[i - 1]} < ${ids[i]}`);
        const ms = Number((ids[0] as string).split('-')[0]);
        assert.ok(Math.abs(ms - Date.now()) < 60_000, 'the ms part is wall-clock time');
        const entries = await store.readStream(k);
        assert.deepEqual(entries.map((e) => e.id), ids);
        assert.deepEqual(entries[7]?.fields, { n: '7', note: 'ünï 🔐' });
      });

      it('after is exclusive; count limits; a missing stream reads as empty', async () => {
        const k = key();
        const ids: string[] = [];
        for (let i = 0; i < 10; i += 1) ids.push(await store.append(k, { n: String(i) }));
        assert.deepEqual((await store.readStream(k, { after: ids[3] })).map((e) => e.fields.n), ['4', '5', '6', '7', '8', '9']);
        assert.deepEqual((await store.readStream(k, { after: ids[3], count: 2 })).map((e) => e.id), [ids[4], ids[5]]);
        assert.deepEqual((await store.readStream(k, { count: 3 })).map((e) => e.id), ids.slice(0, 3));
        assert.deepEqual(await store.readStream(k, { after: ids[9] }), []);
        assert.equal((await store.readStream(k, { after: '0-0' })).length, 10);
        assert.deepEqual(await store.readStream(k, { after: '18446744073709551615-18446744073709551615' }), []);
        assert.deepEqual(await store.readStream(key()), []);
        // Paging with the last id read continues without gaps or repeats.
        const paged: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.readStream(k, { count: 4, ...(after !== undefined && { after }) });
          if (page.length === 0) break;
          paged.push(...page.map((e) => e.id));
          after = page.at(-1)?.id;
        }
        assert.deepEqual(paged, ids);
      });

      it('concurrent appends get distinct ids and are read back in id order', async () => {
        const k = key();
        const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(k, { n: String(i) })));
        assert.equal(new Set(ids).size, 20);
        const read = (await store.readStream(k)).map((e) => e.id);
        assert.deepEqual(read, [...ids].sort(cmp));
      });

      it('maxLen keeps at least the newest maxLen entries and trims older ones', async () => {
        const k = key();
        const ids: string[] = [];
        for (let i = 0; i < 250; i += 1) ids.push(await store.append(k, { n: String(i) }, { maxLen: 10 }));
        const read = (await store.readStream(k)).map((e) => e.id);
        assert.ok(read.length >= 10 && read.length < 250, `length ${read.length}`);
        assert.deepEqual(read, ids.slice(ids.length - read.length), 'what remains is the newest suffix');
        // Trimming never resets ids: the next id is still greater than all before.
        const next = await store.append(k, { n: 'next' }, { maxLen: 10 });
        assert.equal(cmp(ids.at(-1) as string, next), -1);
      });

      it('rejects malformed ids, counts, maxLen and empty entries with STORE_ARGUMENT_INVALID', async () => {
        const k = key();
        await store.append(k, { n: '1' });
        for (const after of ['', '123', '1-2-3', 'abc', '-1-0', '1-', ' 1-0', '99999999999999999999-0']) {
          await assert.rejects(store.readStream(k, { after }), { code: 'STORE_ARGUMENT_INVALID' }, after);
        }
        await assert.rejects(store.readStream(k, { count: 0 }), { code: 'STORE_ARGUMENT_INVALID' });
        await assert.rejects(store.append(k, { n: '2' }, { maxLen: 0 }), { code: 'STORE_ARGUMENT_INVALID' });
        await assert.rejects(store.append(k, {}), { code: 'STORE_ARGUMENT_INVALID' });
        assert.equal((await store.readStream(k)).length, 1);
      });

      it('stream ops on a string reject STORE_WRONG_TYPE', async () => {
        const s = key();
        await store.set(s, 'v');
        await assert.rejects(store.append(s, { e: '1' }), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.readStream(s), { code: 'STORE_WRONG_TYPE' });
        await assert.rejects(store.readStream(s, { after: '18446744073709551615-18446744073709551615' }), { code: 'STORE_WRONG_TYPE' });
      });
    });

    describe('arguments', () => {
      it('rejects empty keys, bad TTLs and lone surrogates with STORE_ARGUMENT_INVALID, writing nothing', async () => {
        const k = key();
        await assert.rejects(store.get(''), { code: 'STORE_ARGUMENT_INVALID' });
        await assert.rejects(store.set('', 'v'), { code: 'STORE_ARGUMENT_INVALID' });
        for (const ttlMs of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          await assert.rejects(store.set(k, 'v', { ttlMs }), { code: 'STORE_ARGUMENT_INVALID' }, String(ttlMs));
          await assert.rejects(store.setIfAbsent(k, 'v', { ttlMs }), { code: 'STORE_ARGUMENT_INVALID' }, String(ttlMs));
          await assert.rejects(store.expire(k, ttlMs), { code: 'STORE_ARGUMENT_INVALID' }, String(ttlMs));
        }
        await assert.rejects(store.set(k, 'broken \ud800 surrogate'), { code: 'STORE_ARGUMENT_INVALID' });
        await assert.rejects(store.set(`${k}\udc00`, 'v'), { code: 'STORE_ARGUMENT_INVALID' });
        await assert.rejects(store.hset(k, { '\ud83d': 'v' }), { code: 'STORE_ARGUMENT_INVALID' });
        await assert.rejects(store.append(k, { f: 'x\udfff' }), { code: 'STORE_ARGUMENT_INVALID' });
        await assert.rejects(store.sadd(k, 'ok', '\ud800'), { code: 'STORE_ARGUMENT_INVALID' });
        assert.equal(await store.ttl(k), null, 'nothing was written');
      });
    });

    it('after close every operation rejects STORE_UNAVAILABLE; close is idempotent', async () => {
      const own = await factory();
      await own.store.set('closing', 'v');
      await own.store.close();
      await own.store.close();
      await assert.rejects(own.store.get('closing'), { code: 'STORE_UNAVAILABLE' });
      await assert.rejects(own.store.ping(), { code: 'STORE_UNAVAILABLE' });
      await assert.rejects(own.store.append('s', { a: 'b' }), { code: 'STORE_UNAVAILABLE' });
      await own.cleanup?.();
    });
  });
}
