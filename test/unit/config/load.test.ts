import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';

function configDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'neid-config-'));
  mkdirSync(dir, { recursive: true });
  copyFileSync('config/default.yaml', join(dir, 'default.yaml'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function configErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.equal((err as { code?: unknown }).code, 'CONFIG_INVALID');
    return (err as Error).message;
  }
  assert.fail('expected a configuration error');
}

describe('config/load', () => {
  it('loads the embedded defaults (in-memory store, tw profile, documented ports)', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.store.redisUrl, '');
    assert.equal(config.profile, 'tw');
    assert.deepEqual([config.http.port, config.admin.port, config.eid.port, config.soap.port], [3000, 3001, 3443, 3444]);
  });

  it('environment variables override any key, converted to the key type', () => {
    const config = loadConfig({ env: { NEID_HTTP_PORT: '4100', NEID_STORE_KEY_PREFIX: 'x:', NEID_REGISTRY_IMPORT_ON_START: 'false', NEID_REDIS_URL: 'redis://127.0.0.1:6380' } });
    assert.equal(config.http.port, 4100);
    assert.equal(config.store.keyPrefix, 'x:');
    assert.equal(config.registry.importOnStart, false);
    assert.equal(config.store.redisUrl, 'redis://127.0.0.1:6380');
  });

  it('a non-numeric port names the key, the variable and what was expected', () => {
    const message = configErrorMessage(() => loadConfig({ env: { NEID_HTTP_PORT: 'abc' } }));
    assert.match(message, /http\.port \(from NEID_HTTP_PORT\): .*expected number.*"abc"/);
  });

  it('out-of-range and malformed values are refused with the key', () => {
    assert.match(configErrorMessage(() => loadConfig({ env: { NEID_HTTP_PORT: '70000' } })), /http\.port/);
    assert.match(configErrorMessage(() => loadConfig({ env: { NEID_REDIS_URL: 'http://redis' } })), /store\.redisUrl \(from NEID_REDIS_URL\)/);
    assert.match(configErrorMessage(() => loadConfig({ env: { NEID_PROFILE: 'fr' } })), /profile/);
    assert.match(configErrorMessage(() => loadConfig({ env: { NEID_DEV_ENABLED: 'maybe' } })), /dev\.enabled/);
  });

  it('the <NODE_ENV>.yaml overlay applies, and production without Redis is refused', () => {
    const dir = configDir({ 'staging.yaml': 'http:\n  port: 8080\n' });
    assert.equal(loadConfig({ dir, env: { NODE_ENV: 'staging' } }).http.port, 8080);
    assert.match(configErrorMessage(() => loadConfig({ env: { NODE_ENV: 'production' } })), /store\.redisUrl: required when dev\.enabled is false/);
    assert.match(configErrorMessage(() => loadConfig({ env: { NODE_ENV: 'production', NEID_REDIS_URL: 'redis://127.0.0.1:6379' } })), /store\.dataKey: required/);
    const production = loadConfig({ env: { NODE_ENV: 'production', NEID_REDIS_URL: 'redis://127.0.0.1:6379', NEID_STORE_DATA_KEY: 'ab'.repeat(32) } });
    assert.equal(production.dev.enabled, false);
    assert.equal(production.registry.dir, '/etc/neid/services');
  });

  it('unknown keys (typos) and YAML syntax errors name the file or key', () => {
    assert.match(configErrorMessage(() => loadConfig({ dir: configDir({ 'x.yaml': 'http:\n  prot: 1\n' }), env: { NODE_ENV: 'x' } })), /http.*prot/);
    assert.match(configErrorMessage(() => loadConfig({ dir: configDir({ 'y.yaml': 'http: [1,\n' }), env: { NODE_ENV: 'y' } })), /y\.yaml/);
    assert.match(configErrorMessage(() => loadConfig({ dir: configDir({ 'z.yaml': 'a: 1\na: 2\n' }), env: { NODE_ENV: 'z' } })), /z\.yaml/);
    assert.match(configErrorMessage(() => loadConfig({ env: { NODE_ENV: '../etc' } })), /NODE_ENV/);
  });
});

describe('config/load: Redis URL', () => {
  it('a Redis URL the store cannot use is a configuration error naming the key', () => {
    assert.throws(() => loadConfig({ env: { NEID_REDIS_URL: 'redis+sentinel://127.0.0.1:26379' } }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, /store\.redisUrl \(from NEID_REDIS_URL\)/);
      return true;
    });
  });
});
