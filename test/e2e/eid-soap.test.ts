/**
 * Online authentication through the SOAP eID-Interface end to end (profile `tw`): an eService calls
 * useID over mutual TLS with WS-Security, the reference eID client fetches the TC Token, opens
 * TLS-PSK and runs PAOS/EAC with an issued software card, then the eService calls getResult. Every
 * piece is the real one (registry, sessions in Redis, SOAP listener, TLS-PSK eID server, eID
 * router); only the assembly is done here instead of src/main.ts.
 *
 * @spec tr03130-1 §3.2.1 (useID), §3.2.2 (getResult, RequestCounter), §3.3.22 (OperationsAllowedByUser), §3.4 (ResultMinor), §3.5 (mutual TLS, WS-Security); tr03124-1 §2.4-§2.5; tr03110-2 §3
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { parse as parseYaml } from 'yaml';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createRedisStore } from '../../src/session/store/redis.js';
import type { Store } from '../../src/session/store/store.js';
import { callEidInterface, getResultRequestXml, replyChild as child, replyChildren as children, replyResult, useIdRequestXml } from '../../src/soap/client.js';
import type { EidInterfaceClientOptions, UseIdRequestInput } from '../../src/soap/client.js';
import { TW_NS } from '../../src/soap/profiles.js';
import { createLogger } from '../../src/shared/logger.js';
import { fromHex } from '../../src/shared/bytes.js';
import { PaosChannel } from '../../tools/eid-client/paos-channel.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import type { ClientLoginOptions } from '../../tools/eid-client/paos-login.js';
import { fetchTcToken } from '../../tools/eid-client/tc-token-fetch.js';
import { startEidStack } from '../../tools/eid-stack.js';
import type { EidStack } from '../../tools/eid-stack.js';
import type { CardJson } from '../../tools/software-card/card-json.js';
import { createWorld, issue, load, personJson, terminal, terminalConfig } from '../support/eac-world.js';
import type { World } from '../support/eac-world.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../support/redis.js';
import { testRsaCertificate } from '../support/rsa-cert.js';

const MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor/';
const MAJOR_OK = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok';
const MAJOR_ERROR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error';

/** The terminal certificate: no READ_DG7 (CardNumber), although the registry approves it. */
const TERMINAL_RIGHTS: AtRight[] = [
  'AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION',
  'READ_DG1', 'READ_DG3', 'READ_DG4', 'READ_DG5', 'READ_DG6', 'READ_DG8', 'READ_DG12', 'READ_DG17', 'READ_DG19', 'READ_DG20',
];
const APPROVED = [
  'DocumentType', 'DateOfRenewal', 'ChineseName', 'RomanizedName', 'NationalIdNumber', 'CardNumber', 'DateOfBirth', 'MaritalStatus',
  'HouseholdAddress', 'SpouseName', 'Photo', 'RestrictedID', 'AgeVerification', 'PlaceVerification', 'DocumentValidity',
];
const SERVICE = 'e2e-soap';
const CAPPED = 'e2e-soap-capped';
const CAP = 3;
const logger = createLogger({ level: 'silent' });

const soapTls = testRsaCertificate('soap-tls');
const soapWss = testRsaCertificate('soap-wss');
const clientCert = testRsaCertificate('soap-client-e2e');
const cappedCert = testRsaCertificate('soap-client-capped');

/** A registry definition from the demo SOAP eService, with the test client certificate. */
function definition(id: string, cert: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const def = parseYaml(readFileSync('config/services/demo-soap.yaml', 'utf8')) as Record<string, unknown>;
  return {
    ...def, id, approvedAttributes: APPROVED, optionalAttributes: [],
    riSector: { id: 'tw.e2e.soap', publicKey: '.dev/pki/sectors/tw.e2e.soap.pub.pem' },
    protocols: { soap: { clientCertificate: cert } },
    ...overrides,
  };
}

interface Node extends EidStack {
  store: Store;
}

/**
 * One IdP node over the shared Redis: its own store client, and the stack (tools/eid-stack.ts) with
 * its sessions, the TLS-PSK eID server, the eID router (TC Token) and the SOAP listener over a
 * registry view of that store. `blockList` holds sector-specific IDs (hex) as the block list of the
 * eService's terminal (TR-03129 App. B).
 */
