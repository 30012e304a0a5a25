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
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { eidRouter } from '../../src/eid/eid-router.js';
import { createEidServer, type EidServer } from '../../src/eid/eid-server.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { consumeRedirectResponse, type RequestedAttributeSpec } from '../../src/saml/demo/sp-client.js';
import { STATUS_PREFIX } from '../../src/saml/namespaces.js';
import { samlContinueUrl } from '../../src/saml/router.js';
import { fromHex } from '../../src/shared/bytes.js';
import { createLogger } from '../../src/shared/logger.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createWorld, issue, load, personJson, terminal, terminalConfig, type World } from '../support/eac-world.js';
import { testRsaCertificate } from '../support/rsa-cert.js';
import { samlWorld, type SamlWorld } from '../support/saml.js';
import { idpSigningCerts, pageCode, redirectPath, responseOf, statusCode } from '../support/saml-requests.js';
import { deSamlDefinition } from '../support/saml-de.js';
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
  let eac: World;
  let w: SamlWorld;
  let http: Server;
  let base: string;
  let eidServer: EidServer;

  before(async () => {
    eac = createWorld();
    http = createServer();
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    let paosUrl = '';
    w = await samlWorld({
      definition: deSamlDefinition(),
      publicUrl: base,
      mount: (app, sessions) => app.use(eidRouter({ sessions, get paosUrl() { return paosUrl; }, publicUrl: base, returnTo: async (s) => (s.request.front === 'saml' ? samlContinueUrl(base, s) : null) })),
    });
    const full = terminalConfig(eac, terminal(eac, { rights: RIGHTS }), { required: [], profile: 'de' });
    const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...serviceTerminal } = full;
    const { key, cert } = testRsaCertificate();
    eidServer = await createEidServer({ host: '127.0.0.1', port: 0, key, cert, sessions: w.sessions, logger: createLogger({ level: 'silent' }), terminals: async () => serviceTerminal satisfies ServiceTerminal });
    paosUrl = `https://127.0.0.1:${eidServer.port}/paos`;
    http.on('request', w.app);
  });
  after(async () => {
    await eidServer?.close();
    if (http) await new Promise<void>((r) => http.close(() => r()));
  });

  async function login(deselect: string[]) {
    const { id, path } = redirectPath(w, { relayState: 'e2e-de', attributes: ATTRIBUTES });
    const start = await fetch(`${base}${path}`, { redirect: 'manual' });
    assert.equal(start.status, 200, (await start.clone().text()).slice(0, 300));
    const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const page = await start.text();
    const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(page)?.[1] ?? '');
    assert.match(tcTokenUrl, /\/eid\/tctoken\?sessionId=[0-9a-f]{64}$/);
    const card = load(issue(eac, { profile: 'de' }));
    assert.equal(card.toJSON().files.dataGroups['20'], undefined, 'the fixture card has no DG20');
    const out = await runClientLogin({ tcTokenUrl, card, pin: '123456', allowHttpLoopback: true, deselect, profile: 'de' });
    assert.equal(out.result.major, 'ok', JSON.stringify(out.result));
    const done = await fetch(out.refreshUrl, { redirect: 'manual', headers: { cookie } });
    assert.equal(done.status, 303, (await done.clone().text()).slice(0, 300));
    const location = done.headers.get('location') ?? '';
    assert.ok(location.startsWith(w.sp.acsUrl));
    const r = consumeRedirectResponse(location.slice(location.indexOf('?') + 1), { idpSigningCertificates: idpSigningCerts(w), spDecryptionKey: w.sp.encryptionKey, expectedInResponseTo: id, audience: w.sp.entityId });
    return { r, card };
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
