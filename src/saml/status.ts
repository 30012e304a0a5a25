/**
 * The one adapter from our error codes to SAML status (top + second level) via the error catalog,
 * and the rule whether an error may travel to the SP at all: only when the requester is
 * authenticated (signature verified) and its ACS known; otherwise the browser gets a 400 page.
 *
 * @spec saml-core §3.2.2.1–§3.2.2.3 (Status, StatusCode nesting, StatusMessage); tr03130-1 §4.8 (errors: HTTP 400 unless the requester is authenticated and the request interpretable)
 */
import { catalogEntry, toIdpError } from '../errors/index.js';
import { STATUS_PREFIX } from './namespaces.js';
import { escText } from './xml.js';

export interface SamlStatus {
  top: string;
  second?: string;
  /** Only for codes the catalog marks as exposable. */
  message?: string;
}

export function toSamlStatus(err: unknown): SamlStatus {
  const error = toIdpError(err);
  const entry = catalogEntry(error.code);
  // No SAML column: an eID failure still ends the login; Responder/AuthnFailed is the generic outcome.
  const [top, second] = entry.saml ?? ['Responder', 'AuthnFailed'];
  return {
    top: `${STATUS_PREFIX}${top}`,
    ...(second !== undefined ? { second: `${STATUS_PREFIX}${second}` } : {}),
    ...(entry.expose ? { message: `${error.code}: ${error.message}`.slice(0, 300) } : { message: error.code }),
  };
}

export function statusXml(status: SamlStatus): string {
  const inner = status.second ? `<samlp:StatusCode Value="${status.second}"/>` : '';
  const message = status.message !== undefined ? `<samlp:StatusMessage>${escText(status.message)}</samlp:StatusMessage>` : '';
  return `<samlp:Status><samlp:StatusCode Value="${status.top}">${inner}</samlp:StatusCode>${message}</samlp:Status>`;
}

/** Codes raised before the requester is authenticated or its ACS is known: never sent to an ACS. */
export function isDeliverable(err: unknown): boolean {
  return catalogEntry(toIdpError(err).code).saml !== null;
}
