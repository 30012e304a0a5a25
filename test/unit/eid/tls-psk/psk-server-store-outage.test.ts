/**
 * The TLS-2 listener when the session store is down (SPEC §8): the connection is closed without a
 * handshake (never held open), and the log line names STORE_UNAVAILABLE in its `code` field, for the
 * PSK claim of a full handshake and for the TLS session lookup of a resumption. No PSK in the log.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';
import { listenTlsPsk, type PskServer, type PskSource } from '../../../../src/eid/tls-psk/psk-server.js';
import { createLogger } from '../../../../src/shared/logger.js';
import { unavailable } from '../../../../src/session/store/errors.js';
import { testRsaCertificate } from '../../../support/rsa-cert.js';

function handshake(port: number, identity: string, psk: Buffer, session?: Buffer): Promise<{ ok: boolean; session?: Buffer }> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1', port, maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2', ciphers: 'RSA-PSK-AES256-CBC-SHA',
      checkServerIdentity: () => undefined, rejectUnauthorized: false, pskCallback: () => ({ psk, identity }), ...(session ? { session } : {}),
    });
    let issued: Buffer | undefined;
    socket.on('session', (s: Buffer) => { issued = s; });
    socket.once('secureConnect', () => socket.end(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let answered = false;
    socket.on('data', () => { answered = true; });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ ok: answered, ...(issued ? { session: issued } : {}) }));
  });
}

describe('eid/tls-psk: the listener while the session store is unavailable', function () {
  this.timeout(20_000);
  const lines: string[] = [];
  let server: PskServer;
  let down = false;
  const psks = new Map<string, Buffer>();
  const tlsSessions = new Map<string, Buffer>();
  const source: PskSource = {
    claim: async (id) => {
      if (down) throw unavailable('getAndDelete', 'timeout');
      const psk = psks.get(id) ?? null;
      psks.delete(id);
      return psk;
    },
    isOpen: async () => true,
    saveTlsSession: async (sid, der) => { tlsSessions.set(sid, der); },
    loadTlsSession: async (sid) => {
      if (down) throw unavailable('get', 'timeout');
      return tlsSessions.get(sid) ?? null;
    },
  };

  before(async () => {
    const { key, cert } = testRsaCertificate();
    server = await listenTlsPsk({
      host: '127.0.0.1', port: 0, key, cert, source, handshakeTimeoutMs: 3000, handler: (_req, res) => { res.end('ok'); },
      logger: createLogger({ level: 'info', destination: { write: (line: string) => { lines.push(line); } } }),
    });
  });
  after(() => server.close());
  afterEach(() => { down = false; });

  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('full handshake: the PSK claim fails → connection closed, logged with code STORE_UNAVAILABLE', async () => {
    const id = randomBytes(32).toString('hex');
    const psk = randomBytes(32);
    psks.set(id, psk);
    down = true;
    assert.equal((await handshake(server.port, id, psk)).ok, false);
    const line = records().find((r) => r.msg === 'PSK lookup failed');
    assert.equal(line?.code, 'STORE_UNAVAILABLE');
    assert.ok(!lines.join('').includes(psk.toString('hex')), 'no PSK in the log');
  });

  it('resumption: the TLS session lookup fails → logged with code STORE_UNAVAILABLE, not resumed', async () => {
    const id = randomBytes(32).toString('hex');
    const psk = randomBytes(32);
    psks.set(id, psk);
    const first = await handshake(server.port, id, psk);
    assert.equal(first.ok, true);
    assert.ok(first.session !== undefined);
    down = true;
    assert.equal((await handshake(server.port, id, psk, first.session)).ok, false, 'no resumption, and the full handshake cannot claim the PSK');
    const line = records().find((r) => r.msg === 'TLS session lookup failed');
    assert.equal(line?.code, 'STORE_UNAVAILABLE');
  });
});
