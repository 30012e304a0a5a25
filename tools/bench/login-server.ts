/**
 * The server side of the login benchmark, run as its own child process (tools/bench/login.ts forks
 * it) so that its CPU time can be read apart from the eID client, the software card and the
 * eService: the TLS-PSK eID-Server with the PAOS conversation, the front with the TC Token route
 * and the SOAP eID-Interface over mutual TLS, all over one eID session store (in-memory or Redis).
 * Assembled in-process from the modules by tools/eid-stack.ts (as the SOAP e2e test does).
 *
 * IPC (parent → child): { type: 'cpu' } → { type: 'cpu', userUs, systemUs }; { type: 'close' }.
 * On start the child answers { type: 'ready', paosPort, frontUrl, soapUrl }.
 *
 * @spec tr03130-1 §2.3.2 (TLS-2 RSA_PSK), §3.2 (useID, getResult), §3.5 (mutual TLS, WS-Security); tr03124-1 §2.4 (TC Token)
 */
import { randomBytes, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pointOfPublicKey } from '../../src/eid/eac/domain-parameters.js';
import { verifyCardSecurity } from '../../src/eid/eac/passive-authentication.js';
import { keyObjectSigner } from '../../src/eid/eac/ta.js';
import type { ServiceTerminal } from '../../src/eid/flow/terminal-config.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createStore } from '../../src/session/store/index.js';
import { createMemoryStore } from '../../src/session/store/memory.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { terminalChatFromFile } from '../../src/soap/terminal-chat.js';
import { startEidStack } from '../eid-stack.js';
import { readManifest, readPrivateKey, readRole, readX509 } from '../software-card/test-pki-dir.js';

/** What the parent writes next to the test PKI (login.ts). */
export interface BenchServerSetup {
  pkiDir: string;
  terminalChr: string;
  /** Service definition (YAML registry shape) for the SOAP eService. */
  service: Record<string, unknown>;
  /** PEM files: TLS-2 (RSA-3072), SOAP TLS server, SOAP WS-Security signer, the eService's client certificate. */
  tls2: { key: string; cert: string };
  soapTls: { key: string; cert: string };
  soapSigner: { key: string; cert: string };
  clientCert: string;
  redisUrl?: string;
}

export interface BenchServerReady { type: 'ready'; paosPort: number; frontUrl: string; soapUrl: string }
export interface BenchServerCpu { type: 'cpu'; userUs: number; systemUs: number }

/** The eService's terminal from the PKI directory: loaded once, as a key store would hold it. */
function serviceTerminal(setup: BenchServerSetup): ServiceTerminal {
  const dir = setup.pkiDir;
  const manifest = readManifest(dir);
  const chain = manifest.chains[setup.terminalChr];
  if (chain === undefined) throw new Error(`no chain for terminal ${setup.terminalChr}`);
  const trustStore = new TrustStore();
  trustStore.addCsca(readX509(dir, manifest, 'csca'));
  trustStore.addCrl(readRole(dir, manifest, 'crl'));
  const sector = (n: number) => ({ curve: manifest.curve, point: pointOfPublicKey(createPublicKey(readRole(dir, manifest, `sector-${n}-public`).toString('utf8'))) });
  const descriptionRole = `terminal-description:${setup.terminalChr}`;
  return {
    certificates: chain.filter((r) => r !== `terminal:${setup.terminalChr}`).map((r) => readRole(dir, manifest, r)),
    terminalCertificate: readRole(dir, manifest, `terminal:${setup.terminalChr}`),
    signer: keyObjectSigner(readPrivateKey(dir, manifest, `terminal-key:${setup.terminalChr}`)),
    ...(manifest.files[descriptionRole] === undefined ? {} : { certificateDescription: readRole(dir, manifest, descriptionRole) }),
    sectorPublicKeys: [sector(1), sector(2)],
    profile: getProfile('tw'),
    verifyCardSecurity: async (der) => verifyCardSecurity(der, { trustStore, clock: systemClock }).securityInfos,
    clock: systemClock,
  };
}

export async function startBenchServer(setup: BenchServerSetup): Promise<{ ready: BenchServerReady; close(): Promise<void> }> {
  // NEID_BENCH_LOG=info shows the server's log (refused requests, failed steps) on stderr.
  const logger = createLogger({ level: process.env.NEID_BENCH_LOG ?? 'silent' });
  // The in-memory store directly: createStore would warn that it is not for production, which is the point here.
  const keyPrefix = `neid-bench-${randomBytes(4).toString('hex')}:`;
  const store = setup.redisUrl === undefined ? createMemoryStore() : createStore({ redisUrl: setup.redisUrl, keyPrefix });
  const registry = new ServiceRegistry(store);
  await registry.create(setup.service as never, { by: 'bench', declarative: true });
  const stack = await startEidStack({
    store, box: new SealedBox(randomBytes(32)), registry, terminal: serviceTerminal(setup), logger, tls2: setup.tls2,
    soap: { key: setup.soapTls.key, cert: setup.soapTls.cert, clientCa: [setup.clientCert], signer: setup.soapSigner, terminalChat: terminalChatFromFile },
  });
  return {
    ready: { type: 'ready', paosPort: stack.eid.port, frontUrl: stack.front.url, soapUrl: stack.soapUrl },
    async close() {
      await stack.close();
      await store.close();
      if (setup.redisUrl !== undefined) await deleteKeys(setup.redisUrl, keyPrefix);
    },
  };
}

/** Leaves no benchmark keys (registry entry, replay marks) in a shared Redis; plain redis:// and rediss:// only. */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  if (!/^rediss?:\/\//.test(url)) return;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => { /* best effort */ });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** Child process entry: argv[2] is the setup JSON file. */
async function main(): Promise<void> {
  const setupFile = process.argv[2];
  if (setupFile === undefined || process.send === undefined) throw new Error('login-server: run by tools/bench/login.ts (fork with IPC and a setup file)');
  const setup = JSON.parse(readFileSync(setupFile, 'utf8')) as BenchServerSetup;
  const server = await startBenchServer(setup);
  const send = process.send.bind(process);
  process.on('message', (msg: { type?: string }) => {
    if (msg.type === 'cpu') {
      const cpu = process.cpuUsage();
      send({ type: 'cpu', userUs: cpu.user, systemUs: cpu.system } satisfies BenchServerCpu);
    } else if (msg.type === 'close') {
      void server.close().finally(() => process.exit(0));
    }
  });
  // The parent going away (crash, Ctrl-C) ends the server too: the benchmark never leaves listeners behind.
  process.on('disconnect', () => process.exit(0));
  send(server.ready);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`login-server: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
