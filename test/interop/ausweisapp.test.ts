/**
 * Interop with a real eID-Client: AusweisApp2 1.26.2 (Debian bookworm) with its built-in Simulator
 * card, driven headless through the SDK WebSocket. Fails (never skips) when AusweisApp2 is missing.
 *
 * Stages proven:
 * 1. the client runs headless on our port, SDK and /eID-Client endpoint;
 * 2. it fetches our TC Token, opens TLS-2 to listenTlsPsk (RSA_PSK, TLS 1.2) and POSTs StartPAOS;
 * 3. EAC end to end with the simulator card: PAOS codecs (src/eid/paos) + server EAC engine
 *    (src/eid/eac/terminal): TA, PA against the BSI TEST CSCA, CA v2, SM reads of the `de` data
 *    groups, RI, age verification; user deselection; user cancellation;
 * 4. the complete `de`-profile login through the eID-Server (useID → TC Token → TLS-PSK → PAOS/EAC →
 *    getResult) — see the last test.
 *
 * @spec tr03124-1 §2 (eID-Client), tr03112-7 §3 (PAOS), tr03110-2 §3 (EAC), tr03130-1 §2.4, §3 (eID-Interface); eid-protocol §5.1
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { AUSWEISAPP_EXECUTABLE, RESULT_MAJOR_OK, runAuth, startAusweisApp, withClientRetries, type AusweisApp, type AuthRun } from '../support/ausweisapp.js';
import { createAusweisAppPki, SIMULATOR_CVCA, verifySimulatorCardSecurity, type AusweisAppPki } from '../support/ausweisapp-pki.js';
import { startProbeServer, type ProbeServer, type ProbeSession } from '../support/eid-probe-server.js';
import { testRsaCertificate } from '../support/rsa-cert.js';
import { keyObjectSigner } from '../../src/eid/eac/ta.js';
import { decodeChat, chatAllows } from '../../src/eid/eac/cvc/chat.js';
import { chatForAttributes } from '../../src/services/attribute-policy.js';
import type { EidRequest } from '../../src/session/eid-session.js';
import { parseCertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import { decodeSecurityInfos } from '../../src/eid/eac/security-infos.js';
import type { EacTerminalConfig } from '../../src/eid/eac/terminal/index.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { createLogger } from '../../src/shared/logger.js';
import { systemClock } from '../../src/shared/clock.js';

/** The useID request of the demo eService (TR-03130 REQUIRED/ALLOWED → Required/Optional CHAT). */
const DE_REQUEST: EidRequest = {
  profile: 'de', front: 'soap',
  required: ['DocumentType', 'IssuingState', 'DateOfExpiry', 'FamilyNames', 'RestrictedID'],
  optional: ['GivenNames', 'ArtisticName', 'AcademicTitle', 'DateOfBirth', 'PlaceOfBirth', 'Nationality', 'BirthName', 'PlaceOfResidence', 'CommunityID', 'ResidencePermitI', 'ResidencePermitII', 'AgeVerification'],
  ageVerification: { age: 18 },
};

/** ERIKA MUSTERMANN as AusweisApp 1.26.2's simulator stores her (SimulatorFileSystem.cpp). */
const SIMULATOR_PERSON: Readonly<Record<number, string>> = {
  1: 'ID', 2: 'D', 3: '20291031', 4: 'ERIKA', 5: 'MUSTERMANN', 8: '19640812', 10: 'D', 13: 'GABLER',
};

