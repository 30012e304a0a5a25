/**
 * Interop with a real eID-Client: AusweisApp2 1.26.2 (Debian bookworm) with its built-in Simulator
 * card, driven headless through the SDK WebSocket, against the eID-Server itself. Fails (never
 * skips) when AusweisApp2 is missing.
 *
 * One `de`-profile online authentication, as an eService sees it:
 *   useID over the SOAP eID-Interface (mutual TLS + WS-Security; the eService is registered in a
 *   ServiceRegistry with profile de) → TC Token (https, the tcTokenURL given to RUN_AUTH, eidRouter)
 *   → TLS-PSK + PAOS/EAC with the simulator card (createEidServer) → RefreshAddress (eidRouter)
 *   → getResult over SOAP (PersonalData, RestrictedID, FulfilsAgeVerification, OperationsAllowedByUser).
 *
 * What AusweisApp needs from us (eid-protocol §5.1): the CVCA `DETESTeID00005`, an EXPLICIT-tag
 * CertificateDescription whose subjectURL is the TC Token origin and whose commCertificates hold the
 * SHA-256 of every TLS certificate it sees (TC Token / RefreshAddress front and TLS-2), passive
 * authentication against the BSI TEST CSCA, pre-verification off (test/support/ausweisapp*.ts).
 *
 * @spec tr03124-1 §2 (eID-Client), tr03112-7 §3 (PAOS), tr03110-2 §3 (EAC), tr03130-1 §2.4, §3 (eID-Interface); eid-protocol §5.1
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { parse as parseYaml } from 'yaml';
import { AUSWEISAPP_EXECUTABLE, RESULT_MAJOR_OK, runAuth, startAusweisApp, withClientRetries, type AusweisApp, type AuthRun } from '../support/ausweisapp.js';
import { BSI_TEST_CSCA_PATH, createAusweisAppPki, verifySimulatorCardSecurity, type AusweisAppPki } from '../support/ausweisapp-pki.js';
import { testRsaCertificate } from '../support/rsa-cert.js';
import { xmllint } from '../unit/soap/fixtures.js';
import { parseCertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import { eidRouter } from '../../src/eid/eid-router.js';
import { createEidServer, type EidServer } from '../../src/eid/eid-server.js';
import { createServiceTerminals, descriptionPathOf } from '../../src/eid/terminals.js';
import { catalogEntry, toIdpError } from '../../src/errors/index.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { EidSessions } from '../../src/session/eid-session.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import { callEidInterface, getResultRequestXml, useIdRequestXml, type EidInterfaceClientOptions } from '../../src/soap/client.js';
import { listenSoapInterface, type SoapListener } from '../../src/soap/listener.js';
import { DE_NS, DSS_NS, soapProfile } from '../../src/soap/profiles.js';
import { createLogger } from '../../src/shared/logger.js';
import { systemClock } from '../../src/shared/clock.js';

const SERVICE_ID = 'demo-de';
const RESULT_MAJOR_ERROR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error';
const EID_MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor';

/** useID UseOperations of the demo eService (TR-03130-1 §3.3.21: REQUIRED → RequiredCHAT, ALLOWED → OptionalCHAT). */
const OPERATIONS = {
  DocumentType: 'REQUIRED', IssuingState: 'REQUIRED', DateOfExpiry: 'REQUIRED', FamilyNames: 'REQUIRED', RestrictedID: 'REQUIRED',
  GivenNames: 'ALLOWED', ArtisticName: 'ALLOWED', AcademicTitle: 'ALLOWED', DateOfBirth: 'ALLOWED', PlaceOfBirth: 'ALLOWED',
  Nationality: 'ALLOWED', BirthName: 'ALLOWED', PlaceOfResidence: 'ALLOWED', CommunityID: 'ALLOWED',
  ResidencePermitI: 'ALLOWED', ResidencePermitII: 'ALLOWED', AgeVerification: 'ALLOWED',
} as const;

/** ERIKA MUSTERMANN as AusweisApp 1.26.2's simulator stores her (SimulatorFileSystem.cpp), as getResult PersonalData text. */
const ERIKA: Readonly<Record<string, string>> = {
  DocumentType: 'ID', IssuingState: 'D', DateOfExpiry: '2029-10-31', GivenNames: 'ERIKA', FamilyNames: 'MUSTERMANN',
  Nationality: 'D', BirthName: 'GABLER', CommunityID: '02760503150000', ResidencePermitI: 'RESIDENCE PERMIT 1', ResidencePermitII: 'RESIDENCE PERMIT 2',
  // Empty on the simulator card (DG6, DG7): delivered as present and empty.
  ArtisticName: '', AcademicTitle: '',
};

