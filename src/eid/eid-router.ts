/**
 * The eID routes of the browser-facing front:
 * - GET /eid/tctoken?sessionId=… — the TC Token, once per eID session (it carries the PSK);
 * - GET /eid/refresh?sessionId=…[&ResultMajor=…&ResultMinor=…] — the RefreshAddress (and
 *   CommunicationErrorAddress): ends the eID part and sends the browser back to the front that
 *   opened the session (SOAP: the eService's return URL; SAML/OIDC hook in through `returnTo`).
 *   A client-reported error before any result (TLS-2 failed, cancelled) becomes the session result.
 *
 * @spec tr03124-1 §2.4 (TC Token), §2.5.4 (RefreshAddress, ResultMajor/ResultMinor), tr03130-1 §3.1.2; eid-protocol §2.1, §2.2
 */
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { IdpError } from '../errors/idp-error.js';
import type { EidSession } from '../session/eid-session-model.js';
import type { EidSessions } from '../session/eid-session.js';
import { ECARD_RESULT_MINOR_PATTERN, refreshResultMinorUri } from './paos/result.js';
import { buildTcToken } from './tc-token.js';

export interface EidRouterDeps {
  sessions: EidSessions;
  /** https URL of the PAOS endpoint on the TLS-PSK listener (TC Token ServerAddress). */
  paosUrl: string;
  /** Public base URL of this front (RefreshAddress / CommunicationErrorAddress live here). */
  publicUrl: string;
  /**
   * Where the browser goes after the eID part, per front (SOAP: src/eid/return-urls.ts, never with the
   * session id or data). Null: a neutral "you may close this window" page.
   */
  returnTo(session: EidSession): Promise<string | null>;
}

function sessionIdOf(req: Request): string {
  const id = req.query.sessionId;
  if (typeof id !== 'string' || !/^[0-9A-Fa-f]{32,128}$/.test(id)) throw new IdpError('TCTOKEN_SESSION_UNKNOWN', 'sessionId missing or malformed');
  return id;
}

export function eidRouter(deps: EidRouterDeps): Router {
  const router = Router();
  const base = deps.publicUrl.replace(/\/+$/, '');

  router.get('/eid/tctoken', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const id = sessionIdOf(req);
      let issued;
      try {
        issued = await deps.sessions.issueTcToken(id);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EID_SESSION_NOT_FOUND') throw new IdpError('TCTOKEN_SESSION_UNKNOWN', 'no open eID session', { cause: err });
        if (code === 'EID_SESSION_PHASE') throw new IdpError('TCTOKEN_ALREADY_ISSUED', 'TC Token already fetched', { cause: err });
        throw err;
      }
      const refresh = `${base}/eid/refresh?sessionId=${id}`;
      const xml = buildTcToken({ serverAddress: deps.paosUrl, sessionIdentifier: id, refreshAddress: refresh, communicationErrorAddress: refresh, psk: issued.psk });
      // The token carries the PSK: never cached, never stored by intermediaries.
      res.status(200).set('Cache-Control', 'no-store').set('Pragma', 'no-cache').type('text/xml; charset=utf-8').send(xml);
    })().catch(next);
  });

  router.get('/eid/refresh', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const id = sessionIdOf(req);
      const session = await deps.sessions.get(id);
      if (session === null) throw new IdpError('TCTOKEN_SESSION_UNKNOWN', 'no eID session for this RefreshAddress');
      const major = req.query.ResultMajor;
      if (session.phase !== 'result') {
        // tr03124-1 §2.5.4: the client reports why it stopped; without it the eID part is not over yet.
        if (major !== 'error') throw new IdpError('TCTOKEN_SESSION_UNKNOWN', 'the eID conversation of this session has not ended');
        const minor = typeof req.query.ResultMinor === 'string' ? req.query.ResultMinor : '';
        const uri = refreshResultMinorUri(minor);
        await deps.sessions.storeResult(id, {
          error: { code: 'PAOS_CLIENT_ERROR', ...(ECARD_RESULT_MINOR_PATTERN.test(uri) ? { message: uri } : {}) }, attributes: {},
        }).catch(() => undefined);
      }
      const target = await deps.returnTo(session);
      res.set('Cache-Control', 'no-store');
      if (target === null) {
        res.status(200).type('text/html; charset=utf-8').send('<!doctype html><meta charset="utf-8"><title>eID</title><p>The eID authentication has ended. You may close this window.</p>');
        return;
      }
      res.redirect(303, target);
    })().catch(next);
  });
  return router;
}

