import assert from 'node:assert/strict';
import { parseRedisUrl } from '../../../src/session/store/redis-url.js';

describe('session store URL (redis-url)', () => {
  describe('redis:// and rediss://', () => {
    it('host, default port, db 0', () => {
      const t = parseRedisUrl('redis://127.0.0.1');
      assert.equal(t.mode, 'standalone');
      assert.deepEqual(t.mode === 'standalone' && t.options, { host: '127.0.0.1', port: 6379, db: 0 });
      assert.equal(t.display, 'redis://127.0.0.1:6379/0');
    });

    it('port, db path, user and percent-encoded password', () => {
      const t = parseRedisUrl('redis://app:p%40ss%3Aw%2Frd@redis.internal:6380/3');
      assert.deepEqual(t.mode === 'standalone' && t.options, { host: 'redis.internal', port: 6380, db: 3, username: 'app', password: 'p@ss:w/rd' });
      assert.ok(!t.display.includes('p@ss') && !t.display.includes('app'), 'display carries no credentials');
    });

    it('password without user; trailing slash means db 0; scheme is case-insensitive', () => {
      const t = parseRedisUrl('REDIS://:secret@localhost:6379/');
      assert.deepEqual(t.mode === 'standalone' && t.options, { host: 'localhost', port: 6379, db: 0, password: 'secret' });
    });

    it('rediss:// enables TLS with SNI for host names, without for IP addresses', () => {
      const named = parseRedisUrl('rediss://cache.example.gov.tw:6380');
      assert.deepEqual(named.mode === 'standalone' && named.options.tls, { servername: 'cache.example.gov.tw' });
      const ip = parseRedisUrl('rediss://10.0.0.5');
      assert.deepEqual(ip.mode === 'standalone' && ip.options.tls, {});
      assert.equal(parseRedisUrl('redis://10.0.0.5').mode === 'standalone' && 'tls' in parseRedisUrl('redis://10.0.0.5').options, false);
    });

    it('IPv6 in brackets', () => {
      const t = parseRedisUrl('redis://[::1]:7000/1');
      assert.deepEqual(t.mode === 'standalone' && t.options, { host: '::1', port: 7000, db: 1 });
      assert.equal(t.display, 'redis://[::1]:7000/1');
    });
  });

  describe('redis+sentinel://', () => {
    it('several sentinels, master name, db from the query, default port 26379', () => {
      const t = parseRedisUrl('redis+sentinel://:pw@s1.example:26380,s2.example,[fd00::2]:26381/mymaster?db=2');
      assert.equal(t.mode, 'sentinel');
      assert.deepEqual(t.mode === 'sentinel' && t.options, {
        sentinels: [{ host: 's1.example', port: 26380 }, { host: 's2.example', port: 26379 }, { host: 'fd00::2', port: 26381 }],
        name: 'mymaster', db: 2, password: 'pw',
      });
      assert.equal(t.display, 'redis+sentinel://s1.example:26380,s2.example:26379,[fd00::2]:26381/mymaster?db=2');
    });

    it('db defaults to 0', () => {
      const t = parseRedisUrl('redis+sentinel://s1:26379/idp-master');
      assert.equal(t.mode === 'sentinel' && t.options.db, 0);
    });
  });

  describe('redis+cluster://', () => {
    it('seed nodes and credentials for every node', () => {
      const t = parseRedisUrl('redis+cluster://user:pw@n1:7000,n2:7001,10.1.1.3');
      assert.equal(t.mode, 'cluster');
      if (t.mode !== 'cluster') return;
      assert.deepEqual(t.nodes, [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }, { host: '10.1.1.3', port: 6379 }]);
      assert.deepEqual(t.options.redisOptions, { username: 'user', password: 'pw' });
      assert.equal(t.display, 'redis+cluster://n1:7000,n2:7001,10.1.1.3:6379');
    });
  });

  describe('malformed URLs → STORE_URL_INVALID naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      ['localhost:6379', /missing "<scheme>:\/\/"/],
      ['http://localhost', /unsupported scheme "http"/],
      ['redis+unix://x', /unsupported scheme/],
      ['redis://', /no host/],
      ['redis://:pw@', /no host/],
      ['redis://localhost:0', /port must be between 1 and 65535/],
      ['redis://localhost:65536', /port must be between 1 and 65535/],
      ['redis://localhost:63x9', /port must be a number/],
      ['redis://localhost:', /port must be a number/],
      ['redis://local_host', /not a valid host name/],
      ['redis://-bad.example', /not a valid host name/],
      ['redis://::1', /IPv6 addresses must be written in brackets/],
      ['redis://[::1', /missing its closing "\]"/],
      ['redis://[::1]x', /unexpected characters after the IPv6 address/],
      ['redis://[zz::1]:6379', /not an IPv6 address/],
      ['redis://[127.0.0.1]', /not an IPv6 address/],
      ['redis://a:1,b:2', /takes one host/],
      ['redis://localhost/abc', /path must be a database number/],
      ['redis://localhost/01', /path must be a database number/],
      ['redis://localhost/1/2', /path must be a database number/],
      ['redis://localhost?db=1', /take no query parameters \(got "db"\)/],
      ['redis://localhost#frag', /fragments/],
      ['redis://user@localhost', /credentials must be written as/],
      ['redis://user:@localhost', /password is empty/],
      ['redis://:%zz@localhost', /password has a malformed percent-encoding/],
      ['redis://local host', /whitespace or control characters/],
      ['redis://a,,b', /host #2 is empty/],
      ['redis+sentinel://s1:26379', /needs the master name/],
      ['redis+sentinel://s1:26379/', /needs the master name/],
      ['redis+sentinel://s1:26379/my/master', /master name may only contain/],
      ['redis+sentinel://s1:26379/m?db=x', /query parameter "db" must be a database number/],
      ['redis+sentinel://s1:26379/m?db=1&db=2', /given twice/],
      ['redis+sentinel://s1:26379/m?timeout=5', /unknown query parameter "timeout" \(allowed: db\)/],
      ['redis+cluster://n1:7000/0', /takes no path/],
      ['redis+cluster://n1:7000,n2:99999', /host #2: port must be between/],
      ['redis+cluster://n1:7000?x=1', /take no query parameters/],
    ];
    for (const [url, message] of cases) {
      it(`rejects ${JSON.stringify(url)}`, () => {
        assert.throws(() => parseRedisUrl(url), (err: { code?: string; message?: string }) => {
          assert.equal(err.code, 'STORE_URL_INVALID');
          assert.match(err.message ?? '', message);
          return true;
        });
      });
    }

    it('never repeats the password in the error message', () => {
      for (const url of ['redis://:Sup3rS3cret@bad_host', 'redis://:Sup3rS3cret@host:0', 'redis+sentinel://:Sup3rS3cret@h/', 'redis://u:Sup3rS3cret@h/x']) {
        assert.throws(() => parseRedisUrl(url), (err: Error) => !err.message.includes('Sup3rS3cret') && !err.message.includes('u:'));
      }
    });
  });
});
