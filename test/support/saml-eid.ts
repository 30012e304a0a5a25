/**
 * A SAML IdP with the real eID part behind it, over real sockets, for the full-login e2e tests of
 * each profile: the samlWorld app (tw: demo-saml, de: demo-saml-de) on an HTTP port with the eID
 * router (TC Token; RefreshAddress → /saml/continue), and the TLS-PSK eID server for an eService
 * terminal with the given rights. `login` plays the browser and the reference eID client with a
 * freshly issued software card of the profile and returns the Response the SP decrypts at the ACS.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { eidRouter } from '../../src/eid/eid-router.js';
import { createEidServer, type EidServer } from '../../src/eid/eid-server.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import type { ProfileId } from '../../src/eid/profiles/index.js';
import { consumeRedirectResponse, type ConsumedResponse, type RequestedAttributeSpec } from '../../src/saml/demo/sp-client.js';
import { samlContinueUrl } from '../../src/saml/router.js';
import { createLogger } from '../../src/shared/logger.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createWorld, issue, load, terminal, terminalConfig, type World } from './eac-world.js';
import { testRsaCertificate } from './rsa-cert.js';
import { samlWorld, type SamlWorld } from './saml.js';
import { deSamlDefinition } from './saml-de.js';
import { idpSigningCerts, redirectPath } from './saml-requests.js';

export interface SamlEidLoginOptions {
  relayState: string;
  /** Requested attributes; default saml-requests' DEFAULT_ATTRIBUTES (tw names). */
  attributes?: RequestedAttributeSpec[];
  /** Optional attributes the citizen deselects in the eID client. */
  deselect: string[];
}

export interface SamlEidWorld {
  eac: World;
  w: SamlWorld;
  /** http://127.0.0.1:<port> of the IdP front. */
  base: string;
  /** One login SP → IdP → eID client → IdP → SP; the decrypted Response and the card that answered. */
  login(o: SamlEidLoginOptions): Promise<{ r: ConsumedResponse; card: SoftwareCard }>;
  close(): Promise<void>;
}

export async function samlEidWorld(o: { profile: ProfileId; rights: AtRight[] }): Promise<SamlEidWorld> {
  const eac = createWorld();
  const http: Server = createServer();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const closeHttp = () => new Promise<void>((r) => http.close(() => r()));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  let eidServer: EidServer;
  let w: SamlWorld;
  try {
    let paosUrl = '';
    w = await samlWorld({
      ...(o.profile === 'de' ? { definition: deSamlDefinition() } : {}),
      publicUrl: base,
      mount: (app, sessions) => app.use(eidRouter({ sessions, get paosUrl() { return paosUrl; }, publicUrl: base, returnTo: async (s) => (s.request.front === 'saml' ? samlContinueUrl(base, s) : null) })),
    });
    const full = terminalConfig(eac, terminal(eac, { rights: o.rights }), { required: [], profile: o.profile });
    const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...serviceTerminal } = full;
    const { key, cert } = testRsaCertificate();
    eidServer = await createEidServer({ host: '127.0.0.1', port: 0, key, cert, sessions: w.sessions, logger: createLogger({ level: 'silent' }), terminals: async () => serviceTerminal satisfies ServiceTerminal });
    paosUrl = `https://127.0.0.1:${eidServer.port}/paos`;
  } catch (err) {
    await closeHttp();
    throw err;
  }
  http.on('request', w.app);

  async function login({ relayState, attributes, deselect }: SamlEidLoginOptions) {
    const { id, path } = redirectPath(w, { relayState, ...(attributes === undefined ? {} : { attributes }) });
    const start = await fetch(`${base}${path}`, { redirect: 'manual' });
    assert.equal(start.status, 200, (await start.clone().text()).slice(0, 300));
    const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const page = await start.text();
    const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(page)?.[1] ?? '');
    assert.match(tcTokenUrl, /\/eid\/tctoken\?sessionId=[0-9a-f]{64}$/);
    const card = load(issue(eac, { profile: o.profile }));
    const out = await runClientLogin({ tcTokenUrl, card, pin: '123456', allowHttpLoopback: true, deselect, profile: o.profile });
    assert.equal(out.result.major, 'ok', JSON.stringify(out.result));
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

  return {
    eac, w, base, login,
    async close() {
      await eidServer.close();
      await closeHttp();
    },
  };
}