/** SubjectPublicKeyInfo PEM of a brainpoolP256r1 point (rfc5480 §2: id-ecPublicKey + namedCurve; rfc5639 OID). */
function sectorKeyPem(point: Buffer): string {
  const der = Buffer.concat([Buffer.from('305a301406072a8648ce3d020106092b2403030208010107034200', 'hex'), point]);
  return `-----BEGIN PUBLIC KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PUBLIC KEY-----\n`;
}

/** A getResultResponse / useIDResponse read with namespace-exact lookups. */
class Reply {
  readonly el: Element;
  constructor(el: Element) { this.el = el; }
  child(name: string, parent: Element = this.el): Element | undefined {
    for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
      if (n.nodeType === 1 && (n as Element).localName === name && (n as Element).namespaceURI === DE_NS) return n as Element;
    }
    return undefined;
  }
  path(...names: string[]): Element | undefined {
    let at: Element | undefined = this.el;
    for (const name of names) at = at === undefined ? undefined : this.child(name, at);
    return at;
  }
  text(...names: string[]): string | undefined {
    return this.path(...names)?.textContent ?? undefined;
  }
  get major(): string | undefined { return this.el.getElementsByTagNameNS(DSS_NS, 'ResultMajor')[0]?.textContent ?? undefined; }
  get minor(): string | undefined { return this.el.getElementsByTagNameNS(DSS_NS, 'ResultMinor')[0]?.textContent ?? undefined; }
  /** Local names of PersonalData's children, in document order. */
  get personalData(): string[] {
    const pd = this.child('PersonalData');
    const out: string[] = [];
    for (let n = pd?.firstChild ?? null; n !== null; n = n.nextSibling) if (n.nodeType === 1) out.push((n as Element).localName ?? '');
    return out;
  }
}

