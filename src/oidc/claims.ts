/**
 * Claims of the OpenID provider: the data profile's attributes under their OIDC claim names
 * (SPEC §4.1), grouped into scopes; what a request asks for (scope + claims parameter) as profile
 * attribute ids; and the eID result turned into claim values.
 *
 * @spec oidc-core §5.1 (standard claims: name, birthdate YYYY-MM-DD, address object, picture URL), §5.4 (scope → claims), §5.5 (claims parameter: essential, value), §5.5.1.1 (acr); SPEC §4.1, §5.3
 */
import { getProfile, yyyymmddToIso, type AttributeDef, type ProfileId } from '../eid/profiles/index.js';
import type { EidResult } from '../session/eid-session-model.js';
import { OidcError } from './errors.js';

/**
 * Scopes → attribute groups (claim names). `openid` carries the pairwise `sub` and the document
 * validity, which every eID login sends (SPEC §4.1 "always sent").
 */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub', 'document_validity'],
  profile: ['name', 'name_romanized', 'given_name', 'family_name', 'birth_family_name', 'artistic_name', 'academic_title', 'birthdate', 'gender', 'picture', 'nationality', 'place_of_birth'],
  address: ['address', 'household_area_code', 'community_id'],
  eid_document: ['document_type', 'issuing_state', 'card_number', 'date_of_issue', 'date_of_renewal', 'date_of_expiry', 'residence_permit_i', 'residence_permit_ii'],
  eid_identity: ['national_id'],
  eid_family: ['marital_status', 'military_service_status', 'father_name', 'mother_name', 'spouse_name'],
  eid_verification: ['place_verified'],
  eid_can: ['can'],
};

/** Ages `age_over_<N>` is offered for (the card answers one age per login; TR-03130-1 §3.3.6). */
export const AGE_THRESHOLDS: readonly number[] = [12, 13, 14, 15, 16, 18, 20, 21, 65];

const AGE_CLAIM = /^age_over_(\d{1,3})$/;

/** Every claim name the provider can release (claims_supported), for both profiles. */
export function supportedClaims(): string[] {
  const names = new Set<string>(['sub', 'acr', 'amr', 'auth_time', 'sid']);
  for (const list of Object.values(SCOPE_CLAIMS)) for (const claim of list) names.add(claim);
  for (const age of AGE_THRESHOLDS) names.add(`age_over_${age}`);
  return [...names];
}

/** oidc-provider `claims` configuration: scope → claims, age claims under eid_verification. */
export function claimsConfiguration(): Record<string, string[] | null> {
  const config: Record<string, string[] | null> = { acr: null, amr: null, auth_time: null, sid: null };
  for (const [scope, claims] of Object.entries(SCOPE_CLAIMS)) config[scope] = [...claims];
  config.eid_verification = [...(config.eid_verification ?? []), ...AGE_THRESHOLDS.map((age) => `age_over_${age}`)];
  return config;
}

/** The profile attribute a claim name stands for (age_over_<N> → AgeVerification), if any. */
export function attributeForClaim(profile: ProfileId, claim: string): AttributeDef | undefined {
  const attributes = getProfile(profile).attributes;
  if (AGE_CLAIM.test(claim)) return attributes.find((a) => a.kind === 'age-verification');
  return attributes.find((a) => a.oidcClaim === claim);
}

export interface ClaimRequest {
  /** Attribute ids asked for through scopes or the claims parameter, in profile order. */
  attributes: string[];
  /** Attribute ids marked essential in the claims parameter. */
  essential: Set<string>;
  /** The age of the one age_over_<N> claim asked for. */
  age?: number;
  /** PlaceVerification prefix from `place_verified: { value: "<digits>" }`. */
  place?: string;
}

interface ClaimSpec {
  essential?: unknown;
  value?: unknown;
  values?: unknown;
}

/**
 * Reads scope and claims parameter. Unknown claim names are ignored (oidc-core §5.5: the OP ignores
 * claims it does not understand); two different ages or a place value that is not digits fail with
 * OIDC_CLAIMS_REQUEST_INVALID.
 */
