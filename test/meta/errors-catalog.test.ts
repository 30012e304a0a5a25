/**
 * Keeps the error catalog and the code in sync (fastify errors.test.js idea): every code is used by
 * the sources, every code used by the sources is in the catalog, every wire value is well-formed,
 * and docs/errors.md is the rendering of the catalog.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG, isErrorCode } from '../../src/errors/index.js';
import { renderErrorDocs } from '../../tools/error-docs.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const sources = [...sourceFiles('src'), ...sourceFiles('tools')].filter((f) => !f.startsWith(join('src', 'errors', 'catalog')));
const text = sources.map((f) => readFileSync(f, 'utf8')).join('\n');

describe('error catalog', () => {
  it('every code is used somewhere in src/ or tools/ (no stale codes)', () => {
    const unused = Object.keys(CATALOG).filter((code) => !new RegExp(`['"\`]${code}['"\`]`).test(text));
    assert.deepEqual(unused, []);
  });

  it('every code thrown in the sources exists in the catalog', () => {
    // new XxxError('CODE', …) and { code: 'CODE' } are the two ways code names a catalog entry.
    const used = new Set<string>();
    for (const m of text.matchAll(/new [A-Z][A-Za-z]*Error\(\s*'([A-Z][A-Z0-9_]+)'/g)) if (m[1]) used.add(m[1]);
    const unknown = [...used].filter((code) => !isErrorCode(code));
    assert.deepEqual(unknown, []);
  });

  it('wire values are well-formed', () => {
    for (const [code, e] of Object.entries(CATALOG)) {
      assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, code);
      assert.ok(e.http >= 200 && e.http <= 599, `${code} http`);
      if (e.ecardMinor !== null) assert.match(e.ecardMinor, /^\/(al|dp|il|sal|ifdl)(\/[A-Za-z]+)?#[A-Za-z]+$/, `${code} ecardMinor`);
      if (e.eidMinor !== null) assert.match(e.eidMinor, /^(common|useID|getResult|getServerInfo)#[A-Za-z]+$/, `${code} eidMinor`);
      if (e.oidc !== null) assert.match(e.oidc, /^[a-z_]+$/, `${code} oidc`);
      assert.ok(e.summary.length > 5, `${code} summary`);
    }
  });

  it('docs/errors.md is the rendering of the catalog (run npm run docs:errors)', () => {
    assert.equal(readFileSync('docs/errors.md', 'utf8'), renderErrorDocs());
  });
});
