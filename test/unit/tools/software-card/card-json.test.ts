import assert from 'node:assert/strict';
import { SoftwareCard } from '../../../../tools/software-card/software-card.js';
import { decodeSecurityInfos } from '../../../../src/eid/eac/security-infos.js';
import { fromHex } from '../../../../src/shared/bytes.js';
import { makeCardJson, makePki } from './fixture.js';

describe('software card: card.json (issuing output, load/save)', () => {
  const pki = makePki();
  const json = makeCardJson(pki);

  it('toJSON → fromJSON round-trips exactly', () => {
    const card = SoftwareCard.fromJSON(JSON.parse(JSON.stringify(json)));
    assert.deepEqual(card.toJSON(), json);
  });

  it('toJSON is a copy: changing it does not change the card', () => {
    const card = SoftwareCard.fromJSON(json);
    card.toJSON().pinRetryCounter = 0;
    assert.equal(card.toJSON().pinRetryCounter, 3);
  });

  const broken: [string, (j: Record<string, unknown>) => void][] = [
    ['wrong format tag', (j) => { j.format = 'other/1'; }],
    ['unknown field', (j) => { j.extra = 1; }],
    ['PIN of 5 digits', (j) => { (j.passwords as Record<string, string>).pin = '12345'; }],
    ['retry counter 4', (j) => { j.pinRetryCounter = 4; }],
    ['upper-case hex', (j) => { (j.files as Record<string, string>).cardAccess = 'AB'; }],
    ['DG 23', (j) => { ((j.files as Record<string, unknown>).dataGroups as Record<string, string>)['23'] = '00'; }],
    ['no trust point', (j) => { j.trustPoints = []; }],
    ['bad date', (j) => { j.currentDate = '2026/06/01'; }],
  ];
  for (const [name, mutate] of broken) {
    it(`rejects ${name} with SOFTCARD_JSON_INVALID`, () => {
      const copy = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
      mutate(copy);
      assert.throws(() => SoftwareCard.fromJSON(copy), { code: 'SOFTCARD_JSON_INVALID' });
    });
  }

  it('EF.CardAccess holds PACEInfo v2, CA v2 info + domain parameters, TA v2; the CA public key only in EF.CardSecurity', () => {
    const access = decodeSecurityInfos(fromHex(json.files.cardAccess)).map((i) => i.type).sort();
    assert.deepEqual(access, ['ChipAuthenticationDomainParameterInfo', 'ChipAuthenticationInfo', 'PACEInfo', 'TerminalAuthenticationInfo']);
    const security = decodeSecurityInfos(fromHex(json.files.cardSecurity));
    const pk = security.find((i) => i.type === 'ChipAuthenticationPublicKeyInfo');
    assert.ok(pk !== undefined && pk.type === 'ChipAuthenticationPublicKeyInfo');
    assert.equal(pk.publicKey.toString('hex'), json.chipAuthentication[0]!.publicKey);
    assert.equal(security.filter((i) => i.type === 'RestrictedIdentificationInfo').length, 2);
  });
});
