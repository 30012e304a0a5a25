/**
 * Two `neid serve` PROCESSES behind one public URL, sharing Redis, the store data key and the
 * development material (dev PKI, terminal keys, TLS certificates): the demo SOAP eService opens the
 * session on process A (useID), the PAOS POSTs of the reference eID client alternate between A's
 * and B's TLS-2 eID endpoints, and getResult on B's SOAP listener returns the personal data.
 * SPEC §8: any node can serve any step; nothing about a conversation lives in process memory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callEidInterface, getResultRequestXml } from '../../src/soap/client.js';
import type { EidInterfaceClientOptions } from '../../src/soap/client.js';
import { runClientLogin } from '../../tools/eid-client/paos-login.js';
import { SoftwareCard } from '../../tools/software-card/software-card.js';
import { freePort, httpStatus, logRecords, spawnCli, stopProcess, waitFor, type Spawned } from '../support/processes.js';
import { deleteByPrefix, randomPrefix, requireRedis, testRedisUrl } from '../support/redis.js';

const person = (JSON.parse(readFileSync('test/fixtures/persons/tw-citizen.json', 'utf8')) as { attributes: Record<string, string> }).attributes;
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');

interface Node {
  spawned: Spawned;
  http: number;
  eid: number;
  soap: number;
}

function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}
function descendant(el: Element, name: string): Element | undefined {
  for (const c of children(el)) {
    if (c.localName === name) return c;
    const deeper = descendant(c, name);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

describe('e2e: PAOS steps alternating between two neid processes sharing Redis', function () {
  this.timeout(120_000);
  const prefix = `${randomPrefix('neid-2proc')}:`;
  const dataKey = randomBytes(32).toString('hex');
  let dataDir: string;
  let publicUrl: string;
  const nodes: Node[] = [];

  async function startNode(http: number): Promise<Node> {
    const [eid, soap, admin, demoSp] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const spawned = spawnCli(['serve'], {
      NEID_HTTP_HOST: '127.0.0.1', NEID_HTTP_PORT: String(http), NEID_EID_HOST: '127.0.0.1', NEID_EID_PORT: String(eid),
      NEID_SOAP_HOST: '127.0.0.1', NEID_SOAP_PORT: String(soap), NEID_ADMIN_PORT: String(admin), NEID_DEV_DEMO_SP_PORT: String(demoSp),
      // One public front URL for both nodes (as behind a load balancer); each node names its own eID endpoint.
      NEID_PUBLIC_URL: publicUrl, NEID_EID_PUBLIC_URL: `https://localhost:${eid}/paos`,
      NEID_DEV_DATA_DIR: dataDir, NEID_DEV_EID_CLIENT_PORT: '0',
      NEID_REDIS_URL: testRedisUrl(), NEID_STORE_KEY_PREFIX: prefix, NEID_STORE_DATA_KEY: dataKey,
    });
    const node = { spawned, http, eid, soap };
    nodes.push(node);
    try {
      await waitFor(async () => ((await httpStatus(`http://127.0.0.1:${http}/healthz`)) === 200 ? true : undefined), 40_000);
    } catch (err) {
      throw new Error(`neid serve did not come up: ${spawned.stderr.join('').slice(-2000)} ${spawned.stdout.join('').slice(-2000)}`, { cause: err });
    }
    return node;
  }

  /** The demo eService's own SOAP client material (TEST-ONLY fixture keys) against one node. */
  function eService(node: Node): EidInterfaceClientOptions {
    const key = readFileSync('test/fixtures/demo-eservices/demo-soap-client.key.pem', 'utf8');
    const cert = readFileSync('test/fixtures/demo-eservices/demo-soap-client.crt.pem', 'utf8');
    return {
      url: `https://127.0.0.1:${node.soap}/eID`,
      tls: { key, cert, ca: readFileSync(join(dataDir, 'tls', 'soap.crt.pem'), 'utf8'), servername: 'localhost' },
      wss: { key, cert }, serverWssCert: readFileSync(join(dataDir, 'tls', 'soap-wss.crt.pem'), 'utf8'),
    };
  }

  before(async () => {
    await requireRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'neid-2proc-'));
    const httpA = await freePort();
    publicUrl = `http://127.0.0.1:${httpA}`;
    // A prepares the shared development material; B starts on it afterwards (no concurrent generation).
    await startNode(httpA);
    await startNode(await freePort());
  });
  after(async () => {
    await Promise.all(nodes.map((n) => stopProcess(n.spawned.child, 'SIGKILL')));
    await deleteByPrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('both processes run on Redis; the second reused the development material the first generated', () => {
    const [a, b] = nodes as [Node, Node];
    const generated = (node: Node) => logRecords(node.spawned).find((r) => Array.isArray(r.generated))?.generated;
    assert.ok(Array.isArray(generated(a)) && (generated(a) as unknown[]).length > 0, 'A generated the material in the fresh data dir');
    assert.deepEqual(generated(b), [], 'B generated nothing: same PKI, terminal keys and TLS certificates');
    for (const node of [a, b]) assert.equal(logRecords(node.spawned).find((r) => r.port === node.http)?.store, 'redis');
  });

  it('useID on A (demo) → PAOS POSTs alternate A/B → getResult on B returns the personal data', async () => {
    const [a, b] = nodes as [Node, Node];
    const login = await fetch(`http://127.0.0.1:${a.http}/demo/login`, { method: 'POST' });
    assert.equal(login.status, 200);
    const href = /id="eid-client" href="([^"]+)"/.exec(await login.text())?.[1];
    assert.ok(href !== undefined, 'the demo page links to the eID client');
    const tcTokenUrl = new URL(unescape(href)).searchParams.get('tcTokenURL') ?? '';
    const sessionId = /[?&]sessionId=([0-9A-Fa-f]{32,})$/.exec(tcTokenUrl)?.[1];
    assert.ok(sessionId !== undefined, `TC Token URL with the session: ${tcTokenUrl}`);

    const card = SoftwareCard.fromJSON(JSON.parse(readFileSync(join(dataDir, 'cards', 'tw-citizen.json'), 'utf8')));
    const used: number[] = [];
    const out = await runClientLogin({
      tcTokenUrl, card, pin: '123456', allowHttpLoopback: true,
      serverAddressFor: (i, address) => {
        assert.match(address, new RegExp(`^https://localhost:${a.eid}/paos`), 'the TC Token names A\'s eID endpoint');
        const port = i % 2 === 0 ? a.eid : b.eid;
        used.push(port);
        return address.replace(/:\d+\//, `:${port}/`);
      },
    });
    assert.equal(out.result.major, 'ok');
    assert.ok(out.requests.length >= 3, `a full EAC conversation (${out.requests.join(', ')})`);
    assert.ok(used.includes(a.eid) && used.includes(b.eid), 'both processes served PAOS steps');
    assert.equal(out.refreshUrl, `${publicUrl}/demo/return`);

    const reply = await callEidInterface(eService(b), getResultRequestXml('tw', sessionId, 1));
    assert.equal(reply.status, 200);
    assert.equal(reply.operation.localName, 'getResultResponse');
    const major = descendant(reply.operation, 'ResultMajor')?.textContent;
    assert.equal(major, 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok');
    const data = descendant(reply.operation, 'PersonalData');
    assert.ok(data !== undefined, 'PersonalData present');
    const fields = Object.fromEntries(children(data).map((c) => [c.localName ?? '', c.textContent ?? '']));
    assert.equal(fields.ChineseName, person.ChineseName);
    assert.equal(fields.NationalIdNumber, person.NationalIdNumber);

    // Delivered once, on every node: A's demo return page (its own getResult on A) now fails.
    const again = await callEidInterface(eService(a), getResultRequestXml('tw', sessionId, 2));
    assert.match(descendant(again.operation, 'ResultMinor')?.textContent ?? '', /invalidSession/);
  });
});
