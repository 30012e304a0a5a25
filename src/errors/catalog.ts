/**
 * The one error catalog: every stable code and its wire forms (HTTP, SAML status, OIDC error,
 * eCard ResultMinor, eID-Server ResultMinor). Each area keeps its rows in catalog/<area>.ts;
 * this file only joins them. test/meta/errors-catalog.test.ts keeps catalog and code in sync.
 */
import type { CatalogEntry } from './catalog/types.js';
import { coreCodes } from './catalog/core.js';
import { cardCodes } from './catalog/card.js';
import { eacCryptoCodes } from './catalog/eac-crypto.js';
import { eacTerminalCodes } from './catalog/eac-terminal.js';
import { softwareCardCodes } from './catalog/software-card.js';
import { pkiCodes } from './catalog/pki.js';
import { cvcCodes } from './catalog/cvc.js';
import { registryCodes } from './catalog/registry.js';
import { storeCodes } from './catalog/store.js';
import { eidSessionCodes } from './catalog/eid-session.js';
import { soapCodes } from './catalog/soap.js';
import { paosCodes } from './catalog/paos.js';
import { samlCodes } from './catalog/saml.js';
import { authTransactionCodes } from './catalog/auth-transaction.js';
import { serviceTerminalCodes } from './catalog/service-terminal.js';
import { oidcCodes } from './catalog/oidc.js';

export const CATALOG = {
  ...coreCodes,
  ...cardCodes,
  ...eacCryptoCodes,
  ...eacTerminalCodes,
  ...softwareCardCodes,
  ...pkiCodes,
  ...cvcCodes,
  ...registryCodes,
  ...storeCodes,
  ...eidSessionCodes,
  ...soapCodes,
  ...paosCodes,
  ...samlCodes,
  ...authTransactionCodes,
  ...serviceTerminalCodes,
  ...oidcCodes,
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof CATALOG;

export const ECARD_MINOR_PREFIX = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor';
// TR-03130-1 §3.4: "http://www.bsi.bund.de/eid/server/2.0/resultminor/" (with www, as eumw Constants.java).
export const EID_MINOR_PREFIX = 'http://www.bsi.bund.de/eid/server/2.0/resultminor/';

export function catalogEntry(code: ErrorCode): CatalogEntry {
  return CATALOG[code];
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(CATALOG, value);
}
