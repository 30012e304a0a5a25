/**
 * Online authentication end to end over real TLS-PSK: the eID sessions (store), the eID router
 * (TC Token, RefreshAddress), the PAOS conversation on the TLS-PSK listener, and the reference eID
 * client with an issued `tw` software card. The client uses the same message files as the server.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { createEidServer } from '../../src/eid/eid-server.js';
import type { EidServer } from '../../src/eid/eid-server.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { buildEnvelope, newMessageId, parseEnvelope, parseStartPaosResponse, buildStartPaos, buildInitializeFrameworkResponse, OK, EID_CARD_APPLICATION, serverMessageKind } from '../../src/eid/paos/index.js';
import type { XmlOut } from '../../src/eid/paos/xml.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { EidSessions } from '../../src/session/eid-session.js';
import type { EidRequest, EidResult } from '../../src/session/eid-session.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import { createRedisStore } from '../../src/session/store/redis.js';
import type { Store } from '../../src/session/store/store.js';
import { createLogger } from '../../src/shared/logger.js';
import { fromHex } from '../../src/shared/bytes.js';
import { PaosChannel } from '../../tools/eid-client/paos-channel.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import type { ClientLoginOptions } from '../../tools/eid-client/paos-login.js';
import { fetchTcToken } from '../../tools/eid-client/tc-token-fetch.js';
import { STACK_TIMEOUTS, startEidFront } from '../../tools/eid-stack.js';
import type { EidFront } from '../../tools/eid-stack.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createWorld, issue, load, terminal, terminalConfig } from '../support/eac-world.js';
import type { World } from '../support/eac-world.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../support/redis.js';
import { testRsaCertificate } from '../support/rsa-cert.js';

const TERMINAL_RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG1', 'READ_DG4', 'READ_DG8', 'READ_DG17', 'READ_DG20'];
const REQUEST: EidRequest = {
  profile: 'tw', front: 'soap',
  required: ['DocumentType', 'ChineseName', 'DateOfBirth', 'RestrictedID', 'AgeVerification'],
  optional: ['HouseholdAddress', 'Photo'],
  ageVerification: { age: 18 },
};
const logger = createLogger({ level: 'silent' });

interface Node { store: Store; sessions: EidSessions; server: EidServer }

/** One IdP node: its own store client and sessions object over the shared backend, and a TLS-PSK listener. */
async function startNode(world: World, store: Store, box: SealedBox, options: { initializeFramework?: boolean } = {}): Promise<Node> {
  const sessions = new EidSessions({ store, box, timeouts: STACK_TIMEOUTS });
  const term = terminal(world, { rights: TERMINAL_RIGHTS });
  const full = terminalConfig(world, term, { required: [] });
  const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...serviceTerminal } = full;
  const { key, cert } = testRsaCertificate();
  const server = await createEidServer({
    host: '127.0.0.1', port: 0, key, cert, sessions, logger,
    terminals: async () => serviceTerminal satisfies ServiceTerminal,
    ...(options.initializeFramework === undefined ? {} : { conversation: { initializeFramework: options.initializeFramework } }),
  });
  return { store, sessions, server };
}

/** The browser-facing front with the eID router, on plain http loopback (dev). */
function startFront(sessions: EidSessions, paosPort: number): Promise<EidFront> {
  return startEidFront(sessions, `https://127.0.0.1:${paosPort}/paos`);
}

function expectedValue(card: SoftwareCard, dg: number): string {
  const raw = card.toJSON().files.dataGroups[String(dg)]!;
  const v = getProfile('tw').decodeDataGroup(dg, fromHex(raw)).value;
  assert.equal(typeof v, 'string');
  return v as string;
}

