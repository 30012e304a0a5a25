/**
 * Development demo eService for the SOAP eID-Interface (the fictional bank `demo-soap`), mounted at
 * /demo of the dev front. It plays the eService's part exactly as an external one would:
 *   GET  /demo         "Log in with New eID"
 *   POST /demo/login   useID over mutual TLS + WS-Security with the demo client keys → link to the
 *                      local eID client (…/eID-Client?tcTokenURL=<TC Token URL of the session>)
 *   GET  /demo/return  after the RefreshAddress: getResult → the released attributes
 * Its eID session is bound to the browser by an HttpOnly cookie naming a random demo state in the store.
 * The RefreshAddress leads back here through ReturnUrls (set right after useID; dev only).
 * Everything shown is HTML-escaped.
 *
 * @spec tr03130-1 §3.1 (eService flow), §3.2.1 (useID), §3.2.2 (getResult), tr03124-1 §2.2 (eID-Client URL)
 */
import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { ReturnUrls } from '../eid/return-urls.js';
import type { ServiceRegistry } from '../services/registry.js';
import type { Store } from '../session/store/store.js';
import type { Logger } from '../shared/logger.js';
import { callEidInterface, getResultRequestXml, replyChild, replyChildren, replyResult, useIdRequestXml, type EidInterfaceClientOptions } from '../soap/client.js';
import { soapProfile } from '../soap/profiles.js';

export interface DemoSoapDeps {
  store: Store;
  registry: ServiceRegistry;
  returnUrls: ReturnUrls;
  publicUrl: string;
  serviceId: string;
  /** The demo eService's SOAP client (mutual TLS + WS-Security keys, server anchors). */
  soap: EidInterfaceClientOptions;
  /** The local eID client (TR-03124-1 §2.2). */
  eidClientUrl: string;
  logger: Logger;
}

const COOKIE = 'neid_demo';
const STATE_TTL_MS = 15 * 60_000;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function html(res: Response, status: number, title: string, body: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1>${body}</html>`);
}

function cookieOf(req: Request): string | undefined {
  const m = /(?:^|;\s*)neid_demo=([0-9a-f]{32})(?:;|$)/.exec(req.headers.cookie ?? '');
  return m?.[1];
}

/** A PersonalData entry as text: GeneralDate → DateString, RestrictedID → ID, structures → their leaves. */
function valueText(el: Element): string {
  const kids = replyChildren(el);
  if (kids.length === 0) return el.textContent ?? '';
  const date = replyChild(el, 'DateString');
  if (date !== undefined) return date.textContent ?? '';
  return kids.map((k) => `${k.localName ?? ''}: ${valueText(k)}`).join('; ');
}

export function demoSoapRouter(deps: DemoSoapDeps): Router {
  const router = Router();
  const base = deps.publicUrl.replace(/\/+$/, '');

  router.get('/', (_req, res) => {
    html(res, 200, 'Demo Commercial Bank — online account opening (DEMO)', '<p>A fictional eService using the SOAP eID-Interface of this IdP.</p>'
      + '<form method="post" action="/demo/login"><button type="submit">Log in with New eID</button></form>');
  });

  router.post('/login', (_req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const service = await deps.registry.get(deps.serviceId);
      const optional = new Set(service.optionalAttributes ?? []);
      const operations: Record<string, 'REQUIRED' | 'ALLOWED'> = {};
      for (const op of soapProfile(service.profile).operations) {
        if (op.attribute === null || !service.approvedAttributes.includes(op.attribute)) continue;
        operations[op.element] = optional.has(op.attribute) ? 'ALLOWED' : 'REQUIRED';
      }
      const reply = await callEidInterface(deps.soap, useIdRequestXml(service.profile, { operations, transactionInfo: 'Demo account opening' }));
      const result = replyResult(reply.operation);
      const major = result?.major ?? '';
      const sessionId = reply.operation.getElementsByTagNameNS(reply.operation.namespaceURI, 'Session').item(0)?.textContent?.trim() ?? '';
      if (!major.endsWith('#ok') || !/^[0-9A-Fa-f]{32,128}$/.test(sessionId)) {
        const minor = result?.minor ?? '';
        html(res, 502, 'useID failed', `<p>${esc(major)}</p><p>${esc(minor)}</p><p><a href="/demo">Back</a></p>`);
        return;
      }
      const state = randomBytes(16).toString('hex');
      await deps.store.set(`demo:soap:${state}`, JSON.stringify({ sessionId, counter: 0 }), { ttlMs: STATE_TTL_MS });
      await deps.returnUrls.set(sessionId, `${base}/demo/return`);
      const tcTokenUrl = `${base}/eid/tctoken?sessionId=${sessionId}`;
      const clientUrl = `${deps.eidClientUrl}?tcTokenURL=${encodeURIComponent(tcTokenUrl)}`;
      res.set('Set-Cookie', `${COOKIE}=${state}; Path=/demo; HttpOnly; SameSite=Lax; Max-Age=${STATE_TTL_MS / 1000}`);
      html(res, 200, 'Identify with your New eID card', `<p>The bank has opened an eID session. Continue in your eID client:</p>`
        + `<p><a id="eid-client" href="${esc(clientUrl)}">Start the eID client</a></p>`);
    })().catch(next);
  });

  router.get('/return', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const state = cookieOf(req);
      const raw = state === undefined ? null : await deps.store.getAndDelete(`demo:soap:${state}`);
      if (raw === null) {
        html(res, 400, 'No login in progress', '<p>This browser has no open demo login.</p><p><a href="/demo">Start again</a></p>');
        return;
      }
      const { sessionId, counter } = JSON.parse(raw) as { sessionId: string; counter: number };
      const service = await deps.registry.get(deps.serviceId);
      const reply = await callEidInterface(deps.soap, getResultRequestXml(service.profile, sessionId, counter + 1));
      const result = replyResult(reply.operation);
      res.set('Set-Cookie', `${COOKIE}=; Path=/demo; HttpOnly; SameSite=Lax; Max-Age=0`);
      if (!(result?.major ?? '').endsWith('#ok')) {
        const minor = result?.minor ?? '';
        html(res, 200, 'Login failed', `<p id="result-minor">${esc(minor)}</p><p><a href="/demo">Try again</a></p>`);
        return;
      }
      const personal = reply.operation.getElementsByTagNameNS(reply.operation.namespaceURI, 'PersonalData').item(0);
      const rows = personal === null ? [] : replyChildren(personal).map((el) => `<tr><th>${esc(el.localName ?? '')}</th><td>${esc(valueText(el))}</td></tr>`);
      const allowed = reply.operation.getElementsByTagNameNS(reply.operation.namespaceURI, 'OperationsAllowedByUser').item(0);
      const released = allowed === null ? [] : replyChildren(allowed).filter((e) => e.textContent !== 'PROHIBITED').map((e) => `${e.localName ?? ''}=${e.textContent ?? ''}`);
      html(res, 200, 'Welcome — identified with New eID', `<table id="personal-data">${rows.join('')}</table>`
        + `<p>Released by the citizen: ${esc(released.join(', '))}</p><p><a href="/demo">Log in again</a></p>`);
    })().catch(next);
  });
  return router;
}
