import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { listenTlsPsk, pskIdentityOf, type PskServer, type PskSource } from '../../../../src/eid/tls-psk/psk-server.js';
import { createLogger } from '../../../../src/shared/logger.js';
import { testRsaCertificate } from '../../../support/rsa-cert.js';

/** An in-test PskSource: PSKs claimable once, sessions open until closed. */
function memorySource() {
  const psks = new Map<string, Buffer>();
  const open = new Set<string>();
  const tlsSessions = new Map<string, Buffer>();
  const source: PskSource = {
    claim: async (id) => {
      const psk = psks.get(id) ?? null;
      psks.delete(id);
      return psk;
    },
    isOpen: async (id) => open.has(id),
    saveTlsSession: async (sid, der) => { tlsSessions.set(sid, der); },
    loadTlsSession: async (sid) => tlsSessions.get(sid) ?? null,
  };
  return {
    source,
    add(id: string, psk: Buffer) { psks.set(id, psk); open.add(id); },
    closeSession(id: string) { open.delete(id); },
  };
}

interface Outcome { ok: boolean; body?: string; cipher?: string; reused?: boolean; session?: Buffer; error?: string }

function pskClient(port: number, identity: string, psk: Buffer, options: { ciphers?: string; session?: Buffer } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1', port, maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2',
      ciphers: options.ciphers ?? 'RSA-PSK-AES256-CBC-SHA', checkServerIdentity: () => undefined, rejectUnauthorized: false,
      pskCallback: () => ({ psk, identity }),
      ...(options.session ? { session: options.session } : {}),
    });
    let session: Buffer | undefined;
    socket.on('session', (s: Buffer) => { session = s; });
    let cipher: string | undefined;
    let reused = false;
    socket.once('secureConnect', () => {
      cipher = socket.getCipher().name;
      reused = socket.isSessionReused();
      socket.write(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err) => resolve({ ok: false, error: err.message }));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      if (!text) { resolve({ ok: false, error: 'closed' }); return; }
      resolve({ ok: true, body: text.split('\r\n\r\n')[1] ?? '', cipher, reused, ...(session ? { session } : {}) });
    });
  });
}

describe('eid/tls-psk: TLS-2 listener (RSA_PSK, single-use PSK, resumption)', function () {
  this.timeout(30_000);
  let server: PskServer;
  const psks = memorySource();

  before(async () => {
    const { key, cert } = testRsaCertificate();
    server = await listenTlsPsk({
      host: '127.0.0.1', port: 0, key, cert, source: psks.source, logger: createLogger({ level: 'silent' }), handshakeTimeoutMs: 3000,
      handler: (req, res) => { res.end(`bound:${pskIdentityOf(req) ?? 'none'}`); },
    });
  });
  after(() => server.close());

  const newSession = () => {
    const id = randomBytes(32).toString('hex');
    const psk = randomBytes(32);
    psks.add(id, psk);
    return { id, psk };
  };

  it('accepts the mandatory TLS_RSA_PSK_WITH_AES_256_CBC_SHA and the GCM suites, binding the request to the identity', async () => {
    for (const suite of ['RSA-PSK-AES256-CBC-SHA', 'RSA-PSK-AES256-GCM-SHA384', 'RSA-PSK-AES128-GCM-SHA256']) {
      const { id, psk } = newSession();
      const out = await pskClient(server.port, id, psk, { ciphers: suite });
      assert.equal(out.ok, true, out.error);
      assert.equal(out.cipher, suite);
      assert.equal(out.body, `bound:${id}`);
    }
  });

  it('refuses an unknown identity, a wrong PSK, and a second full handshake with a used PSK', async () => {
    const unknown = await pskClient(server.port, randomBytes(32).toString('hex'), randomBytes(32));
    assert.equal(unknown.ok, false);
    const { id, psk } = newSession();
    const wrong = await pskClient(server.port, id, randomBytes(32));
    assert.equal(wrong.ok, false);
    const again = await pskClient(server.port, id, psk);
    assert.equal(again.ok, false, 'the PSK was consumed by the first attempt');
    const fresh = newSession();
    assert.equal((await pskClient(server.port, fresh.id, fresh.psk)).ok, true);
    assert.equal((await pskClient(server.port, fresh.id, fresh.psk)).ok, false, 'single-use');
  });

  it('offers no non-PSK suite', async () => {
    const out = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: server.port, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:AES256-SHA', maxVersion: 'TLSv1.2', rejectUnauthorized: false });
      s.once('secureConnect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    assert.equal(out, false);
  });

  it('resumes a session with the same identity still bound, and refuses resumption once the eID session closed', async () => {
    const { id, psk } = newSession();
    const first = await pskClient(server.port, id, psk);
    assert.equal(first.ok, true, first.error);
    assert.ok(first.session, 'server issued a resumable session');
    const resumed = await pskClient(server.port, id, psk, { session: first.session });
    assert.equal(resumed.ok, true, resumed.error);
    assert.equal(resumed.reused, true);
    assert.equal(resumed.body, `bound:${id}`);
    psks.closeSession(id);
    const late = await pskClient(server.port, id, psk, { session: first.session });
    assert.equal(late.ok && late.reused, false, 'no resumption after the eID session ended');
  });

  it('drops garbage and oversized records without affecting later clients', async () => {
    for (const junk of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.from([0x16, 0x03, 0x03, 0xff, 0xff]), randomBytes(100)]) {
      await new Promise<void>((resolve) => {
        const s = netConnect(server.port, '127.0.0.1', () => s.write(junk));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      });
    }
    const { id, psk } = newSession();
    assert.equal((await pskClient(server.port, id, psk)).ok, true);
  });
});
