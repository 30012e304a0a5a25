/**
 * The reference eID client (tools/eid-client) against the eID-Server over real TLS-PSK:
 * - one SoftwareCard object used for several logins, as a card stays in the reader (each login
 *   connects the card anew; the PIN retry counter carries over);
 * - the TLS-2 certificate against the CertificateDescription's commCertificates: listed → the login
 *   runs; not listed, no list under `enforce`, or a description the terminal certificate does not
 *   certify → refused before the user is asked, the eService told through the RefreshAddress.
 *
 * @spec tr03124-1 §2.5 (TLS-2), §2.7 (commCertificates); eid-protocol §2.3 (channel binding); tr03110-2 §3.5.1 (PIN retry counter)
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { encodeCertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import type { CertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import { sectorPublicKeyHash } from '../../src/eid/eac/ri.js';
import { taHashOfKeyOid } from '../../src/eid/eac/ta.js';
import { eidRouter } from '../../src/eid/eid-router.js';
import { createEidServer } from '../../src/eid/eid-server.js';
import type { EidServer } from '../../src/eid/eid-server.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { EidSessions } from '../../src/session/eid-session.js';
import type { EidRequest } from '../../src/session/eid-session.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import { createLogger } from '../../src/shared/logger.js';
import { EidClientError } from '../../tools/eid-client/comm-certificates.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import type { CardLike, ClientLoginOptions } from '../../tools/eid-client/paos-login.js';
import { startEidClientServer } from '../../tools/eid-client/server.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createTerminal } from '../../tools/test-pki/cvc-chain.js';
import type { IssuedTerminal } from '../../tools/test-pki/cvc-chain.js';
import { createWorld, issue, load, RI_PROTOCOL, sectorKeys, terminalConfig } from '../support/eac-world.js';
import type { World } from '../support/eac-world.js';
import { testRsaCertificate } from '../support/rsa-cert.js';

const TERMINAL_RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG1', 'READ_DG4', 'READ_DG8'];
const REQUEST: EidRequest = {
  profile: 'tw', front: 'soap', required: ['DocumentType', 'ChineseName', 'DateOfBirth', 'RestrictedID', 'AgeVerification'], optional: [],
  ageVerification: { age: 18 },
};
const TIMEOUTS = { lifetimeMs: 120_000, tcTokenTimeoutMs: 60_000, handshakeTimeoutMs: 60_000, paosStepTimeoutMs: 60_000, resultTimeoutMs: 60_000, tlsSessionTtlMs: 60_000 };
const DESCRIPTION: CertificateDescription = {
  format: 'plain', issuerName: 'New eID Test DV', subjectName: 'Test eService', subjectUrl: 'https://service.example.test', termsOfUsage: 'Test only.',
};

/** A SoftwareCard seen through a counter: how many APDUs and resets reached it. */
function counted(card: SoftwareCard): CardLike & { apdus: number; resets: number } {
  const c = {
    apdus: 0, resets: 0,
    transmit: (apdu: Buffer) => { c.apdus++; return card.transmit(apdu); },
    reset: () => { c.resets++; card.reset(); },
  };
  return c;
}

