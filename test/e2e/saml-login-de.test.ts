/**
 * Full SAML login in the `de` profile over real sockets: a de eService registered for SAML with the
 * TR-03130-1 attribute names (GivenNames, FamilyNames, …) → signed Redirect AuthnRequest with the
 * encrypted extension → IdP /saml/sso → the reference eID client with a de software card issued from
 * test/fixtures/persons/de-citizen.json (TC Token, TLS-PSK, PAOS, EAC) → RefreshAddress → IdP
 * /saml/continue (browser cookie) → Response at the ACS, decrypted by the SP: exactly the approved and
 * consented attributes; a requested data group the card lacks comes back as AttributeNotOnChip. The
 * decrypted assertion is also validated against the OASIS SAML 2.0 + TR-03130 schemas (xmllint).
 *
 * @spec tr03130-1 §4.3 (AuthnRequestExtension), §4.3.1 (attribute names), §4.9 (Response, AttributeNotOnChip); SPEC §5.2
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import type { RequestedAttributeSpec } from '../../src/saml/demo/sp-client.js';
import { STATUS_PREFIX } from '../../src/saml/namespaces.js';
import { fromHex } from '../../src/shared/bytes.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { personJson } from '../support/eac-world.js';
import { samlEidWorld, type SamlEidWorld } from '../support/saml-eid.js';
import type { SamlWorld } from '../support/saml.js';
import { pageCode, redirectPath, responseOf, statusCode } from '../support/saml-requests.js';
import { validateTr03130 } from '../support/tr03130-schema.js';

const RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'READ_DG4', 'READ_DG5', 'READ_DG8', 'READ_DG17', 'READ_DG20'];

/** Requested: within the approval, ResidencePermitII (DG20) is not on Erika's card. */
const ATTRIBUTES: RequestedAttributeSpec[] = [
  { name: 'GivenNames', required: true },
  { name: 'FamilyNames', required: true },
  { name: 'DateOfBirth', required: true },
  { name: 'PlaceOfResidence', required: false },
  { name: 'ResidencePermitII', required: false },
  { name: 'AgeVerification', required: true, value: '18' },
];

function dgValue(card: SoftwareCard, dg: number): unknown {
  const raw = card.toJSON().files.dataGroups[String(dg)];
  assert.ok(raw !== undefined, `DG${dg} on the card`);
  return getProfile('de').decodeDataGroup(dg, fromHex(raw)).value;
}

describe('e2e: SAML login in the de profile (TR-03130 attribute names, de software card)', function () {
  this.timeout(180_000);
  let world: SamlEidWorld;
  let w: SamlWorld;

  before(async () => {
    world = await samlEidWorld({ profile: 'de', rights: RIGHTS });
    w = world.w;
  });
  after(async () => {
    await world?.close();
  });

  async function login(deselect: string[]) {
    const out = await world.login({ relayState: 'e2e-de', attributes: ATTRIBUTES, deselect });
    assert.equal(out.card.toJSON().files.dataGroups['20'], undefined, 'the fixture card has no DG20');
    return out;
  }

  it('de: releases exactly the requested, approved and consented attributes; DG20 → AttributeNotOnChip', async () => {
    const { r, card } = await login([]);
    assert.equal(r.status, `${STATUS_PREFIX}Success`);
    assert.equal(r.relayState, 'e2e-de');
    assert.deepEqual(Object.keys(r.attributes).sort(), ['AgeVerification', 'DateOfBirth', 'DocumentValidity', 'FamilyNames', 'GivenNames', 'PlaceOfResidence', 'ResidencePermitII']);
    const person = personJson('de').attributes as Record<string, unknown>;
    assert.deepEqual(r.attributes.GivenNames?.values, [dgValue(card, 4)]);
    assert.deepEqual(r.attributes.GivenNames?.values, [person.GivenNames]);
    assert.deepEqual(r.attributes.FamilyNames?.values, [person.FamilyNames]);
    assert.equal(r.attributes.DateOfBirth?.values.length, 1);
    assert.equal((r.attributes.DateOfBirth?.values[0] ?? '').replace(/-/g, ''), String(person.DateOfBirth).replace(/-/g, ''));
    assert.match(r.attributes.PlaceOfResidence?.values[0] ?? '', /HEIDESTRASSE 17/);
    assert.match(r.attributes.PlaceOfResidence?.values[0] ?? '', /KÖLN/);
    // tr03130-1 §4.9: a requested attribute the card lacks is flagged, without a value.
    assert.equal(r.attributes.ResidencePermitII?.notOnChip, true);
    assert.deepEqual(r.attributes.ResidencePermitII?.values, []);
    assert.equal(r.attributes.GivenNames?.notOnChip, false);
    assert.match(r.attributes.DocumentValidity?.values[0] ?? '', /Status=valid/);
    // Erika (1964) is over 18.
    assert.match(r.attributes.AgeVerification?.values[0] ?? '', /Result=true/);
    // The decrypted assertion is valid SAML 2.0 with TR-03130-typed parts.
    const v = validateTr03130(r.assertionXml ?? '', 'assertion-de.xml');
    assert.equal(v.rc, 0, v.out);
  });

  it('de: an optional attribute the citizen deselects is not released', async () => {
    const { r } = await login(['PlaceOfResidence']);
    assert.equal(r.status, `${STATUS_PREFIX}Success`);
    assert.equal(r.attributes.PlaceOfResidence, undefined);
    assert.ok(r.attributes.GivenNames);
    assert.ok(r.attributes.FamilyNames);
  });

  it('de: a request for an attribute outside the approval is refused, never silently narrowed', async () => {
    const { path } = redirectPath(w, { attributes: [...ATTRIBUTES, { name: 'Nationality', required: false }] });
    const res = await request(w.app).get(path);
    const code = res.status === 400 ? pageCode(res) : statusCode(responseOf(w, res));
    assert.equal(code, 'SAML_ATTRIBUTE_NOT_APPROVED');
  });

  it('de: tw attribute names are not part of the de profile', async () => {
    const { path } = redirectPath(w, { attributes: [{ name: 'ChineseName', required: true }] });
    const res = await request(w.app).get(path);
    const code = res.status === 400 ? pageCode(res) : statusCode(responseOf(w, res));
    assert.equal(code, 'SAML_ATTRIBUTE_UNKNOWN');
  });
});
