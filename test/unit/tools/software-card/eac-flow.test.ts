import assert from 'node:assert/strict';
import { readBinarySfi } from '../../../../src/eid/card/commands/read-binary.js';
import { selectApplication } from '../../../../src/eid/card/commands/select.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { getProfile } from '../../../../src/eid/profiles/index.js';
import { fromHex } from '../../../../src/shared/bytes.js';
import { makePki, TestTerminal } from './fixture.js';

describe('software card: EAC happy path (TR-03110-2 §3.2–§3.4)', () => {
  const pki = makePki();

  it('PACE-PIN with CHAT → TA v2 → CA v2 → SELECT eID → READ BINARY DG4 under the CA keys', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    assert.deepEqual(t.cars, ['TWCVCA00001']);
    assert.equal(t.sw(selectApplication()), SW.SUCCESS);
    const r = t.send(readBinarySfi(4));
    assert.equal(r.sw, SW.SUCCESS);
    assert.deepEqual(r.data, fromHex(t.json.files.dataGroups['4'] as string));
    assert.equal(getProfile('tw').decodeDataGroup(4, r.data).value, '陳𠀋安');
  });
});
