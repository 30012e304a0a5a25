import { IdpError } from '../errors/idp-error.js';

/** Errors of the eService registry (codes REGISTRY_*, catalog/core.ts and catalog/registry.ts). */
export class RegistryError extends IdpError {}
