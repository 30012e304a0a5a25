/**
 * Full SAML login over real sockets: SP (our SP client: signed Redirect AuthnRequest with the
 * encrypted extension) → IdP /saml/sso → the reference eID client with a `tw` software card (TC Token,
 * TLS-PSK, PAOS, EAC) → RefreshAddress → IdP /saml/continue (browser cookie) → Response at the ACS,
 * decrypted by the SP: exactly the approved and consented attributes.
 */
import assert from 'node:assert/strict';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { STATUS_PREFIX } from '../../src/saml/namespaces.js';
import { fromHex } from '../../src/shared/bytes.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { samlEidWorld, type SamlEidWorld } from '../support/saml-eid.js';

const RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG4', 'READ_DG8', 'READ_DG17'];

function dgText(card: SoftwareCard, dg: number): string {
  const raw = card.toJSON().files.dataGroups[String(dg)] ?? '';
  return getProfile('tw').decodeDataGroup(dg, fromHex(raw)).value as string;
}

describe('e2e: SAML login SP → IdP → reference eID client (PAOS, software card) → IdP → SP', function () {
  this.timeout(180_000);
  let world: SamlEidWorld;

  before(async () => {
    world = await samlEidWorld({ profile: 'tw', rights: RIGHTS });
  });
  after(async () => {
    await world?.close();
  });

  const login = (deselect: string[]) => world.login({ relayState: 'e2e', deselect });

  it('tw: releases exactly the requested, approved and consented attributes', async () => {
    const { r, card } = await login([]);
    assert.equal(r.status, `${STATUS_PREFIX}Success`);
    assert.equal(r.relayState, 'e2e');
    assert.deepEqual(Object.keys(r.attributes).sort(), ['AgeVerification', 'ChineseName', 'DateOfBirth', 'DocumentValidity', 'HouseholdAddress']);
    assert.deepEqual(r.attributes.ChineseName?.values, [dgText(card, 4)]);
    assert.deepEqual(r.attributes.DateOfBirth?.values, [dgText(card, 8)]);
    assert.deepEqual(r.attributes.HouseholdAddress?.values, [dgText(card, 17)]);
    assert.match(r.attributes.DocumentValidity?.values[0] ?? '', /Status=valid/);
    assert.match(r.attributes.AgeVerification?.values[0] ?? '', /Result=true/);
  });

  it('tw: an optional attribute the citizen deselects is not released', async () => {
    const { r } = await login(['HouseholdAddress']);
    assert.equal(r.status, `${STATUS_PREFIX}Success`);
    assert.equal(r.attributes.HouseholdAddress, undefined);
    assert.ok(r.attributes.ChineseName);
  });
});
