import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerKeys } from '../../../src/cli/commands/keys.js';
import { loadConfig } from '../../../src/config/load.js';
import { loadOidcKeys } from '../../../src/oidc/keys.js';

describe('neid keys rotate (OIDC signing keys)', function () {
  this.timeout(60_000);
  it('--activate makes the staged OIDC keys current, and the old ones verify-only (previous)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'neid-keys-'));
    const out: string[] = [];
    const deps = { loadConfig: () => loadConfig({ env: { NEID_DEV_DATA_DIR: dataDir } }), out: (t: string) => out.push(t), err: (t: string) => out.push(`ERR ${t}`) };
    const run = (...args: string[]) => { const p = new Command(); p.exitOverride(); registerKeys(p, deps); return p.parseAsync(['node', 'neid', 'keys', ...args]); };
    await run('list');
    const dir = join(dataDir, 'keys');
    const before = loadOidcKeys(dir, { generate: false }).kids;
    const current = before.filter((k) => k.slot === 'current').map((k) => k.kid);
    const next = before.filter((k) => k.slot === 'next').map((k) => k.kid);
    assert.equal(next.length, 3, 'development stages next keys for every key type');
    await run('rotate', '--activate', '--purpose', 'oidc-signing');
    const after = loadOidcKeys(dir, { generate: false }).kids;
    assert.deepEqual(after.filter((k) => k.slot === 'current').map((k) => k.kid), next);
    assert.deepEqual(after.filter((k) => k.slot === 'previous').map((k) => k.kid), current);
    assert.ok(!out.some((l) => l.startsWith('ERR')), out.join('\n'));
    await run('rotate', '--stage', '--purpose', 'oidc-signing');
    assert.equal(loadOidcKeys(dir, { generate: false }).kids.filter((k) => k.slot === 'next').length, 3);
  });
});
