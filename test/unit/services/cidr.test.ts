import assert from 'node:assert/strict';
import { allowListContains, cidrContains, parseCidr, type Cidr } from '../../../src/services/cidr.js';

function ok(text: string): Cidr {
  const r = parseCidr(text);
  assert.ok(r.ok, `${text}: ${r.ok ? '' : r.problem}`);
  return r.cidr;
}

function problem(text: string): string {
  const r = parseCidr(text);
  assert.ok(!r.ok, `${text} should be refused`);
  return r.problem;
}

describe('rfc4632 / rfc4291 CIDR allow-list entries', () => {
  it('parses IPv4 and IPv6 prefixes and bare addresses', () => {
    assert.deepEqual(ok('192.0.2.0/24'), { family: 4, network: 0xc0000200n, prefix: 24 });
    assert.deepEqual(ok('198.51.100.7'), { family: 4, network: 0xc6336407n, prefix: 32 });
    assert.deepEqual(ok('0.0.0.0/0'), { family: 4, network: 0n, prefix: 0 });
    assert.deepEqual(ok('2001:db8::/32'), { family: 6, network: 0x20010db8n << 96n, prefix: 32 });
    assert.deepEqual(ok('::1'), { family: 6, network: 1n, prefix: 128 });
    assert.deepEqual(ok('::ffff:192.0.2.1/128'), { family: 6, network: (0xffffn << 32n) | 0xc0000201n, prefix: 128 });
  });

  it('refuses host bits under the prefix and names the network', () => {
    assert.match(problem('192.0.2.1/24'), /host bits set in 192\.0\.2\.1\/24; use 192\.0\.2\.0\/24/);
    assert.match(problem('2001:db8::1/64'), /use 2001:db8::\/64/);
  });

  it('refuses malformed entries', () => {
    assert.match(problem('192.0.2.0/33'), /prefix length must be 0\.\.32/);
    assert.match(problem('2001:db8::/129'), /prefix length must be 0\.\.128/);
    assert.match(problem('192.0.2.0/024'), /prefix length/);
    assert.match(problem('192.0.2.0/'), /prefix length/);
    assert.match(problem('192.0.2.0/-1'), /prefix length/);
    for (const bad of ['256.0.0.1', '192.0.2', '192.0.2.0.1/32', 'example.gov.tw', '', 'fe80::1%eth0', '2001:db8:::1', ' 192.0.2.1']) {
      assert.match(problem(bad), /expected an IPv4 or IPv6 address or CIDR prefix/, bad);
    }
  });

  it('matches addresses of the same family, incl. IPv4-mapped IPv6 clients', () => {
    const v4 = ok('192.0.2.0/28');
    assert.equal(cidrContains(v4, '192.0.2.15'), true);
    assert.equal(cidrContains(v4, '192.0.2.16'), false);
    assert.equal(cidrContains(v4, '::ffff:192.0.2.3'), true);
    assert.equal(cidrContains(v4, '2001:db8::1'), false);
    const v6 = ok('2001:db8:10::/48');
    assert.equal(cidrContains(v6, '2001:db8:10:ffff::1'), true);
    assert.equal(cidrContains(v6, '2001:db8:11::1'), false);
    assert.equal(cidrContains(v6, '192.0.2.1'), false);
    assert.equal(cidrContains(v6, 'not-an-ip'), false);
    assert.equal(allowListContains(['127.0.0.1/32', '2001:db8:10::/48'], '2001:db8:10::5'), true);
    assert.equal(allowListContains(['127.0.0.1/32'], '127.0.0.2'), false);
    assert.equal(allowListContains([], '127.0.0.1'), false);
  });
});
