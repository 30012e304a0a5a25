/**
 * Shape of one error-catalog row: an internal code and each wire form it takes.
 * Only adapters (http/error-handler, saml/status, oidc/errors, eid/paos/result, soap/result)
 * read these columns; domain code only throws IdpError with a code.
 */

/** SAML top-level status (saml-core §3.2.2.2). */
export type SamlTopStatus = 'Requester' | 'Responder' | 'VersionMismatch';

export interface CatalogEntry {
  /** What the error means, for operators and docs/errors.md. */
  readonly summary: string;
  /** HTTP status when the error ends a plain HTTP request. */
  readonly http: number;
  /** SAML StatusCode top / second level (second level is the local name under urn:oasis:names:tc:SAML:2.0:status:). */
  readonly saml: readonly [SamlTopStatus] | readonly [SamlTopStatus, string] | null;
  /** OAuth 2.0 / OIDC `error` value. */
  readonly oidc: string | null;
  /** eCard API ResultMinor (TR-03112-1), path below http://www.bsi.bund.de/ecard/api/1.1/resultminor, e.g. `/al/common#internalError`. */
  readonly ecardMinor: string | null;
  /** eID-Server ResultMinor (TR-03130-1 §3.4), path below http://bsi.bund.de/eid/server/2.0/resultminor/, e.g. `useID#tooManyOpenSessions`. */
  readonly eidMinor: string | null;
  /** Whether the message may be shown to the peer; when false the wire message is generic. */
  readonly expose: boolean;
}

type Partial_ = Partial<Omit<CatalogEntry, 'summary'>>;

/** Builds a catalog row; unspecified columns are null (not applicable), http 500, not exposed. */
export function entry(summary: string, columns: Partial_ = {}): CatalogEntry {
  return {
    summary,
    http: columns.http ?? 500,
    saml: columns.saml ?? null,
    oidc: columns.oidc ?? null,
    ecardMinor: columns.ecardMinor ?? null,
    eidMinor: columns.eidMinor ?? null,
    expose: columns.expose ?? false,
  };
}

/**
 * Columns of an error that ends an eID conversation: an internal error to the eID client (TR-03112-1),
 * an authentication failure to the eService (SAML Responder/AuthnFailed, OIDC access_denied).
 */
export const EID_AUTHENTICATION_FAILED = {
  http: 500, saml: ['Responder', 'AuthnFailed'], oidc: 'access_denied', ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
} as const;
