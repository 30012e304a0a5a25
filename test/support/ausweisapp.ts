/**
 * AusweisApp2 (Debian 1.26.2) as a real eID-Client peer for interop tests: started headless in a
 * fresh HOME with pre-verification off, driven through its SDK WebSocket (`/eID-Kernel`), always
 * killed afterwards. The built-in "Simulator" card answers the EAC APDUs.
 *
 * Failure classes: `setup` (AusweisApp missing or not starting), `client` (a known AusweisApp 1.26.2
 * fault, e.g. the card-connect race; retry with a fresh eID session), `server` (everything else:
 * the client reported an error or stopped talking — our server's fault until proven otherwise).
 *
 * @spec tr03124-1 §2.2 (eID-Client activation, localhost port 24727), eid-protocol §5.1 and Addendum (SDK rig)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort } from './processes.js';

export const AUSWEISAPP_EXECUTABLE = 'AusweisApp2';

export type AusweisAppFaultKind = 'setup' | 'client' | 'server';

export class AusweisAppFault extends Error {
  readonly kind: AusweisAppFaultKind;
  constructor(kind: AusweisAppFaultKind, message: string, options?: { cause?: unknown }) {
    super(`[${kind}] ${message}`, options);
    this.kind = kind;
    this.name = 'AusweisAppFault';
  }
}

/** An SDK message (`msg` names its kind); the rest depends on the kind (docs/sdk/messages.rst). */
export interface SdkMessage {
  msg: string;
  [key: string]: unknown;
}

export interface AusweisAppOptions {
  /** Default: a free loopback port. The eID-Client endpoint (/eID-Client) is served on it too. */
  port?: number;
  startTimeoutMs?: number;
  /**
   * Also load the `webservice` UI (default true): with `--ui websocket` alone the port answers
   * /eID-Client with 503; with both, /eID-Client?Status and ?tcTokenURL= work as in a desktop install.
   */
  webservice?: boolean;
  /** Extra [section] → key=value pairs for AusweisApp2.conf (pre-verification is always off). */
  settings?: Record<string, Record<string, string>>;
}

export interface AusweisApp {
  readonly port: number;
  readonly home: string;
  readonly pid: number;
  /** stdout+stderr lines so far (AusweisApp logs to the console with --no-logfile); last 20 000 kept. */
  readonly log: string[];
  /** A new SDK connection; AusweisApp accepts one at a time. */
  connect(): Promise<SdkConnection>;
  /** SIGTERM, then SIGKILL after graceMs (it may ignore SIGTERM while a request is pending). */
  stop(graceMs?: number): Promise<void>;
}

const LOG_LINES = 20_000;
/** Processes started here and not yet stopped: killed when the test process exits, whatever happens. */
const running = new Set<ChildProcess>();
process.once('exit', () => { for (const child of running) child.kill('SIGKILL'); });

function configFile(home: string, settings: Record<string, Record<string, string>>): void {
  // Qt QSettings path of the Debian build (no organization name set).
  const dir = join(home, '.config', 'Unknown Organization');
  mkdirSync(dir, { recursive: true });
  const sections: Record<string, Record<string, string>> = { ...settings, preverification: { ...settings.preverification, enabled: 'false' } };
  const text = Object.entries(sections).map(([name, kv]) => `[${name}]\n${Object.entries(kv).map(([k, v]) => `${k}=${v}`).join('\n')}\n`).join('\n');
  writeFileSync(join(dir, 'AusweisApp2.conf'), text);
}

