/**
 * Full SAML login over real sockets: SP (our SP client: signed Redirect AuthnRequest with the
 * encrypted extension) → IdP /saml/sso → the reference eID client with a `tw` software card (TC Token,
 * TLS-PSK, PAOS, EAC) → RefreshAddress → IdP /saml/continue (browser cookie) → Response at the ACS,
 * decrypted by the SP: exactly the approved and consented attributes.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { eidRouter } from '../../src/eid/eid-router.js';
import { createEidServer, type EidServer } from '../../src/eid/eid-server.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { consumeRedirectResponse } from '../../src/saml/demo/sp-client.js';
import { STATUS_PREFIX } from '../../src/saml/namespaces.js';
import { samlContinueUrl } from '../../src/saml/router.js';
import { fromHex } from '../../src/shared/bytes.js';
import { createLogger } from '../../src/shared/logger.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createWorld, issue, load, terminal, terminalConfig, type World } from '../support/eac-world.js';
import { testRsaCertificate } from '../support/rsa-cert.js';
import { samlWorld, type SamlWorld } from '../support/saml.js';
import { idpSigningCerts, redirectPath } from '../support/saml-requests.js';

const RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG4', 'READ_DG8', 'READ_DG17'];

function dgText(card: SoftwareCard, dg: number): string {
  const raw = card.toJSON().files.dataGroups[String(dg)] ?? '';
  return getProfile('tw').decodeDataGroup(dg, fromHex(raw)).value as string;
}

describe('e2e: SAML login SP → IdP → reference eID client (PAOS, software card) → IdP → SP', function () {
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
      publicUrl: base,
      mount: (app, sessions) => app.use(eidRouter({ sessions, get paosUrl() { return paosUrl; }, publicUrl: base, returnTo: async (s) => (s.request.front === 'saml' ? samlContinueUrl(base, s) : null) })),
    });
    const full = terminalConfig(eac, terminal(eac, { rights: RIGHTS }), { required: [] });
    const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...serviceTerminal } = full;
    const { key, cert } = testRsaCertificate();
    eidServer = await createEidServer({ host: '127.0.0.1', port: 0, key, cert, sessions: w.sessions, logger: createLogger({ level: 'silent' }), terminals: async () => serviceTerminal satisfies ServiceTerminal });
    paosUrl = `https://127.0.0.1:${eidServer.port}/paos`;
    http.on('request', w.app);
  });
  after(async () => {
    await eidServer.close();
    await new Promise<void>((r) => http.close(() => r()));
  });

  async function login(deselect: string[]) {
    const { id, path } = redirectPath(w, { relayState: 'e2e' });
    const start = await fetch(`${base}${path}`, { redirect: 'manual' });
    assert.equal(start.status, 200, (await start.clone().text()).slice(0, 300));
    const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const page = await start.text();
    const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(page)?.[1] ?? '');
    assert.match(tcTokenUrl, /\/eid\/tctoken\?sessionId=[0-9a-f]{64}$/);
    const card = load(issue(eac));
    const out = await runClientLogin({ tcTokenUrl, card, pin: '123456', allowHttpLoopback: true, deselect });
    assert.equal(out.result.major, 'ok');
    assert.match(out.refreshUrl, /\/saml\/continue\?session=/);
    // Without the browser's cookie, the continue URL is worthless (stolen RefreshAddress).
    const stolen = await fetch(out.refreshUrl, { redirect: 'manual' });
    assert.equal(stolen.status, 400);
    const done = await fetch(out.refreshUrl, { redirect: 'manual', headers: { cookie } });
    assert.equal(done.status, 303, (await done.clone().text()).slice(0, 300));
    const location = done.headers.get('location') ?? '';
    assert.ok(location.startsWith(w.sp.acsUrl));
    const r = consumeRedirectResponse(location.slice(location.indexOf('?') + 1), { idpSigningCertificates: idpSigningCerts(w), spDecryptionKey: w.sp.encryptionKey, expectedInResponseTo: id, audience: w.sp.entityId });
    return { r, card };
  }

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
