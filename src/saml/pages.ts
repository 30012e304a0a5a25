/**
 * The few HTML pages of the SAML front: the error page for requests that cannot be answered with a
 * SAML status (tr03130-1 §4.8: HTTP 400), and the page that starts the local eID client.
 *
 * @spec tr03130-1 §4.8; tr03124-1 §2.2 (eID-Client URL http://127.0.0.1:24727/eID-Client?tcTokenURL=…)
 */
import { escText, esc } from './xml.js';

const HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">';

export function errorPage(code: string, message: string, requestId: string | undefined): string {
  return `${HEAD}<title>Login refused</title></head><body><h1>This login request cannot be processed</h1>`
    + `<p>The service that sent you here made a request this identity provider does not accept. Please go back to the service and try again; if it keeps happening, tell the service's support.</p>`
    + `<p>Error: <code>${escText(code)}</code> — ${escText(message)}</p>`
    + (requestId ? `<p>Reference: <code>${escText(requestId)}</code></p>` : '')
    + '</body></html>';
}

export function startEidPage(eidClientUrl: string, serviceName: string): string {
  return `${HEAD}<title>Log in with your eID card</title></head><body><h1>Log in with your eID card</h1>`
    + `<p>${escText(serviceName)} asks you to identify yourself with your eID card.</p>`
    + `<p><a id="start-eid" href="${esc(eidClientUrl)}">Start the eID client</a></p>`
    + '<p>Keep your card and PIN ready. The eID client shows which data the service will receive.</p></body></html>';
}

export function pendingPage(): string {
  return `${HEAD}<title>eID login not finished</title></head><body><h1>The eID login has not finished yet</h1><p>Complete it in the eID client, then you will be sent back automatically.</p></body></html>`;
}