async function startNode(world: World, url: string, keyPrefix: string, box: SealedBox, blockList: ReadonlySet<string>): Promise<Node> {
  const store = createRedisStore({ url, keyPrefix });
  const term = terminal(world, { rights: TERMINAL_RIGHTS });
  const { requiredChat: _r, optionalChat: _o, auxiliary: _a, ...base } = terminalConfig(world, term, { required: [] });
  const serviceTerminal: ServiceTerminal = { ...base, isBlocked: (ids) => ids.some((b) => blockList.has(b.toString('hex'))) };
  const stack = await startEidStack({
    store, box, registry: new ServiceRegistry(store), terminal: serviceTerminal, logger, tls2: testRsaCertificate(),
    soap: { key: soapTls.key, cert: soapTls.cert, clientCa: [clientCert.cert, cappedCert.cert], signer: soapWss, terminalChat: async () => term.parsed.chat },
  });
  return {
    ...stack, store,
    async close() {
      await stack.close();
      await store.close();
    },
  };
}

/** The eService side: signed calls over mutual TLS to one node's SOAP listener. */
function eService(node: Node, cert = clientCert): EidInterfaceClientOptions {
  return {
    url: node.soapUrl,
    tls: { key: cert.key, cert: cert.cert, ca: soapTls.cert, servername: 'localhost' },
    wss: cert, serverWssCert: soapWss.cert,
  };
}

function textOf(el: Element | undefined): string | undefined {
  return el?.textContent ?? undefined;
}

interface Reply {
  operation: string;
  major: string;
  minor: string | undefined;
  message: string | undefined;
  /** Element names directly under the response, in order. */
  elements: string[];
  el: Element;
}

function reply(el: Element): Reply {
  assert.equal(el.namespaceURI, TW_NS);
  const result = replyResult(el);
  assert.ok(result, 'dss:Result present');
  return { operation: el.localName ?? '', ...result, elements: children(el).map((c) => c.localName ?? ''), el };
}

async function useId(node: Node, input: UseIdRequestInput, cert = clientCert): Promise<Reply & { sessionId?: string; pskHex?: string }> {
  const r = await callEidInterface(eService(node, cert), useIdRequestXml('tw', input));
  assert.equal(r.status, 200);
  const out = reply(r.operation);
  assert.equal(out.operation, 'useIDResponse');
  const session = child(r.operation, 'Session');
  const psk = child(r.operation, 'PSK');
  return { ...out, ...(session && { sessionId: textOf(child(session, 'ID')) }), ...(psk && { pskHex: textOf(child(psk, 'Key')) }) };
}

async function getResult(node: Node, sessionId: string, counter: number): Promise<Reply> {
  const r = await callEidInterface(eService(node), getResultRequestXml('tw', sessionId, counter));
  assert.equal(r.status, 200);
  const out = reply(r.operation);
  assert.equal(out.operation, 'getResultResponse');
  return out;
}

/** PersonalData element → text (RestrictedID → its ID). */
function personalData(r: Reply): Record<string, string> {
  const pd = child(r.el, 'PersonalData');
  const out: Record<string, string> = {};
  for (const c of pd === undefined ? [] : children(pd)) {
    out[c.localName ?? ''] = c.localName === 'RestrictedID' ? textOf(child(c, 'ID')) ?? '' : c.textContent ?? '';
  }
  return out;
}

function operationsAllowed(r: Reply): Record<string, string> {
  const ops = child(r.el, 'OperationsAllowedByUser');
  assert.ok(ops, 'OperationsAllowedByUser present');
  return Object.fromEntries(children(ops).map((c) => [c.localName ?? '', c.textContent ?? '']));
}

/** Every operation element PROHIBITED except the given ones. */
function allowedExpect(values: Record<string, 'ALLOWED' | 'NOTONCHIP'> & Record<string, string>): Record<string, string> {
  const all = getProfile('tw').attributes.filter((a) => a.kind !== 'document-validity').map((a) => a.id);
  return Object.fromEntries(all.map((id) => [id, values[id] ?? 'PROHIBITED']));
}

function cardValue(card: CardJson, dg: number): string {
  const raw = card.files.dataGroups[String(dg)];
  assert.ok(raw !== undefined, `DG${dg} on the card`);
  const v = getProfile('tw').decodeDataGroup(dg, fromHex(raw)).value;
  assert.equal(typeof v, 'string');
  return v as string;
}

function person(attributes: Record<string, unknown>, drop: readonly string[] = []): Record<string, unknown> {
  const p = personJson('tw');
  const merged: Record<string, unknown> = { ...(p['attributes'] as Record<string, unknown>), ...attributes };
  for (const k of drop) delete merged[k];
  return { ...p, attributes: merged };
}

