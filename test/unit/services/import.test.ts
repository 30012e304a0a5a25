import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MAX_SERVICE_FILE_BYTES, RegistryFileError, importServices, loadServiceFiles, parseServiceFile } from '../../../src/services/import.js';
import { newRegistry, sample } from './samples.js';

const FILE = 'config/services/demo-saml.yaml';
const original = readFileSync(FILE, 'utf8');

/** The problems parseServiceFile reports for a text (fails the test when it parses). */
function problems(text: string, file = FILE): readonly string[] {
  try {
    parseServiceFile(file, text);
  } catch (err) {
    assert.ok(err instanceof RegistryFileError, String(err));
    assert.equal(err.code, 'REGISTRY_FILE_INVALID');
    return err.problems;
  }
  assert.fail('expected the file to be refused');
}

describe('config/services/*.yaml import', () => {
  describe('YAML errors with file:line:col', () => {
    it('syntax error', () => {
      const text = original.replace('  zh: 戶籍謄本線上申請（示範）', '  zh: [戶籍謄本線上申請');
      const [first] = problems(text);
      assert.match(first ?? '', /^config\/services\/demo-saml\.yaml:\d+:\d+: /);
    });

    it('duplicate keys are errors, with the position of the second key', () => {
      const text = original.replace('maxConcurrentSessions: 200\n', 'maxConcurrentSessions: 200\nmaxConcurrentSessions: 100000\n');
      const line = text.split('\n').findIndex((l) => l === 'maxConcurrentSessions: 100000') + 1;
      assert.deepEqual(problems(text), [`${FILE}:${line}:1: Map keys must be unique (duplicate key)`]);
    });

    it('tabs for indentation', () => {
      assert.match(problems('id: x\nnames:\n\tzh: a\n')[0] ?? '', /^config\/services\/demo-saml\.yaml:3:1: /);
    });

    it('unknown tags and alias bombs', () => {
      assert.match(problems('id: !!js/function "x"\n')[0] ?? '', /^config\/services\/demo-saml\.yaml:1:\d+: .*tag/i);
      const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
      assert.match(problems(bomb)[0] ?? '', /^config\/services\/demo-saml\.yaml: .*[Aa]lias/);
    });

    it('empty files and non-mappings', () => {
      assert.deepEqual(problems(''), [`${FILE}: empty file; expected a service mapping or a list of them`]);
      assert.deepEqual(problems('[]'), [`${FILE}: empty list; expected at least one service`]);
      assert.deepEqual(problems('just a string'), [`${FILE}: (root): expected a service mapping`]);
      assert.deepEqual(problems('- 1\n'), [`${FILE}: [0]: expected a service mapping`]);
    });
  });

  describe('schema errors name file, path and problem (and where)', () => {
    it('wrong https URL: the example message of the brief', () => {
      const text = original.replace('      - http://localhost:3100/demo-saml/acs', '      - http://sp.example.gov.tw/acs');
      const line = text.split('\n').findIndex((l) => l.includes('http://sp.example.gov.tw/acs')) + 1;
      assert.deepEqual(problems(text), [`${FILE}: protocols.saml.acs[0]: expected an https URL (http only for loopback; no fragment, no credentials) (at ${line}:9)`]);
    });

    it('wrong types', () => {
      const text = original.replace('maxConcurrentSessions: 200', 'maxConcurrentSessions: lots');
      assert.match(problems(text)[0] ?? '', /^config\/services\/demo-saml\.yaml: maxConcurrentSessions: Invalid input: expected number, received string \(at \d+:24\)$/);
    });

    it('unknown field, pointing at the key', () => {
      const text = original.replace('maxConcurrentSessions: 200', 'maxConcurrentSessions: 200\nmaxSessions: 5');
      const line = text.split('\n').findIndex((l) => l === 'maxSessions: 5') + 1;
      assert.deepEqual(problems(text), [`${FILE}: maxSessions: unknown field (at ${line}:1)`]);
    });

    it('bad CIDR', () => {
      const text = original.replace('  - 192.0.2.0/28', '  - 192.0.2.1/28');
      assert.match(problems(text)[0] ?? '', /^config\/services\/demo-saml\.yaml: ipAllowList\[2\]: host bits set in 192\.0\.2\.1\/28; use 192\.0\.2\.0\/28 .* \(at \d+:5\)$/);
    });

    it('bad business number, quoted and unquoted', () => {
      assert.match(problems(original.replace('businessNumber: "04595252"', 'businessNumber: "04595253"'))[0] ?? '', /^config\/services\/demo-saml\.yaml: agency\.businessNumber: checksum of the 統一編號 is wrong/);
      assert.match(problems(original.replace('businessNumber: "04595252"', 'businessNumber: 04595252'))[0] ?? '', /^config\/services\/demo-saml\.yaml: agency\.businessNumber: expected the 8-digit 統一編號 as a string \(quote it in YAML/);
    });

    it('a missing field points at its parent', () => {
      const text = original.replace(/\n {4}email: demo-saml-deputy@example\.gov\.tw/, '');
      const line = text.split('\n').findIndex((l) => l === '  deputy:') + 2;
      assert.match(problems(text)[0] ?? '', new RegExp(`^config/services/demo-saml\\.yaml: contacts\\.deputy\\.email: required \\(at ${line}:5\\)$`));
    });

    it('several problems are all reported; list files prefix the index', () => {
      const a = sample('demo-saml');
      const b = sample('demo-oidc');
      b.id = 'Bad Id';
      b.ipAllowList = ['10.0.0.0/33'];
      const found = problems(stringify([a, b]), 'list.yaml');
      assert.deepEqual(found.map((p) => p.replace(/ \(at \d+:\d+\)$/, '')), [
        'list.yaml: [1].id: expected a slug: lowercase letters, digits and inner hyphens, at most 64 characters',
        'list.yaml: [1].ipAllowList[0]: prefix length must be 0..32, got "33"',
      ]);
    });
  });

  describe('directories', () => {
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'neid-registry-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('a broken file stops the whole import before anything is written', async () => {
      writeFileSync(join(dir, 'a.yaml'), stringify(sample('demo-oidc')));
      writeFileSync(join(dir, 'b.yml'), 'id: [\n');
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      const { registry } = newRegistry();
      await assert.rejects(importServices(registry, { dir }), (err: unknown) => err instanceof RegistryFileError && err.problems.length === 1 && err.problems[0]!.includes('b.yml:'));
      assert.deepEqual(await registry.list(), []);
    });

    it('the same id in two files is an error naming both', () => {
      writeFileSync(join(dir, 'a.yaml'), stringify(sample('demo-oidc')));
      writeFileSync(join(dir, 'b.yaml'), stringify([sample('demo-oidc')]));
      assert.throws(() => loadServiceFiles(dir), (err: unknown) => err instanceof RegistryFileError && /b\.yaml: id demo-oidc is also defined in .*a\.yaml$/.test(err.problems[0] ?? ''));
    });

    it('oversized files and a missing directory', () => {
      writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(MAX_SERVICE_FILE_BYTES)}\n`);
      assert.throws(() => loadServiceFiles(dir), { code: 'REGISTRY_FILE_INVALID', message: /exceeds the limit/ });
      assert.throws(() => loadServiceFiles(join(dir, 'absent')), { code: 'REGISTRY_FILE_INVALID', message: /cannot read the registry directory \(ENOENT\)/ });
    });

    it('a list file imports several services; a second run is unchanged', async () => {
      writeFileSync(join(dir, 'all.yaml'), stringify([sample('demo-oidc'), sample('demo-soap')]));
      const { registry } = newRegistry();
      assert.deepEqual(await importServices(registry, { dir, by: 'ops' }), { created: ['demo-oidc', 'demo-soap'], updated: [], unchanged: [] });
      writeFileSync(join(dir, 'all.yaml'), stringify([sample('demo-oidc'), { ...sample('demo-soap'), maxConcurrentSessions: 1 }]));
      assert.deepEqual(await importServices(registry, { dir, by: 'ops' }), { created: [], updated: ['demo-soap'], unchanged: ['demo-oidc'] });
      assert.equal((await registry.get('demo-soap')).statusHistory[0]?.by, 'ops');
    });
  });
});
