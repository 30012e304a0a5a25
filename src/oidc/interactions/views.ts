/**
 * HTML of the OpenID login pages: consent (the fields the client asks for and is approved for,
 * optional ones deselectable), the eID start page, errors, logout. Everything is escaped; no inline
 * script or style, so the pages run under the front's strict CSP (script-src/style-src 'self').
 *
 * @spec oidc-core §3.1.2.4 (authorization server obtains consent), §3.1.2.1 (ui_locales); oidc-rp-logout §2 (logout confirmation); SPEC §4.1, §5.3, §5.4 (eID client start URL)
 */
import { texts, type Locale } from './i18n.js';

export const STYLESHEET_PATH = '/oidc/assets/style.css';

export const STYLESHEET = `body{font-family:system-ui,"Noto Sans TC",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}fieldset{border:1px solid #ccc;border-radius:6px;padding:1rem}li{list-style:none;margin:.4rem 0}
.tag{font-size:.8rem;color:#555;margin-left:.4rem}.actions{margin-top:1.2rem;display:flex;gap:1rem}
button,.button{font-size:1rem;padding:.5rem 1rem;border-radius:6px;border:1px solid #0b5;background:#0b5;color:#fff;text-decoration:none}
button.secondary{background:#fff;color:#333;border-color:#999}.error{color:#a00}pre{white-space:pre-wrap;word-break:break-all}
`;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${STYLESHEET_PATH}"></head><body>${body}</body></html>`;
}

export interface ConsentItem {
  attribute: string;
  /** Shown label (already localised). */
  label: string;
  /** The citizen may deselect it (approved as optional and not essential). */
  deselectable: boolean;
}

export interface ConsentView {
  locale: Locale;
  action: string;
  cancelAction: string;
  csrf: string;
  serviceName: string;
  purpose: string;
  items: ConsentItem[];
}

export function consentPage(v: ConsentView): string {
  const t = texts(v.locale);
  const items = v.items.map((item) => {
    const id = `a-${escapeHtml(item.attribute)}`;
    const box = item.deselectable
      ? `<input type="checkbox" id="${id}" name="attr" value="${escapeHtml(item.attribute)}" checked>`
      : `<input type="checkbox" id="${id}" checked disabled>`;
    return `<li>${box} <label for="${id}">${escapeHtml(item.label)}</label><span class="tag">${escapeHtml(item.deselectable ? t.optional : t.required)}</span></li>`;
  }).join('');
  return page(v.locale, t.title, `<h1>${escapeHtml(t.title)}</h1>` +
    `<p>${escapeHtml(t.serviceAsks(v.serviceName))}</p><p><strong>${escapeHtml(t.purpose)}:</strong> ${escapeHtml(v.purpose)}</p>` +
    `<form method="post" action="${escapeHtml(v.action)}"><input type="hidden" name="csrf" value="${escapeHtml(v.csrf)}">` +
    `<fieldset><ul>${items}</ul></fieldset><div class="actions"><button type="submit">${escapeHtml(t.start)}</button>` +
    `<button type="submit" class="secondary" formaction="${escapeHtml(v.cancelAction)}">${escapeHtml(t.cancel)}</button></div></form>`);
}

export interface EidStartView {
  locale: Locale;
  /** http://127.0.0.1:24727/eID-Client?tcTokenURL=… (SPEC §5.4). */
  clientUrl: string;
  continueUrl: string;
}

export function eidStartPage(v: EidStartView): string {
  const t = texts(v.locale);
  return page(v.locale, t.startEid, `<h1>${escapeHtml(t.startEid)}</h1><p>${escapeHtml(t.eidHint)}</p>` +
    `<p><a class="button" id="eid-client" href="${escapeHtml(v.clientUrl)}">${escapeHtml(t.openClient)}</a></p>` +
    `<p><a href="${escapeHtml(v.continueUrl)}">${escapeHtml(t.continueAfter)}</a></p>`);
}

export function errorPage(locale: Locale, error: string, description: string | undefined): string {
  const t = texts(locale);
  return page(locale, t.errorTitle, `<h1>${escapeHtml(t.errorTitle)}</h1><p class="error"><code>${escapeHtml(error)}</code></p>` +
    (description === undefined ? '' : `<p>${escapeHtml(description)}</p>`) + `<p>${escapeHtml(t.errorBack)}</p>`);
}

/**
 * oidc-provider's logout form (a <form id="op.logoutForm"> with its xsrf field) plus two submit buttons.
 * oidc-rp-logout §2: "the OP SHOULD ask the End-User whether to log out of the OP as well". `logout=yes`
 * ends the provider session and every eService in it (those with a back-channel endpoint are told); without it only the
 * eService that asked is logged out (its grant revoked) and the session stays. Both return to the
 * validated post_logout_redirect_uri (§3). No script: the buttons submit the form through form="…".
 */
export function logoutPage(locale: Locale, form: string): string {
  const t = texts(locale);
  return page(locale, t.logoutTitle, `<h1>${escapeHtml(t.logoutTitle)}</h1><p>${escapeHtml(t.logoutQuestion)}</p>${form}` +
    `<div class="actions"><button type="submit" form="op.logoutForm" name="logout" value="yes">${escapeHtml(t.logoutYes)}</button>` +
    `<button type="submit" form="op.logoutForm" class="secondary">${escapeHtml(t.logoutNo)}</button></div>`);
}

export function loggedOutPage(locale: Locale): string {
  const t = texts(locale);
  return page(locale, t.logoutTitle, `<h1>${escapeHtml(t.loggedOut)}</h1>`);
}
