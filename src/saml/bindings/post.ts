/**
 * HTTP-POST binding: an auto-submitting HTML form carrying the base64 SAML message and RelayState.
 * The CSP stays strict: the one inline script is allowed by a per-response nonce.
 *
 * @spec saml-bindings §3.5.4 (form encoding), §3.5.5.2 (security); csp3 §6.7.2.3 (nonce)
 */
import { randomBytes } from 'node:crypto';
import { esc } from '../xml.js';

export interface PostForm {
  html: string;
  /** Content-Security-Policy for this response. */
  csp: string;
}

export function buildPostForm(action: string, param: 'SAMLRequest' | 'SAMLResponse', xml: string, relayState?: string): PostForm {
  const nonce = randomBytes(16).toString('base64');
  const value = Buffer.from(xml, 'utf8').toString('base64');
  const relay = relayState === undefined ? '' : `<input type="hidden" name="RelayState" value="${esc(relayState)}">`;
  const html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Continue</title></head>'
    + `<body><form method="post" action="${esc(action)}" id="saml-post">`
    + `<input type="hidden" name="${param}" value="${value}">${relay}`
    + '<noscript><p>JavaScript is off: press the button to continue.</p></noscript><button type="submit">Continue</button></form>'
    + `<script nonce="${nonce}">document.getElementById('saml-post').submit();</script></body></html>`;
  const origin = new URL(action).origin;
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; form-action ${origin}; base-uri 'none'; frame-ancestors 'none'`;
  return { html, csp };
}
