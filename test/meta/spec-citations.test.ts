/**
 * Every protocol file names the specification it implements (`@spec`), every short name it uses is in
 * docs/specs.md, and the module map there is current.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderSpecDoc, shortNames, sourceFiles, SPEC_DOC, specTags } from '../../tools/spec-docs.js';

const PROTOCOL_DIRS = ['src/eid/card', 'src/eid/eac', 'src/pki'];

describe('spec citations', () => {
  const doc = readFileSync(SPEC_DOC, 'utf8');
  const known = shortNames(doc);

  it('every protocol source file carries an @spec tag', () => {
    const missing = PROTOCOL_DIRS.flatMap(sourceFiles)
      .filter((f) => !/(^|\/)(index|errors|types)\.ts$/.test(f))
      .filter((f) => specTags(readFileSync(f, 'utf8')).length === 0);
    assert.deepEqual(missing, []);
  });

  it('every @spec short name is listed in docs/specs.md', () => {
    const unknown = new Set<string>();
    for (const file of ['src', 'tools'].flatMap(sourceFiles)) {
      for (const tag of specTags(readFileSync(file, 'utf8'))) {
        // Each ;/,-separated item starts with a short name, a § continuing the previous one, or a
        // reference to SPEC.md / a seed document; parenthesised remarks are free text.
        let text = tag.split(' — ')[0] ?? '';
        for (let before = ''; before !== text; ) [before, text] = [text, text.replace(/\([^()]*\)/g, '')];
        for (const item of text.split(/[;,]/)) {
          const first = item.trim().split(/\s+/)[0] ?? '';
          // Only tokens shaped like short names are checked; §-continuations, SPEC/seed references and free text are not.
          if (!/^[a-z][a-z0-9-]*$/.test(first) || first === 'seed') continue;
          if (!known.has(first)) unknown.add(`${file}: ${first}`);
        }
      }
    }
    assert.deepEqual([...unknown], []);
  });

  it('the module map in docs/specs.md is current (run npm run docs:specs)', () => {
    assert.equal(doc, renderSpecDoc(doc));
  });
});