describe('e2e: PAOS online authentication over TLS-PSK (tw software card)', function () {
  this.timeout(120_000);
  let world: World;
  let node: Node;
  let front: EidFront;
  const box = new SealedBox(randomBytes(32));

  before(async () => {
    world = createWorld();
    node = await startNode(world, createMemoryStore(), box);
    front = await startFront(node.sessions, node.server.port);
  });
  after(async () => {
    await front.close();
    await node.server.close();
    await node.store.close();
  });

  async function open(sessions = node.sessions, request: EidRequest = REQUEST): Promise<string> {
    return (await sessions.open('demo-soap', request, { maxOpenSessions: 50 })).id;
  }
  const tcTokenUrl = (id: string, base = front.url) => `${base}/eid/tctoken?sessionId=${id}`;
  async function login(id: string, o: Partial<ClientLoginOptions> & { card?: SoftwareCard } = {}) {
    const card = o.card ?? load(issue(world));
    const out = await runClientLogin({ tcTokenUrl: tcTokenUrl(id), card, pin: '123456', allowHttpLoopback: true, ...o });
    return { ...out, card };
  }

  it('TC Token → StartPAOS → InitializeFramework → EAC1 → EAC2 → Transmit → StartPAOSResponse; the result holds exactly the requested fields', async () => {
    const id = await open();
    const { result, requests, refreshUrl, card, tls } = await login(id, { deselect: ['Photo'] });
    assert.equal(result.major, 'ok');
    assert.deepEqual(requests, ['InitializeFramework', 'EAC1InputType', 'EAC2InputType', 'Transmit', 'StartPAOSResponse']);
    assert.equal(refreshUrl, `https://service.example.test/return?session=${id}`);
    assert.equal(tls.full, 1, 'one full handshake, then resumption (the PSK is single-use)');
    assert.ok(tls.resumed >= 4);
    const r = await node.sessions.takeResult(id) as EidResult;
    assert.equal(r.error, undefined);
    assert.deepEqual(Object.keys(r.attributes).sort(), [...REQUEST.required, ...REQUEST.optional].sort());
    assert.deepEqual(r.attributes.DocumentType, { status: 'value', text: expectedValue(card, 1) });
    assert.deepEqual(r.attributes.ChineseName, { status: 'value', text: expectedValue(card, 4) });
    assert.deepEqual(r.attributes.DateOfBirth, { status: 'value', text: expectedValue(card, 8) });
    assert.deepEqual(r.attributes.HouseholdAddress, { status: 'value', text: expectedValue(card, 17) });
    assert.deepEqual(r.attributes.Photo, { status: 'prohibited' }, 'deselected by the user');
    assert.equal(r.ageVerification, true);
    assert.match(r.restrictedId?.id ?? '', /^[0-9a-f]{64}$/);
    assert.equal(r.documentValidity, 'valid');
    assert.equal(await node.sessions.takeResult(id), null, 'delivered once');
  });

  it('the TC Token is issued once and carries ServerAddress, SessionIdentifier = PSK identity, RefreshAddress, PSK', async () => {
    const id = await open();
    const token = await fetchTcToken(tcTokenUrl(id), { allowHttpLoopback: true });
    assert.equal(token.sessionIdentifier, id);
    assert.equal(token.serverAddress, `https://127.0.0.1:${node.server.port}/paos`);
    assert.equal(token.refreshAddress, `${front.url}/eid/refresh?sessionId=${id}`);
    assert.equal(token.psk?.length, 32);
    await assert.rejects(fetchTcToken(tcTokenUrl(id), { allowHttpLoopback: true }), { code: 'EID_CLIENT_HTTP_ERROR', detail: { status: 410 } });
    await assert.rejects(fetchTcToken(tcTokenUrl('ab'.repeat(32)), { allowHttpLoopback: true }), { code: 'EID_CLIENT_HTTP_ERROR', detail: { status: 404 } });
    await assert.rejects(fetchTcToken(tcTokenUrl(id), { allowHttpLoopback: false }), { code: 'EID_CLIENT_REDIRECT_REFUSED' });
  });

  it('refuses the TLS-2 handshake with a wrong PSK (and the right PSK still works once)', async () => {
    const id = await open();
    const token = await fetchTcToken(tcTokenUrl(id), { allowHttpLoopback: true });
    const wrong = new PaosChannel({ identity: id, psk: randomBytes(32) });
    await assert.rejects(wrong.post(token.serverAddress, '<x/>'));
    // The failed attempt consumed the PSK (single-use claim): the session cannot be entered any more.
    const right = new PaosChannel({ identity: id, psk: token.psk! });
    await assert.rejects(right.post(token.serverAddress, '<x/>'));
  });

  it('works with a server that skips InitializeFramework', async () => {
    const other = await startNode(world, node.store, box, { initializeFramework: false });
    const otherFront = await startFront(other.sessions, other.server.port);
    try {
      const id = await open(other.sessions);
      const out = await runClientLogin({ tcTokenUrl: tcTokenUrl(id, otherFront.url), card: load(issue(world)), pin: '123456', allowHttpLoopback: true });
      assert.equal(out.result.major, 'ok');
      assert.deepEqual(out.requests, ['EAC1InputType', 'EAC2InputType', 'Transmit', 'StartPAOSResponse']);
      assert.equal((await other.sessions.takeResult(id))?.error, undefined);
    } finally {
      await otherFront.close();
      await other.server.close();
    }
  });

  it('takes the EACAdditionalInputType path when EAC1OutputType has no Challenge', async () => {
    const id = await open();
    const { result, requests } = await login(id, { omitEac1Challenge: true });
    assert.equal(result.major, 'ok');
    assert.deepEqual(requests, ['InitializeFramework', 'EAC1InputType', 'EAC2InputType', 'EACAdditionalInputType', 'Transmit', 'StartPAOSResponse']);
    const r = await node.sessions.takeResult(id);
    assert.equal(r?.error, undefined);
    assert.equal(r?.attributes.Photo?.status, 'value');
  });

  for (const at of ['InitializeFramework', 'EAC1InputType', 'EAC2InputType', 'Transmit'] as const) {
    it(`cancellation at ${at} ends the session with PAOS_CLIENT_CANCELLED`, async () => {
      const id = await open();
      const { result, refreshUrl } = await login(id, { cancelAt: at });
      assert.equal(result.major, 'error');
      assert.equal(result.minor, 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/sal#cancellationByUser');
      assert.equal(refreshUrl, `https://service.example.test/return?session=${id}`);
      const r = await node.sessions.takeResult(id);
      assert.equal(r?.error?.code, 'PAOS_CLIENT_CANCELLED');
      assert.deepEqual(r?.attributes, {});
    });
  }

  it('a wrong PIN reaches the session result with the client\'s ResultMinor', async () => {
    const id = await open();
    const { result } = await login(id, { pin: '000000' });
    assert.equal(result.major, 'error');
    const r = await node.sessions.takeResult(id);
    assert.equal(r?.error?.code, 'PAOS_CLIENT_ERROR');
    assert.equal(r?.error?.message, 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/ifdl/common#invalidPIN');
  });

  describe('malformed PAOS input: a specific error, the session ended, no crash', () => {
    /** A session entered over TLS-PSK; `send` posts raw bodies on it. */
    async function channelFor(): Promise<{ id: string; send(body: string, contentType?: string): Promise<{ code: string | undefined; kind: string; status: number }> }> {
      const id = await open();
      const token = await fetchTcToken(tcTokenUrl(id), { allowHttpLoopback: true });
      const channel = new PaosChannel({ identity: id, psk: token.psk! });
      return {
        id,
        async send(body) {
          const reply = await channel.post(token.serverAddress, body);
          if (reply.status !== 200) return { code: reply.body.toString().trim(), kind: 'http', status: reply.status };
          const env = parseEnvelope(reply.body);
          const kind = serverMessageKind(env.body);
          return { code: kind === 'StartPAOSResponse' ? parseStartPaosResponse(env.body).message : undefined, kind, status: reply.status };
        },
      };
    }
    const env = (body: XmlOut, relatesTo?: string) => buildEnvelope('client', { messageId: newMessageId(), relatesTo }, body);
    const startPaos = (id: string) => env(buildStartPaos({ sessionIdentifier: id, connectionHandles: [{ cardApplication: EID_CARD_APPLICATION, slotHandle: Buffer.from([0]) }], supportedApiVersions: [], supportedDidProtocols: [] }));

    const cases: [string, (id: string) => string, string][] = [
      ['not XML', () => 'this is not xml', 'PAOS_XML_MALFORMED'],
      ['a DTD with an external entity (XXE)', () => '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 'PAOS_XML_FORBIDDEN'],
      ['entity expansion', () => '<!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><a>&b;</a>', 'PAOS_XML_FORBIDDEN'],
      ['not a SOAP envelope', () => '<Envelope><Body/></Envelope>', 'PAOS_ENVELOPE_INVALID'],
      ['an unknown message', () => env({ name: 'iso:GetStatus', children: [] }), 'PAOS_MESSAGE_UNKNOWN'],
      ['an oversized body', () => `<a>${'x'.repeat(300 * 1024)}</a>`, 'PAOS_XML_TOO_LARGE'],
      ['too deep nesting', () => `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, 'PAOS_XML_TOO_DEEP'],
      ['StartPAOS without SessionIdentifier', () => env({ name: 'iso:StartPAOS', children: [{ name: 'iso:ConnectionHandle', children: [] }] }), 'PAOS_ELEMENT_MISSING'],
      ['wrong hex in ConnectionHandle', (id) => startPaos(id).replace('<iso:SlotHandle>00</iso:SlotHandle>', '<iso:SlotHandle>0G</iso:SlotHandle>'), 'PAOS_VALUE_INVALID'],
      ['a StartPAOS for another session', () => startPaos('cd'.repeat(32)), 'PAOS_SESSION_UNKNOWN'],
      ['a message out of order', () => env(buildInitializeFrameworkResponse({ result: OK })), 'PAOS_MESSAGE_UNEXPECTED'],
    ];
    for (const [name, body, code] of cases) {
      it(name, async () => {
        const c = await channelFor();
        assert.deepEqual(await c.send(body(c.id)), { code, kind: 'StartPAOSResponse', status: 200 });
        assert.equal((await node.sessions.takeResult(c.id))?.error?.code, code);
      });
    }

    it('wrong wsa:RelatesTo', async () => {
      const c = await channelFor();
      assert.equal((await c.send(startPaos(c.id))).kind, 'InitializeFramework');
      assert.equal((await c.send(env(buildInitializeFrameworkResponse({ result: OK }), 'urn:uuid:not-the-request'))).code, 'PAOS_RELATES_TO_MISMATCH');
      assert.equal((await node.sessions.takeResult(c.id))?.error?.code, 'PAOS_RELATES_TO_MISMATCH');
    });

    it('StartPAOS repeated, and anything after the end', async () => {
      const c = await channelFor();
      assert.equal((await c.send(startPaos(c.id))).kind, 'InitializeFramework');
      assert.equal((await c.send(startPaos(c.id))).code, 'PAOS_SESSION_FINISHED');
    });

    it('wrong Content-Type and method are refused at HTTP level', async () => {
      const id = await open();
      const token = await fetchTcToken(tcTokenUrl(id), { allowHttpLoopback: true });
      const channel = new PaosChannel({ identity: id, psk: token.psk! });
      // PaosChannel always sends the PAOS type; a raw request shows the refusal.
      const { request } = await import('node:https');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: node.server.port, path: '/paos', method: 'POST', rejectUnauthorized: false, ciphers: 'RSA-PSK-AES256-CBC-SHA', maxVersion: 'TLSv1.2', pskCallback: () => ({ psk: token.psk!, identity: id }), headers: { 'Content-Type': 'application/json' } } as never, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.end('{}');
      });
      assert.equal(status, 415);
      void channel;
    });

    it('the server still serves a complete login afterwards', async () => {
      const id = await open();
      assert.equal((await login(id)).result.major, 'ok');
      assert.equal((await node.sessions.takeResult(id))?.error, undefined);
    });
  });
});

describe('e2e: PAOS steps alternating between two server nodes sharing one Redis', function () {
  this.timeout(120_000);
  const url = testRedisUrl();
  const prefix = randomPrefix('neid-test-paos');
  const box = new SealedBox(randomBytes(32));
  let nodes: Node[] = [];
  let front: EidFront;
  let world: World;

  before(async () => {
    await requireRedis(url);
    world = createWorld();
    nodes = [await startNode(world, createRedisStore({ url, keyPrefix: prefix }), box), await startNode(world, createRedisStore({ url, keyPrefix: prefix }), box)];
    front = await startFront(nodes[0]!.sessions, nodes[0]!.server.port);
  });
  after(async () => {
    await front?.close();
    for (const n of nodes) {
      await n.server.close();
      await n.store.close();
    }
    await deleteByPrefix(prefix, url);
  });

  it('completes with every PAOS POST on the other node, resuming the TLS session there', async () => {
    const [a, b] = nodes as [Node, Node];
    const id = (await a.sessions.open('demo-soap', REQUEST, { maxOpenSessions: 5 })).id;
    const ports = [a.server.port, b.server.port];
    const out = await runClientLogin({
      tcTokenUrl: `${front.url}/eid/tctoken?sessionId=${id}`, card: load(issue(world)), pin: '123456', allowHttpLoopback: true,
      serverAddressFor: (i, address) => address.replace(/:\d+\//, `:${ports[i % 2]}/`),
    });
    assert.equal(out.result.major, 'ok');
    assert.equal(out.requests.length, 5);
    assert.equal(out.tls.full, 1);
    assert.equal(out.tls.resumed, 4, 'resumed on the other node each time');
    const r = await b.sessions.takeResult(id);
    assert.equal(r?.error, undefined);
    assert.equal(r?.attributes.ChineseName?.status, 'value');
  });
});
