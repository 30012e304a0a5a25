/**
 * useID: reads useIDRequest into the protocol-neutral eID request, checks it against the eService
 * (approved attributes, terminal certificate CHAT), opens the session and writes useIDResponse.
 *
 * @spec tr03130-1 §3.2.1 (useID), §3.3.18 (PSK), §3.3.21 (REQUIRED → RequiredCHAT, ALLOWED → OptionalCHAT), §3.4 (missingArgument, missingTerminalRights, invalidPSK, tooManyOpenSessions)
 */
import type { AuditFacts } from '../audit/audit-log.js';
import { chatIsSubset, type Chat } from '../eid/eac/cvc/chat.js';
import { getProfile } from '../eid/profiles/index.js';
import { EID_TYPES, isKnownLevelOfAssurance, type EidTypeSelection } from '../eid/level-of-assurance.js';
import { ProfileError } from '../eid/profiles/types.js';
import { chatForAttributes, decideRequestedAttributes } from '../services/attribute-policy.js';
import type { ServiceRecord } from '../services/model.js';
import { COMMUNITY_ID_PATTERN, EidSessionError, type EidRequest, type EidSessions } from '../session/eid-session.js';
import { esc, leafText, Sequence, violation } from './xml/dom.js';
import type { SoapProfile } from './profiles.js';
import { okResult } from './result.js';

export type Requested = 'REQUIRED' | 'ALLOWED' | 'PROHIBITED';

export interface UseIdRequest {
  operations: Map<string, Requested>;
  age?: number;
  communityId?: string;
  transactionInfo?: string;
  levelOfAssurance?: string;
  eidTypes?: EidTypeSelection;
  psk?: { id: string; key: Buffer };
}

const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/** Parses the useIDRequest element (schema order; v2.0.2 Governikus extras and EIDTypeRequest are tolerated, not used). */
export function parseUseIdRequest(el: Element, profile: SoapProfile): UseIdRequest {
  const seq = new Sequence(el, profile.ns);
  const operations = parseOperations(seq.required('UseOperations'), profile);
  const request: UseIdRequest = { operations };
  const age = seq.optional('AgeVerificationRequest');
  if (age) {
    const s = new Sequence(age, profile.ns);
    const text = leafText(s.required('Age')).trim();
    s.end();
    // XSD: int, minInclusive 0.
    if (!/^\+?[0-9]{1,3}$/.test(text)) throw violation('AgeVerificationRequest/Age must be a non-negative integer');
    request.age = Number(text);
  }
  const place = seq.optional('PlaceVerificationRequest');
  if (place) {
    const s = new Sequence(place, profile.ns);
    request.communityId = leafText(s.required('CommunityID')).trim();
    s.end();
    checkCommunityId(request.communityId, profile);
  }
  seq.skip('PSMRequest', 'PSCRequest', 'SpecificAttributeRequest');
  const info = seq.optional('TransactionInfo');
  if (info) {
    request.transactionInfo = leafText(info);
    if (request.transactionInfo.length > 4096) throw violation('TransactionInfo longer than 4096 characters');
  }
  seq.skip('TransactionAttestationRequest');
  const loa = seq.optional('LevelOfAssuranceRequest');
  if (loa) {
    request.levelOfAssurance = leafText(loa).trim();
    if (!isKnownLevelOfAssurance(request.levelOfAssurance)) throw violation('LevelOfAssuranceRequest is not a LevelOfAssuranceType URI (TR-03130-1 §3.3.12)');
  }
  const types = seq.optional('EIDTypeRequest');
  if (types) {
    const s = new Sequence(types, profile.ns);
    const selection: EidTypeSelection = {};
    for (const type of EID_TYPES) {
      const el = s.optional(type);
      if (!el) continue;
      const value = leafText(el).trim();
      if (value !== 'ALLOWED' && value !== 'DENIED') throw violation(`EIDTypeRequest/${type} must be ALLOWED or DENIED`);
      selection[type] = value;
    }
    s.end();
    request.eidTypes = selection;
  }
  const psk = seq.optional('PSK');
  if (psk) {
    const s = new Sequence(psk, profile.ns);
    const id = leafText(s.required('ID')).trim();
    const key = leafText(s.required('Key')).trim();
    s.end();
    // XSD PreSharedKeyType: ID string minLength 16, Key hexBinary minLength 16 (our stricter rules: EidSessions, useID#invalidPSK).
    if (id.length < 16 || key.length < 32 || !HEX.test(key)) throw new EidSessionError('EID_PSK_INVALID', 'PSK ID or Key malformed');
    request.psk = { id, key: Buffer.from(key, 'hex') };
  }
  seq.end();
  return request;
}

function parseOperations(el: Element, profile: SoapProfile): Map<string, Requested> {
  const known = new Map(profile.operations.map((o) => [o.element, o]));
  const out = new Map<string, Requested>();
  for (const child of new Sequence(el, profile.ns).rest()) {
    const local = child.localName ?? '';
    const name = profile.aliases[local] ?? local;
    if (child.namespaceURI !== profile.ns || !known.has(name)) throw violation(`UseOperations: unknown element ${local}`);
    if (out.has(name)) throw violation(`UseOperations: ${local} given twice`);
    const value = leafText(child).trim();
    // Reference §1.3: an empty element (Example 3) means PROHIBITED, the schema default.
    if (value === '') out.set(name, 'PROHIBITED');
    else if (value === 'REQUIRED' || value === 'ALLOWED' || value === 'PROHIBITED') out.set(name, value);
    else throw violation(`UseOperations/${local}: expected REQUIRED, ALLOWED or PROHIBITED`);
  }
  return out;
}

