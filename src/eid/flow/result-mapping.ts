/**
 * From the EAC outcome (data groups by number, RI, verifications, document validity) to the
 * protocol-neutral eID result: one outcome per attribute the request named — value, NOTONCHIP
 * (CHAT allowed it, the chip lacks the DG) or PROHIBITED (deselected or not in the effective CHAT).
 * A document that is expired or on the block list yields an error and no personal data.
 *
 * @spec tr03130-1 §3.2.2 (getResult), §3.3.22 (ALLOWED / PROHIBITED / NOTONCHIP), §2.4.6 (document validity)
 */
import type { EacResult } from '../eac/terminal/result.js';
import { achievedLevelOfAssurance, CARD_EID_TYPE, eidTypeAccepted } from '../level-of-assurance.js';
import { getProfile } from '../profiles/index.js';
import type { AttributeOutcome, EidRequest, EidResult } from '../../session/eid-session-model.js';

export function eidResultFromEac(request: EidRequest, eac: EacResult): EidResult {
  if (eac.documentValidity === 'expired') return { error: { code: 'EAC_DOCUMENT_EXPIRED' }, attributes: {}, documentValidity: 'expired' };
  if (eac.documentValidity === 'revoked') return { error: { code: 'EAC_DOCUMENT_REVOKED' }, attributes: {}, documentValidity: 'revoked' };
  if (eac.documentValidity !== 'valid') return { error: { code: 'EID_DOCUMENT_INVALID' }, attributes: {}, documentValidity: eac.documentValidity };
  // TR-03130-1 §3.3.13: an eID type the eService DENIED is never accepted, whatever it would reveal.
  if (!eidTypeAccepted(CARD_EID_TYPE, request.eidTypes)) return { error: { code: 'EID_DOCUMENT_DENIED' }, attributes: {}, documentValidity: 'valid' };
  const profile = getProfile(request.profile);
  const attributes: Record<string, AttributeOutcome> = {};
  const result: EidResult = { attributes, documentValidity: 'valid' };
  const prohibited: AttributeOutcome = { status: 'prohibited' };
  for (const id of new Set([...request.required, ...request.optional])) {
    const def = profile.attribute(id);
    if (def === undefined) {
      attributes[id] = prohibited;
      continue;
    }
    switch (def.kind) {
      case 'dg': {
        const dg = def.dg;
        const value = dg === null ? undefined : eac.dataGroups[String(dg)];
        if (value !== undefined) {
          const read: AttributeOutcome = value.text !== undefined ? { status: 'value', text: value.text } : { status: 'value', base64: value.base64 ?? '' };
          // TR-03130-1 GeneralPlaceType: getResult renders StructuredPlace / FreetextPlace / NoPlaceInfo from it.
          attributes[id] = value.place === undefined ? read : { ...read, place: value.place };
        } else if (dg !== null && eac.notOnChip.includes(dg)) {
          attributes[id] = { status: 'notOnChip' };
        } else {
          attributes[id] = prohibited;
        }
        break;
      }
      case 'restricted-id': {
        const [first, second] = eac.restrictedIds ?? [];
        if (first === undefined) {
          attributes[id] = prohibited;
          break;
        }
        result.restrictedId = second === undefined ? { id: first } : { id: first, id2: second };
        attributes[id] = { status: 'value', text: first };
        break;
      }
      case 'age-verification':
        if (eac.ageVerified === undefined) attributes[id] = prohibited;
        else {
          result.ageVerification = eac.ageVerified;
          attributes[id] = { status: 'value', text: String(eac.ageVerified) };
        }
        break;
      case 'place-verification':
        if (eac.placeVerified === undefined) attributes[id] = prohibited;
        else {
          result.placeVerification = eac.placeVerified;
          attributes[id] = { status: 'value', text: String(eac.placeVerified) };
        }
        break;
      case 'document-validity':
        attributes[id] = { status: 'value', text: eac.documentValidity };
        break;
    }
  }
  // The level reached (card chip: "hoch" / eIDAS high), not an echo of the request.
  if (request.levelOfAssurance !== undefined) result.levelOfAssurance = achievedLevelOfAssurance(request.levelOfAssurance);
  return result;
}
