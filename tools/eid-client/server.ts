/**
 * The reference eID client as a local web service (TR-03124-1 §2.2): the browser is sent to
 * http://127.0.0.1:<port>/eID-Client?tcTokenURL=…; the client fetches the TC Token, runs the
 * online authentication (paos-login.ts) with a software card and answers the browser with 303 to
 * the RefreshAddress. Interactive mode shows a consent page first — the eService from the
 * CertificateDescription, the requested fields (optional ones deselectable), the PIN — like a real
 * eID client; headless mode uses the given PIN and deselection.
 *
 * The page has a strict CSP (no script at all, no inline style); the form POST carries a random
 * per-login id and is accepted only from this origin.
 *
 * @spec tr03124-1 §2.2 (eID-Client URL, tcTokenURL), §2.5.4 (redirect to the RefreshAddress), tr03110-4 §2.2.6 (CertificateDescription)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeChat } from '../../src/eid/eac/cvc/chat.js';
import { parseCertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import type { Eac1InputMessage } from '../../src/eid/paos/index.js';
import type { ProfileId } from '../../src/eid/profiles/types.js';
import { attributesForChat } from '../../src/services/attribute-policy.js';
import type { Logger } from '../../src/shared/logger.js';
import { SoftwareCard } from '../software-card/software-card.js';
import { EidClientError, type CommCertificateCheck } from './comm-certificates.js';
import { runClientLogin, type UserConsent } from './paos-login.js';

export interface EidClientServerOptions {
  port: number;
  /** Software card file (card.json); written back after each login (retry counter, current date). */
  cardFile: string;
  headless: boolean;
  /** Headless: the PIN and the optional attributes to deselect. */
  pin?: string;
  deselect?: readonly string[];
  profile?: ProfileId;
  /** Development: accept http TC Token / RefreshAddress URLs on loopback. */
  allowHttpLoopback?: boolean;
  logger: Logger;
  /** How long the consent page waits for the user (default 5 minutes). */
  consentTimeoutMs?: number;
  /** TLS-2 certificate against commCertificates (comm-certificates.ts); default 'enforce-when-present'. */
  commCertificates?: CommCertificateCheck;
}

export interface EidClientServer {
  readonly port: number;
  close(): Promise<void>;
}

