/**
 * `neid bench login` as the real CLI: two complete SOAP-profile logins per phase (useID, TLS-PSK
 * PAOS with the software card, getResult) against the server in its child process, then the crypto
 * floor; the last line is the server-CPU/floor ratio.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function neid(...args: string[]) {
  return spawnSync(process.execPath, ['bin/neid.mjs', ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, NEID_FROM_SOURCE: '1' } });
}

describe('e2e: neid bench login', function () {
  this.timeout(120_000);

  it('runs -n 2 logins sequentially and concurrently and prints the ratio line last', () => {
    const r = neid('bench', 'login', '-n', '2', '-c', '2');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines.find((l) => l.startsWith('sequential')) ?? '', /^sequential \(c=1\)\s+2 logins\s+[\d.]+ logins\/s\s+p50\s+[\d.]+ ms\s+p99\s+[\d.]+ ms\s+server CPU [\d.]+ ms\/login/);
    assert.match(lines.find((l) => l.startsWith('concurrent')) ?? '', /^concurrent \(c=2\)\s+2 logins/);
    assert.match(r.stdout, /TLS-PSK premaster \(RSA-3072 decrypt\)/);
    const last = /^ratio server-CPU\/floor (\d+\.\d{2})$/.exec(lines.at(-1) ?? '');
    assert.ok(last, `last line: ${lines.at(-1)}`);
    const ratio = Number(last[1]);
    // The server does at least the floor's operations per login (and more: parsing, XML, TLS records).
    assert.ok(ratio >= 1 && Number.isFinite(ratio), `ratio ${ratio}`);
  });

  it('refuses an unknown benchmark and a bad -n with exit code 2', () => {
    assert.equal(neid('bench', 'nothing').status, 2);
    assert.equal(neid('bench', 'login', '-n', '0').status, 2);
  });
});