function checkCommunityId(value: string, profile: SoapProfile): void {
  if (profile.id === 'de') {
    if (!COMMUNITY_ID_PATTERN.test(value)) throw violation('PlaceVerificationRequest/CommunityID does not match the TR-03130 pattern');
    return;
  }
  try {
    getProfile(profile.id).communityIdFromDigits(value);
  } catch (err) {
    if (err instanceof ProfileError) throw violation(`PlaceVerificationRequest/CommunityID: ${err.message}`);
    throw err;
  }
}

/**
 * The protocol-neutral request for the eService. Throws EID_MISSING_ARGUMENT and
 * EID_MISSING_TERMINAL_RIGHTS (TR-03130-1 §3.4).
 */
export function toEidRequest(parsed: UseIdRequest, profile: SoapProfile, service: Pick<ServiceRecord, 'id' | 'profile' | 'approvedAttributes'>, terminalChat: Chat | null): EidRequest {
  const required: string[] = [];
  const optional: string[] = [];
  for (const o of profile.operations) {
    const wanted = parsed.operations.get(o.element) ?? 'PROHIBITED';
    if (wanted === 'PROHIBITED') continue;
    if (o.attribute === null) {
      // A right this server cannot grant: refusing beats silently returning less than required.
      if (wanted === 'REQUIRED') throw new EidSessionError('EID_MISSING_TERMINAL_RIGHTS', `${o.element} is not offered by this eID-Server`);
      continue;
    }
    const list = wanted === 'REQUIRED' ? required : optional;
    if (!list.includes(o.attribute) && !required.includes(o.attribute)) list.push(o.attribute);
  }
  const all = [...required, ...optional];
  // Reference §1.7 / §6.5: verification selected without its request element.
  if (all.includes('AgeVerification') && parsed.age === undefined) throw new EidSessionError('EID_MISSING_ARGUMENT', 'AgeVerification selected without AgeVerificationRequest');
  if (all.includes('PlaceVerification') && parsed.communityId === undefined) throw new EidSessionError('EID_MISSING_ARGUMENT', 'PlaceVerification selected without PlaceVerificationRequest');

  const decision = decideRequestedAttributes(service, all);
  if (decision.notApproved.length > 0 || decision.unknown.length > 0) {
    throw new EidSessionError('EID_MISSING_TERMINAL_RIGHTS', `not approved for this eService: ${[...decision.notApproved, ...decision.unknown].join(', ')}`, { detail: { service: service.id } });
  }
  // TR-03130-1 §3.3.21: RequiredCHAT and OptionalCHAT ⊆ the terminal certificate's CHAT.
  if (all.length > 0) {
    if (terminalChat === null) throw new EidSessionError('EID_MISSING_TERMINAL_RIGHTS', 'the eService has no terminal certificate', { detail: { service: service.id } });
    if (!chatIsSubset(chatForAttributes(profile.id, all), terminalChat)) {
      throw new EidSessionError('EID_MISSING_TERMINAL_RIGHTS', 'requested rights exceed the terminal certificate CHAT', { detail: { service: service.id } });
    }
  }
  return {
    profile: profile.id, front: 'soap', required, optional,
    ...(parsed.age !== undefined && all.includes('AgeVerification') && { ageVerification: { age: parsed.age } }),
    ...(parsed.communityId !== undefined && all.includes('PlaceVerification') && { placeVerification: { communityId: parsed.communityId } }),
    ...(parsed.transactionInfo !== undefined && { transactionInfo: parsed.transactionInfo }),
    ...(parsed.levelOfAssurance !== undefined && { levelOfAssurance: parsed.levelOfAssurance }),
    ...(parsed.eidTypes !== undefined && { eidTypes: parsed.eidTypes }),
  };
}

export interface UseIdContext {
  sessions: EidSessions;
  service: ServiceRecord;
  profile: SoapProfile;
  terminalChat: Chat | null;
  /** TLS-2 endpoint for eCardServerAddress (TR-03130-1 §3.2.1.2: the eService copies it into the TC Token). */
  eCardServerAddress?: string;
  /** For the audit trail (src/audit): the session opened. */
  facts?: AuditFacts;
}

/** Runs useID and returns the useIDResponse element (namespace prefix `eid`). */
export async function useId(el: Element, ctx: UseIdContext): Promise<string> {
  const parsed = parseUseIdRequest(el, ctx.profile);
  const request = toEidRequest(parsed, ctx.profile, ctx.service, ctx.terminalChat);
  const opened = await ctx.sessions.open(ctx.service.id, request, {
    maxOpenSessions: ctx.service.maxConcurrentSessions,
    ...(parsed.psk !== undefined && { psk: parsed.psk }),
  });
  if (ctx.facts) ctx.facts.eidSessionId = opened.id;
  // TR-03130-1 §3.2.1: the PSK is echoed when the eService sent one; PSK/ID = Session/ID = SessionIdentifier.
  return (
    `<eid:useIDResponse xmlns:eid="${ctx.profile.ns}" xmlns:dss="urn:oasis:names:tc:dss:1.0:core:schema">` +
    `<eid:Session><eid:ID>${opened.id}</eid:ID></eid:Session>` +
    (ctx.eCardServerAddress === undefined ? '' : `<eid:eCardServerAddress>${esc(ctx.eCardServerAddress)}</eid:eCardServerAddress>`) +
    `<eid:PSK><eid:ID>${esc(opened.id)}</eid:ID><eid:Key>${opened.psk.toString('hex').toUpperCase()}</eid:Key></eid:PSK>` +
    okResult() +
    '</eid:useIDResponse>'
  );
}
