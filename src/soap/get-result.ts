/**
 * getResult: checks Session and RequestCounter, answers noResultYet until the login has finished,
 * then delivers the result once (PersonalData in schema order, verifications,
 * OperationsAllowedByUser) and deletes the session with all personal data. A store outage while the
 * result is taken answers noResultYet: the result is kept for the next RequestCounter.
 *
 * @spec tr03130-1 §3.2.2 (getResult, RequestCounter, delete after delivery), §3.3.22 (ALLOWED / PROHIBITED / NOTONCHIP)
 */
import { loginOutcome, type AuditFacts } from '../audit/audit-log.js';
import { yyyymmddToIso } from '../eid/profiles/index.js';
import type { GeneralPlace } from '../eid/profiles/types.js';
import type { ServiceRecord } from '../services/model.js';
import { isIdpError } from '../errors/idp-error.js';
import { EidSessionError, type AttributeOutcome, type EidResult, type EidSessions } from '../session/eid-session.js';
import type { SoapProfile } from './profiles.js';
import { errorResult, okResult } from './result.js';
import { esc, leafText, Sequence, violation } from './xml/dom.js';

export interface GetResultRequest {
  sessionId: string;
  requestCounter: number;
}

export function parseGetResultRequest(el: Element, profile: SoapProfile): GetResultRequest {
  const seq = new Sequence(el, profile.ns);
  const session = new Sequence(seq.required('Session'), profile.ns);
  const sessionId = leafText(session.required('ID')).trim();
  session.end();
  const counterText = leafText(seq.required('RequestCounter')).trim();
  seq.end();
  // XSD: SessionType/ID hexBinary minLength 16; RequestCounter int.
  if (!/^(?:[0-9A-Fa-f]{2}){16,}$/.test(sessionId)) throw violation('Session/ID must be hexBinary of at least 16 octets');
  if (!/^[+-]?[0-9]{1,10}$/.test(counterText)) throw violation('RequestCounter must be an int');
  return { sessionId, requestCounter: Number(counterText) };
}

export interface GetResultContext {
  sessions: EidSessions;
  service: ServiceRecord;
  profile: SoapProfile;
  /** For the audit trail (src/audit): the session, and whether and how the login ended here. */
  facts?: AuditFacts;
}

export async function getResult(el: Element, ctx: GetResultContext): Promise<string> {
  const { sessionId, requestCounter } = parseGetResultRequest(el, ctx.profile);
  const facts = ctx.facts ?? {};
  facts.eidSessionId = sessionId;
  const session = await ctx.sessions.get(sessionId);
  // Another eService's session is indistinguishable from an unknown one.
  if (!session || session.serviceId !== ctx.service.id) throw new EidSessionError('EID_SESSION_NOT_FOUND', 'no open eID session with this id');
  // TR-03130-1 §3.2.2: previous + 1, else invalidCounter and the session ends (EidSessions deletes it).
  const checked = await ctx.sessions.checkRequestCounter(sessionId, requestCounter).catch((err: unknown) => {
    // The session ended with it: for the audit trail this ends the login.
    if (err instanceof EidSessionError && err.code === 'EID_SESSION_COUNTER_INVALID') facts.finished = true;
    throw err;
  });
  facts.outcome = 'EID_RESULT_PENDING';
  if (checked.phase !== 'result') return wrap(ctx.profile, errorResult('EID_RESULT_PENDING'));
  let result: EidResult | null;
  try {
    result = await ctx.sessions.takeResult(sessionId);
  } catch (err) {
    if (!(isIdpError(err) && err.code === 'STORE_UNAVAILABLE')) throw err;
    // TR-03130-1 §3.2.2: any answer but noResultYet ends the eService's polling. The RequestCounter is
    // stored and takeResult left the result in place, so the next RequestCounter gets it once the store
    // is back (SPEC §8); an internalError would make the eService give up a result that is still there.
    facts.outcome = 'STORE_UNAVAILABLE';
    return wrap(ctx.profile, errorResult('EID_RESULT_PENDING', 'session store unavailable; ask again with the next RequestCounter'));
  }
  if (result === null) return wrap(ctx.profile, errorResult('EID_RESULT_PENDING'));
  // Taken: delivered now or never (the login ends with this answer).
  Object.assign(facts, { finished: true, ...loginOutcome(result) });
  if (result.error) return wrap(ctx.profile, errorResult(result.error.code, result.error.message));
  return renderSuccess(result, checked.request.required.concat(checked.request.optional), ctx.profile);
}

function wrap(profile: SoapProfile, inner: string): string {
  return `<eid:getResultResponse xmlns:eid="${profile.ns}">${inner}</eid:getResultResponse>`;
}