describe('AusweisApp2 1.26.2 interop (Simulator card)', function () {
  this.timeout(180_000);
  let app: AusweisApp;
  let probe: ProbeServer;
  let pki: AusweisAppPki;
  const tls = testRsaCertificate();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', name: 'ausweisapp-interop', destination: new Writable({ write(chunk, _e, cb) { logLines.push(String(chunk)); cb(); } }) });
  const timings: number[] = [];

  const eacConfig = (request: EidRequest): EacTerminalConfig => ({
    certificates: [pki.pki.dv.certificate],
    terminalCertificate: pki.pki.terminal.certificate,
    signer: keyObjectSigner(pki.pki.terminal.keyPair.privateKey),
    requiredChat: chatForAttributes('de', request.required),
    optionalChat: chatForAttributes('de', request.optional),
    certificateDescription: pki.pki.terminal.description,
    auxiliary: { minimumAge: request.ageVerification?.age, checkValidity: true },
    sectorPublicKeys: [pki.sectorKey],
    profile: getProfile('de'),
    verifyCardSecurity: async (cs) => verifySimulatorCardSecurity(pki.trustStore, systemClock, cs).securityInfos,
    clock: systemClock,
    timeZone: 'Europe/Berlin',
  });

  before(async function () {
    // No skip: a missing AusweisApp2 is a failed interop test (CI installs it).
    app = await startAusweisApp();
    probe = await startProbeServer({ key: tls.key, cert: tls.cert, eacConfig, logger, chainTrustPoint: SIMULATOR_CVCA });
    pki = createAusweisAppPki({ subjectUrl: probe.origin, tlsCertificates: [tls.cert] });
  });

  after(async () => {
    await app?.stop();
    await probe?.close();
    if (timings.length > 0) console.log(`      AusweisApp logins: ${timings.map((t) => `${t} ms`).join(', ')}`);
  });

  /** One login with a fresh eID session; a known client fault (card-connect race) is retried. */
  async function login(options: { deselect?: string[]; cancelAt?: 'ACCESS_RIGHTS' | 'ENTER_PIN' } = {}): Promise<{ run: AuthRun; session: ProbeSession }> {
    const { value } = await withClientRetries(5, async () => {
      const { session, tcTokenUrl } = await probe.openSession(DE_REQUEST);
      const run = await runAuth(app, { tcTokenURL: tcTokenUrl, ...options });
      return { run, session };
    });
    if (value.run.result.major === RESULT_MAJOR_OK) timings.push(value.run.durationMs);
    return value;
  }

  function explain(session: ProbeSession, run: AuthRun): string {
    return JSON.stringify({ result: run.result, url: run.url, serverError: session.error, clientResult: session.clientResult, log: app.log.filter((l) => /warning|critical|error/i.test(l)).slice(-15) }, null, 1);
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

  it('fetches our TC Token, opens TLS-2 (RSA_PSK, TLS 1.2) on listenTlsPsk and POSTs StartPAOS', async () => {
    const { run, session } = await login();
    assert.equal(probe.tcTokenRequests.at(-1)?.url.includes(session.id), true, 'TC Token fetched');
    const first = probe.exchanges.find((e) => e.pskIdentity === session.id && e.clientMessage === 'StartPAOS');
    assert.ok(first, `no StartPAOS on TLS-2: ${explain(session, run)}`);
    assert.equal(first.protocol, 'TLSv1.2');
    assert.match(first.cipher ?? '', /^(ECDHE-)?RSA-PSK-|^RSA-PSK-/);
    assert.equal(first.method, 'POST');
    assert.equal(first.url, '/paos');
    // Headers AusweisApp sends on the PAOS POST (eid-protocol §2.4).
    assert.match(String(first.headers['content-type']), /^application\/vnd\.paos\+xml/i);
    assert.equal(first.headers.paos, 'ver="urn:liberty:paos:2006-08"');
    assert.match(String(first.headers['user-agent']), /^AusweisApp2\/1\.26\.2 \(TR-03124\/1\.3\)$/);
    assert.equal(first.headers.requestid, session.id);
    const start = session.startPaos!;
    assert.equal(start.sessionIdentifier, session.id);
    assert.equal(start.connectionHandles[0]?.cardApplication?.toString('hex'), 'e80704007f00070302');
    assert.ok(start.connectionHandles[0]?.slotHandle !== undefined, 'SlotHandle present');
    assert.equal(start.userAgent?.name, 'AusweisApp2');
    assert.deepEqual([start.userAgent?.versionMajor, start.userAgent?.versionMinor, start.userAgent?.versionSubminor], [1, 26, 2]);
    assert.deepEqual(start.supportedApiVersions[0], { major: 1, minor: 1, subminor: 5 });
  });

  it('completes EAC with the simulator card: personal data, RestrictedID, age verification, document validity', async () => {
    const { run, session } = await login();
    assert.equal(run.result.major, RESULT_MAJOR_OK, explain(session, run));
    // SDK: AUTH.url is the RefreshAddress as sent (1.26.2 adds ResultMajor only on the browser redirect).
    // Same origin as subjectURL, so the client makes no redirect hop to it.
    assert.equal(run.url, `${probe.origin}/refresh?session=${session.id}`);

    // What the client understood of our EAC1InputType.
    const chat = run.accessRights?.chat as { required: string[]; optional: string[]; effective: string[] };
    assert.ok(chat.required.includes('FamilyName') && chat.required.includes('Pseudonym'), JSON.stringify(chat));
    assert.ok(chat.optional.includes('GivenNames') && chat.optional.includes('AgeVerification'), JSON.stringify(chat));
    const aux = run.accessRights?.aux as { ageVerificationDate?: string; requiredAge?: string } | undefined;
    assert.equal(aux?.requiredAge, '18');
    const description = run.certificate?.description as Record<string, string> | undefined;
    assert.equal(description?.subjectUrl, probe.origin);
    assert.equal(description?.subjectName, pki.description.subjectName);

    // EAC1OutputType: effective CHAT = everything requested (no deselection).
    const eac1 = session.eac1Output!;
    assert.ok(eac1.chat !== undefined && chatAllows(decodeChat(eac1.chat), 'READ_DG4'));
    assert.equal(eac1.idPicc.length > 0, true);
    assert.equal(eac1.challenge?.length, 8);

    // EAC2OutputType: EF.CardSecurity passes PA against the BSI TEST CSCA (the real DS certificate from the card).
    const pa = verifySimulatorCardSecurity(pki.trustStore, systemClock, session.eac2Output!.efCardSecurity!);
    assert.equal(pa.csca.subjectText, 'C=DE, O=bund, OU=bsi, CN=TEST csca-germany');
    assert.match(pa.documentSigner.subjectText, /TEST Document Signer Identity Documents/);
    assert.ok(decodeSecurityInfos(pa.securityInfosDer).length >= 9);

    const result = session.result!;
    assert.ok(result, explain(session, run));
    assert.equal(result.documentValidity, 'valid');
    for (const [dg, text] of Object.entries(SIMULATOR_PERSON)) assert.equal(result.dataGroups[dg]?.text, text, `DG${dg}`);
    assert.match(result.dataGroups['9']?.text ?? '', /BERLIN/);
    assert.match(result.dataGroups['17']?.text ?? '', /HEIDESTRA(SS|ẞ)E 17/);
    assert.match(result.dataGroups['17']?.text ?? '', /KÖLN/);
    assert.ok(result.dataGroups['18'] !== undefined, 'CommunityID read');
    assert.equal(result.ageVerified, true);
    assert.equal(result.restrictedIds?.length, 1);
    assert.match(result.restrictedIds![0]!, /^[0-9a-f]{64}$/);

    // getResult side: the sealed result from EidSessions, delivered once.
    const delivered = await probe.takeResult(session.id);
    assert.ok(delivered, 'result stored');
    assert.equal(delivered.error, undefined);
    assert.equal(delivered.documentValidity, 'valid');
    assert.deepEqual(delivered.attributes.FamilyNames, { status: 'value', text: 'MUSTERMANN' });
    assert.deepEqual(delivered.attributes.GivenNames, { status: 'value', text: 'ERIKA' });
    assert.deepEqual(delivered.attributes.DateOfBirth, { status: 'value', text: '19640812' });
    assert.equal(delivered.restrictedId?.id, result.restrictedIds![0]);
    assert.equal(delivered.ageVerification, true);
    assert.equal(await probe.takeResult(session.id), null, 'delivered once');
  });

  it('returns the same RestrictedID for the same sector and honours deselected optional rights', async () => {
    const first = probe.sessions.size > 0 ? [...probe.sessions.values()].find((s) => s.result !== undefined) : undefined;
    const { run, session } = await login({ deselect: ['GivenNames', 'AgeVerification'] });
    assert.equal(run.result.major, RESULT_MAJOR_OK, explain(session, run));
    const after = run.accessRightsAfterDeselect?.chat as { effective: string[] } | undefined;
    assert.ok(after !== undefined && !after.effective.includes('GivenNames') && !after.effective.includes('AgeVerification'), JSON.stringify(after));
    const effective = decodeChat(session.eac1Output!.chat!);
    assert.equal(chatAllows(effective, 'READ_DG4'), false);
    assert.equal(chatAllows(effective, 'AGE_VERIFICATION'), false);
    const result = session.result!;
    assert.equal(result.dataGroups['4'], undefined, 'GivenNames not read');
    assert.equal(result.ageVerified, undefined);
    assert.equal(result.dataGroups['5']?.text, 'MUSTERMANN');
    if (first?.result?.restrictedIds !== undefined) assert.deepEqual(result.restrictedIds, first.result.restrictedIds);
    const delivered = await probe.takeResult(session.id);
    assert.deepEqual(delivered?.attributes.GivenNames, { status: 'prohibited' });
    assert.equal(delivered?.ageVerification, undefined);
  });

  it('reports a user cancellation to the server', async () => {
    const { run, session } = await login({ cancelAt: 'ENTER_PIN' });
    assert.notEqual(run.result.major, RESULT_MAJOR_OK);
    assert.equal(session.result, undefined);
    assert.match(run.result.minor ?? '', /cancellationByUser/);
    assert.match(session.clientResult?.minor ?? session.error?.code ?? '', /cancellationByUser|PAOS_CLIENT_CANCELLED/, explain(session, run));
    assert.equal((await probe.takeResult(session.id))?.error?.code, 'PAOS_CLIENT_CANCELLED');
  });

  it('the commCertificates and description we send decode as the client needs them', () => {
    const d = parseCertificateDescription(pki.pki.terminal.description!);
    assert.equal(d.tagging, 'explicit');
    assert.equal(d.subjectUrl, probe.origin);
    assert.equal(d.commCertificates?.length, 1);
  });
});
