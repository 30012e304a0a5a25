/**
 * Redis goes away in the middle of a login: one `neid serve` process on a PRIVATE redis-server (its own
 * port, no persistence), reached through a TCP hop that lets the test act at the moment a given command
 * leaves the IdP. Redis is paused with SIGSTOP (a hung server: commands time out, the worst case) or
 * killed and started again empty. Measured times are printed; the bounds asserted are the documented
 * ones with a margin (redis.ts command timeout 1.5 s, socket timeout 3 s, TLS-2 handshake timeout 10 s).
 *
 * @spec SPEC §8 (Redis outage → clear 503s and recovery without restart), §7 (no personal data in logs); tr03130-1 §3.2.2 (getResult lifecycle); tr03124-1 §2.5.4 (CommunicationErrorAddress)
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { callEidInterface, getResultRequestXml, replyResult, type EidInterfaceClientOptions } from '../../src/soap/client.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import { SoftwareCard } from '../../tools/software-card/software-card.js';
import { Browser, DEMO_REDIRECT } from '../support/oidc-world.js';
import { freePort, httpStatus, logRecords, spawnCli, startRedis, stopProcess, waitFor, type Spawned } from '../support/processes.js';

const FIXTURES = 'test/fixtures/demo-eservices';
const MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor/';
const NO_RESULT_YET = `${MINOR}getResult#noResultYet`;
const person = (JSON.parse(readFileSync('test/fixtures/persons/tw-citizen.json', 'utf8')) as { attributes: Record<string, string> }).attributes;
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
const pkcs8 = (path: string) => new Uint8Array(createPrivateKey(readFileSync(path)).export({ type: 'pkcs8', format: 'der' }));

/** IdP ↔ Redis, byte for byte; `onChunk` sees each IdP → Redis chunk first, and that chunk (and all after it) waits for it. */
class RedisTap {
  onChunk: ((chunk: Buffer) => Promise<void> | void) | undefined;
  port = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(upstreamPort: number) {
    this.#server = createServer((idp) => {
      const redis = connect(upstreamPort, '127.0.0.1');
      for (const s of [idp, redis]) {
        this.#sockets.add(s);
        s.once('close', () => this.#sockets.delete(s));
      }
      let queue = Promise.resolve();
      idp.on('data', (chunk: Buffer) => {
        queue = queue.then(async () => {
          await this.onChunk?.(chunk);
          if (!redis.destroyed) redis.write(chunk);
        });
      });
      redis.on('data', (chunk: Buffer) => { if (!idp.destroyed) idp.write(chunk); });
      const end = (): void => { idp.destroy(); redis.destroy(); };
      idp.on('close', end).on('error', end);
      redis.on('close', end).on('error', end);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  /** Runs `act` once, before the first chunk with the command `command` (RESP, case-insensitive) naming a key containing `key` leaves. */
  once(command: string, key: string, act: () => Promise<void>): void {
    const pattern = new RegExp(`\\r\\n${command}\\r\\n[\\s\\S]*${key}`, 'i');
    this.onChunk = async (chunk) => {
      if (!pattern.test(chunk.toString('latin1'))) return;
      this.onChunk = undefined;
      await act();
    };
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** SIGSTOP, then wait until the kernel reports the process stopped: nothing sent afterwards is processed. */
async function pause(child: ChildProcess): Promise<void> {
  child.kill('SIGSTOP');
  while (!/^\d+ \(.*\) T /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))) await sleep(1);
}

/** Fails (instead of hanging the suite) when `promise` has not settled within `ms`. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (hangs)`)), ms); });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

describe('e2e: Redis goes away in the middle of a login (one neid process, private redis-server)', function () {
  this.timeout(60_000);
  let redisPort: number;
  let redis: ChildProcess;
  let tap: RedisTap;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let idp: Spawned;
  let base: string;
  let soapPort: number;

  before(async () => {
    redisPort = await freePort();
    redis = startRedis(redisPort);
    tap = new RedisTap(redisPort);
    await tap.listen();
    dataDir = mkdtempSync(join(tmpdir(), 'neid-redis-outage-'));
    const [http, eid] = [await freePort(), await freePort()];
    soapPort = await freePort();
    base = `http://127.0.0.1:${http}`;
    env = {
      NEID_HTTP_HOST: '127.0.0.1', NEID_HTTP_PORT: String(http), NEID_EID_HOST: '127.0.0.1', NEID_EID_PORT: String(eid),
      NEID_SOAP_HOST: '127.0.0.1', NEID_SOAP_PORT: String(soapPort), NEID_ADMIN_PORT: String(await freePort()), NEID_DEV_DEMO_SP_PORT: String(await freePort()),
      NEID_PUBLIC_URL: base, NEID_EID_PUBLIC_URL: `https://localhost:${eid}/paos`, NEID_DEV_DATA_DIR: dataDir, NEID_DEV_EID_CLIENT_PORT: '0',
      NEID_REDIS_URL: `redis://127.0.0.1:${tap.port}`, NEID_STORE_DATA_KEY: randomBytes(32).toString('hex'),
    };
    idp = spawnCli(['serve'], env);
    try {
      await waitFor(async () => ((await httpStatus(`${base}/readyz`)) === 200 ? true : undefined), 40_000);
    } catch (err) {
      throw new Error(`neid serve did not come up: ${idp.stderr.join('').slice(-2000)} ${idp.stdout.join('').slice(-2000)}`, { cause: err });
    }
  });
  after(async () => {
    if (idp !== undefined) await stopProcess(idp.child, 'SIGKILL');
    redis.kill('SIGCONT');
    await stopProcess(redis, 'SIGKILL');
    await tap?.close();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  const readyz = () => httpStatus(`${base}/readyz`);
  const card = (): SoftwareCard => SoftwareCard.fromJSON(JSON.parse(readFileSync(join(dataDir, 'cards', 'tw-citizen.json'), 'utf8')));
  const codesSince = (from: number): unknown[] => logRecords(idp).slice(from).map((r) => r.code);

  /** Milliseconds from SIGCONT (or a restart) until /readyz is 200 again; the same process throughout. */
  async function timeToReady(): Promise<number> {
    const started = Date.now();
    await waitFor(async () => ((await readyz()) === 200 ? true : undefined), 10_000, 25);
    assert.equal(idp.child.exitCode, null, 'the same process, no restart');
    return Date.now() - started;
  }

  /** getResult (counter 1) while Redis hangs at the first `command` on a key starting with `key`; resumed afterwards. */
  async function getResultWhileRedisHangsAt(command: string, key: string, sessionId: string): Promise<{ first: Awaited<ReturnType<typeof getResult>>; pausedAt: number }> {
    let pausedAt = 0;
    tap.once(command, key, async () => {
      await pause(redis);
      pausedAt = Date.now();
    });
    try {
      return { first: await getResult(sessionId, 1), pausedAt };
    } finally {
      redis.kill('SIGCONT');
    }
  }

  /** While Redis is away: not ready, still alive. */
  async function assertDownButAlive(): Promise<void> {
    assert.equal(await readyz(), 503, '/readyz is 503 while Redis does not answer');
    assert.equal(await httpStatus(`${base}/healthz`), 200, 'the process stays alive (liveness is not readiness)');
    assert.equal(idp.child.exitCode, null);
  }

  /** The demo eService's SOAP client material (TEST-ONLY fixture keys), mutual TLS + WS-Security. */
  function eService(): EidInterfaceClientOptions {
    const key = readFileSync(join(FIXTURES, 'demo-soap-client.key.pem'), 'utf8');
    const cert = readFileSync(join(FIXTURES, 'demo-soap-client.crt.pem'), 'utf8');
    return {
      url: `https://127.0.0.1:${soapPort}/eID`,
      tls: { key, cert, ca: readFileSync(join(dataDir, 'tls', 'soap.crt.pem'), 'utf8'), servername: 'localhost' },
      wss: { key, cert }, serverWssCert: readFileSync(join(dataDir, 'tls', 'soap-wss.crt.pem'), 'utf8'),
    };
  }

  async function getResult(sessionId: string, counter: number): Promise<{ minor: string | undefined; message: string | undefined; ok: boolean; data: boolean; xml: string }> {
    const reply = await within(15_000, 'getResult', callEidInterface(eService(), getResultRequestXml('tw', sessionId, counter)));
    const result = replyResult(reply.operation);
    return { minor: result?.minor, message: result?.message, ok: result?.major.endsWith('#ok') === true, data: reply.xml.includes('PersonalData>'), xml: reply.xml };
  }

  /** The demo eService's useID (over mutual TLS) behind POST /demo/login → TC Token URL and the session. */
  async function demoLogin(): Promise<{ tcTokenUrl: string; sessionId: string }> {
    const login = await fetch(`${base}/demo/login`, { method: 'POST' });
    assert.equal(login.status, 200);
    const href = /id="eid-client" href="([^"]+)"/.exec(await login.text())?.[1];
    assert.ok(href !== undefined, 'the demo page links to the eID client');
    const tcTokenUrl = new URL(unescape(href)).searchParams.get('tcTokenURL') ?? '';
    const sessionId = /[?&]sessionId=([0-9A-Fa-f]{64})$/.exec(tcTokenUrl)?.[1];
    assert.ok(sessionId !== undefined, tcTokenUrl);
    return { tcTokenUrl, sessionId };
  }

  /** A whole SOAP login that must succeed: the data once, then invalidSession. */
  async function completeSoapLogin(): Promise<string> {
    const { tcTokenUrl, sessionId } = await demoLogin();
    const out = await runClientLogin({ tcTokenUrl, card: card(), pin: '123456', allowHttpLoopback: true });
    assert.equal(out.result.major, 'ok', JSON.stringify(out.result));
    return sessionId;
  }

  /**
   * After the outage: the session of the broken conversation. The server recorded nothing (the store
   * was down), so getResult says noResultYet (TR-03130-1 §3.2.2: ask again). The citizen reloads the
   * 503 page of the CommunicationErrorAddress: now the error becomes the session's result, getResult
   * reports it (ResultMajor error, no PersonalData) and the session ends (invalidSession).
   */
  async function assertBrokenSessionEndsWithoutData(sessionId: string, communicationError: string): Promise<void> {
    const pending = await getResult(sessionId, 1);
    assert.equal(pending.minor, NO_RESULT_YET);
    assert.equal(pending.data, false);
    const reload = await fetch(communicationError, { redirect: 'manual' });
    assert.equal(reload.status, 303, 'the CommunicationErrorAddress works again, same process');
    const failed = await getResult(sessionId, 2);
    assert.equal(failed.ok, false);
    assert.equal(failed.minor, `${MINOR}common#internalError`);
    assert.match(failed.message ?? '', /#communicationError$/, 'the eService learns what the eID client reported');
    assert.equal(failed.data, false, 'never data');
    const gone = await getResult(sessionId, 3);
    assert.equal(gone.minor, `${MINOR}getResult#invalidSession`, 'the session ended with that answer');
  }

  it('SOAP login, Redis paused (SIGSTOP) between two PAOS steps: the eID client fails within seconds, 503s meanwhile; after SIGCONT ready without a restart, the broken session never yields data, a fresh login succeeds', async () => {
    const { tcTokenUrl, sessionId } = await demoLogin();
    const communicationError = `${base}/eid/refresh?sessionId=${sessionId}&ResultMajor=error&ResultMinor=communicationError`;
    const logged = logRecords(idp).length;
    let postedAt = 0;
    // The citizen enters the PIN; meanwhile Redis hangs. The next POST (EAC1OutputType) meets a hung store.
    const failure = await within(12_000, 'the eID client', runClientLogin({
      tcTokenUrl, card: card(), allowHttpLoopback: true, pin: '',
      consent: async () => {
        await pause(redis);
        return { pin: '123456', deselect: [] };
      },
      serverAddressFor: (i, address) => {
        if (i === 2) postedAt = Date.now();
        return address;
      },
    }).then(() => assert.fail('the login must not succeed while Redis hangs'), (err: unknown) => err as Error & { code?: string }));
    const failedAfterMs = Date.now() - postedAt;
    try {
      assert.ok(postedAt > 0, 'Redis was paused before the EAC1OutputType POST');
      // TLS-2 resumption needs the cached TLS session and the full handshake the PSK claim, both in Redis:
      // the eID-Server closes the connection instead of answering (no PAOS over an unverified channel).
      assert.equal(failure.code, 'ECONNRESET', String(failure));
      assert.ok(codesSince(logged).includes('STORE_UNAVAILABLE'), 'the refused PAOS connection is logged with code STORE_UNAVAILABLE');
      await assertDownButAlive();
      // tr03124-1 §2.5.4: the eID client sends the browser to the CommunicationErrorAddress; Redis still hangs.
      const refresh = await within(10_000, 'CommunicationErrorAddress', fetch(communicationError, { redirect: 'manual' }));
      assert.equal(refresh.status, 503);
      assert.equal(((await refresh.json()) as { error?: string }).error, 'STORE_UNAVAILABLE');
    } finally {
      redis.kill('SIGCONT');
    }
    const readyMs = await timeToReady();
    await assertBrokenSessionEndsWithoutData(sessionId, communicationError);
    const fresh = await completeSoapLogin();
    const delivered = await getResult(fresh, 1);
    assert.ok(delivered.ok && delivered.data, 'a fresh complete login succeeds on the same process');
    assert.ok(delivered.xml.includes(person.NationalIdNumber ?? '?'));
    console.log(`      measured: PAOS POST refused ${failedAfterMs} ms after it was sent (Redis hung); /readyz 200 ${readyMs} ms after SIGCONT`);
  });

  it('SOAP login, Redis paused inside a PAOS step (its state update in flight): StartPAOSResponse error, RefreshAddress 503; after SIGCONT the session never yields data', async () => {
    const { tcTokenUrl, sessionId } = await demoLogin();
    const logged = logRecords(idp).length;
    let postedAt = 0;
    const out = await within(15_000, 'the eID client', runClientLogin({
      tcTokenUrl, card: card(), pin: '123456', allowHttpLoopback: true,
      serverAddressFor: (i, address) => {
        if (i !== 2) return address;
        postedAt = Date.now();
        // The step has run (EAC1OutputType checked); Redis hangs as its compare-and-set on the session goes out.
        tap.once('evalsha', 'eid:s:', () => pause(redis));
        return address;
      },
    }));
    const failedAfterMs = Date.now() - postedAt;
    try {
      assert.ok(postedAt > 0);
      assert.equal(out.result.major, 'error', 'the eID-Server ends the conversation with an error, not a hang');
      assert.equal(out.result.minor, 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/al/common#internalError');
      assert.ok(out.refreshUrl.includes('ResultMajor=error'), 'the client went to the RefreshAddress with the error');
      assert.ok(codesSince(logged).includes('STORE_UNAVAILABLE'), 'the failed PAOS step is logged with code STORE_UNAVAILABLE');
      await assertDownButAlive();
    } finally {
      redis.kill('SIGCONT');
    }
    const readyMs = await timeToReady();
    await assertBrokenSessionEndsWithoutData(sessionId, `${base}/eid/refresh?sessionId=${sessionId}&ResultMajor=error&ResultMinor=communicationError`);
    console.log(`      measured: StartPAOSResponse error ${failedAfterMs} ms after the POST (Redis hung); /readyz 200 ${readyMs} ms after SIGCONT`);
  });

  it('getResult in flight when Redis hangs at the read of the result: noResultYet, and after SIGCONT the next RequestCounter gets the data exactly once', async () => {
    const sessionId = await completeSoapLogin();
    const { first, pausedAt } = await getResultWhileRedisHangsAt('get', 'eid:res:', sessionId);
    const answeredAfterMs = Date.now() - pausedAt;
    assert.ok(pausedAt > 0, 'Redis hung exactly when the result was read');
    // tr03130-1 §3.2.2: the eService keeps asking after noResultYet (any other answer would end its polling).
    assert.equal(first.minor, NO_RESULT_YET);
    assert.match(first.message ?? '', /session store unavailable/);
    assert.equal(first.data, false);
    const readyMs = await timeToReady();
    // The eService polls with the next RequestCounter; the failed delivery's claim may still hold for a few seconds.
    const answers: Awaited<ReturnType<typeof getResult>>[] = [];
    const resumedAt = Date.now();
    for (let counter = 2; counter < 40 && !answers.some((a) => a.minor !== NO_RESULT_YET); counter++) {
      answers.push(await getResult(sessionId, counter));
      if (answers.at(-1)?.minor === NO_RESULT_YET) await sleep(250);
    }
    const deliveredAfterMs = Date.now() - resumedAt;
    const last = answers.at(-1);
    assert.ok(last?.ok && last.data, `the data was not lost: ${last?.minor ?? 'no answer'}`);
    assert.equal(answers.filter((a) => a.data).length, 1);
    assert.ok(last.xml.includes(person.NationalIdNumber ?? '?'));
    const after = await getResult(sessionId, answers.length + 2);
    assert.equal(after.minor, `${MINOR}getResult#invalidSession`, 'delivered once, then the session is gone');
    console.log(`      measured: first getResult answered ${answeredAfterMs} ms after Redis hung; /readyz 200 ${readyMs} ms after SIGCONT; ` +
      `data delivered ${deliveredAfterMs} ms after recovery (${answers.length - 1} noResultYet first)`);
  });

  it('getResult in flight when Redis hangs at the delete after the read: the data is delivered, and after SIGCONT never again', async () => {
    const sessionId = await completeSoapLogin();
    const { first, pausedAt } = await getResultWhileRedisHangsAt('del', 'eid:s:', sessionId);
    assert.ok(pausedAt > 0, 'Redis hung exactly at the delete');
    assert.ok(first.ok && first.data, 'the result in hand is delivered, not withheld');
    const readyMs = await timeToReady();
    // The delete sat in Redis' socket buffer and ran on SIGCONT: the session is over.
    const after = await getResult(sessionId, 2);
    assert.equal(after.minor, `${MINOR}getResult#invalidSession`);
    assert.equal(after.data, false);
    console.log(`      measured: data delivered ${Date.now() - pausedAt} ms after Redis hung at the delete; /readyz 200 ${readyMs} ms after SIGCONT`);
  });

  it('OIDC: Redis killed after the eID step, before eid-done, restarted empty: 503, then OIDC_INTERACTION_NOT_FOUND, never a code; a new login completes with openid-client', async () => {
    const signKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-signing.key.pem')), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const encKey = await webcrypto.subtle.importKey('pkcs8', pkcs8(join(FIXTURES, 'demo-oidc-encryption.key.pem')), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
    const config = await client.discovery(new URL(`${base}/oidc`), 'demo-oidc', { id_token_signed_response_alg: 'ES256' }, client.PrivateKeyJwt({ key: signKey, kid: 'demo-oidc-sig-1' }), { execute: [client.allowInsecureRequests] });
    client.enableDecryptingResponses(config, ['A256GCM'], { key: encKey, kid: 'demo-oidc-enc-1' });
    /** PAR → consent → confirm → the reference eID client with the card → where the RefreshAddress sends the browser. */
    const eidLogin = async () => {
      const checks = { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: client.randomState(), expectedNonce: client.randomNonce() };
      const authUrl = await client.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: DEMO_REDIRECT, scope: 'openid', state: checks.expectedState, nonce: checks.expectedNonce,
        claims: JSON.stringify({ id_token: { name: { essential: true } } }),
        code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier), code_challenge_method: 'S256',
      });
      const browser = new Browser();
      const consent = await browser.follow(authUrl.toString(), base);
      const csrf = /name="csrf" value="([^"]+)"/.exec(consent.page ?? '')?.[1];
      const action = /<form method="post" action="([^"]+)"/.exec(consent.page ?? '')?.[1];
      assert.ok(csrf !== undefined && action !== undefined, `consent form: ${consent.status}`);
      const start = await browser.request(new URL(unescape(action), base).toString(), { form: { csrf } });
      const tcTokenUrl = decodeURIComponent(/tcTokenURL=([^"&]+)/.exec(await start.text())?.[1] ?? '');
      const out = await runClientLogin({ tcTokenUrl, card: card(), pin: '123456', allowHttpLoopback: true });
      assert.equal(out.result.major, 'ok', JSON.stringify(out.result));
      assert.match(out.refreshUrl, /\/oidc\/interaction\/[A-Za-z0-9_-]+\/eid-done$/);
      return { browser, checks, eidDone: out.refreshUrl };
    };
    const noCodeAtTheClient = (res: Response) => {
      const location = res.headers.get('location');
      assert.ok(location === null || !location.startsWith(DEMO_REDIRECT), `no redirect to the client: ${location ?? ''}`);
    };

    const broken = await eidLogin();
    await stopProcess(redis, 'SIGKILL');
    const killedAt = Date.now();
    const whileDown = await within(10_000, 'eid-done', broken.browser.request(broken.eidDone));
    assert.equal(whileDown.status, 503);
    noCodeAtTheClient(whileDown);
    assert.equal(((await whileDown.json()) as { error?: string }).error, 'STORE_UNAVAILABLE', 'a clear, retryable error');
    await assertDownButAlive();

    redis = startRedis(redisPort); // empty: no persistence
    const restartedAt = Date.now();
    const readyMs = await timeToReady();
    // The interaction went with Redis' data: the browser learns the login is gone (start again), nobody gets a code.
    const afterRestart = await broken.browser.request(broken.eidDone);
    assert.equal(afterRestart.status, 400);
    noCodeAtTheClient(afterRestart);
    assert.equal(((await afterRestart.json()) as { error?: string }).error, 'OIDC_INTERACTION_NOT_FOUND');

    // The eService registry lived in that Redis too: the operator imports the registry files again (no IdP restart).
    const imported = spawnCli(['services', 'import'], env);
    assert.equal((await imported.exited).code, 0, imported.stderr.join(''));

    const fresh = await eidLogin();
    const done = await fresh.browser.follow(fresh.eidDone, base);
    const location = done.location ?? '';
    assert.ok(location.startsWith(`${DEMO_REDIRECT}?`), `a code for the new login: ${done.status} ${done.page?.slice(0, 200) ?? ''}`);
    const tokens = await client.authorizationCodeGrant(config, new URL(location), fresh.checks);
    assert.equal(tokens.claims()?.name, person.ChineseName, 'the new login completes with openid-client');
    console.log(`      measured: eid-done 503 ${restartedAt - killedAt} ms into the outage; /readyz 200 ${readyMs} ms after the restart`);
  });

  it('no personal data in any log line of the run', () => {
    const out = idp.stdout.join('') + idp.stderr.join('');
    assert.ok(logRecords(idp).some((r) => r.code === 'STORE_UNAVAILABLE'));
    for (const attr of ['ChineseName', 'RomanizedName', 'NationalIdNumber', 'CardNumber', 'HouseholdAddress', 'FatherName', 'MotherName', 'SpouseName']) {
      const value = person[attr];
      assert.ok(value !== undefined && value !== '');
      assert.ok(!out.includes(value) && !out.includes(JSON.stringify(value).slice(1, -1)), `${attr} in the log`);
    }
  });
});