async function openSocket(port: number, deadline: number): Promise<WebSocket> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/eID-Kernel`);
        ws.once('open', () => resolve(ws));
        ws.once('error', (err) => { ws.terminate(); reject(err); });
      });
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new AusweisAppFault('setup', `SDK WebSocket on port ${port} not reachable: ${String(lastError)}`);
}

export async function startAusweisApp(options: AusweisAppOptions = {}): Promise<AusweisApp> {
  const port = options.port ?? await freePort();
  const home = mkdtempSync(join(tmpdir(), 'neid-ausweisapp-'));
  configFile(home, options.settings ?? {});
  const ui = options.webservice === false ? ['--ui', 'websocket'] : ['--ui', 'websocket', '--ui', 'webservice'];
  const child = spawn(AUSWEISAPP_EXECUTABLE, [...ui, '--port', String(port), '--no-logfile'], {
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home, QT_QPA_PLATFORM: 'offscreen', XDG_RUNTIME_DIR: home, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const log: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line !== '') log.push(line);
    if (log.length > LOG_LINES) log.splice(0, log.length - LOG_LINES);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { running.delete(child); resolve(); }));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => {
    running.delete(child);
    reject(new AusweisAppFault('setup', `${AUSWEISAPP_EXECUTABLE} could not be started (apt-get install --no-install-recommends ausweisapp2): ${err.message}`, { cause: err }));
  }));
  const earlyExit = exited.then(() => { throw new AusweisAppFault('setup', `${AUSWEISAPP_EXECUTABLE} exited during start-up:\n${log.slice(-30).join('\n')}`); });

  const stop = async (graceMs = 2000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(home, { recursive: true, force: true });
  };

  try {
    const probe = await Promise.race([openSocket(port, Date.now() + (options.startTimeoutMs ?? 20_000)), spawnError, earlyExit]);
    probe.close();
  } catch (err) {
    await stop(500);
    throw err;
  }
  return {
    port, home, log, pid: child.pid ?? -1,
    connect: async () => new SdkConnection(await openSocket(port, Date.now() + 5000)),
    stop,
  };
}

/** One SDK WebSocket: send commands, wait for messages (in order of arrival) with a timeout. */
export class SdkConnection {
  readonly #ws: WebSocket;
  readonly #queue: SdkMessage[] = [];
  readonly #waiters: Array<(m: SdkMessage | null) => void> = [];
  #closed = false;
  /** Every message received, in order (for diagnostics). */
  readonly received: SdkMessage[] = [];
  readonly sent: Record<string, unknown>[] = [];

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: WebSocket.RawData) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      let message: SdkMessage;
      try { message = JSON.parse(text) as SdkMessage; } catch { message = { msg: 'UNPARSABLE', text }; }
      this.received.push(message);
      const waiter = this.#waiters.shift();
      if (waiter) waiter(message); else this.#queue.push(message);
    });
    ws.on('close', () => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) w(null);
    });
  }

  send(cmd: string, fields: Record<string, unknown> = {}): void {
    const command = { cmd, ...fields };
    this.sent.push(command);
    this.#ws.send(JSON.stringify(command));
  }

  /** The next message, or null when the connection closed or timeoutMs passed. */
  async next(timeoutMs: number): Promise<SdkMessage | null> {
    const queued = this.#queue.shift();
    if (queued) return queued;
    if (this.#closed) return null;
    return new Promise((resolve) => {
      const waiter = (m: SdkMessage | null): void => { clearTimeout(timer); resolve(m); };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(null);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Skips other messages until one of kind `msg` arrives; throws after timeoutMs. */
  async expect(msg: string, timeoutMs: number): Promise<SdkMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      const m = left > 0 ? await this.next(left) : null;
      if (m === null) throw new AusweisAppFault('server', `no ${msg} message within ${timeoutMs} ms (last: ${JSON.stringify(this.received.slice(-3))})`);
      if (m.msg === msg) return m;
    }
  }

  close(): void {
    this.#ws.close();
  }
}

// --- The authentication workflow (RUN_AUTH) ---

export interface AuthOptions {
  /** The eService's TC Token URL (https). */
  tcTokenURL: string;
  /** Optional rights (SDK names, e.g. 'GivenNames') to switch off via SET_ACCESS_RIGHTS. */
  deselect?: readonly string[];
  /** Cancel instead of answering at this step (the server must see a cancellation result). */
  cancelAt?: 'ACCESS_RIGHTS' | 'INSERT_CARD' | 'ENTER_PIN';
  /** SET_CARD `simulator` object (e.g. {files:[…]}); default: the built-in card. */
  simulator?: Record<string, unknown>;
  /** Whole workflow; default 60 s. */
  timeoutMs?: number;
  /** Pause between INSERT_CARD and SET_CARD, ms (default 100). */
  setCardDelayMs?: number;
  /** Number of GET_API_LEVEL commands sent right after SET_CARD (avoids the 1.26.2 card-connect race). */
  apiLevelBurst?: number;
}

export interface AuthResult {
  major: string;
  minor?: string;
  message?: string;
  description?: string;
  reason?: string;
}

export interface AuthRun {
  result: AuthResult;
  /** RefreshAddress (+ ResultMajor…) or CommunicationErrorAddress, as the client would send the browser. */
  url: string | undefined;
  /** The first ACCESS_RIGHTS message (what the client understood of our EAC1InputType). */
  accessRights: SdkMessage | undefined;
  /** ACCESS_RIGHTS after SET_ACCESS_RIGHTS, when rights were deselected. */
  accessRightsAfterDeselect: SdkMessage | undefined;
  /** The CERTIFICATE message (the CertificateDescription as the client decoded it). */
  certificate: SdkMessage | undefined;
  /** Milliseconds from RUN_AUTH to the final AUTH message. */
  durationMs: number;
  messages: SdkMessage[];
}

export const RESULT_MAJOR_OK = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok';

/** Log fragments of known AusweisApp 1.26.2 client-side faults (Addendum: card-connect race). */
const CLIENT_FAULT_PATTERNS: readonly RegExp[] = [/Card is already connected/i];

/** A failed run is a client fault only when the AusweisApp log shows a known client-side cause. */
export function classifyFailure(log: readonly string[], fromLine: number): AusweisAppFaultKind {
  const lines = log.slice(fromLine);
  return lines.some((l) => CLIENT_FAULT_PATTERNS.some((p) => p.test(l))) ? 'client' : 'server';
}

/**
 * Runs one online authentication through the SDK. Resolves with the final AUTH message whatever its
 * result (the caller checks it); throws AusweisAppFault when the workflow does not finish.
 */
export async function runAuth(app: AusweisApp, options: AuthOptions): Promise<AuthRun> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const sdk = await app.connect();
  const logStart = app.log.length;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let accessRights: SdkMessage | undefined;
  let accessRightsAfterDeselect: SdkMessage | undefined;
  let certificate: SdkMessage | undefined;
  let deselected = false;
  let cardSet = false;
  const fail = (why: string): never => {
    throw new AusweisAppFault(classifyFailure(app.log, logStart), `${why}; SDK messages: ${JSON.stringify(sdk.received.slice(-6))}`);
  };
  try {
    sdk.send('RUN_AUTH', { tcTokenURL: options.tcTokenURL, developerMode: true, handleInterrupt: false });
    for (;;) {
      const left = deadline - Date.now();
      const m = left > 0 ? await sdk.next(left) : null;
      if (m === null) return fail(`workflow did not finish within ${timeoutMs} ms`);
      switch (m.msg) {
        case 'AUTH': {
          if (typeof m.error === 'string') return fail(`RUN_AUTH refused: ${m.error}`);
          if (m.result === undefined) break; // "workflow started"
          const result = m.result as AuthResult;
          // An error result caused by a known client fault is not the server's: the caller retries.
          if (result.major !== RESULT_MAJOR_OK && classifyFailure(app.log, logStart) === 'client') return fail(`client fault, result ${JSON.stringify(result)}`);
          return {
            result, url: typeof m.url === 'string' ? m.url : undefined,
            accessRights, accessRightsAfterDeselect, certificate, durationMs: Date.now() - started, messages: sdk.received.slice(),
          };
        }
        case 'ACCESS_RIGHTS': {
          if (typeof m.error === 'string') return fail(`SET_ACCESS_RIGHTS refused: ${m.error}`);
          if (accessRights === undefined) {
            accessRights = m;
            sdk.send('GET_CERTIFICATE');
            if (options.cancelAt === 'ACCESS_RIGHTS') { sdk.send('CANCEL'); break; }
            if (options.deselect !== undefined && options.deselect.length > 0) {
              const optional = ((m.chat as { optional?: string[] } | undefined)?.optional ?? []);
              const missing = options.deselect.filter((r) => !optional.includes(r));
              if (missing.length > 0) return fail(`rights to deselect are not optional in ACCESS_RIGHTS: ${missing.join(', ')}`);
              sdk.send('SET_ACCESS_RIGHTS', { chat: optional.filter((r) => !options.deselect!.includes(r)) });
              deselected = true;
              break;
            }
          } else if (deselected && accessRightsAfterDeselect === undefined) {
            accessRightsAfterDeselect = m;
          } else {
            break; // answer to GET_ACCESS_RIGHTS or a repeat: nothing to do
          }
          sdk.send('ACCEPT');
          break;
        }
        case 'CERTIFICATE':
          certificate = m;
          break;
        case 'INSERT_CARD': {
          if (options.cancelAt === 'INSERT_CARD') { sdk.send('CANCEL'); break; }
          if (cardSet) break; // repeated while the simulator card is being connected
          cardSet = true;
          // A short pause lets the client finish selecting the reader first (fewer card-connect races).
          await new Promise((r) => setTimeout(r, options.setCardDelayMs ?? 100));
          sdk.send('SET_CARD', { name: 'Simulator', ...(options.simulator === undefined ? {} : { simulator: options.simulator }) });
          // Addendum: cheap commands right after SET_CARD avoid the "Card is already connected" race.
          for (let i = 0; i < (options.apiLevelBurst ?? 8); i++) sdk.send('GET_API_LEVEL');
          break;
        }
        case 'ENTER_PIN': {
          if (options.cancelAt === 'ENTER_PIN') { sdk.send('CANCEL'); break; }
          const reader = m.reader as { keypad?: boolean } | undefined;
          // The Simulator reports a keypad: SET_PIN without a value (a value is rejected).
          if (reader?.keypad === false) sdk.send('SET_PIN', { value: '123456' }); else sdk.send('SET_PIN');
          break;
        }
        case 'ENTER_CAN':
        case 'ENTER_PUK':
        case 'ENTER_NEW_PIN':
          return fail(`unexpected ${m.msg}: the simulator card should only ask for the PIN`);
        case 'BAD_STATE':
        case 'INVALID':
        case 'UNKNOWN_COMMAND':
        case 'INTERNAL_ERROR':
          return fail(`SDK answered ${m.msg}: ${JSON.stringify(m)}`);
        default:
          break; // READER, API_LEVEL, STATUS, INFO …
      }
    }
  } finally {
    sdk.close();
  }
}

/** Retries runs that failed with a client fault (fresh eID session each time, via `attempt`). */
export async function withClientRetries<T>(attempts: number, attempt: (n: number) => Promise<T>): Promise<{ value: T; clientFaults: AusweisAppFault[] }> {
  const clientFaults: AusweisAppFault[] = [];
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(n), clientFaults };
    } catch (err) {
      if (err instanceof AusweisAppFault && err.kind === 'client' && n < attempts) { clientFaults.push(err); continue; }
      throw err;
    }
  }
}