const CSP = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const CSS = 'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}'
  + 'h1{font-size:1.3rem}fieldset{border:1px solid #ccc;margin:1rem 0}label{display:block;margin:.3rem 0}'
  + '.terms{white-space:pre-wrap;background:#f4f4f4;padding:.5rem;font-size:.9rem}button{margin-right:.5rem;padding:.4rem 1rem}';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'cache-control': 'no-store',
    'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY',
  });
  res.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>${esc(title)}</title><link rel="stylesheet" href="/eid-client.css"><h1>${esc(title)}</h1>${body}</html>`);
}

interface Pending {
  input: Eac1InputMessage;
  resolve(decision: UserConsent | 'cancel'): void;
  done: Promise<{ refreshUrl: string } | { error: string }>;
}

function consentPage(id: string, input: Eac1InputMessage, profile: ProfileId): string {
  let description: string;
  try {
    const d = parseCertificateDescription(input.certificateDescription);
    description = `<p><strong>${esc(d.subjectName)}</strong>${d.subjectUrl === undefined ? '' : ` — ${esc(d.subjectUrl)}`}</p>`
      + `<p>Certificate issued by ${esc(d.issuerName)}</p>`
      + (typeof d.termsOfUsage === 'string' && d.format === 'plain' ? `<div class="terms">${esc(d.termsOfUsage)}</div>` : '');
  } catch {
    description = '<p>The eService sent no readable certificate description.</p>';
  }
  const required = input.requiredChat === undefined ? [] : attributesForChat(profile, decodeChat(input.requiredChat)).attributes;
  const optional = input.optionalChat === undefined ? [] : attributesForChat(profile, decodeChat(input.optionalChat)).attributes.filter((a) => !required.includes(a));
  const rows = [
    ...required.map((a) => `<label><input type="checkbox" checked disabled> ${esc(a)} (required)</label>`),
    ...optional.map((a) => `<label><input type="checkbox" name="keep" value="${esc(a)}" checked> ${esc(a)} (optional)</label>`),
  ].join('');
  return `${description}${input.transactionInfo === undefined ? '' : `<p>${esc(input.transactionInfo)}</p>`}`
    + `<form method="post" action="/consent/${id}"><fieldset><legend>The eService requests</legend>${rows}</fieldset>`
    + '<label>PIN <input type="password" name="pin" inputmode="numeric" autocomplete="off" pattern="[0-9]{6}" required></label>'
    + '<p><button type="submit" name="action" value="accept">Identify</button><button type="submit" name="action" value="cancel" formnovalidate>Cancel</button></p></form>';
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > 8192) throw new Error('form too large');
    chunks.push(c);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A refusal the client already reported at the RefreshAddress sends the browser there; anything else stays an error. */
function refusedToRefresh(err: unknown): { code: string; refreshUrl: string } {
  if (err instanceof EidClientError && err.refreshUrl !== undefined) return { code: err.code, refreshUrl: err.refreshUrl };
  throw err;
}

export async function startEidClientServer(o: EidClientServerOptions): Promise<EidClientServer> {
  const profile = o.profile ?? 'tw';
  const pending = new Map<string, Pending>();
  const timeoutMs = o.consentTimeoutMs ?? 300_000;
  let busy = false;

  const login = (tcTokenUrl: string, onConsent?: (input: Eac1InputMessage) => Promise<UserConsent | 'cancel'>) => {
    const card = SoftwareCard.fromJSON(JSON.parse(readFileSync(o.cardFile, 'utf8')));
    return runClientLogin({
      tcTokenUrl, card, pin: o.pin ?? '', deselect: o.deselect ?? [], profile, allowHttpLoopback: o.allowHttpLoopback === true,
      ...(onConsent ? { consent: onConsent } : {}), ...(o.commCertificates === undefined ? {} : { commCertificates: o.commCertificates }),
    }).finally(() => {
      // The card keeps its retry counter and current date across logins, as a real card does.
      writeFileSync(o.cardFile, `${JSON.stringify(card.toJSON(), null, 2)}\n`, { mode: 0o600 });
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/eid-client.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600' }).end(CSS);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/eID-Client') {
      const tcTokenUrl = url.searchParams.get('tcTokenURL');
      if (tcTokenUrl === null || tcTokenUrl.length > 2048) return page(res, 400, 'eID client', '<p>tcTokenURL is missing.</p>');
      if (busy) return page(res, 409, 'eID client', '<p>Another authentication is in progress on this card.</p>');
      busy = true;
      if (o.headless) {
        try {
          const out = await login(tcTokenUrl).catch(refusedToRefresh);
          if ('code' in out) o.logger.warn({ code: out.code }, 'eID client: authentication refused');
          else o.logger.info({ major: out.result.major, minor: out.result.minor }, 'eID client: authentication finished');
          res.writeHead(303, { location: out.refreshUrl, 'cache-control': 'no-store' }).end();
        } finally {
          busy = false;
        }
        return;
      }
      const id = randomBytes(16).toString('hex');
      let asked: (input: Eac1InputMessage) => void = () => undefined;
      const consentRequested = new Promise<Eac1InputMessage>((r) => { asked = r; });
      let decide: (d: UserConsent | 'cancel') => void = () => undefined;
      const decided = new Promise<UserConsent | 'cancel'>((r) => { decide = r; });
      const timer = setTimeout(() => decide('cancel'), timeoutMs);
      const done = login(tcTokenUrl, async (input) => { asked(input); return decided; })
        .catch(refusedToRefresh)
        .then((out) => ({ refreshUrl: out.refreshUrl }), (err: unknown) => ({ error: (err as Error).message }))
        .finally(() => { clearTimeout(timer); pending.delete(id); busy = false; });
      const first = await Promise.race([consentRequested.then((input) => ({ input })), done.then((d) => ({ d }))]);
      if ('d' in first) {
        if ('refreshUrl' in first.d) { res.writeHead(303, { location: first.d.refreshUrl, 'cache-control': 'no-store' }).end(); return; }
        return page(res, 502, 'eID client', `<p>The authentication could not start: ${esc(first.d.error)}</p>`);
      }
      pending.set(id, { input: first.input, resolve: decide, done });
      return page(res, 200, 'Online identification', consentPage(id, first.input, profile));
    }
    const m = /^\/consent\/([0-9a-f]{32})$/.exec(url.pathname);
    if (req.method === 'POST' && m !== null) {
      const entry = pending.get(m[1] as string);
      const origin = req.headers.origin;
      // A form of this page only: another site must not submit a PIN into a running login.
      if (entry === undefined || (origin !== undefined && origin !== `http://127.0.0.1:${(server.address() as AddressInfo).port}` && origin !== 'null')) {
        return page(res, 404, 'eID client', '<p>This authentication is no longer running.</p>');
      }
      const form = await readForm(req);
      if (form.get('action') === 'cancel') entry.resolve('cancel');
      else {
        const keep = new Set(form.getAll('keep'));
        const optional = entry.input.optionalChat === undefined ? [] : attributesForChat(profile, decodeChat(entry.input.optionalChat)).attributes;
        entry.resolve({ pin: form.get('pin') ?? '', deselect: optional.filter((a) => !keep.has(a)) });
      }
      const result = await entry.done;
      if ('refreshUrl' in result) { res.writeHead(303, { location: result.refreshUrl, 'cache-control': 'no-store' }).end(); return; }
      return page(res, 502, 'eID client', `<p>The authentication failed: ${esc(result.error)}</p>`);
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.logger.warn({ err }, 'eID client: authentication failed');
      busy = false;
      if (!res.headersSent) page(res, 502, 'eID client', `<p>The authentication failed: ${esc((err as Error).message)}</p>`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // TR-03124-1 §2.2: the eID-Client URL is on the loopback interface only.
    server.listen(o.port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { for (const p of pending.values()) p.resolve('cancel'); server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
