/**
 * Login benchmark: complete SOAP-profile logins on loopback, all numbers measured in one run.
 *
 * One login = the eService calls useID (mutual TLS + WS-Security) → the reference eID client
 * (tools/eid-client, runClientLogin) fetches the TC Token, runs the PAOS conversation over real
 * TLS-PSK (RSA_PSK) with a `tw` software card (PACE, TA, CA, PA, reading the data groups under
 * secure messaging) → the eService calls getResult and gets the personal data.
 *
 * Method (server CPU apart from client CPU): the server — TLS-PSK eID-Server, TC Token front and
 * SOAP listener over one eID session store — runs in a child process (login-server.ts). Before and
 * after each measured phase the parent asks the child over IPC for its process.cpuUsage(); the
 * difference over the phase, divided by the logins, is the server CPU per login (user + system, all
 * threads of the server process: TLS, GC, crypto). The eService, eID client and software card run in
 * this process, and their CPU is read the same way here. No work of one side is counted on the other.
 * With --redis the store is Redis, whose own CPU is not counted (it is outside both processes).
 *
 * The crypto floor (crypto-floor.ts) is the CPU time of the asymmetric operations the server must do
 * per login, each timed alone; the last line is server CPU per login / floor. A ratio near 1 means
 * the server spends its time in unavoidable cryptography; everything above is parsing, XML, TLS
 * record handling, store round trips and our own code.
 *
 * Bounded: a warm-up of 2 logins, then `logins` sequential and `logins` at `concurrency`, then the
 * floor; loopback only; the child is ended at the end (and ends itself if this process goes away).
 *
 * @spec tr03130-1 §3.2 (useID, getResult), tr03124-1 §2.4–2.5 (TC Token, PAOS over TLS-2), tr03112-7 §3.6 (EAC)
 */
