/**
 * The audit trail (src/audit) over real sockets, per front: a login that succeeds and one that fails
 * leave login.request / login.finished entries with the right outcome on the store's `audit` stream,
 * refused access attempts leave access.refused, and no entry carries personal data, the eID session
 * id, a PSK or the citizen's address. Each front as the e2e and interop suites assemble it:
 * SOAP through tools/eid-stack.ts (TLS-PSK, PAOS, software card), SAML through samlEidWorld (the
 * reference eID client with a software card), OIDC through startOidcNode with openid-client (the eID
 * step's result stored as the PAOS engine stores it).
 *
 * @spec SPEC §7 (log logins, access attempts, web-service access; no personal data in logs)
 */
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { parse as parseYaml } from 'yaml';
import { AUDIT_STREAM, sessionRef } from '../../src/audit/audit-log.js';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { STATUS_PREFIX } from '../../src/saml/namespaces.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import type { Store } from '../../src/session/store/store.js';
import { fromHex } from '../../src/shared/bytes.js';
import { createLogger } from '../../src/shared/logger.js';
import { callEidInterface, getResultRequestXml, replyChild as child, replyResult, useIdRequestXml } from '../../src/soap/client.js';
import type { EidInterfaceClientOptions } from '../../src/soap/client.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import { startEidStack, type EidStack } from '../../tools/eid-stack.js';
import type { CardJson } from '../../tools/software-card/card-json.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createWorld, issue, load, terminal, terminalConfig, type World } from '../support/eac-world.js';
import { Browser, browserLogin, demoOidcDefinition, demoResult, DEMO_REDIRECT, startOidcNode, type OidcNode } from '../support/oidc-world.js';
import { testRsaCertificate } from '../support/rsa-cert.js';
import { samlEidWorld, type SamlEidWorld } from '../support/saml-eid.js';
import { redirectPath } from '../support/saml-requests.js';

type Fields = Record<string, string>;

async function auditOf(store: Store): Promise<Fields[]> {
  return (await store.readStream(AUDIT_STREAM)).map((e) => e.fields).filter((f) => f.front !== undefined);
}

/** Entries appended since `before` entries were there. */
async function since(store: Store, before: number): Promise<Fields[]> {
  return (await auditOf(store)).slice(before);
}

/** Only for a record written after the peer already has its answer (a refused TLS handshake): waits until `count` entries are there. */
async function eventually(store: Store, before: number, count: number): Promise<Fields[]> {
  for (let i = 0; i < 400; i++) {
    const entries = await since(store, before);
    if (entries.length >= count) return entries;
    await sleep(25);
  }
  return since(store, before);
}

function assertClean(entries: Fields[], secrets: readonly string[]): void {
  const text = JSON.stringify(entries).toLowerCase();
  for (const s of secrets) assert.ok(!text.includes(s.toLowerCase()), `the audit trail contains ${s}`);
}

/** Keeps the fields a test can predict (drops `at`). */
const shape = (f: Fields): Fields => {
  const { at, ...rest } = f;
  assert.ok(!Number.isNaN(Date.parse(at ?? '')), 'at is a timestamp');
  return rest;
};

function dgText(card: SoftwareCard | CardJson, dg: number): string {
  const json = 'toJSON' in card ? card.toJSON() : card;
  return getProfile('tw').decodeDataGroup(dg, fromHex(json.files.dataGroups[String(dg)] ?? '')).value as string;
}