/** The successful getResultResponse: only what the result holds, in schema order. */
export function renderSuccess(result: EidResult, requested: readonly string[], profile: SoapProfile): string {
  const personal = personalData(result, profile);
  let body = personal === '' ? '' : `<eid:PersonalData>${personal}</eid:PersonalData>`;
  if (result.ageVerification !== undefined) body += `<eid:FulfilsAgeVerification><eid:FulfilsRequest>${result.ageVerification}</eid:FulfilsRequest></eid:FulfilsAgeVerification>`;
  if (result.placeVerification !== undefined) body += `<eid:FulfilsPlaceVerification><eid:FulfilsRequest>${result.placeVerification}</eid:FulfilsRequest></eid:FulfilsPlaceVerification>`;
  body += `<eid:OperationsAllowedByUser>${operationsAllowed(result, requested, profile)}</eid:OperationsAllowedByUser>`;
  if (result.levelOfAssurance !== undefined) body += `<eid:LevelOfAssuranceResult>${esc(result.levelOfAssurance)}</eid:LevelOfAssuranceResult>`;
  return wrap(profile, body + okResult());
}

function operationsAllowed(result: EidResult, requested: readonly string[], profile: SoapProfile): string {
  let out = '';
  for (const o of profile.operations) {
    if (!o.emit) continue;
    out += `<eid:${o.element}>${allowedValue(o.attribute, result, requested)}</eid:${o.element}>`;
  }
  return out;
}

function allowedValue(attribute: string | null, result: EidResult, requested: readonly string[]): 'ALLOWED' | 'PROHIBITED' | 'NOTONCHIP' {
  if (attribute === null || !requested.includes(attribute)) return 'PROHIBITED';
  if (attribute === 'RestrictedID') return result.restrictedId ? 'ALLOWED' : 'PROHIBITED';
  if (attribute === 'AgeVerification') return result.ageVerification === undefined ? 'PROHIBITED' : 'ALLOWED';
  if (attribute === 'PlaceVerification') return result.placeVerification === undefined ? 'PROHIBITED' : 'ALLOWED';
  const outcome = result.attributes[attribute];
  if (outcome?.status === 'value') return 'ALLOWED';
  if (outcome?.status === 'notOnChip') return 'NOTONCHIP';
  return 'PROHIBITED';
}

const DATE_ELEMENTS: ReadonlySet<string> = new Set(['DateOfBirth', 'DateOfRenewal', 'DateOfIssue']);
const PLACE_ELEMENTS: ReadonlySet<string> = new Set(['PlaceOfBirth', 'PlaceOfResidence']);

function personalData(result: EidResult, profile: SoapProfile): string {
  let out = '';
  for (const o of profile.operations) {
    if (o.attribute === null || o.element === 'MunicipalityID' || o.attribute === 'AgeVerification' || o.attribute === 'PlaceVerification') continue;
    if (o.attribute === 'RestrictedID') {
      if (result.restrictedId) {
        out += `<eid:RestrictedID><eid:ID>${result.restrictedId.id.toUpperCase()}</eid:ID>` +
          (result.restrictedId.id2 === undefined ? '' : `<eid:ID2>${result.restrictedId.id2.toUpperCase()}</eid:ID2>`) + '</eid:RestrictedID>';
      }
      continue;
    }
    const outcome = result.attributes[o.attribute];
    if (outcome?.status !== 'value') continue;
    out += `<eid:${o.element}>${valueXml(o.element, outcome, profile)}</eid:${o.element}>`;
  }
  return out;
}

function valueXml(element: string, v: Extract<AttributeOutcome, { status: 'value' }>, profile: SoapProfile): string {
  if (PLACE_ELEMENTS.has(element) && profile.id === 'de') return placeXml(v.place ?? { kind: 'freetext', text: v.text ?? '' });
  if (DATE_ELEMENTS.has(element)) return generalDate(v.text ?? '');
  // de DG3 DateOfExpiry is xs:date (always complete on the card).
  if (element === 'DateOfExpiry') return /^\d{8}$/.test(v.text ?? '') ? yyyymmddToIso(v.text ?? '') : esc(v.text ?? '');
  // hexBinary (de CommunityID) / base64Binary (tw Photo) for byte values.
  if (v.base64 !== undefined) return element === 'Photo' ? v.base64 : Buffer.from(v.base64, 'base64').toString('hex').toUpperCase();
  return esc(v.text ?? '');
}

/** TR-03130 GeneralDateType: DateString as on the card (spaces for unknown parts), DateValue only when complete. */
function generalDate(text: string): string {
  const complete = /^\d{8}$/.test(text);
  return `<eid:DateString>${esc(text)}</eid:DateString>` + (complete ? `<eid:DateValue>${yyyymmddToIso(text)}</eid:DateValue>` : '');
}

function placeXml(p: GeneralPlace): string {
  if (p.kind === 'freetext') return `<eid:FreetextPlace>${esc(p.text)}</eid:FreetextPlace>`;
  if (p.kind === 'noPlaceInfo') return `<eid:NoPlaceInfo>${esc(p.text)}</eid:NoPlaceInfo>`;
  const opt = (name: string, value: string | undefined) => (value === undefined ? '' : `<eid:${name}>${esc(value)}</eid:${name}>`);
  return `<eid:StructuredPlace>${opt('Street', p.street)}<eid:City>${esc(p.city)}</eid:City>${opt('State', p.state)}<eid:Country>${esc(p.country)}</eid:Country>${opt('ZipCode', p.zipCode)}</eid:StructuredPlace>`;
}