import { execFile, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { chatForAttributes } from '../../src/services/attribute-policy.js';
import { callEidInterface, getResultRequestXml, useIdRequestXml } from '../../src/soap/client.js';
import type { EidInterfaceClientOptions } from '../../src/soap/client.js';
import { runClientLogin } from '../eid-client/paos-login.js';
import { issueCardFromPki } from '../software-card/issue.js';
import { SoftwareCard } from '../software-card/software-card.js';
import { initTestPki, issueTestTerminal, readManifest, readPrivateKey } from '../software-card/test-pki-dir.js';
import { measureFloor } from './crypto-floor.js';
import { percentile } from './measure.js';
import type { BenchServerCpu, BenchServerReady, BenchServerSetup } from './login-server.js';

export interface LoginBenchOptions {
  logins: number;
  concurrency: number;
  redisUrl?: string;
  /** Iterations per floor operation (default 50). */
  floorIterations?: number;
  log: (line: string) => void;
}

const TERMINAL_CHR = 'TWBENCH00001';
const APPROVED = ['ChineseName', 'RomanizedName', 'NationalIdNumber', 'DateOfBirth', 'HouseholdAddress', 'RestrictedID', 'DocumentValidity'];
const OPERATIONS = { ChineseName: 'REQUIRED', NationalIdNumber: 'REQUIRED', DateOfBirth: 'REQUIRED', RestrictedID: 'REQUIRED', HouseholdAddress: 'ALLOWED' } as const;
const PERSON_FILE = fileURLToPath(new URL('../../test/fixtures/persons/tw-citizen.json', import.meta.url));
const DEMO_SERVICE = fileURLToPath(new URL('../../config/services/demo-soap.yaml', import.meta.url));
const RESULT_OK = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok';

interface Pem { key: string; cert: string }

/** A throw-away self-signed RSA-3072 certificate (openssl CLI) for localhost. */
async function rsaCertificate(dir: string, label: string): Promise<Pem> {
  const key = join(dir, `${label}.key.pem`);
  const cert = join(dir, `${label}.cert.pem`);
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:3072', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/C=TW/O=neid bench ${label}/CN=localhost`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

function serviceDefinition(pkiDir: string, clientCert: string): Record<string, unknown> {
  const manifest = readManifest(pkiDir);
  const path = (role: string) => join(pkiDir, manifest.files[role]!.path);
  const demo = parse(readFileSync(DEMO_SERVICE, 'utf8')) as Record<string, unknown>;
  return {
    ...demo,
    id: 'bench-soap', approvedAttributes: APPROVED, optionalAttributes: ['HouseholdAddress'],
    ipAllowList: ['127.0.0.1/32'], maxConcurrentSessions: 1000,
    riSector: { id: 'bench-sector', publicKey: path('sector-1-public') },
    protocols: { soap: { clientCertificate: clientCert } },
    terminal: { certificate: path(`terminal:${TERMINAL_CHR}`), key: path(`terminal-key:${TERMINAL_CHR}`), chain: [path('dv')] },
  };
}

/** The server child; talks over IPC. */
class ServerProcess {
  readonly #child: ChildProcess;
  readonly #waiting: ((msg: BenchServerCpu) => void)[] = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (msg: { type?: string }) => {
      if (msg.type === 'cpu') this.#waiting.shift()?.(msg as BenchServerCpu);
    });
  }

  static async start(setupFile: string): Promise<{ server: ServerProcess; ready: BenchServerReady }> {
    const entry = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './login-server.ts' : './login-server.js', import.meta.url));
    // Sources run through tsx (as bin/neid.mjs does without a build); a build runs the compiled file.
    const execArgv = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
    // NEID_BENCH_CPU_PROF=<dir>: a V8 CPU profile of the server process (open in Chrome DevTools).
    const profileDir = process.env.NEID_BENCH_CPU_PROF;
    if (profileDir !== undefined && profileDir !== '') execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
    const child = fork(entry, [setupFile], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<BenchServerReady>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`benchmark server exited with ${code ?? 'a signal'} before it was ready`)));
      child.on('message', (msg: { type?: string }) => { if (msg.type === 'ready') resolve(msg as BenchServerReady); });
    });
    child.removeAllListeners('exit');
    return { server: new ServerProcess(child), ready };
  }

  /** Server CPU so far, in ms (user + system). */
  cpuMs(): Promise<number> {
    return new Promise((resolve) => {
      this.#waiting.push((m) => resolve((m.userUs + m.systemUs) / 1000));
      this.#child.send({ type: 'cpu' });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send({ type: 'close' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

function ownCpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function textOf(el: Element, localName: string): string | undefined {
  const found = el.getElementsByTagNameNS('*', localName).item(0);
  return found?.textContent?.trim();
}

interface Phase { name: string; logins: number; concurrency: number; wallMs: number; serverCpuMs: number; clientCpuMs: number; latenciesMs: number[] }

export async function benchLogin(options: LoginBenchOptions): Promise<void> {
  const { log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'neid-bench-login-'));
  let server: ServerProcess | undefined;
  try {
    const pkiDir = join(dir, 'pki');
    initTestPki({ dir: pkiDir });
    issueTestTerminal({
      dir: pkiDir, chr: TERMINAL_CHR, rights: chatForAttributes('tw', APPROVED).rights,
      description: { format: 'plain', issuerName: 'neid bench DV', subjectName: 'neid bench eService', subjectUrl: 'https://service.example.test', termsOfUsage: 'Benchmark only.' },
    });
    const [tls2, soapTls, soapSigner, client] = await Promise.all(['tls2', 'soap-tls', 'soap-signer', 'client'].map((l) => rsaCertificate(dir, l))) as [Pem, Pem, Pem, Pem];
    const setup: BenchServerSetup = {
      pkiDir, terminalChr: TERMINAL_CHR, service: serviceDefinition(pkiDir, client.cert), tls2, soapTls, soapSigner, clientCert: client.cert,
      ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    };
    const setupFile = join(dir, 'setup.json');
    writeFileSync(setupFile, JSON.stringify(setup), { mode: 0o600 });
    const started = await ServerProcess.start(setupFile);
    server = started.server;
    const { frontUrl, soapUrl } = started.ready;

    const cards = Array.from({ length: Math.max(1, options.concurrency) }, () => SoftwareCard.fromJSON(issueCardFromPki({ pkiDir, profile: 'tw', personFile: PERSON_FILE })));
    const soap: EidInterfaceClientOptions = { url: soapUrl, tls: { key: client.key, cert: client.cert, ca: soapTls.cert, servername: 'localhost' }, wss: client, serverWssCert: soapSigner.cert };

    /** One complete login; throws unless the eService gets the personal data. */
    const login = async (card: SoftwareCard): Promise<void> => {
      const used = await callEidInterface(soap, useIdRequestXml('tw', { operations: OPERATIONS }));
      const sessionId = textOf(used.operation, 'ID');
      if (textOf(used.operation, 'ResultMajor') !== RESULT_OK || sessionId === undefined) throw new Error(`useID failed: ${used.xml.slice(0, 400)}`);
      // A fresh power-up of the chip (no SM session left from the last login), as a card put on the reader again.
      card.reset();
      const out = await runClientLogin({ tcTokenUrl: `${frontUrl}/eid/tctoken?sessionId=${sessionId}`, card, pin: '123456', allowHttpLoopback: true });
      if (out.result.major !== 'ok') throw new Error(`eID client: ${out.result.minor ?? ''} ${out.result.message ?? ''}`);
      const got = await callEidInterface(soap, getResultRequestXml('tw', sessionId, 1));
      if (textOf(got.operation, 'ResultMajor') !== RESULT_OK || textOf(got.operation, 'NationalIdNumber') === undefined) throw new Error(`getResult failed: ${got.xml.slice(0, 400)}`);
    };

    const phase = async (name: string, logins: number, concurrency: number): Promise<Phase> => {
      const latenciesMs: number[] = [];
      const server0 = await server!.cpuMs();
      const client0 = ownCpuMs();
      const t0 = performance.now();
      let next = 0;
      await Promise.all(cards.slice(0, concurrency).map(async (card) => {
        while (next < logins) {
          next += 1;
          const s = performance.now();
          await login(card);
          latenciesMs.push(performance.now() - s);
        }
      }));
      const wallMs = performance.now() - t0;
      return { name, logins, concurrency, wallMs, serverCpuMs: (await server!.cpuMs()) - server0, clientCpuMs: ownCpuMs() - client0, latenciesMs };
    };

    await phase('warm-up', 2, 1);
    const phases = [await phase('sequential', options.logins, 1), await phase('concurrent', options.logins, options.concurrency)];

    const manifest = readManifest(pkiDir);
    const floor = measureFloor({
      curve: manifest.curve,
      terminalKey: readPrivateKey(pkiDir, manifest, `terminal-key:${TERMINAL_CHR}`),
      documentSignerKey: readPrivateKey(pkiDir, manifest, 'ds-key'),
      cscaKey: readPrivateKey(pkiDir, manifest, 'csca-key'),
      tls2Key: createPrivateKey(tls2.key), soapTlsKey: createPrivateKey(soapTls.key), soapSignerKey: createPrivateKey(soapSigner.key), clientKey: createPrivateKey(client.key),
    }, options.floorIterations ?? 50);

    const f = (v: number, d = 1) => v.toFixed(d);
    log(`login benchmark: SOAP profile (useID → TC Token → TLS-PSK PAOS, tw software card → getResult), store ${options.redisUrl === undefined ? 'memory' : 'redis'}, curve ${manifest.curve}, loopback`);
    for (const p of phases) {
      log(`${`${p.name} (c=${p.concurrency})`.padEnd(18)} ${String(p.logins).padStart(4)} logins  ${f((p.logins / p.wallMs) * 1000).padStart(6)} logins/s  p50 ${f(percentile(p.latenciesMs, 50)).padStart(7)} ms  p99 ${f(percentile(p.latenciesMs, 99)).padStart(7)} ms  server CPU ${f(p.serverCpuMs / p.logins, 2)} ms/login  client+card+eService CPU ${f(p.clientCpuMs / p.logins, 2)} ms/login`);
    }
    log('crypto floor (asymmetric operations of the server, each timed alone, CPU):');
    for (const l of floor.lines) log(`  ${l.name.padEnd(40)} ${f(l.msPerOp, 3).padStart(7)} ms × ${l.perLogin} = ${f(l.msPerOp * l.perLogin, 3).padStart(7)} ms`);
    log(`  ${'floor per login'.padEnd(40)} ${''.padStart(15)} ${f(floor.msPerLogin, 3).padStart(7)} ms`);
    const totalLogins = phases.reduce((s, p) => s + p.logins, 0);
    const serverPerLogin = phases.reduce((s, p) => s + p.serverCpuMs, 0) / totalLogins;
    log(`server CPU per login (${totalLogins} logins)  ${f(serverPerLogin, 2)} ms`);
    log(`ratio server-CPU/floor ${f(serverPerLogin / floor.msPerLogin, 2)}`);
  } finally {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
