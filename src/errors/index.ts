export { IdpError, isIdpError, toIdpError, type IdpErrorOptions } from './idp-error.js';
export { CATALOG, catalogEntry, isErrorCode, type ErrorCode, ECARD_MINOR_PREFIX, EID_MINOR_PREFIX } from './catalog.js';
export type { CatalogEntry } from './catalog/types.js';