export function readClaimRequest(profile: ProfileId, scope: string | undefined, claimsParam: string | undefined): ClaimRequest {
  const names = new Map<string, ClaimSpec | null>();
  for (const s of (scope ?? '').split(' ')) for (const claim of SCOPE_CLAIMS[s] ?? []) names.set(claim, null);
  if (claimsParam !== undefined && claimsParam !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(claimsParam);
    } catch (cause) {
      throw new OidcError('OIDC_CLAIMS_REQUEST_INVALID', 'claims parameter is not JSON', { cause });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OidcError('OIDC_CLAIMS_REQUEST_INVALID', 'claims parameter must be a JSON object');
    for (const target of ['id_token', 'userinfo'] as const) {
      const members = (parsed as Record<string, unknown>)[target];
      if (members === undefined || members === null) continue;
      if (typeof members !== 'object' || Array.isArray(members)) throw new OidcError('OIDC_CLAIMS_REQUEST_INVALID', `claims.${target} must be an object`);
      for (const [claim, spec] of Object.entries(members as Record<string, unknown>)) {
        if (spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) throw new OidcError('OIDC_CLAIMS_REQUEST_INVALID', `claims.${target}.${claim} must be null or an object`);
        const previous = names.get(claim);
        const next = (spec ?? {}) as ClaimSpec;
        names.set(claim, previous ? { ...previous, ...next, essential: previous.essential === true || next.essential === true } : next);
      }
    }
  }

  const request: ClaimRequest = { attributes: [], essential: new Set() };
  const ages = new Set<number>();
  for (const [claim, spec] of names) {
    const attribute = attributeForClaim(profile, claim);
    if (!attribute) continue;
    const age = AGE_CLAIM.exec(claim);
    if (age) {
      const n = Number(age[1]);
      if (!AGE_THRESHOLDS.includes(n)) continue;
      ages.add(n);
    }
    if (attribute.kind === 'place-verification' && spec?.value !== undefined) {
      if (typeof spec.value !== 'string' || !/^[0-9]{1,16}$/.test(spec.value)) throw new OidcError('OIDC_CLAIMS_REQUEST_INVALID', 'place_verified value must be the area code prefix as 1-16 digits');
      request.place = spec.value;
    }
    if (spec?.essential === true) request.essential.add(attribute.id);
    if (!request.attributes.includes(attribute.id)) request.attributes.push(attribute.id);
  }
  if (ages.size > 1) throw new OidcError('OIDC_CLAIMS_REQUEST_INVALID', 'the card verifies one age per login; ask for one age_over_<N> claim');
  const [age] = ages;
  if (age !== undefined) request.age = age;
  // Place verification needs the prefix to compare with; without it the card has nothing to check.
  if (request.attributes.includes('PlaceVerification') && request.place === undefined) {
    request.attributes = request.attributes.filter((a) => a !== 'PlaceVerification');
    request.essential.delete('PlaceVerification');
  }
  if (request.attributes.includes('AgeVerification') && request.age === undefined) {
    request.attributes = request.attributes.filter((a) => a !== 'AgeVerification');
    request.essential.delete('AgeVerification');
  }
  const order = getProfile(profile).attributes.map((a) => a.id);
  request.attributes.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return request;
}

/**
 * The claim values of an eID result, for the attributes the citizen released (`released`). Nothing
 * else is ever turned into a claim, whatever the result holds. `sub` is not produced here (it is the
 * pairwise subject, see account.ts).
 */
export function claimsFromResult(profile: ProfileId, result: EidResult, released: readonly string[], age: number | undefined): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const allowed = new Set(released);
  for (const attribute of getProfile(profile).attributes) {
    if (!allowed.has(attribute.id)) continue;
    switch (attribute.kind) {
      case 'dg': {
        const outcome = result.attributes[attribute.id];
        if (outcome?.status !== 'value') break;
        const value = dgClaimValue(attribute, outcome.text, outcome.base64);
        if (value !== undefined) claims[attribute.oidcClaim] = value;
        break;
      }
      case 'age-verification':
        if (age !== undefined && result.ageVerification !== undefined) claims[`age_over_${age}`] = result.ageVerification;
        break;
      case 'place-verification':
        if (result.placeVerification !== undefined) claims.place_verified = result.placeVerification;
        break;
      case 'document-validity':
        if (result.documentValidity !== undefined) claims.document_validity = result.documentValidity;
        break;
      case 'restricted-id':
        break;
    }
  }
  return claims;
}

function dgClaimValue(attribute: AttributeDef, text: string | undefined, base64: string | undefined): unknown {
  switch (attribute.oidcClaim) {
    case 'birthdate':
      // oidc-core §5.1: YYYY-MM-DD (the card keeps YYYYMMDD; de may have unknown parts as spaces).
      return text !== undefined && /^\d{8}$/.test(text) ? yyyymmddToIso(text) : text;
    case 'address':
      // oidc-core §5.1.1: the address claim is an object; the card holds one formatted line.
      return text === undefined ? undefined : { formatted: text };
    case 'picture':
      // SPEC §4.1: the photo as a data URI (JPEG).
      return base64 === undefined ? undefined : `data:image/jpeg;base64,${base64}`;
    default:
      return text ?? base64;
  }
}
