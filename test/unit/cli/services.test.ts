import assert from 'node:assert/strict';
import { Command } from 'commander';
import { parse } from 'yaml';
import { registerServices, type ServicesCommandDeps } from '../../../src/cli/commands/services.js';
import type { Config } from '../../../src/config/load.js';
import { createStore } from '../../../src/session/store/index.js';
import type { Store } from '../../../src/session/store/store.js';
import { sample } from '../services/samples.js';

function harness(dir = 'config/services'): { run: (...args: string[]) => Promise<void>; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const deps: ServicesCommandDeps = {
    loadConfig: () => ({ registry: { dir, importOnStart: false }, store: { redisUrl: '', keyPrefix: 'neid:' } }) as unknown as Config,
    createStore: (): Store => createStore({}),
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  };
  const run = async (...args: string[]): Promise<void> => {
    const program = new Command('neid').exitOverride();
    registerServices(program, deps);
    await program.parseAsync(['node', 'neid', ...args]);
  };
  return { run, out, err };
}

describe('neid services', () => {
  afterEach(() => { process.exitCode = undefined; });

  it('list shows the declared services as a table, --json as records', async () => {
    const h = harness();
    await h.run('services', 'list');
    const [table] = h.out;
    assert.match(table ?? '', /^ID {9}STATE {3}PROFILE {2}PROTOCOLS {2}APPROVED ATTRIBUTES\n/);
    assert.match(table ?? '', /\ndemo-saml {2}active {2}tw {7}saml {7}ChineseName,NationalIdNumber,DateOfBirth,HouseholdAddress,Sex,RestrictedID,AgeVerification\n/);
    assert.match(h.err[0] ?? '', /in-memory store/);
    await h.run('services', 'list', '--json');
    assert.deepEqual((JSON.parse(h.out[1] ?? '') as { id: string }[]).map((r) => r.id), ['demo-oidc', 'demo-saml', 'demo-soap']);
  });

  it('show prints the definition as YAML (equal to the file) plus history', async () => {
    const h = harness();
    await h.run('services', 'show', 'demo-soap');
    const shown = parse(h.out[0] ?? '') as Record<string, unknown>;
    const { revision, createdAt, updatedAt, statusHistory, ...definition } = shown;
    assert.equal(revision, 1);
    assert.equal(typeof createdAt, 'string');
    assert.equal(updatedAt, createdAt);
    assert.equal((statusHistory as unknown[]).length, 1);
    assert.deepEqual(definition, sample('demo-soap'));
  });

  it('show of an unknown id fails with exit code 1', async () => {
    const h = harness();
    await h.run('services', 'show', 'nope');
    assert.equal(process.exitCode, 1);
    assert.equal(h.err.at(-1), 'error: no eService "nope"');
  });

  it('import prints the summary; a broken directory reports the file problems', async () => {
    const h = harness();
    await h.run('services', 'import');
    assert.equal(h.out[0], 'created 3 (demo-oidc, demo-saml, demo-soap), updated 0, unchanged 0');
    const bad = harness('test/unit/cli/does-not-exist');
    await bad.run('services', 'import');
    assert.equal(process.exitCode, 1);
    assert.match(bad.err.at(-1) ?? '', /^error: test\/unit\/cli\/does-not-exist: cannot read the registry directory \(ENOENT\)$/);
  });
});
