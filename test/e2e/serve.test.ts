/**
 * `neid serve` as a process: starts on the embedded defaults, refuses bad configuration with exit 2,
 * follows Redis going away and coming back in /readyz without a restart, stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpStatus, logRecords, spawnCli, startRedis, stopProcess, waitFor } from '../support/processes.js';

async function ports() {
  return { NEID_HTTP_PORT: String(await freePort()), NEID_ADMIN_PORT: String(await freePort()), NEID_EID_PORT: String(await freePort()), NEID_SOAP_PORT: String(await freePort()), NEID_DEV_DEMO_SP_PORT: String(await freePort()) };
}

describe('neid serve (process)', function () {
  this.timeout(60_000);

  it('serves /healthz within 20 s on the in-memory store and exits 0 on SIGTERM', async () => {
    const env = await ports();
    const idp = spawnCli(['serve'], env);
    try {
      const started = Date.now();
      await waitFor(async () => ((await httpStatus(`http://127.0.0.1:${env.NEID_HTTP_PORT}/healthz`)) === 200 ? true : undefined), 20_000);
      assert.ok(Date.now() - started < 20_000);
      const listening = logRecords(idp).find((r) => r.port === Number(env.NEID_HTTP_PORT));
      assert.equal(listening?.store, 'memory');
      assert.ok(logRecords(idp).some((r) => r.level === 40 && r.store === 'memory'), 'a warning record says the in-memory store is in use');
    } finally {
      idp.child.kill('SIGTERM');
    }
    assert.deepEqual(await idp.exited, { code: 0, signal: null });
  });

  it('exits with code 2 and names the key on an invalid setting', async () => {
    const idp = spawnCli(['serve'], { NEID_HTTP_PORT: 'abc' });
    const { code } = await idp.exited;
    assert.equal(code, 2);
    assert.match(idp.stderr.join(''), /http\.port \(from NEID_HTTP_PORT\)/);
  });

  it('exits with code 2 naming file and field when a registry file is malformed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-registry-'));
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken-service\nmaxConcurrentSessions: many\n');
    const idp = spawnCli(['serve'], { ...(await ports()), NEID_REGISTRY_DIR: dir });
    const { code } = await idp.exited;
    assert.equal(code, 2);
    assert.match(idp.stderr.join(''), /broken\.yaml/);
    assert.match(idp.stderr.join(''), /maxConcurrentSessions/);
  });

  it('with NEID_REDIS_URL, /readyz turns 503 within 5 s of Redis stopping and 200 after it restarts', async () => {
    const redisPort = await freePort();
    let redis = startRedis(redisPort);
    const env = { ...(await ports()), NEID_REDIS_URL: `redis://127.0.0.1:${redisPort}` };
    const ready = `http://127.0.0.1:${env.NEID_HTTP_PORT}/readyz`;
    const idp = spawnCli(['serve'], env);
    try {
      await waitFor(async () => ((await httpStatus(ready)) === 200 ? true : undefined), 20_000);
      const listening = logRecords(idp).find((r) => r.port === Number(env.NEID_HTTP_PORT));
      assert.equal(listening?.store, 'redis');

      await stopProcess(redis, 'SIGKILL');
      const stopped = Date.now();
      await waitFor(async () => ((await httpStatus(ready)) === 503 ? true : undefined), 5_000, 50);
      assert.ok(Date.now() - stopped <= 5_000);
      assert.equal(await httpStatus(`http://127.0.0.1:${env.NEID_HTTP_PORT}/healthz`), 200, 'liveness is not readiness');

      redis = startRedis(redisPort);
      await waitFor(async () => ((await httpStatus(ready)) === 200 ? true : undefined), 10_000, 100);
      assert.equal(idp.child.exitCode, null, 'same process, no restart');
    } finally {
      idp.child.kill('SIGTERM');
      await idp.exited;
      await stopProcess(redis, 'SIGKILL');
    }
  });
});
