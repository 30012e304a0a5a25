/**
 * Requested ∩ approved: turns the decrypted RequestedAttributes into the protocol-neutral eID
 * request. An attribute the eService is not approved for is refused with SAML_ATTRIBUTE_NOT_APPROVED
 * (status RequestDenied) — the request is never silently narrowed or widened.
 *
 * @spec SPEC §4.1, §5.2, §6 (approved attributes); tr03130-1 §4.3 (RequiredAttribute → required / optional); seed 002 表8 (each field separately approved)
 */
import { decideRequestedAttributes } from '../../services/attribute-policy.js';
import type { ServiceRecord } from '../../services/model.js';
import type { EidRequest } from '../../session/eid-session-model.js';
import { SamlError } from '../errors.js';
import type { AuthnRequestExtension } from './request-extension.js';

export function toEidRequest(ext: AuthnRequestExtension, service: Pick<ServiceRecord, 'id' | 'profile' | 'approvedAttributes' | 'optionalAttributes'>): EidRequest {
  const names = ext.attributes.map((a) => a.name);
  const decision = decideRequestedAttributes(service, names);
  if (decision.unknown.length > 0) throw new SamlError('SAML_ATTRIBUTE_UNKNOWN', `unknown attributes: ${decision.unknown.join(', ').slice(0, 200)}`);
  if (decision.notApproved.length > 0) {
    throw new SamlError('SAML_ATTRIBUTE_NOT_APPROVED', `not approved for this eService: ${decision.notApproved.join(', ')}`, { detail: { service: service.id, attributes: decision.notApproved } });
  }
  const required: string[] = [];
  const optional: string[] = [];
  const deselectable = new Set(service.optionalAttributes);
  for (const a of ext.attributes) {
    // DocumentValidity is always in the Response (SPEC §5.2); it is not a card read.
    if (a.name === 'DocumentValidity') continue;
    // The citizen may deselect only what the SP marked optional AND the registry allows to be optional.
    (a.required || !deselectable.has(a.name) ? required : optional).push(a.name);
  }
  if (required.includes('AgeVerification') || optional.includes('AgeVerification')) {
    if (!ext.ageVerification) throw new SamlError('SAML_EXTENSION_MALFORMED', 'AgeVerification requested without Age');
  }
  if (required.includes('PlaceVerification') || optional.includes('PlaceVerification')) {
    if (!ext.placeVerification) throw new SamlError('SAML_EXTENSION_MALFORMED', 'PlaceVerification requested without CommunityID');
  }
  return {
    profile: service.profile, front: 'saml', required, optional,
    ...(ext.ageVerification ? { ageVerification: ext.ageVerification } : {}),
    ...(ext.placeVerification ? { placeVerification: ext.placeVerification } : {}),
    ...(ext.transactionInfo !== undefined ? { transactionInfo: ext.transactionInfo } : {}),
    ...(ext.levelOfAssurance !== undefined ? { levelOfAssurance: ext.levelOfAssurance } : {}),
  };
}