describe('e2e: reference eID client — one card for several logins; TLS-2 certificate against commCertificates', function () {
  this.timeout(120_000);
  let world: World;
  let sessions: EidSessions;
  let server: EidServer;
  let http: Server;
  let base: string;
  let tlsHash: Buffer;
  /** The eService terminal the eID-Server uses for the next login. */
  let current: ServiceTerminal;

  function serviceTerminal(term: IssuedTerminal, sentDescription?: Buffer): ServiceTerminal {
    const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...st } = terminalConfig(world, term, { required: [] });
    return sentDescription === undefined ? st : { ...st, certificateDescription: sentDescription };
  }

  /** A terminal certificate (id-sector for the world's sectors) certifying `description`. */
  function terminalWith(description: CertificateDescription): IssuedTerminal {
    const hash = taHashOfKeyOid(world.dv.parsed.publicKey.oid);
    const [h1, h2] = sectorKeys(world).map((s) => sectorPublicKeyHash(RI_PROTOCOL, s, hash));
    return createTerminal(world.dv, {
      chr: 'TWTERMT00002', rights: TERMINAL_RIGHTS, effectiveDate: '260601', expirationDate: '260731', description,
      sector: { ...(h1 === undefined ? {} : { sector1Hash: h1 }), ...(h2 === undefined ? {} : { sector2Hash: h2 }) },
    });
  }

  before(async () => {
    world = createWorld();
    const tls = testRsaCertificate();
    tlsHash = createHash('sha256').update(new X509Certificate(tls.cert).raw).digest();
    sessions = new EidSessions({ store: createMemoryStore(), box: new SealedBox(randomBytes(32)), timeouts: TIMEOUTS });
    server = await createEidServer({
      host: '127.0.0.1', port: 0, key: tls.key, cert: tls.cert, sessions, logger: createLogger({ level: 'silent' }), terminals: async () => current,
    });
    const app = express();
    http = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    app.use(eidRouter({ sessions, paosUrl: `https://127.0.0.1:${server.port}/paos`, publicUrl: base, returnTo: async (s) => `https://service.example.test/return?session=${s.id}` }));
  });
  after(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await server.close();
  });

  async function login(card: CardLike, o: Partial<ClientLoginOptions> = {}) {
    const id = (await sessions.open('demo-soap', REQUEST, { maxOpenSessions: 50 })).id;
    const run = runClientLogin({ tcTokenUrl: `${base}/eid/tctoken?sessionId=${id}`, card, pin: '123456', allowHttpLoopback: true, ...o });
    return { id, run };
  }

  describe('one SoftwareCard object, several logins', () => {
    before(() => { current = serviceTerminal(terminalWith(DESCRIPTION)); });

    it('two complete logins in a row with the same card object both deliver the personal data', async () => {
      const card = load(issue(world));
      for (const round of [1, 2]) {
        const { id, run } = await login(card);
        const out = await run;
        assert.equal(out.result.major, 'ok', `login ${round}`);
        const r = await sessions.takeResult(id);
        assert.equal(r?.error, undefined, `login ${round}`);
        assert.equal(r?.attributes.ChineseName?.status, 'value', `login ${round}`);
        assert.equal(r?.ageVerification, true, `login ${round}`);
      }
    });

    it('each login connects the card anew (one reset before its first APDU)', async () => {
      const card = counted(load(issue(world)));
      await (await login(card)).run;
      await (await login(card)).run;
      assert.equal(card.resets, 2);
    });

    it('the PIN retry counter carries over: wrong PIN in the first login (counter 2), right PIN in the second (counter 3)', async () => {
      const card = load(issue(world));
      const first = await login(card, { pin: '000000' });
      assert.equal((await first.run).result.major, 'error');
      assert.equal((await sessions.takeResult(first.id))?.error?.message, 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/ifdl/common#invalidPIN');
      assert.equal(card.toJSON().pinRetryCounter, 2);
      const second = await login(card);
      assert.equal((await second.run).result.major, 'ok');
      assert.equal(card.toJSON().pinRetryCounter, 3);
    });
  });

  describe('TLS-2 certificate against commCertificates', () => {
    async function refused(card: CardLike, code: string, o: Partial<ClientLoginOptions> = {}): Promise<void> {
      const { id, run } = await login(card, o);
      await assert.rejects(run, (err: unknown) => {
        assert.ok(err instanceof EidClientError);
        assert.equal(err.code, code);
        assert.equal(err.refreshUrl, `https://service.example.test/return?session=${id}`, 'the browser still goes back to the eService');
        return true;
      });
      const r = await sessions.takeResult(id);
      assert.equal(r?.error?.code, 'PAOS_CLIENT_ERROR');
      assert.match(r?.error?.message ?? '', /#trustedChannelEstablishmentFailed$/);
      assert.deepEqual(r?.attributes, {});
    }

    it('listed (SHA-256 of the eID-Server certificate) → the login runs, also under `enforce`', async () => {
      current = serviceTerminal(terminalWith({ ...DESCRIPTION, commCertificates: [randomBytes(32), tlsHash] }));
      for (const commCertificates of [undefined, 'enforce'] as const) {
        const { id, run } = await login(load(issue(world)), commCertificates === undefined ? {} : { commCertificates });
        assert.equal((await run).result.major, 'ok');
        assert.equal((await sessions.takeResult(id))?.error, undefined);
      }
    });

    it('not listed → refused with EID_CLIENT_COMM_CERTIFICATE_UNLISTED before the card is touched', async () => {
      current = serviceTerminal(terminalWith({ ...DESCRIPTION, commCertificates: [randomBytes(32)] }));
      const card = counted(load(issue(world)));
      await refused(card, 'EID_CLIENT_COMM_CERTIFICATE_UNLISTED');
      assert.equal(card.apdus, 0, 'no PACE for an untrusted server');
    });

    it('not listed but the check is off → the login runs', async () => {
      current = serviceTerminal(terminalWith({ ...DESCRIPTION, commCertificates: [randomBytes(32)] }));
      const { run } = await login(load(issue(world)), { commCertificates: 'off' });
      assert.equal((await run).result.major, 'ok');
    });

    it('no commCertificates: runs by default (enforce when present), refused under `enforce` (EID_CLIENT_COMM_CERTIFICATES_MISSING)', async () => {
      current = serviceTerminal(terminalWith(DESCRIPTION));
      const { run } = await login(load(issue(world)));
      assert.equal((await run).result.major, 'ok');
      await refused(load(issue(world)), 'EID_CLIENT_COMM_CERTIFICATES_MISSING', { commCertificates: 'enforce' });
    });

    it('the client web service (headless) sends the browser to the RefreshAddress after a refusal', async () => {
      current = serviceTerminal(terminalWith({ ...DESCRIPTION, commCertificates: [randomBytes(32)] }));
      const dir = mkdtempSync(join(tmpdir(), 'neid-client-'));
      const cardFile = join(dir, 'card.json');
      writeFileSync(cardFile, JSON.stringify(issue(world)));
      const client = await startEidClientServer({ port: 0, cardFile, headless: true, pin: '123456', allowHttpLoopback: true, logger: createLogger({ level: 'silent' }) });
      try {
        const id = (await sessions.open('demo-soap', REQUEST, { maxOpenSessions: 50 })).id;
        const tcTokenUrl = `${base}/eid/tctoken?sessionId=${id}`;
        const res = await fetch(`http://127.0.0.1:${client.port}/eID-Client?tcTokenURL=${encodeURIComponent(tcTokenUrl)}`, { redirect: 'manual' });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get('location'), `https://service.example.test/return?session=${id}`);
        assert.match((await sessions.takeResult(id))?.error?.message ?? '', /#trustedChannelEstablishmentFailed$/);
      } finally {
        await client.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a list in a description the terminal certificate does not certify counts for nothing (EID_CLIENT_DESCRIPTION_UNBOUND)', async () => {
      const sent = encodeCertificateDescription({ ...DESCRIPTION, commCertificates: [tlsHash] });
      current = serviceTerminal(terminalWith({ ...DESCRIPTION, commCertificates: [randomBytes(32)] }), sent);
      await refused(load(issue(world)), 'EID_CLIENT_DESCRIPTION_UNBOUND');
    });
  });
});
