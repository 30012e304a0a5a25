/**
 * The development setup as `npm start` runs it (src/main.ts start(): dev bootstrap in a fresh
 * dev.dataDir, in-memory store, all listeners on free ports), driven through the demo SOAP eService:
 * GET /demo → POST /demo/login (useID over mutual TLS + WS-Security) → the reference eID client with
 * the generated sample card (TC Token, TLS-PSK, PAOS/EAC) → RefreshAddress → /demo/return
 * (getResult) shows exactly the approved attributes, minus what the citizen deselected.
 */
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { start, type RunningIdp } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import { startEidClientServer } from '../../tools/eid-client/server.js';
import { SoftwareCard } from '../../tools/software-card/software-card.js';
import { freePort } from '../support/processes.js';

const person = (JSON.parse(readFileSync('test/fixtures/persons/tw-citizen.json', 'utf8')) as { attributes: Record<string, string> }).attributes;
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');

describe('e2e: development login through the demo SOAP eService', function () {
  this.timeout(120_000);
  let idp: RunningIdp;
  let dataDir: string;
  let base: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'neid-dev-'));
    const [http, eid, soap, admin, demoSp] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    base = `http://127.0.0.1:${http}`;
    const config = loadConfig({
      env: {
        NEID_HTTP_HOST: '127.0.0.1', NEID_HTTP_PORT: String(http), NEID_EID_HOST: '127.0.0.1', NEID_EID_PORT: String(eid), NEID_SOAP_HOST: '127.0.0.1',
        NEID_SOAP_PORT: String(soap), NEID_ADMIN_PORT: String(admin), NEID_PUBLIC_URL: base, NEID_EID_PUBLIC_URL: `https://localhost:${eid}/paos`,
        NEID_DEV_DATA_DIR: dataDir, NEID_LOG_LEVEL: 'silent', NEID_DEV_DEMO_SP_PORT: String(demoSp),
      },
    });
    const started = Date.now();
    idp = await start(config, createLogger({ level: 'silent' }), { eidClientPort: null });
    assert.ok(Date.now() - started < 20_000, 'a fresh dev start stays well inside the 20 s /healthz budget');
  });
  after(async () => {
    await idp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** GET /demo → POST /demo/login: the cookie binding the demo state and the eID client link. */
  async function beginLogin(): Promise<{ cookie: string; clientUrl: URL; tcTokenUrl: string }> {
    const landing = await fetch(`${base}/demo`);
    assert.equal(landing.status, 200);
    assert.match(await landing.text(), /Log in with New eID/);
    const login = await fetch(`${base}/demo/login`, { method: 'POST' });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^neid_demo=[0-9a-f]{32}$/);
    const href = /id="eid-client" href="([^"]+)"/.exec(await login.text())?.[1];
    assert.ok(href !== undefined, 'the page links to the eID client');
    const clientUrl = new URL(unescape(href));
    assert.equal(`${clientUrl.origin}${clientUrl.pathname}`, 'http://127.0.0.1:24727/eID-Client');
    const tcTokenUrl = clientUrl.searchParams.get('tcTokenURL') ?? '';
    assert.match(tcTokenUrl, new RegExp(`^${base}/eid/tctoken\\?sessionId=[0-9A-Fa-f]{32,}$`));
    return { cookie, clientUrl, tcTokenUrl };
  }

  async function released(cookie: string, url: string): Promise<{ status: number; rows: Record<string, string>; body: string }> {
    const res = await fetch(url, { headers: { cookie } });
    const body = await res.text();
    const rows: Record<string, string> = {};
    for (const m of body.matchAll(/<tr><th>([^<]*)<\/th><td>([^<]*)<\/td><\/tr>/g)) rows[m[1] as string] = unescape(m[2] as string);
    return { status: res.status, rows, body };
  }

  it('the dev bootstrap produced the registry\'s terminal files and the sample card; PAOS goes to eid.publicUrl', () => {
    for (const id of ['demo-saml', 'demo-oidc', 'demo-soap']) {
      assert.ok(readFileSync(join(dataDir, 'pki', 'terminals', id, 'terminal.cvcert')).length > 100);
    }
    assert.ok(idp.dev?.cardFile?.endsWith(join('cards', 'tw-citizen.json')));
  });

  it('headless: useID → client login with the dev card → RefreshAddress → /demo/return shows the approved attributes', async () => {
    const { cookie, tcTokenUrl } = await beginLogin();
    const card = SoftwareCard.fromJSON(JSON.parse(readFileSync(idp.dev!.cardFile!, 'utf8')));
    const out = await runClientLogin({ tcTokenUrl, card, pin: '123456', deselect: ['RomanizedName'], allowHttpLoopback: true });
    assert.equal(out.result.major, 'ok');
    assert.equal(out.refreshUrl, `${base}/demo/return`, 'the RefreshAddress leads back to the demo eService');
    const page = await released(cookie, out.refreshUrl);
    assert.equal(page.status, 200);
    assert.deepEqual(Object.keys(page.rows).sort(), ['CardNumber', 'ChineseName', 'DateOfBirth', 'HouseholdAddress', 'NationalIdNumber'].sort());
    assert.equal(page.rows.ChineseName, person.ChineseName);
    assert.equal(page.rows.NationalIdNumber, person.NationalIdNumber);
    assert.equal(page.rows.CardNumber, person.CardNumber);
    assert.match(page.body, /RomanizedName=PROHIBITED|Released by the citizen: (?!.*RomanizedName)/, 'the deselected optional field is not released');
    assert.equal((await released(cookie, `${base}/demo/return`)).status, 400, 'the result is delivered once');
  });

  it('the eID client web service (interactive): consent page with the eService, PIN form → 303 to the RefreshAddress', async () => {
    const client = await startEidClientServer({ port: 0, cardFile: idp.dev!.cardFile!, headless: false, allowHttpLoopback: true, logger: createLogger({ level: 'silent' }) });
    try {
      const { cookie, clientUrl } = await beginLogin();
      const local = `http://127.0.0.1:${client.port}${clientUrl.pathname}${clientUrl.search}`;
      const consent = await fetch(local, { redirect: 'manual' });
      assert.equal(consent.status, 200);
      assert.match(consent.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const html = await consent.text();
      assert.doesNotMatch(html, /<script/i);
      assert.match(unescape(html), /示範商業銀行股份有限公司/, 'subjectName from the CertificateDescription');
      assert.match(html, /NationalIdNumber \(required\)/);
      assert.match(html, /name="keep" value="RomanizedName"/);
      const action = /action="(\/consent\/[0-9a-f]{32})"/.exec(html)?.[1];
      assert.ok(action !== undefined);
      const submit = await fetch(`http://127.0.0.1:${client.port}${action}`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ pin: '123456', keep: 'RomanizedName', action: 'accept' }).toString(),
      });
      assert.equal(submit.status, 303);
      assert.equal(submit.headers.get('location'), `${base}/demo/return`);
      const page = await released(cookie, `${base}/demo/return`);
      assert.equal(page.rows.RomanizedName, person.RomanizedName, 'kept optional field released');
      assert.equal(page.rows.ChineseName, person.ChineseName);
    } finally {
      await client.close();
    }
  });

  it('headless eID client web service with a wrong PIN: the demo shows the error from getResult', async () => {
    const client = await startEidClientServer({ port: 0, cardFile: idp.dev!.cardFile!, headless: true, pin: '000000', allowHttpLoopback: true, logger: createLogger({ level: 'silent' }) });
    try {
      const { cookie, clientUrl } = await beginLogin();
      const res = await fetch(`http://127.0.0.1:${client.port}${clientUrl.pathname}${clientUrl.search}`, { redirect: 'manual' });
      assert.equal(res.status, 303);
      const page = await released(cookie, res.headers.get('location') ?? '');
      assert.match(page.body, /Login failed/);
      assert.match(page.body, /resultminor/);
    } finally {
      await client.close();
    }
  });
});
