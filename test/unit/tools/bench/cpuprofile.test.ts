/** tools/bench/cpuprofile.ts on a hand-made profile: owner, self and inclusive sums, idle left out. */
import assert from 'node:assert/strict';
import { summarize } from '../../../../tools/bench/cpuprofile.js';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber: 0 }, children });
// (root) → handler (src/a.ts) → sign (node:crypto) ; (root) → parse (node_modules/lib) ; (root) → (idle)
const profile = {
  nodes: [
    frame(1, '(root)', '', [2, 4, 5]),
    frame(2, 'handler', 'file:///work/main/src/a.ts', [3]),
    frame(3, 'sign', 'node:internal/crypto/sig'),
    frame(4, 'parse', 'file:///work/main/node_modules/lib/index.js'),
    frame(5, '(idle)', ''),
  ],
  samples: [2, 3, 3, 4, 5, 5],
  timeDeltas: [1000, 2000, 2000, 3000, 9000, 9000],
};

describe('tools/bench cpuprofile summarize', () => {
  it('owner: library and node time charged to the nearest src/ frame, the rest outside src; idle not counted', () => {
    const { totalMs, rows } = summarize(profile, 'owner');
    assert.equal(totalMs, 8);
    assert.deepEqual(rows, [['src/a.ts', 5], ['(outside src) parse lib/index.js', 3]]);
  });

  it('self and inclusive per function', () => {
    assert.deepEqual(summarize(profile, 'self').rows, [['sign node:internal/crypto/sig', 4], ['parse lib/index.js', 3], ['handler src/a.ts', 1]]);
    const inclusive = new Map(summarize(profile, 'inclusive').rows);
    assert.equal(inclusive.get('handler src/a.ts'), 5);
    assert.equal(inclusive.get('(root) '), 8);
  });
});
