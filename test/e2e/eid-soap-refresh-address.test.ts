/**
 * A production-style SOAP eService with a registered `protocols.soap.refreshAddress`, end to end
 * through src/main.ts start() (dev setup, in-memory store): the eService calls useID itself (no
 * per-session return URL), the reference eID client logs in with the sample card through the
 * IdP-hosted TC Token, and the RefreshAddress answers 303 to the registered address with
 * ResultMajor (ResultMinor on error) appended, never the session id, the PSK or personal data. The
 * demo eService's per-session return URL still comes first.
 *
 * @spec tr03124-1 §2.5.4 (RefreshAddress, ResultMajor/ResultMinor), tr03130-1 §3.1.2, §3.2.1, §3.2.2
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { DEV_FIXTURES, start, type RunningIdp } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { callEidInterface, getResultRequestXml, replyChild, replyResult, useIdRequestXml, type EidInterfaceClientOptions } from '../../src/soap/client.js';
import { fetchTcToken } from '../../tools/eid-client/tc-token-fetch.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import { SoftwareCard } from '../../tools/software-card/software-card.js';
import { freePort } from '../support/processes.js';

const ADDRESS = 'https://bank.example.test/eid/back?step=2&lang=zh-TW';
const MAJOR_OK = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok';
const MAJOR_ERROR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error';
const person = (JSON.parse(readFileSync(DEV_FIXTURES.person, 'utf8')) as { attributes: Record<string, string> }).attributes;
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');

describe('e2e: SOAP eService with a registered refreshAddress (IdP-hosted TC Token)', function () {
  this.timeout(120_000);
  let idp: RunningIdp;
  let dataDir: string;
  let registryDir: string;
  let base: string;
  let soapPort: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'neid-refresh-'));
    registryDir = mkdtempSync(join(tmpdir(), 'neid-refresh-registry-'));
    for (const file of readdirSync('config/services')) copyFileSync(join('config/services', file), join(registryDir, file));
    // The demo bank, registered with its own RefreshAddress (a reviewed field; declared here by file).
    const soapFile = join(registryDir, 'demo-soap.yaml');
    const yaml = readFileSync(soapFile, 'utf8');
    const withAddress = yaml.replace(/^(\s+)(clientCertificateSha256: .*)$/m, `$1$2\n$1refreshAddress: ${ADDRESS}`);
    assert.notEqual(withAddress, yaml);
    writeFileSync(soapFile, withAddress);

    const [http, eid, soap, admin] = [await freePort(), await freePort(), await freePort(), await freePort()];
    soapPort = soap;
    base = `http://127.0.0.1:${http}`;
    const config = loadConfig({
      env: {
        NEID_HTTP_HOST: '127.0.0.1', NEID_HTTP_PORT: String(http), NEID_EID_HOST: '127.0.0.1', NEID_EID_PORT: String(eid), NEID_SOAP_HOST: '127.0.0.1',
        NEID_SOAP_PORT: String(soap), NEID_ADMIN_PORT: String(admin), NEID_PUBLIC_URL: base, NEID_EID_PUBLIC_URL: `https://localhost:${eid}/paos`,
        NEID_DEV_DATA_DIR: dataDir, NEID_LOG_LEVEL: 'silent', NEID_DEV_DEMO_SP_PORT: '0', NEID_REGISTRY_DIR: registryDir,
      },
    });
    assert.equal(config.registry.dir, registryDir);
    idp = await start(config, createLogger({ level: 'silent' }), { eidClientPort: null });
  });
  after(async () => {
    await idp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(registryDir, { recursive: true, force: true });
  });

  /** The bank's own SOAP client (the demo client keys), as an external eService would call useID. */
  function bank(): EidInterfaceClientOptions {
    const key = readFileSync(DEV_FIXTURES.soapClientKey, 'utf8');
    const cert = readFileSync(DEV_FIXTURES.soapClientCertificate, 'utf8');
    return {
      url: `https://127.0.0.1:${soapPort}/eID`, tls: { key, cert, ca: idp.dev!.soapTls.cert, servername: 'localhost' },
      wss: { key, cert }, serverWssCert: idp.dev!.soapWss.cert,
    };
  }

  async function useId(): Promise<{ id: string; psk: string }> {
    const r = await callEidInterface(bank(), useIdRequestXml('tw', { operations: { ChineseName: 'REQUIRED' } }));
    assert.equal(r.status, 200);
    assert.equal(replyResult(r.operation)?.major, MAJOR_OK);
    const id = replyChild(replyChild(r.operation, 'Session')!, 'ID')?.textContent ?? '';
    const psk = replyChild(replyChild(r.operation, 'PSK')!, 'Key')?.textContent ?? '';
    assert.match(id, /^[0-9A-Fa-f]{32,}$/);
    assert.match(psk, /^[0-9A-Fa-f]{64,}$/);
    return { id, psk };
  }

  const card = () => SoftwareCard.fromJSON(JSON.parse(readFileSync(idp.dev!.cardFile!, 'utf8')));
  const tcTokenUrl = (id: string) => `${base}/eid/tctoken?sessionId=${id}`;

  /** GET /eid/refresh as the eID client does; asserts a 303 that names neither the session nor the PSK. */
  async function refresh(id: string, psk: string, query: Record<string, string>): Promise<string> {
    const res = await fetch(`${base}/eid/refresh?${new URLSearchParams({ sessionId: id, ...query }).toString()}`, { redirect: 'manual' });
    await res.body?.cancel();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const location = res.headers.get('location') ?? '';
    assert.ok(!location.toLowerCase().includes(id.toLowerCase()), 'no session id in the target');
    assert.ok(!location.toLowerCase().includes(psk.toLowerCase()), 'no PSK in the target');
    return location;
  }

  async function getResult(id: string) {
    const r = await callEidInterface(bank(), getResultRequestXml('tw', id, 1));
    assert.equal(r.status, 200);
    return { ...replyResult(r.operation)!, chineseName: replyChild(replyChild(r.operation, 'PersonalData') ?? r.operation, 'ChineseName')?.textContent };
  }

  it('a complete login: 303 to the registered address with ResultMajor=ok after its own query; getResult then delivers the data', async () => {
    const { id, psk } = await useId();
    const out = await runClientLogin({ tcTokenUrl: tcTokenUrl(id), card: card(), pin: '123456', allowHttpLoopback: true });
    assert.equal(out.result.major, 'ok');
    assert.equal(out.refreshUrl, `${ADDRESS}&ResultMajor=ok`);
    const location = await refresh(id, psk, { ResultMajor: 'ok' });
    assert.equal(location, `${ADDRESS}&ResultMajor=ok`);
    assert.deepEqual([...new URL(location).searchParams.keys()], ['step', 'lang', 'ResultMajor'], 'nothing else, nothing personal');
    assert.ok(!location.includes(encodeURIComponent(person.ChineseName ?? '')) && !location.includes(person.NationalIdNumber ?? '∅'));
    const r = await getResult(id);
    assert.equal(r.major, MAJOR_OK, 'the RefreshAddress did not deliver (or drop) the result');
    assert.equal(r.chineseName, person.ChineseName);
  });

  it('a login cancelled in the eID client: 303 with ResultMajor=error&ResultMinor=cancellationByUser', async () => {
    const { id, psk } = await useId();
    const out = await runClientLogin({ tcTokenUrl: tcTokenUrl(id), card: card(), pin: '123456', allowHttpLoopback: true, cancelAt: 'EAC1InputType' });
    assert.equal(out.result.major, 'error');
    assert.equal(out.refreshUrl, `${ADDRESS}&ResultMajor=error&ResultMinor=cancellationByUser`);
    assert.equal(await refresh(id, psk, { ResultMajor: 'error', ResultMinor: 'cancellationByUser' }), `${ADDRESS}&ResultMajor=error&ResultMinor=cancellationByUser`);
    const r = await getResult(id);
    assert.equal(r.major, MAJOR_ERROR);
    assert.equal(r.message, 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/sal#cancellationByUser');
  });

  it('a wrong PIN: ResultMinor=clientError', async () => {
    const { id } = await useId();
    const out = await runClientLogin({ tcTokenUrl: tcTokenUrl(id), card: card(), pin: '000000', allowHttpLoopback: true });
    assert.equal(out.result.major, 'error');
    assert.equal(out.refreshUrl, `${ADDRESS}&ResultMajor=error&ResultMinor=clientError`);
  });

  it('TLS-2 refused by the client (reported only at the RefreshAddress): ResultMinor=trustedChannelEstablishmentFailed', async () => {
    const { id, psk } = await useId();
    await fetchTcToken(tcTokenUrl(id), { allowHttpLoopback: true });
    const location = await refresh(id, psk, { ResultMajor: 'error', ResultMinor: 'trustedChannelEstablishmentFailed' });
    assert.equal(location, `${ADDRESS}&ResultMajor=error&ResultMinor=trustedChannelEstablishmentFailed`);
    assert.equal((await getResult(id)).major, MAJOR_ERROR);
  });

  it('the demo eService\'s per-session return URL comes before the registered address', async () => {
    const login = await fetch(`${base}/demo/login`, { method: 'POST' });
    assert.equal(login.status, 200);
    const href = /id="eid-client" href="([^"]+)"/.exec(await login.text())?.[1];
    assert.ok(href !== undefined);
    const demoTcTokenUrl = new URL(unescape(href)).searchParams.get('tcTokenURL') ?? '';
    const out = await runClientLogin({ tcTokenUrl: demoTcTokenUrl, card: card(), pin: '123456', allowHttpLoopback: true });
    assert.equal(out.result.major, 'ok');
    assert.equal(out.refreshUrl, `${base}/demo/return`);
  });
});