describe('e2e: SOAP eID-Interface → TC Token → TLS-PSK → PAOS/EAC → getResult (tw software card, Redis)', function () {
  this.timeout(180_000);
  const url = testRedisUrl();
  const prefix = randomPrefix('neid-test-soap');
  const box = new SealedBox(randomBytes(32));
  const blockList = new Set<string>();
  let world: World;
  let a: Node;
  let b: Node;
  let raw: Redis;

  before(async () => {
    await requireRedis(url);
    world = createWorld();
    a = await startNode(world, url, prefix, box, blockList);
    b = await startNode(world, url, prefix, box, blockList);
    const registry = new ServiceRegistry(a.store);
    await registry.create(definition(SERVICE, clientCert.cert) as never, { by: 'test', declarative: true });
    await registry.create(definition(CAPPED, cappedCert.cert, { maxConcurrentSessions: CAP }) as never, { by: 'test', declarative: true });
    raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await raw.connect();
  });
  after(async () => {
    raw?.disconnect();
    await a?.close();
    await b?.close();
    await deleteByPrefix(prefix, url);
  });

  const tcTokenUrl = (id: string, node = a) => `${node.front.url}/eid/tctoken?sessionId=${id}`;
  async function login(id: string, o: Omit<Partial<ClientLoginOptions>, 'card'> & { card?: CardJson } = {}) {
    const card = o.card ?? issue(world);
    const { card: _c, ...rest } = o;
    const out = await runClientLogin({ tcTokenUrl: tcTokenUrl(id), card: load(card), pin: '123456', allowHttpLoopback: true, ...rest });
    return { ...out, card };
  }
  /** The stored (sealed) result's error code, read without delivering it: what the server decided, before getResult. */
  async function storedErrorCode(id: string): Promise<string | undefined> {
    const key = `eid:res:${id}`;
    const sealed = await raw.get(`${prefix}${key}`);
    assert.ok(sealed !== null, 'a result is stored');
    const result = JSON.parse(box.openText(key, sealed)) as { error?: { code: string }; attributes: Record<string, unknown> };
    assert.deepEqual(result.attributes, {}, 'no personal data stored with an error');
    return result.error?.code;
  }
  /** Redis keys under our prefix that name the session. */
  async function keysOf(id: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys.filter((k) => k.toLowerCase().includes(id.toLowerCase())));
    } while (cursor !== '0');
    return found;
  }

  const FULL_REQUEST: UseIdRequestInput = {
    operations: {
      DocumentType: 'REQUIRED', ChineseName: 'REQUIRED', DateOfBirth: 'REQUIRED', RestrictedID: 'REQUIRED', AgeVerification: 'REQUIRED', PlaceVerification: 'REQUIRED',
      RomanizedName: 'ALLOWED', HouseholdAddress: 'ALLOWED', SpouseName: 'ALLOWED', Photo: 'ALLOWED',
    },
    age: 18, communityId: '63000',
  };

  it('REQUIRED + ALLOWED fields, age and place verification: exactly the approved fields, deselected → PROHIBITED; noResultYet before the end; the session is gone after delivery', async () => {
    const u = await useId(a, FULL_REQUEST);
    assert.equal(u.major, MAJOR_OK);
    assert.match(u.sessionId ?? '', /^[0-9a-f]{64}$/);
    assert.match(u.pskHex ?? '', /^[0-9A-F]{64,}$/);
    const id = u.sessionId!;
    assert.equal((await getResult(a, id, 1)).minor, `${MINOR}getResult#noResultYet`, 'before the TC Token');

    let counter = 1;
    const { result, card, refreshUrl } = await login(id, {
      consent: async () => {
        // Mid-conversation (EAC1InputType has arrived): still no result.
        const pending = await getResult(a, id, ++counter);
        assert.equal(pending.major, MAJOR_ERROR);
        assert.equal(pending.minor, `${MINOR}getResult#noResultYet`);
        assert.deepEqual(pending.elements, ['Result']);
        return { pin: '123456', deselect: ['Photo'] };
      },
    });
    assert.equal(result.major, 'ok');
    assert.equal(refreshUrl, `https://service.example.test/return?session=${id}`);

    const r = await getResult(a, id, ++counter);
    assert.equal(r.major, MAJOR_OK);
    assert.equal(r.minor, undefined);
    assert.deepEqual(r.elements, ['PersonalData', 'FulfilsAgeVerification', 'FulfilsPlaceVerification', 'OperationsAllowedByUser', 'Result']);
    const data = personalData(r);
    assert.deepEqual(Object.keys(data), ['DocumentType', 'ChineseName', 'RomanizedName', 'DateOfBirth', 'HouseholdAddress', 'SpouseName', 'RestrictedID'], 'schema order, nothing else');
    assert.equal(data.DocumentType, cardValue(card, 1));
    assert.equal(data.ChineseName, '陳𠀋安');
    assert.equal(data.RomanizedName, 'CHEN, ZHI-AN');
    assert.equal(data.HouseholdAddress, '臺北市松山區測試里5鄰測試路1段1號');
    assert.equal(data.SpouseName, '王小華');
    assert.match(data.RestrictedID ?? '', /^[0-9A-F]{64}$/);
    const dob = child(child(r.el, 'PersonalData')!, 'DateOfBirth')!;
    assert.deepEqual(children(dob).map((c) => [c.localName, c.textContent]), [['DateString', '19900520'], ['DateValue', '1990-05-20']]);
    assert.equal(textOf(child(child(r.el, 'FulfilsAgeVerification')!, 'FulfilsRequest')), 'true');
    assert.equal(textOf(child(child(r.el, 'FulfilsPlaceVerification')!, 'FulfilsRequest')), 'true');
    assert.deepEqual(operationsAllowed(r), allowedExpect({
      DocumentType: 'ALLOWED', ChineseName: 'ALLOWED', RomanizedName: 'ALLOWED', DateOfBirth: 'ALLOWED', HouseholdAddress: 'ALLOWED', SpouseName: 'ALLOWED',
      RestrictedID: 'ALLOWED', AgeVerification: 'ALLOWED', PlaceVerification: 'ALLOWED',
    }), 'Photo deselected by the user → PROHIBITED; not requested → PROHIBITED');

    // Delivered once: the session and its personal data are gone.
    assert.equal((await getResult(a, id, ++counter)).minor, `${MINOR}getResult#invalidSession`);
    assert.deepEqual(await keysOf(id), []);
    assert.equal(await raw.hexists(`${prefix}eid:open:${SERVICE}`, id), 0, 'not counted as open any more');
  });

  it('an eService polling getResult throughout the login gets noResultYet until the end, then the data once', async () => {
    const id = (await useId(a, { operations: { ChineseName: 'REQUIRED' } })).sessionId!;
    let counter = 0;
    let delivered: Reply | undefined;
    const pending: string[] = [];
    const poller = (async () => {
      while (delivered === undefined && counter < 500) {
        const r = await getResult(a, id, ++counter);
        if (r.major === MAJOR_OK) delivered = r;
        else pending.push(r.minor ?? '');
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    assert.equal((await login(id)).result.major, 'ok');
    await poller;
    assert.ok(pending.length >= 2, 'polled during the conversation');
    assert.deepEqual(new Set(pending), new Set([`${MINOR}getResult#noResultYet`]));
    assert.deepEqual(personalData(delivered!), { ChineseName: '陳𠀋安' });
    assert.equal((await getResult(a, id, ++counter)).minor, `${MINOR}getResult#invalidSession`);
  });

  it('a single holder aged 65+ (no DateOfRenewal, no SpouseName): NOTONCHIP; age and place verification not fulfilled', async () => {
    const card = issue(world, { person: person({ DateOfBirth: '1950-03-02', MaritalStatus: 'Single' }, ['DateOfRenewal', 'SpouseName']) });
    const u = await useId(a, {
      operations: { DateOfRenewal: 'ALLOWED', SpouseName: 'ALLOWED', MaritalStatus: 'REQUIRED', AgeVerification: 'REQUIRED', PlaceVerification: 'REQUIRED' },
      age: 80, communityId: '65000',
    });
    const id = u.sessionId!;
    assert.equal((await login(id, { card })).result.major, 'ok');
    const r = await getResult(a, id, 1);
    assert.equal(r.major, MAJOR_OK);
    assert.deepEqual(personalData(r), { MaritalStatus: 'Single' });
    assert.equal(textOf(child(child(r.el, 'FulfilsAgeVerification')!, 'FulfilsRequest')), 'false');
    assert.equal(textOf(child(child(r.el, 'FulfilsPlaceVerification')!, 'FulfilsRequest')), 'false');
    assert.deepEqual(operationsAllowed(r), allowedExpect({ DateOfRenewal: 'NOTONCHIP', SpouseName: 'NOTONCHIP', MaritalStatus: 'ALLOWED', AgeVerification: 'ALLOWED', PlaceVerification: 'ALLOWED' }));
  });

  it('a wrong PSK is refused at the TLS-2 handshake', async () => {
    const u = await useId(a, { operations: { ChineseName: 'REQUIRED' } });
    const id = u.sessionId!;
    const token = await fetchTcToken(tcTokenUrl(id), { allowHttpLoopback: true });
    assert.equal(token.sessionIdentifier, id);
    assert.equal(token.psk?.toString('hex').toUpperCase(), u.pskHex, 'the TC Token carries the PSK of useIDResponse');
    const wrong = new PaosChannel({ identity: id, psk: randomBytes(32) });
    await assert.rejects(wrong.post(token.serverAddress, '<x/>'), (err: Error & { code?: string }) => {
      // RSA_PSK: another PSK gives another master secret; the server cannot verify the client's Finished and aborts.
      assert.equal(err.code, 'EPROTO');
      assert.match(err.message, /alert bad record mac|decrypt error/);
      return true;
    });
    assert.equal((await getResult(a, id, 1)).minor, `${MINOR}getResult#noResultYet`, 'no data for the session');
  });

  for (const [name, next] of [['replayed', (n: number) => n], ['skipped', (n: number) => n + 2]] as const) {
    it(`${name} RequestCounter → getResult#invalidCounter and the session ends with its personal data`, async () => {
      const id = (await useId(a, { operations: { ChineseName: 'REQUIRED' } })).sessionId!;
      assert.equal((await getResult(a, id, 1)).minor, `${MINOR}getResult#noResultYet`);
      assert.equal((await login(id)).result.major, 'ok');
      const bad = await getResult(a, id, next(1));
      assert.equal(bad.major, MAJOR_ERROR);
      assert.equal(bad.minor, `${MINOR}getResult#invalidCounter`);
      assert.deepEqual(bad.elements, ['Result'], 'no personal data');
      assert.equal((await getResult(a, id, 2)).minor, `${MINOR}getResult#invalidSession`, 'ended: even the right counter finds nothing');
      assert.deepEqual(await keysOf(id), []);
    });
  }

  it('another eService cannot read (or disturb) the session: getResult#invalidSession for it, the owner still gets the data', async () => {
    const id = (await useId(a, { operations: { ChineseName: 'REQUIRED' } })).sessionId!;
    assert.equal((await login(id)).result.major, 'ok');
    const foreign = await callEidInterface(eService(a, cappedCert), getResultRequestXml('tw', id, 1));
    const r = reply(foreign.operation);
    assert.equal(r.minor, `${MINOR}getResult#invalidSession`);
    assert.deepEqual(r.elements, ['Result']);
    const own = await getResult(a, id, 1);
    assert.equal(own.major, MAJOR_OK, 'the foreign call used no RequestCounter of the owner');
    assert.deepEqual(personalData(own), { ChineseName: '陳𠀋安' });
  });

  it(`cap+1 concurrent useID for an eService with maxConcurrentSessions = ${CAP} → useID#tooManyOpenSessions exactly once`, async () => {
    const replies = await Promise.all(Array.from({ length: CAP + 1 }, () => useId(a, { operations: { ChineseName: 'REQUIRED' } }, cappedCert)));
    const minors = replies.map((r) => r.minor ?? 'ok').sort();
    assert.deepEqual(minors, [`${MINOR}useID#tooManyOpenSessions`, 'ok', 'ok', 'ok']);
    const refused = replies.find((r) => r.minor !== undefined)!;
    assert.equal(refused.major, MAJOR_ERROR);
    assert.equal(refused.sessionId, undefined, 'no session for the refused call');
  });

  describe('document validity → getResult#invalidDocument, no personal data', () => {
    const request: UseIdRequestInput = { operations: { ChineseName: 'REQUIRED', RestrictedID: 'REQUIRED' } };
    async function expectInvalidDocument(card: CardJson, cause: string): Promise<void> {
      const id = (await useId(a, request)).sessionId!;
      await login(id, { card });
      assert.equal(await storedErrorCode(id), cause);
      const r = await getResult(a, id, 1);
      assert.equal(r.major, MAJOR_ERROR);
      assert.equal(r.minor, `${MINOR}getResult#invalidDocument`);
      assert.deepEqual(r.elements, ['Result'], 'no PersonalData, no OperationsAllowedByUser');
      assert.deepEqual(await keysOf(id), []);
    }

    it('a blocked card (its sector-specific ID on the block list)', async () => {
      const card = issue(world);
      const id = (await useId(a, request)).sessionId!;
      await login(id, { card });
      const sectorId = personalData(await getResult(a, id, 1)).RestrictedID!;
      blockList.add(sectorId.toLowerCase());
      try {
        await expectInvalidDocument(card, 'EAC_DOCUMENT_REVOKED');
        // Another card of the same issuer is not affected.
        const other = (await useId(a, request)).sessionId!;
        await login(other);
        assert.equal((await getResult(a, other, 1)).major, MAJOR_OK);
      } finally {
        blockList.delete(sectorId.toLowerCase());
      }
    });

    it('an expired card (renewal date before the server date)', async () => {
      await expectInvalidDocument(issue(world, { person: person({ DateOfIssue: '2016-01-15', DateOfRenewal: '2026-06-14' }) }), 'EAC_DOCUMENT_EXPIRED');
    });

    it('a tampered EF.CardSecurity (signature byte flipped)', async () => {
      await expectInvalidDocument(issue(world, {
        tamperCardSecurity: (der) => {
          const out = Buffer.from(der);
          out[out.length - 3] = (out[out.length - 3] ?? 0) ^ 0x01;
          return out;
        },
      }), 'PA_SIGNATURE_INVALID');
    });
  });

  it('a wrong PIN: the client\'s error reaches getResult (error result, no personal data)', async () => {
    const id = (await useId(a, { operations: { ChineseName: 'REQUIRED' } })).sessionId!;
    const { result } = await login(id, { pin: '000000' });
    assert.equal(result.major, 'error');
    assert.equal(await storedErrorCode(id), 'PAOS_CLIENT_ERROR');
    const r = await getResult(a, id, 1);
    assert.equal(r.major, MAJOR_ERROR);
    assert.equal(r.minor, `${MINOR}common#internalError`);
    assert.equal(r.message, 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/ifdl/common#invalidPIN');
    assert.deepEqual(r.elements, ['Result']);
    assert.deepEqual(await keysOf(id), []);
  });

  it('the user cancels in the eID client: getResult error with the client\'s sal#cancellationByUser, no personal data', async () => {
    const id = (await useId(a, { operations: { ChineseName: 'REQUIRED' } })).sessionId!;
    assert.equal((await login(id, { cancelAt: 'EAC1InputType' })).result.major, 'error');
    const r = await getResult(a, id, 1);
    assert.equal(r.major, MAJOR_ERROR);
    assert.equal(r.minor, `${MINOR}common#internalError`);
    assert.equal(r.message, 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/sal#cancellationByUser');
    assert.deepEqual(r.elements, ['Result']);
  });

  it('PAOS steps alternating between two nodes sharing Redis complete; getResult on the other node\'s SOAP listener returns the data', async () => {
    const id = (await useId(a, { operations: { ChineseName: 'REQUIRED', DateOfBirth: 'ALLOWED' } })).sessionId!;
    const ports = [b.eid.port, a.eid.port];
    const out = await login(id, { serverAddressFor: (i, address) => address.replace(/:\d+\//, `:${ports[i % 2]}/`) });
    assert.equal(out.result.major, 'ok');
    assert.equal(out.tls.full, 1);
    assert.equal(out.tls.resumed, out.requests.length - 1, 'each POST resumed the TLS session on the other node');
    const r = await getResult(b, id, 1);
    assert.equal(r.major, MAJOR_OK);
    assert.deepEqual(personalData(r), { ChineseName: '陳𠀋安', DateOfBirth: '199005201990-05-20' }, 'DateString then DateValue');
    assert.equal((await getResult(a, id, 2)).minor, `${MINOR}getResult#invalidSession`, 'gone on every node');
  });

  describe('useID refused', () => {
    it('a field beyond the terminal certificate (CardNumber: approved, but no READ_DG7) → useID#missingTerminalRights', async () => {
      const r = await useId(a, { operations: { ChineseName: 'REQUIRED', CardNumber: 'ALLOWED' } });
      assert.equal(r.major, MAJOR_ERROR);
      assert.equal(r.minor, `${MINOR}useID#missingTerminalRights`);
      assert.equal(r.sessionId, undefined);
    });

    it('AgeVerification REQUIRED without AgeVerificationRequest → useID#missingArgument', async () => {
      const r = await useId(a, { operations: { ChineseName: 'REQUIRED', AgeVerification: 'REQUIRED' } });
      assert.equal(r.major, MAJOR_ERROR);
      assert.equal(r.minor, `${MINOR}useID#missingArgument`);
      assert.equal(r.sessionId, undefined);
    });
  });
});