describe('AusweisApp2 1.26.2 interop: de online authentication through the eID-Server (Simulator card)', function () {
  // A login takes < 1 s; worst case per test 3 attempts × 20 s (runAuth timeout), so a hang fails in time.
  this.timeout(90_000);
  let app: AusweisApp;
  let pki: AusweisAppPki;
  let front: HttpsServer;
  let origin = '';
  let eid: EidServer;
  let soap: SoapListener;
  let soapClient: EidInterfaceClientOptions;
  let dir = '';
  const tls = testRsaCertificate();
  const soapServer = testRsaCertificate('soap-server');
  const eService = testRsaCertificate('soap-eservice');
  const store = createMemoryStore();
  const sessions = new EidSessions({
    store, box: new SealedBox(randomBytes(32)),
    timeouts: { lifetimeMs: 120_000, tcTokenTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, paosStepTimeoutMs: 30_000, resultTimeoutMs: 60_000, tlsSessionTtlMs: 60_000 },
  });
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', name: 'ausweisapp-interop', destination: new Writable({ write(chunk, _e, cb) { logLines.push(String(chunk)); cb(); } }) });
  const timings: Record<string, number> = {};
  let firstRestrictedId: string | undefined;

  before(async function () {
    const started = Date.now();
    // No skip: a missing AusweisApp2 is a failed interop test (CI installs it).
    app = await startAusweisApp();
    timings.startAusweisApp = Date.now() - started;

    // The browser-facing front (TC Token, RefreshAddress) on https: its origin is the subjectURL.
    const web = express();
    front = createHttpsServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, web);
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
    // One certificate for the front and TLS-2: commCertificates must list each the client sees.
    pki = createAusweisAppPki({ subjectUrl: origin, tlsCertificates: [tls.cert] });

    // The eService's terminal in the registry, by file reference (as config/services/*.yaml), and the
    // eID-Server's PKI directory with the BSI TEST CSCA that signed the simulator's EF.CardSecurity.
    dir = mkdtempSync(join(tmpdir(), 'neid-ausweisapp-terminal-'));
    const terminalPath = join(dir, 'terminal.cvcert');
    writeFileSync(terminalPath, pki.pki.terminal.certificate);
    writeFileSync(descriptionPathOf(terminalPath), pki.pki.terminal.description!);
    writeFileSync(join(dir, 'terminal.key.pem'), pki.pki.terminal.keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'dv.cvcert'), pki.pki.dv.certificate);
    writeFileSync(join(dir, 'sector.pub.pem'), sectorKeyPem(pki.sectorKey.point));
    mkdirSync(join(dir, 'pki', 'csca'), { recursive: true });
    copyFileSync(BSI_TEST_CSCA_PATH, join(dir, 'pki', 'csca', 'bsi-test-csca.cer'));
    const registry = new ServiceRegistry(store);
    const definition = parseYaml(readFileSync('config/services/demo-soap.yaml', 'utf8')) as Record<string, unknown>;
    delete definition.plannedTestDate;
    delete definition.plannedActivation;
    await registry.create({
      ...definition,
      id: SERVICE_ID,
      profile: 'de',
      approvedAttributes: Object.keys(OPERATIONS),
      optionalAttributes: Object.entries(OPERATIONS).filter(([, v]) => v === 'ALLOWED').map(([k]) => k),
      riSector: { id: 'demo-de', publicKey: join(dir, 'sector.pub.pem') },
      ipAllowList: ['127.0.0.1/32'],
      protocols: { soap: { clientCertificate: eService.cert } },
      terminal: { certificate: terminalPath, key: join(dir, 'terminal.key.pem'), chain: [join(dir, 'dv.cvcert')] },
      state: 'active',
    } as never, { by: 'test', declarative: true });

    // The registry-backed terminal provider, as in production, with one test deviation: passive
    // authentication without a CRL (the BSI TEST CSCA's only public CRL expired in 2020; PROVENANCE.md).
    const terminals = createServiceTerminals({ registry, pkiDir: join(dir, 'pki'), timeZone: 'Europe/Berlin' });
    const trustStore = terminals.pki().trustStore;
    eid = await createEidServer({
      host: '127.0.0.1', port: 0, key: tls.key, cert: tls.cert, sessions, logger,
      terminals: async (serviceId) => ({
        ...(await terminals.provider(serviceId)),
        verifyCardSecurity: async (cs: Buffer) => verifySimulatorCardSecurity(trustStore, systemClock, cs).securityInfos,
      }),
    });
    web.use(eidRouter({ sessions, paosUrl: `https://127.0.0.1:${eid.port}/paos`, publicUrl: origin, returnTo: async (s) => `https://eservice.example.test/done?session=${s.id}` }));
    web.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const e = toIdpError(err);
      res.status(catalogEntry(e.code).http).json({ error: e.code });
    });

    soap = await listenSoapInterface({
      host: '127.0.0.1', port: 0, key: soapServer.key, cert: soapServer.cert, clientCa: [eService.cert], registry, logger,
      sessions, signer: soapServer, replayStore: store, eCardServerAddress: `https://127.0.0.1:${eid.port}/paos`,
      terminalChat: (service) => terminals.terminalChat(service),
    });
    soapClient = {
      url: `https://127.0.0.1:${soap.port}/eID`,
      tls: { key: eService.key, cert: eService.cert, ca: soapServer.cert, servername: 'localhost' },
      wss: eService, serverWssCert: soapServer.cert,
    };
    timings.setup = Date.now() - started;
  });

  after(async () => {
    await app?.stop();
    await soap?.close();
    await eid?.close();
    front?.closeAllConnections();
    await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    console.log(`      timings (ms): ${JSON.stringify(timings)}`);
  });

  /** useID over SOAP: the eService opens an eID session. */
  async function useId(): Promise<string> {
    const reply = await callEidInterface(soapClient, useIdRequestXml('de', { operations: OPERATIONS, age: 18 }));
    const r = new Reply(reply.operation);
    assert.equal(r.major, RESULT_MAJOR_OK, reply.xml);
    const id = r.text('Session', 'ID') ?? '';
    assert.match(id, /^[0-9a-f]{64}$/i);
    assert.equal(r.text('PSK', 'ID'), id);
    return id;
  }

  async function getResult(id: string, counter: number): Promise<Reply> {
    const reply = await callEidInterface(soapClient, getResultRequestXml('de', id, counter));
    assert.equal(reply.status, 200, reply.xml);
    assert.equal(reply.operation.localName, 'getResultResponse');
    // Every answer the eService gets must be valid against the TR-03130 schema we publish.
    xmllint('de', reply.operation.toString());
    return new Reply(reply.operation);
  }

  /** The browser's hop to the RefreshAddress the client handed back: the front answers with a redirect to the eService. */
  function followRefresh(url: string): Promise<{ status: number; location: string | undefined }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { ca: tls.cert, servername: 'localhost', agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** One login with a fresh eID session (useID each attempt); only classified client faults are retried. */
  async function login(label: string, options: { deselect?: string[]; cancelAt?: 'ACCESS_RIGHTS' | 'ENTER_PIN' } = {}): Promise<{ run: AuthRun; id: string; clientLog: string[] }> {
    // 3 attempts × 20 s at most; a login takes well under a second when nothing goes wrong.
    const { value, clientFaults } = await withClientRetries(3, async () => {
      const id = await useId();
      const from = app.log.length;
      const run = await runAuth(app, { tcTokenURL: `${origin}/eid/tctoken?sessionId=${id}`, timeoutMs: 20_000, ...options });
      return { run, id, clientLog: app.log.slice(from) };
    });
    timings[label] = value.run.durationMs;
    if (clientFaults.length > 0) timings[`${label}:clientRetries`] = clientFaults.length;
    return value;
  }

  function explain(run: AuthRun): string {
    return JSON.stringify({ result: run.result, url: run.url, server: logLines.slice(-8), client: app.log.filter((l) => /warning|critical|error/i.test(l)).slice(-12) }, null, 1);
  }

  it(`runs headless: SDK WebSocket and the eID-Client endpoint on the chosen port (${AUSWEISAPP_EXECUTABLE})`, async () => {
    const sdk = await app.connect();
    try {
      sdk.send('GET_INFO');
      const info = await sdk.expect('INFO', 5000);
      const version = info.VersionInfo as Record<string, string>;
      assert.equal(version['Implementation-Version'], '1.26.2');
      assert.equal(version['Specification-Title'], 'TR-03124');
    } finally {
      sdk.close();
    }
    // TR-03124-1 §2.2: the same port also serves the eID-Client activation endpoint.
    const status = await fetch(`http://127.0.0.1:${app.port}/eID-Client?Status`, { signal: AbortSignal.timeout(5000) });
    assert.equal(status.status, 200);
    assert.match(await status.text(), /Implementation-Version.*1\.26\.2/s);
  });

  it('useID → TC Token → TLS-PSK → PAOS/EAC → RefreshAddress → getResult: ERIKA MUSTERMANN, RestrictedID, age verification', async () => {
    const { run, id, clientLog } = await login('fullLogin');
    assert.equal(run.result.major, RESULT_MAJOR_OK, explain(run));

    // TLS-2 as the client reports it (StateGenericSendReceive: the PAOS channel): RSA_PSK over TLS 1.2.
    const tls2 = clientLog.find((l) => /StateGenericSendReceive.*Used session cipher/.test(l)) ?? '';
    assert.match(tls2, /name=RSA-PSK-AES(256|128)-(GCM-SHA(384|256)|CBC-SHA)\b.*proto=TLSv1\.2/, 'TLS-2 cipher');
    assert.ok(clientLog.some((l) => /DidAuthenticateEac1Parser.*Certificate Name \(Holder\): "DETERM00001"/.test(l)), 'EAC1InputType parsed by the client');

    // What the client understood of our EAC1InputType (SDK names).
    const chat = run.accessRights?.chat as { required: string[]; optional: string[] };
    assert.ok(chat.required.includes('FamilyName') && chat.required.includes('Pseudonym'), JSON.stringify(chat));
    assert.ok(chat.optional.includes('GivenNames') && chat.optional.includes('AgeVerification'), JSON.stringify(chat));
    assert.equal((run.accessRights?.aux as { requiredAge?: string } | undefined)?.requiredAge, '18');
    const description = run.certificate?.description as Record<string, string> | undefined;
    assert.equal(description?.subjectUrl, origin);
    assert.equal(description?.subjectName, pki.description.subjectName);

    // TR-03124-1 §2.5.4: the RefreshAddress of our TC Token (same origin as subjectURL, so the client
    // makes no hop itself); the browser's visit ends the eID part with a redirect to the eService.
    assert.equal(run.url?.split(/[?&]ResultMajor=/)[0], `${origin}/eid/refresh?sessionId=${id}`);
    const refresh = await followRefresh(run.url!);
    assert.equal(refresh.status, 303);
    assert.equal(refresh.location, `https://eservice.example.test/done?session=${id}`);

    const r = await getResult(id, 1);
    assert.equal(r.major, RESULT_MAJOR_OK, r.el.toString());
    for (const [element, text] of Object.entries(ERIKA)) assert.equal(r.text('PersonalData', element), text, element);
    assert.equal(r.text('PersonalData', 'DateOfBirth', 'DateString'), '19640812');
    assert.equal(r.text('PersonalData', 'DateOfBirth', 'DateValue'), '1964-08-12');
    assert.match(r.text('PersonalData', 'PlaceOfBirth', 'FreetextPlace') ?? '', /BERLIN/);
    const residence = r.path('PersonalData', 'PlaceOfResidence', 'StructuredPlace');
    assert.ok(residence, `PlaceOfResidence as StructuredPlace: ${r.path('PersonalData', 'PlaceOfResidence')?.toString()}`);
    assert.match(r.text('PersonalData', 'PlaceOfResidence', 'StructuredPlace', 'Street') ?? '', /HEIDESTRA(SS|ẞ)E 17/);
    assert.equal(r.text('PersonalData', 'PlaceOfResidence', 'StructuredPlace', 'City'), 'KÖLN');
    assert.equal(r.text('PersonalData', 'PlaceOfResidence', 'StructuredPlace', 'Country'), 'D');
    assert.equal(r.text('PersonalData', 'PlaceOfResidence', 'StructuredPlace', 'ZipCode'), '51147');
    const restricted = r.text('PersonalData', 'RestrictedID', 'ID') ?? '';
    assert.match(restricted, /^[0-9A-F]{64}$/);
    firstRestrictedId = restricted;
    assert.equal(r.text('FulfilsAgeVerification', 'FulfilsRequest'), 'true');
    // Schema order of PersonalData (TR-03130 XSD PersonalDataType).
    const schemaOrder = soapProfile('de').operations.map((o) => o.element);
    const positions = r.personalData.map((name) => schemaOrder.indexOf(name));
    assert.ok(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!)), `PersonalData order: ${r.personalData.join(', ')}`);
    for (const op of ['DocumentType', 'FamilyNames', 'GivenNames', 'DateOfBirth', 'PlaceOfResidence', 'RestrictedID', 'AgeVerification']) {
      assert.equal(r.text('OperationsAllowedByUser', op), 'ALLOWED', op);
    }
    // TR-03130-1 §3.2.2: delivered once, then the session and its personal data are gone.
    const again = await getResult(id, 2);
    assert.equal(again.major, RESULT_MAJOR_ERROR);
    assert.equal(again.minor, `${EID_MINOR}/getResult#invalidSession`);
  });

  it('deselected optional rights: the same RestrictedID, GivenNames and AgeVerification PROHIBITED in getResult', async () => {
    const { run, id } = await login('deselect', { deselect: ['GivenNames', 'AgeVerification'] });
    assert.equal(run.result.major, RESULT_MAJOR_OK, explain(run));
    const after = run.accessRightsAfterDeselect?.chat as { effective: string[] } | undefined;
    assert.ok(after !== undefined && !after.effective.includes('GivenNames') && !after.effective.includes('AgeVerification'), JSON.stringify(after));
    assert.equal((await followRefresh(run.url!)).status, 303);

    const r = await getResult(id, 1);
    assert.equal(r.major, RESULT_MAJOR_OK, r.el.toString());
    assert.equal(r.text('PersonalData', 'FamilyNames'), 'MUSTERMANN');
    assert.equal(r.path('PersonalData', 'GivenNames'), undefined, 'GivenNames not delivered');
    assert.equal(r.path('FulfilsAgeVerification'), undefined, 'no age verification result');
    assert.equal(r.text('OperationsAllowedByUser', 'GivenNames'), 'PROHIBITED');
    assert.equal(r.text('OperationsAllowedByUser', 'AgeVerification'), 'PROHIBITED');
    assert.equal(r.text('OperationsAllowedByUser', 'FamilyNames'), 'ALLOWED');
    // TR-03110-2 §3.6: RI with the same sector key gives the same pseudonym.
    if (firstRestrictedId !== undefined) assert.equal(r.text('PersonalData', 'RestrictedID', 'ID'), firstRestrictedId);
  });

  it('a user cancellation at the PIN ends the session: getResult answers with an error result', async () => {
    const { run, id } = await login('cancel', { cancelAt: 'ENTER_PIN' });
    assert.notEqual(run.result.major, RESULT_MAJOR_OK);
    assert.match(run.result.minor ?? '', /cancellationByUser/);
    // The client still sends the browser to the RefreshAddress; the eID part has ended with the error.
    assert.equal(run.url, `${origin}/eid/refresh?sessionId=${id}`);
    assert.equal((await followRefresh(run.url)).status, 303);
    const r = await getResult(id, 1);
    assert.equal(r.major, RESULT_MAJOR_ERROR, r.el.toString());
    assert.equal(r.minor, `${EID_MINOR}/common#internalError`);
    assert.equal(r.path('PersonalData'), undefined);
    assert.ok(logLines.some((l) => l.includes('PAOS_CLIENT_CANCELLED')), 'the server saw the cancellation in the PAOS conversation');
  });

  it('the commCertificates and description we send decode as the client needs them', () => {
    const d = parseCertificateDescription(pki.pki.terminal.description!);
    assert.equal(d.tagging, 'explicit');
    assert.equal(d.subjectUrl, origin);
    assert.equal(d.commCertificates?.length, 1);
  });
});
