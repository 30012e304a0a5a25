/**
 * The protocol-neutral eID session: what an eService asked for (request), where the login stands
 * (phase, RequestCounter, the EAC state slot), and what the card gave (result). The SOAP
 * eID-Interface, SAML and OIDC fronts all open sessions with this request and read this result.
 *
 * @spec tr03130-1 §3.2.1 (useID: requested/optional operations, age/place verification, TransactionInfo, LoA), §3.2.2 (getResult), §3.3.22 (ALLOWED / PROHIBITED / NOTONCHIP)
 */
import { z } from 'zod';
import { isErrorCode, type ErrorCode } from '../errors/catalog.js';
import type { ProfileId } from '../eid/profiles/types.js';

/** Order of the phases; a session only moves forward (TR-03130-1 §3.2: useID → TC Token → PAOS → getResult). */
export const EID_PHASES = ['created', 'tc-token', 'paos', 'result'] as const;
export type EidPhase = (typeof EID_PHASES)[number];

export const EID_FRONTS = ['soap', 'saml', 'oidc'] as const;
export type EidFront = (typeof EID_FRONTS)[number];

// TR-03130-1 §3.3.8 PlaceVerificationRequest/CommunityID: 0 + 3 digits, then optional refinements.
export const COMMUNITY_ID_PATTERN = /^[0][0-9]{3}([0-9]{2}([0][0-9]([0-9]{2}([0][0-9]{3})?)?)?)?$/;

const attributeId = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/);

const requestSchema = z.strictObject({
  profile: z.enum(['tw', 'de']),
  front: z.enum(EID_FRONTS),
  /** Attribute ids (data profile) the eService requires: TR-03130 REQUIRED → RequiredCHAT. */
  required: z.array(attributeId).max(64),
  /** Attribute ids the citizen may deselect: ALLOWED → OptionalCHAT. */
  optional: z.array(attributeId).max(64),
  /** TR-03130-1 §3.3.6: the age the citizen must have reached. */
  ageVerification: z.strictObject({ age: z.int().min(0).max(150) }).optional(),
  /** Profile-specific community / household area prefix as digits (de: COMMUNITY_ID_PATTERN, tw: area code prefix). */
  placeVerification: z.strictObject({ communityId: z.string().regex(/^[0-9]{1,16}$/) }).optional(),
  /** TR-03130-1 §3.3.9: shown to the citizen by the eID client (EAC1InputType/TransactionInfo). */
  transactionInfo: z.string().max(4096).optional(),
  /** TR-03130-1 §3.3.12 LevelOfAssuranceType URI. */
  levelOfAssurance: z.string().max(256).optional(),
  /** TR-03130-1 §3.3.13 EIDTypeRequest: ALLOWED / DENIED per eID type. */
  eidTypes: z.partialRecord(z.enum(['CardCertified', 'SECertified', 'SEEndorsed', 'HWKeyStore']), z.enum(['ALLOWED', 'DENIED'])).optional(),
});

export type EidRequest = z.infer<typeof requestSchema>;

const placeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('structured'), street: z.string().optional(), city: z.string(), state: z.string().optional(), country: z.string(), zipCode: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('freetext'), text: z.string() }),
  z.strictObject({ kind: z.literal('noPlaceInfo'), text: z.string() }),
]);

const outcomeSchema = z.discriminatedUnion('status', [
  /** Read from the card. Text (dates as the card's 8-character 'YYYYMMDD'), bytes as base64, or a place. */
  z.strictObject({ status: z.literal('value'), text: z.string().optional(), base64: z.string().optional(), place: placeSchema.optional() }),
  /** TR-03130-1 §3.3.22: the effective CHAT allowed it, but the card does not hold the data group. */
  z.strictObject({ status: z.literal('notOnChip') }),
  /** Not granted: deselected by the citizen, or not in the effective CHAT. */
  z.strictObject({ status: z.literal('prohibited') }),
]);

export type AttributeOutcome = z.infer<typeof outcomeSchema>;

const errorCodeSchema = z.string().refine(isErrorCode, 'unknown error code') as unknown as z.ZodType<ErrorCode>;

const resultSchema = z.strictObject({
  /** Set when the login failed (invalid document, cancelled by the client, wrong PIN …); the catalog maps it to the wire. */
  error: z.strictObject({ code: errorCodeSchema, message: z.string().max(1000).optional() }).optional(),
  /** Attribute id → outcome for every attribute the request named (RestrictedID and verifications are below). */
  attributes: z.record(attributeId, outcomeSchema),
  restrictedId: z.strictObject({ id: z.string().regex(/^(?:[0-9a-f]{2})+$/), id2: z.string().regex(/^(?:[0-9a-f]{2})+$/).optional() }).optional(),
  ageVerification: z.boolean().optional(),
  placeVerification: z.boolean().optional(),
  documentValidity: z.enum(['valid', 'expired', 'revoked', 'notAuthentic']).optional(),
  levelOfAssurance: z.string().max(256).optional(),
});

export type EidResult = z.infer<typeof resultSchema>;

const recordSchema = z.strictObject({
  v: z.literal(1),
  id: z.string(),
  serviceId: z.string(),
  phase: z.enum(EID_PHASES),
  /** Epoch ms of useID. */
  createdAt: z.int(),
  /** Epoch ms at which the session ends whatever its phase (createdAt + lifetime). */
  expiresAt: z.int(),
  /** Epoch ms at which the current phase times out (≤ expiresAt). */
  phaseDeadline: z.int(),
  request: requestSchema,
  /** Last accepted getResult RequestCounter (0: none yet). */
  requestCounter: z.int().min(0),
  /** True when the PSK came from the eService (useID PSK element), so it is echoed unchanged. */
  pskFromService: z.boolean(),
  /** Serialised EAC terminal state (src/eid/eac/terminal parseEacTerminalState), secret: the record is sealed. */
  eac: z.unknown().nullable(),
  /** Free slot for the PAOS conversation (message ids, step), so any node can continue. */
  conversation: z.record(z.string(), z.unknown()).nullable(),
});

export type EidSession = z.infer<typeof recordSchema>;

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

export function parseEidRequest(value: unknown): { ok: true; request: EidRequest } | { ok: false; problem: string } {
  const r = requestSchema.safeParse(value);
  return r.success ? { ok: true, request: r.data } : { ok: false, problem: firstIssue(r.error) };
}

export function parseEidResult(value: unknown): { ok: true; result: EidResult } | { ok: false; problem: string } {
  const r = resultSchema.safeParse(value);
  return r.success ? { ok: true, result: r.data } : { ok: false, problem: firstIssue(r.error) };
}

export function parseEidSessionRecord(value: unknown): { ok: true; session: EidSession } | { ok: false; problem: string } {
  const r = recordSchema.safeParse(value);
  return r.success ? { ok: true, session: r.data } : { ok: false, problem: firstIssue(r.error) };
}

export function phaseIndex(phase: EidPhase): number {
  return EID_PHASES.indexOf(phase);
}

export type { ProfileId };

/**
 * Error codes for results whose document check failed (TR-03130-1 §3.4): `invalid` when PA, CA,
 * expiry or the block list failed (getResult#invalidDocument), `denied` when the eID type does not meet
 * the requested level of assurance (getResult#deniedDocument).
 */
export const DOCUMENT_ERROR_CODES = { invalid: 'EID_DOCUMENT_INVALID', denied: 'EID_DOCUMENT_DENIED' } as const satisfies Record<string, ErrorCode>;