describe('e2e: audit trail of logins and access attempts (no personal data)', function () {
  this.timeout(180_000);
  const logger = createLogger({ level: 'silent' });

  describe('SOAP eID-Interface', () => {
    const SERVICE = 'e2e-audit-soap';
    const FAR = 'e2e-audit-soap-far';
    const RIGHTS: AtRight[] = ['RESTRICTED_IDENTIFICATION', 'READ_DG4', 'READ_DG6', 'READ_DG8'];
    const soapTls = testRsaCertificate('soap-tls');
    const soapWss = testRsaCertificate('soap-wss');
    const clientCert = testRsaCertificate('soap-client-audit');
    const farCert = testRsaCertificate('soap-client-audit-far');
    const strangerCert = testRsaCertificate('soap-client-audit-stranger');
    let world: World;
    let store: Store;
    let stack: EidStack;

    const definition = (id: string, cert: string, overrides: Record<string, unknown> = {}) => ({
      ...(parseYaml(readFileSync('config/services/demo-soap.yaml', 'utf8')) as Record<string, unknown>),
      id, approvedAttributes: ['ChineseName', 'NationalIdNumber', 'DateOfBirth', 'RestrictedID', 'DocumentValidity'], optionalAttributes: [],
      riSector: { id: 'tw.e2e.audit', publicKey: '.dev/pki/sectors/tw.e2e.audit.pub.pem' },
      protocols: { soap: { clientCertificate: cert } }, ...overrides,
    });

    before(async () => {
      world = createWorld();
      store = createMemoryStore();
      const registry = new ServiceRegistry(store);
      await registry.create(definition(SERVICE, clientCert.cert) as never, { by: 'test', declarative: true });
      // Registered, but only for hosts elsewhere (seed 002 表8 host addresses).
      await registry.create(definition(FAR, farCert.cert, { ipAllowList: ['198.51.100.16/29'] }) as never, { by: 'test', declarative: true });
      const term = terminal(world, { rights: RIGHTS });
      const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...base } = terminalConfig(world, term, { required: [] });
      stack = await startEidStack({
        store, box: new SealedBox(randomBytes(32)), registry, terminal: base satisfies ServiceTerminal, logger, tls2: testRsaCertificate(),
        // The stranger's certificate is trusted by the TLS layer but registered for no eService.
        soap: { key: soapTls.key, cert: soapTls.cert, clientCa: [clientCert.cert, farCert.cert, strangerCert.cert], signer: soapWss, terminalChat: async () => term.parsed.chat },
      });
    });
    after(async () => {
      await stack?.close();
      await store?.close();
    });

    const eService = (cert = clientCert): EidInterfaceClientOptions => ({
      url: stack.soapUrl, tls: { key: cert.key, cert: cert.cert, ca: soapTls.cert, servername: 'localhost' }, wss: cert, serverWssCert: soapWss.cert,
    });
    const useId = async (): Promise<string> => {
      const r = await callEidInterface(eService(), useIdRequestXml('tw', {
        operations: { ChineseName: 'REQUIRED', NationalIdNumber: 'REQUIRED', DateOfBirth: 'REQUIRED', RestrictedID: 'REQUIRED' },
        levelOfAssurance: 'http://eidas.europa.eu/LoA/high',
      }));
      const id = child(child(r.operation, 'Session')!, 'ID')?.textContent ?? '';
      assert.match(id, /^[0-9a-f]{64}$/);
      return id;
    };
    const getResult = async (id: string, counter: number) => {
      const r = await callEidInterface(eService(), getResultRequestXml('tw', id, counter));
      return { ...replyResult(r.operation)!, el: r.operation };
    };
    const login = (id: string, card: CardJson, o: { cancel?: boolean } = {}) => runClientLogin({
      tcTokenUrl: `${stack.front.url}/eid/tctoken?sessionId=${id}`, card: load(card), pin: '123456', allowHttpLoopback: true,
      ...(o.cancel === true && { consent: async () => 'cancel' as const }),
    });

    it('a login: useID → login.request, an early getResult → service.request (noResultYet), the delivering getResult → login.finished with the LoA reached', async () => {
      const before = (await auditOf(store)).length;
      const id = await useId();
      assert.match((await getResult(id, 1)).minor ?? '', /noResultYet$/);
      const card = issue(world);
      const out = await login(id, card);
      assert.equal(out.result.major, 'ok');
      const r = await getResult(id, 2);
      assert.equal(r.minor, undefined, 'delivered');
      const ri = child(child(child(r.el, 'PersonalData')!, 'RestrictedID')!, 'ID')?.textContent ?? '';
      assert.match(ri, /^[0-9A-F]{64}$/);

      const common = { front: 'soap', service: SERVICE, session: sessionRef(id), client: '127.0.0.1' };
      assert.deepEqual((await since(store, before)).map(shape), [
        { event: 'login.request', operation: 'useID', outcome: 'success', ...common },
        { event: 'service.request', operation: 'getResult', outcome: 'EID_RESULT_PENDING', ...common },
        { event: 'login.finished', operation: 'getResult', outcome: 'success', loa: 'http://eidas.europa.eu/LoA/high', ...common },
      ]);
      assertClean(await auditOf(store), [id, ri, dgText(card, 4), dgText(card, 6), dgText(card, 8), '陳𠀋安', 'F234567816']);
    });

    it('a login the citizen cancels: the getResult that delivers the error → login.finished with the login\'s code', async () => {
      const before = (await auditOf(store)).length;
      const id = await useId();
      await login(id, issue(world), { cancel: true });
      const stored = (await stack.sessions.peekResultError(id))?.error?.code;
      assert.ok(stored !== undefined, 'the server stored an error result');
      const r = await getResult(id, 1);
      assert.notEqual(r.minor, undefined);
      const finished = (await since(store, before)).filter((f) => f.event === 'login.finished');
      assert.deepEqual(finished.map((f) => [f.outcome, f.session, f.loa]), [[stored, sessionRef(id), undefined]]);
    });

    it('a getResult with a wrong RequestCounter ends the session: login.finished EID_SESSION_COUNTER_INVALID', async () => {
      const before = (await auditOf(store)).length;
      const id = await useId();
      assert.match((await getResult(id, 2)).minor ?? '', /invalidCounter$/);
      assert.deepEqual((await since(store, before)).map((f) => [f.event, f.outcome, f.session]), [
        ['login.request', 'success', sessionRef(id)],
        ['login.finished', 'EID_SESSION_COUNTER_INVALID', sessionRef(id)],
      ]);
    });

    it('refused access: a certificate registered for no eService, an eService calling from a host not on its allow-list, a client without a certificate', async () => {
      const before = (await auditOf(store)).length;
      await assert.rejects(callEidInterface(eService(strangerCert), getResultRequestXml('tw', '00'.repeat(32), 1)));
      await assert.rejects(callEidInterface(eService(farCert), getResultRequestXml('tw', '00'.repeat(32), 1)));
      assert.deepEqual((await since(store, before)).map(shape), [
        { event: 'access.refused', front: 'soap', outcome: 'SOAP_CLIENT_UNKNOWN', client: '127.0.0.1' },
        { event: 'access.refused', front: 'soap', service: FAR, outcome: 'SOAP_CLIENT_ADDRESS_NOT_ALLOWED', client: '127.0.0.1' },
      ]);
      // No client certificate at all: the handshake is refused (TR-03130-1 §3.5.1).
      const port = new URL(stack.soapUrl).port;
      await new Promise<void>((resolve) => {
        const tls = tlsConnect({ host: '127.0.0.1', port: Number(port), ca: soapTls.cert, servername: 'localhost' }, () => tls.write('GET /eID?wsdl HTTP/1.1\r\nHost: localhost\r\n\r\n'));
        tls.on('error', () => resolve());
        tls.on('close', () => resolve());
      });
      const all = await eventually(store, before, 3);
      assert.deepEqual(all.slice(2).map(shape), [{ event: 'access.refused', front: 'soap', outcome: 'SOAP_CLIENT_UNKNOWN', client: '127.0.0.1' }], 'the refused handshake');
    });
  });

  describe('SAML', () => {
    const RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG4', 'READ_DG8', 'READ_DG17'];
    let world: SamlEidWorld;

    before(async () => {
      world = await samlEidWorld({ profile: 'tw', rights: RIGHTS });
    });
    after(async () => {
      await world?.close();
    });

    it('a login: AuthnRequest → login.request, the stolen RefreshAddress → access.refused, the Response → login.finished; no personal data', async () => {
      const before = (await auditOf(world.w.store)).length;
      const { r, card } = await world.login({ relayState: 'audit', deselect: [] });
      assert.equal(r.status, `${STATUS_PREFIX}Success`);
      const entries = await since(world.w.store, before);
      assert.deepEqual(entries.map((f) => [f.event, f.outcome, f.service]), [
        ['login.request', 'success', 'demo-saml'],
        ['access.refused', 'AUTHTX_BROWSER_MISMATCH', 'demo-saml'],
        ['login.finished', 'success', 'demo-saml'],
      ]);
      const session = entries[0]?.session ?? '';
      assert.match(session, /^[0-9a-f]{32}$/);
      assert.ok(entries.every((f) => f.session === session && f.front === 'saml'), 'one session');
      assert.ok(entries.every((f) => f.client === undefined), 'the citizen\'s address is not recorded');
      assertClean(await auditOf(world.w.store), [dgText(card, 4), dgText(card, 8), dgText(card, 17), ...Object.values(r.attributes).flatMap((a) => a?.values ?? [])]);
    });

    it('a login the citizen cancels → login.finished with the eID code; an AuthnRequest signed with another key → access.refused SAML_SIGNATURE_INVALID', async () => {
      const before = (await auditOf(world.w.store)).length;
      const { path } = redirectPath(world.w, { relayState: 'audit' });
      const start = await fetch(`${world.base}${path}`, { redirect: 'manual' });
      assert.equal(start.status, 200);
      const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(await start.text())?.[1] ?? '');
      const id = new URL(tcTokenUrl).searchParams.get('sessionId') ?? '';
      const out = await runClientLogin({ tcTokenUrl, card: load(issue(world.eac, { profile: 'tw' })), pin: '123456', allowHttpLoopback: true, consent: async () => 'cancel' });
      const stored = (await world.w.sessions.peekResultError(id))?.error?.code;
      assert.ok(stored !== undefined);
      const done = await fetch(out.refreshUrl, { redirect: 'manual', headers: { cookie } });
      assert.equal(done.status, 303, 'an error Response to the ACS');

      const forged = redirectPath(world.w, { signingKey: world.w.sp.encryptionKey });
      assert.equal((await fetch(`${world.base}${forged.path}`, { redirect: 'manual' })).status, 400);
      assert.deepEqual((await since(world.w.store, before)).map((f) => [f.event, f.outcome, f.service, f.session]), [
        ['login.request', 'success', 'demo-saml', sessionRef(id)],
        ['login.finished', stored, 'demo-saml', sessionRef(id)],
        ['access.refused', 'SAML_SIGNATURE_INVALID', undefined, undefined],
      ]);
    });
  });

  describe('OIDC', () => {
    const RI = 'a1b2'.repeat(16);
    let store: Store;
    let node: OidcNode;
    let keysDir: string;
    let signKey: webcrypto.CryptoKey;

    before(async () => {
      store = createMemoryStore();
      keysDir = mkdtempSync(join(tmpdir(), 'neid-audit-oidc-keys-'));
      await new ServiceRegistry(store).create(demoOidcDefinition(), { by: 'test', declarative: true });
      node = await startOidcNode({ store, dataKey: randomBytes(32), keysDir });
      const der = new Uint8Array(createPrivateKey(readFileSync('test/fixtures/demo-eservices/demo-oidc-signing.key.pem')).export({ type: 'pkcs8', format: 'der' }));
      signKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    });
    after(async () => {
      await node?.close();
      await store?.close();
      rmSync(keysDir, { recursive: true, force: true });
    });

    const rp = (key: webcrypto.CryptoKey) => client.discovery(new URL(`${node.url}/oidc`), 'demo-oidc', { id_token_signed_response_alg: 'ES256' }, client.PrivateKeyJwt({ key, kid: 'demo-oidc-sig-1' }), { execute: [client.allowInsecureRequests] });
    const authUrl = async (config: client.Configuration) => (await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: DEMO_REDIRECT, scope: 'openid', state: client.randomState(), nonce: client.randomNonce(),
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
      claims: JSON.stringify({ id_token: { name: { essential: true } } }),
    })).toString();

    it('a login → login.request and login.finished with the acr; a failed eID step → login.finished with its code; no personal data', async () => {
      const before = (await auditOf(store)).length;
      const config = await rp(signKey);
      const ok = await browserLogin(new Browser(), node, await authUrl(config), demoResult(RI));
      assert.ok(new URL(ok.location).searchParams.has('code'));
      const failed = await browserLogin(new Browser(), node, await authUrl(config), { error: { code: 'PAOS_CLIENT_ERROR' }, attributes: {} });
      assert.equal(new URL(failed.location).searchParams.get('error'), 'access_denied');
      assert.deepEqual((await since(store, before)).map(shape), [
        { event: 'login.request', front: 'oidc', service: 'demo-oidc', outcome: 'success', session: sessionRef(ok.eidSessionId) },
        { event: 'login.finished', front: 'oidc', service: 'demo-oidc', outcome: 'success', loa: 'http://eidas.europa.eu/LoA/high', session: sessionRef(ok.eidSessionId) },
        { event: 'login.request', front: 'oidc', service: 'demo-oidc', outcome: 'success', session: sessionRef(failed.eidSessionId) },
        { event: 'login.finished', front: 'oidc', service: 'demo-oidc', outcome: 'PAOS_CLIENT_ERROR', session: sessionRef(failed.eidSessionId) },
      ]);
      assertClean(await auditOf(store), [RI, '王小明', '臺北市', ok.eidSessionId, failed.eidSessionId]);
    });

    it('client authentication with a key the eService did not register → access.refused OIDC_CLIENT_AUTH_FAILED with the caller\'s address', async () => {
      const before = (await auditOf(store)).length;
      const wrong = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])) as webcrypto.CryptoKeyPair;
      await assert.rejects(authUrl(await rp(wrong.privateKey)), (err: Error & { error?: string }) => err.error === 'invalid_client');
      assert.deepEqual((await since(store, before)).map(shape), [
        { event: 'access.refused', front: 'oidc', service: 'demo-oidc', outcome: 'OIDC_CLIENT_AUTH_FAILED', client: '127.0.0.1' },
      ]);
    });
  });
});
