/**
 * Errors of the SAML front (codes SAML_*, src/errors/catalog/saml.ts).
 *
 * @spec saml-core §3.2.2.2 (status codes the catalog maps these to)
 */
import { IdpError } from '../errors/idp-error.js';

export class SamlError extends IdpError {}
