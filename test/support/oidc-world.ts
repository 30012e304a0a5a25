/**
 * An OpenID front on a real HTTP port for interop tests: the demo-oidc eService from
 * config/services/demo-oidc.yaml in a registry, EidSessions, the shared auth transaction, and a
 * minimal cookie-keeping browser. The eID step is driven through EidSessions.storeResult (the
 * reference eID client with the software card is not wired into this front's tests yet).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { parse as parseYaml } from 'yaml';
import { createOidcFront, type OidcFront } from '../../src/oidc/provider.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import type { ServiceDefinitionInput } from '../../src/services/model.js';
import { AuthTransactions } from '../../src/session/auth-transaction.js';
import type { EidResult } from '../../src/session/eid-session-model.js';
import { EidSessions } from '../../src/session/eid-session.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import type { Store } from '../../src/session/store/store.js';

export const DEMO_REDIRECT = 'http://localhost:3100/demo-oidc/callback';

export function demoOidcDefinition(patch: Record<string, unknown> = {}): ServiceDefinitionInput {
  const def = parseYaml(readFileSync('config/services/demo-oidc.yaml', 'utf8')) as Record<string, unknown>;
  return { ...def, ...patch } as ServiceDefinitionInput;
}

export interface OidcNode {
  front: OidcFront;
  sessions: EidSessions;
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const EID_TIMEOUTS = { lifetimeMs: 120_000, tcTokenTimeoutMs: 60_000, handshakeTimeoutMs: 60_000, paosStepTimeoutMs: 60_000, resultTimeoutMs: 60_000, tlsSessionTtlMs: 60_000 };

/** Starts a node on `port` (0: any) whose public URL is `publicUrl` (default: its own address). */
export async function startOidcNode(options: { store: Store; dataKey: Buffer; keysDir: string; publicUrl?: string }): Promise<OidcNode> {
  const box = new SealedBox(options.dataKey);
  const sessions = new EidSessions({ store: options.store, box, timeouts: EID_TIMEOUTS });
  const app = express();
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const front = createOidcFront({
    publicUrl: options.publicUrl ?? url,
    store: options.store, box, dataKey: options.dataKey,
    registry: new ServiceRegistry(options.store),
    eidSessions: sessions,
    authTransactions: new AuthTransactions({ store: options.store, box, ttlMs: 120_000, secureCookie: false }),
    keysDir: options.keysDir, generateKeys: true,
  });
  app.use('/oidc', front.router);
  return {
    front, sessions, url, server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A browser: keeps cookies per origin-less jar, follows nothing by itself. */
export class Browser {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string | string[]> } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html', 'accept-language': 'en' };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, redirect: 'manual', ...(body !== undefined && { body }) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || /expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects on `base` until one leaves it (returns that Location) or a page is returned. */
  async follow(url: string, base: string): Promise<{ location?: string; page?: string; status: number }> {
    let next = url;
    for (let i = 0; i < 10; i++) {
      const res = await this.request(next);
      if (res.status >= 300 && res.status < 400) {
        const location = new URL(res.headers.get('location') ?? '', next).toString();
        if (!location.startsWith(base)) return { location, status: res.status };
        next = location;
        continue;
      }
      return { page: await res.text(), status: res.status };
    }
    throw new Error('too many redirects');
  }
}

/** The card's answer for the demo login (what an eID engine stores); PlaceOfBirth is there on purpose. */
export function demoResult(restrictedId: string): EidResult {
  return {
    attributes: {
      ChineseName: { status: 'value', text: '王小明' },
      PlaceOfBirth: { status: 'value', text: '臺北市' },
      AgeVerification: { status: 'value', text: 'true' },
      PlaceVerification: { status: 'value', text: 'true' },
      DocumentValidity: { status: 'value', text: 'valid' },
    },
    restrictedId: { id: restrictedId },
    ageVerification: true,
    placeVerification: true,
    documentValidity: 'valid',
  };
}

/**
 * Consent + eID step in the browser: consent page → confirm → (eID engine stores the result) →
 * RefreshAddress target → back to the client. Returns the client redirect (with code or error).
 */
export async function browserLogin(browser: Browser, node: OidcNode, authorizationUrl: string, result: EidResult, base = node.url): Promise<{ location: string; eidSessionId: string }> {
  const consent = await browser.follow(authorizationUrl, base);
  if (consent.page === undefined) throw new Error(`no consent page (${consent.status} ${consent.location ?? ''})`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(consent.page)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(consent.page)?.[1];
  if (!csrf || !action) throw new Error(`consent page without form: ${consent.page.slice(0, 500)}`);
  const start = await browser.request(new URL(action, base).toString(), { form: { csrf } });
  const startPage = await start.text();
  const tcTokenUrl = /tcTokenURL=([^"&]+)/.exec(startPage)?.[1];
  if (!tcTokenUrl) throw new Error(`no eID start page: ${start.status} ${startPage.slice(0, 500)}`);
  const eidSessionId = new URL(decodeURIComponent(tcTokenUrl)).searchParams.get('sessionId') ?? '';
  await node.sessions.storeResult(eidSessionId, result);
  const session = await node.sessions.get(eidSessionId);
  if (!session) throw new Error('eID session vanished');
  const back = await node.front.returnTo(session);
  if (!back) throw new Error('returnTo gave no URL');
  const done = await browser.follow(back.replace(/^https?:\/\/[^/]+/, base), base);
  if (!done.location) throw new Error(`login did not return to the client: ${done.status} ${done.page?.slice(0, 300) ?? ''}`);
  return { location: done.location, eidSessionId };
}
