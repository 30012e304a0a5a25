/**
 * The eService record: the application of seed 002 表8 / seed 004 附件, the review outcome, the
 * per-service protocol settings and keys (references only), and the state with its history.
 *
 * @spec SPEC §6; seed 002 表8; seed 004 §三, 附件; saml-metadata §2.4.4; rfc7591 §2; rfc8705 §2; rfc9126 §6; rfc8252 §7.3; tr03124-1 §2.5.4
 *
 * Every object is strict: an unknown key is an error, so a misspelt setting (`acss:`) never silently
 * drops a restriction. Secrets never live here: keys are file paths or pkcs11: URIs, OIDC clients
 * authenticate with keys (no client_secret_* methods), JWKS must be public.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { z } from 'zod';
import { findAttribute, registryAttributes } from './attribute-catalog.js';
import { isValidBusinessNumber } from './business-number.js';
import { parseCidr } from './cidr.js';
import { PROFILE_IDS } from './profile-id.js';
import { SERVICE_STATES, TRANSITION_REASONS } from './states.js';

// ---------------------------------------------------------------- scalars

export const serviceIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'expected a slug: lowercase letters, digits and inner hyphens, at most 64 characters');

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

const isoDate = z.iso.date({ error: 'expected a date YYYY-MM-DD' });
const isoDateTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' });

export function isHttpsUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  // rfc6749 §3.1.2 / saml-bindings §3.4.5: endpoints carry no fragment; credentials in URLs are never acceptable.
  if (url.hash !== '' || url.username !== '' || url.password !== '' || url.hostname === '') return false;
  // rfc8252 §7.3 / §8.3: plain http only towards the loopback interface (local demos, development).
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export const httpsUrlSchema = z.string().refine(isHttpsUrl, 'expected an https URL (http only for loopback; no fragment, no credentials)');

/** seed 002 表8 統一編號, taiwan-pki §4.4 checksum. */
export const businessNumberSchema = z
  .string({ error: 'expected the 8-digit 統一編號 as a string (quote it in YAML to keep leading zeros)' })
  .regex(/^\d{8}$/, 'expected 8 digits (統一編號)')
  .refine(isValidBusinessNumber, 'checksum of the 統一編號 is wrong (taiwan-pki §4.4)');

export const cidrSchema = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
});

const PRIVATE_KEY_MARKER = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** One X.509 certificate in PEM; parsed so a truncated or garbled paste fails here, not at login time. */
export const certificatePemSchema = z.string().superRefine((value, ctx) => {
  if (PRIVATE_KEY_MARKER.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'private key material must never be in the registry; give the certificate only' });
    return;
  }
  const blocks = value.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  if (blocks !== 1) {
    ctx.addIssue({ code: 'custom', message: `expected exactly one PEM CERTIFICATE block, found ${blocks}` });
    return;
  }
  try {
    new X509Certificate(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a parseable X.509 certificate (PEM)' });
  }
});

/** SHA-256 over the certificate DER as uppercase hex without separators (normalised form). */
export function certificateSha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex').toUpperCase();
}

export const sha256FingerprintSchema = z
  .string()
  .regex(/^(?:[0-9A-Fa-f]{64}|(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})$/, 'expected a SHA-256 fingerprint: 64 hex digits, optionally colon-separated');

/** Where a key or certificate lives: a file path or an RFC 7512 pkcs11: URI. Never the material itself. */
export const keyReferenceSchema = z.string().superRefine((value, ctx) => {
  if (value.includes('-----BEGIN') || PRIVATE_KEY_MARKER.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected a file path or pkcs11: URI, never the key or certificate itself' });
  } else if (value.startsWith('pkcs11:')) {
    // rfc7512 §2.3: pk11-path attributes; a PIN in the URI would put a secret in the registry.
    if (!/^pkcs11:[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]+$/.test(value)) ctx.addIssue({ code: 'custom', message: 'malformed pkcs11: URI (rfc7512)' });
    else if (/[;?&]pin-value=/i.test(value)) ctx.addIssue({ code: 'custom', message: 'pin-value must not be stored in the registry; use pin-source or the key store configuration' });
  } else if (value.trim() === '' || value.includes('\0') || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected a file path or pkcs11: URI' });
  }
});

/** Actor id of an administrator, a system job or an import (e.g. `admin:li.wei`, `import:config/services/x.yaml`). */
export const actorSchema = z.string().regex(/^[^\s]{1,200}$/, 'expected an actor id without spaces (at most 200 characters)');

// ---------------------------------------------------------------- parts

const namesSchema = z.strictObject({ zh: text(200), en: text(200) });

/** seed 004 附件 聯絡人 / 代理人: 姓名, 職稱, 單位, E-mail, 電話, 傳真. Staff contact data, not citizens' data. */
const contactSchema = z.strictObject({
  name: text(100),
  title: text(100).optional(),
  unit: text(200).optional(),
  email: z.email({ error: 'expected an e-mail address' }),
  phone: z.string().regex(/^\+?[0-9][0-9 ()#-]{5,30}$/, 'expected a telephone number'),
  fax: z.string().regex(/^\+?[0-9][0-9 ()#-]{5,30}$/, 'expected a fax number').optional(),
});

/** seed 002 表8 目的事業主管機關 (the supervising authority) and 需用機關單位 (the applicant). */
const agencySchema = z.strictObject({
  names: namesSchema,
  /** 機關代碼 (government agency code); financial institutions have none. */
  code: z.string().regex(/^[0-9A-Z]{10}$/, 'expected the 10-character 機關代碼 (digits and capital letters)').optional(),
  businessNumber: businessNumberSchema,
  /** 適用行業代碼: 行業標準分類 code. */
  industryCode: z.string().regex(/^\d{4}(?:\d{2})?$/, 'expected a 4- or 6-digit 行業標準分類 code'),
  address: text(300),
  competentAuthority: z.strictObject({ names: namesSchema, code: z.string().regex(/^[0-9A-Z]{10}$/, 'expected the 10-character 機關代碼').optional() }).optional(),
});

const samlSchema = z.strictObject({
  // saml-core §8.3.6: entity identifiers are URIs of at most 1024 characters.
  entityId: z.string().max(1024, 'at most 1024 characters (saml-core §8.3.6)').regex(/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/, 'expected an absolute URI'),
  acs: z.array(httpsUrlSchema).min(1, 'at least one AssertionConsumerService URL'),
  metadata: z.strictObject({
    file: keyReferenceSchema.optional(),
    url: httpsUrlSchema.optional(),
    refreshSeconds: z.int().min(300).max(604800).optional(),
    /** Certificate that must have signed metadata fetched from `url` (saml-metadata §3.1; unsigned metadata over a URL is refused). */
    signingCertificate: certificatePemSchema.optional(),
  }).optional(),
  signingCertificates: z.array(certificatePemSchema).default([]),
  encryptionCertificates: z.array(certificatePemSchema).default([]),
  singleLogoutUrls: z.array(httpsUrlSchema).optional(),
});

const JWK_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const jwksSchema = z.strictObject({
  keys: z
    .array(z.looseObject({ kty: z.enum(['RSA', 'EC', 'OKP'], { error: 'expected kty RSA, EC or OKP (symmetric keys are secrets)' }), kid: z.string().optional() }))
    .min(1, 'at least one key'),
}).superRefine((jwks, ctx) => {
  jwks.keys.forEach((key, i) => {
    for (const member of JWK_PRIVATE_MEMBERS) {
      // rfc7517 §4 / rfc7518 §6: these members are private or symmetric key material.
      if (member in key) ctx.addIssue({ code: 'custom', path: ['keys', i, member], message: 'private key member; the registry holds public keys only' });
    }
  });
});

const oidcSchema = z.strictObject({
  client_id: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'expected 1-128 unreserved URI characters'),
  redirect_uris: z.array(httpsUrlSchema).min(1, 'at least one redirect URI'),
  post_logout_redirect_uris: z.array(httpsUrlSchema).optional(),
  backchannel_logout_uri: httpsUrlSchema.optional(),
  // rfc7523 §2.2: key-based client authentication only, so no shared secret is ever stored. Mutual-TLS
  // client authentication (rfc8705) is not offered: the browser front sits behind a TLS terminator,
  // and trusting a forwarded certificate header is a deployment choice this IdP does not make for you.
  token_endpoint_auth_method: z.literal('private_key_jwt', { error: 'only private_key_jwt is supported (client_secret_* would store a shared secret; tls_client_auth is not offered)' }),
  jwks: jwksSchema.optional(),
  jwks_uri: httpsUrlSchema.optional(),
  id_token_signed_response_alg: z.enum(['ES256', 'ES384', 'PS256', 'RS256']).optional(),
  id_token_encrypted_response_alg: z.enum(['RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW']).optional(),
  id_token_encrypted_response_enc: z.enum(['A128GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512']).optional(),
  // oidc-core §5.3.2 / oidc-registration §2: userinfo as a signed (and optionally encrypted) JWT.
  userinfo_signed_response_alg: z.enum(['ES256', 'ES384', 'PS256', 'RS256']).optional(),
  userinfo_encrypted_response_alg: z.enum(['RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW']).optional(),
  userinfo_encrypted_response_enc: z.enum(['A128GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512']).optional(),
  // rfc9449 §5.2: every access token of this client must be DPoP-bound (bearer tokens refused).
  dpop_bound_access_tokens: z.boolean().default(false),
  require_pushed_authorization_requests: z.boolean().default(false),
  /** The IdP enforces this itself (SPEC §5.3), whatever acr_values the client sends. */
  minimum_acr: text(200).optional(),
  sector_identifier_uri: httpsUrlSchema.optional(),
});

/** tr03124-1 §2.5.4: the IdP appends these to the RefreshAddress itself. */
const REFRESH_RESULT_PARAMS = ['ResultMajor', 'ResultMinor'];

const soapSchema = z.strictObject({
  clientCertificate: certificatePemSchema.optional(),
  clientCertificateSha256: sha256FingerprintSchema.optional(),
  /**
   * tr03124-1 §2.5.4 / tr03130-1 §3.1.2: where the browser goes after the eID part of a session with
   * the IdP-hosted TC Token, with ResultMajor (ResultMinor on error) appended; the eService correlates
   * by its own session. A redirect target, so it is reviewed (REVIEWED_FIELDS: protocols).
   */
  refreshAddress: httpsUrlSchema
    .refine((value) => !URL.canParse(value) || !REFRESH_RESULT_PARAMS.some((name) => new URL(value).searchParams.has(name)), 'must not carry ResultMajor or ResultMinor; the IdP appends them (tr03124-1 §2.5.4)')
    .optional(),
});

/** The eService's terminal (authorization) certificate and its private key, by reference. */
const terminalSchema = z.strictObject({
  certificate: keyReferenceSchema,
  key: keyReferenceSchema,
  /** The DV certificate(s) up to (excluding) the CVCA, sent to the card before the terminal certificate. */
  chain: z.array(keyReferenceSchema).optional(),
});

/** Restricted identification sector (TR-03110-2 §3.6): which sector public key the card uses for the pseudonym. */
const riSectorSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'expected a sector id (letters, digits, . _ : -)'),
  publicKey: keyReferenceSchema,
});

const rateLimitSchema = z.strictObject({
  requestsPerMinute: z.int().min(1).max(1_000_000),
  burst: z.int().min(1).max(1_000_000).optional(),
});

export const stateSchema = z.enum(SERVICE_STATES);

export const statusChangeSchema = z.strictObject({
  from: stateSchema.nullable(),
  to: stateSchema,
  at: isoDateTime,
  by: actorSchema,
  reason: z.enum(TRANSITION_REASONS).optional(),
  note: text(1000).optional(),
  /** harmful-load suspensions: when the agency was warned (seed 004 §六(五) 經本部要求限期改善). */
  warnedAt: isoDateTime.optional(),
});

// ---------------------------------------------------------------- the definition

const definitionShape = {
  id: serviceIdSchema,
  /** Name of the application system (應用系統名稱), shown to the citizen on the consent page. */
  names: namesSchema,
  agency: agencySchema,
  /** 申請目的 / 應用系統概述. */
  purpose: text(2000),
  plannedTestDate: isoDate.optional(),
  /** seed 004 附件: 預定開放日期 自 … 至 伺服器憑證有效期限日止. */
  plannedActivation: z.strictObject({ from: isoDate, until: isoDate.optional() }).optional(),
  contacts: z.strictObject({ person: contactSchema, deputy: contactSchema }),
  /** seed 004 §三(一): serial of the server certificate from GCA / MOEACA / XCA, hex. */
  serverCertificateSerial: z.string().regex(/^(?:[0-9A-Fa-f]{2}){1,20}$/, 'expected the certificate serial as hex, at most 20 octets (rfc5280 §4.1.2.2)'),
  profile: z.enum(PROFILE_IDS),
  approvedAttributes: z.array(z.string()).default([]),
  /** Among the approved attributes, those the citizen may deselect (TR-03130 OptionalCHAT). */
  optionalAttributes: z.array(z.string()).default([]),
  riSector: riSectorSchema.optional(),
  /** seed 002 表8 主機網路位址 / 子網路遮罩 as CIDR. */
  ipAllowList: z.array(cidrSchema).default([]),
  maxConcurrentSessions: z.int().min(1).max(1_000_000),
  rateLimit: rateLimitSchema.optional(),
  protocols: z.strictObject({ saml: samlSchema.optional(), oidc: oidcSchema.optional(), soap: soapSchema.optional() }),
  terminal: terminalSchema.optional(),
  state: stateSchema.default('draft'),
};

type DefinitionShape = z.output<z.ZodObject<typeof definitionShape>>;

/** States from which the service runs logins and therefore needs a terminal certificate. */
const OPERATING_STATES: ReadonlySet<string> = new Set(['testing', 'active', 'suspended']);

function checkDefinition(s: DefinitionShape, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });

  // Attributes must exist in the service's data profile; duplicates are typos.
  const seen = new Set<string>();
  s.approvedAttributes.forEach((id, i) => {
    if (seen.has(id)) issue(['approvedAttributes', i], `duplicate attribute ${id}`);
    seen.add(id);
    if (findAttribute(s.profile, id) === undefined) {
      issue(['approvedAttributes', i], `unknown attribute ${JSON.stringify(id)} for profile ${s.profile} (known: ${registryAttributes(s.profile).map((a) => a.id).join(', ')})`);
    }
  });
  s.optionalAttributes.forEach((id, i) => {
    if (!seen.has(id)) issue(['optionalAttributes', i], `${JSON.stringify(id)} is not among the approved attributes`);
  });
  if (seen.has('RestrictedID') && s.riSector === undefined) issue(['riSector'], 'required when RestrictedID is approved');

  const { saml, oidc, soap } = s.protocols;
  if (!saml && !oidc && !soap) issue(['protocols'], 'at least one of saml, oidc, soap');

  if (saml) {
    const md = saml.metadata;
    if (md && (md.file === undefined) === (md.url === undefined)) issue(['protocols', 'saml', 'metadata'], 'exactly one of file, url');
    if (md?.refreshSeconds !== undefined && md.url === undefined) issue(['protocols', 'saml', 'metadata', 'refreshSeconds'], 'only with url');
    if (md?.url !== undefined && md.signingCertificate === undefined) issue(['protocols', 'saml', 'metadata', 'signingCertificate'], 'required with url: fetched metadata must be signed');
    if (!md) {
      // SPEC §5.2: separate signing and encryption key pairs; without metadata both must be given here.
      if (saml.signingCertificates.length === 0) issue(['protocols', 'saml', 'signingCertificates'], 'required when no metadata is given');
      if (saml.encryptionCertificates.length === 0) issue(['protocols', 'saml', 'encryptionCertificates'], 'required when no metadata is given');
    }
    const signing = new Set(saml.signingCertificates.map(safeFingerprint));
    saml.encryptionCertificates.forEach((pem, i) => {
      if (signing.has(safeFingerprint(pem))) issue(['protocols', 'saml', 'encryptionCertificates', i], 'same certificate as a signing certificate; seed 002 §陸.參.五.(二) requires separate key pairs');
    });
  }

  if (oidc) {
    const p = (k: string) => ['protocols', 'oidc', k];
    // rfc7591 §2: "The jwks_uri and jwks parameters MUST NOT both be present".
    if (oidc.jwks && oidc.jwks_uri) issue(p('jwks'), 'jwks and jwks_uri must not both be present (rfc7591 §2)');
    const hasKeys = oidc.jwks !== undefined || oidc.jwks_uri !== undefined;
    if (!hasKeys) issue(p('jwks'), `${oidc.token_endpoint_auth_method} needs jwks or jwks_uri`);
    // OIDC Registration §2: enc given → alg MUST also be provided.
    if (oidc.id_token_encrypted_response_enc && !oidc.id_token_encrypted_response_alg) issue(p('id_token_encrypted_response_alg'), 'required when id_token_encrypted_response_enc is given');
    if (oidc.userinfo_encrypted_response_enc && !oidc.userinfo_encrypted_response_alg) issue(p('userinfo_encrypted_response_alg'), 'required when userinfo_encrypted_response_enc is given');
    if ((oidc.id_token_encrypted_response_alg || oidc.userinfo_encrypted_response_alg) && !hasKeys) issue(p('jwks'), 'encryption to the client needs its key (jwks or jwks_uri)');
  }

  if (soap) {
    if ((soap.clientCertificate === undefined) === (soap.clientCertificateSha256 === undefined)) issue(['protocols', 'soap'], 'exactly one of clientCertificate, clientCertificateSha256');
    // SPEC §5.1 mutual TLS from the registered host; seed 002 表8 主機網路位址.
    if (s.ipAllowList.length === 0) issue(['ipAllowList'], 'required for the SOAP interface (表8 主機網路位址)');
  }

  if (s.plannedActivation?.until !== undefined && s.plannedActivation.until < s.plannedActivation.from) issue(['plannedActivation', 'until'], 'before plannedActivation.from');
  if (s.plannedTestDate !== undefined && s.plannedActivation !== undefined && s.plannedActivation.from < s.plannedTestDate) issue(['plannedActivation', 'from'], 'before plannedTestDate');

  if (OPERATING_STATES.has(s.state) && s.terminal === undefined) issue(['terminal'], `required in state ${s.state} (the card reads nothing without a terminal certificate)`);
}

function safeFingerprint(pem: string): string {
  try {
    return certificateSha256(pem);
  } catch {
    return `unparseable:${pem}`;
  }
}

/** What a registry file or the console provides: everything except history and bookkeeping. */
export const serviceDefinitionSchema = z.strictObject(definitionShape).superRefine(checkDefinition);

/** A stored record: the definition plus its state history and the revision used for optimistic concurrency. */
export const serviceRecordSchema = z
  .strictObject({
    ...definitionShape,
    statusHistory: z.array(statusChangeSchema).min(1),
    revision: z.int().min(1),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    /** A reviewed change waiting for a second administrator (separation of duties, SPEC §6). */
    pendingChange: z.strictObject({ patch: z.record(z.string(), z.unknown()), by: actorSchema, at: isoDateTime }).optional(),
  })
  .superRefine(checkDefinition);

export type ServiceDefinition = z.output<typeof serviceDefinitionSchema>;
export type ServiceDefinitionInput = z.input<typeof serviceDefinitionSchema>;
export type ServiceRecord = z.output<typeof serviceRecordSchema>;
export type StatusChange = z.output<typeof statusChangeSchema>;
export type SamlSettings = NonNullable<ServiceDefinition['protocols']['saml']>;
export type OidcSettings = NonNullable<ServiceDefinition['protocols']['oidc']>;
export type SoapSettings = NonNullable<ServiceDefinition['protocols']['soap']>;
export type TerminalSettings = NonNullable<ServiceDefinition['terminal']>;

/** Fields whose change after approval needs a second administrator's review (SPEC §6, seed 002 表8 審核). */
export const REVIEWED_FIELDS = [
  'agency', 'purpose', 'profile', 'approvedAttributes', 'optionalAttributes', 'riSector', 'ipAllowList', 'serverCertificateSerial', 'terminal', 'protocols',
] as const satisfies readonly (keyof ServiceDefinition)[];

/** Parse options for definitions: inputs are reported so that missing fields read "required". */
export const PARSE_OPTIONS = { reportInput: true } as const;

/** Zod issue path → `protocols.saml.acs[0]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** One line per issue: `path: problem`; unknown keys name the key in the path. Parse with PARSE_OPTIONS. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatIssuePath([...issue.path, key])}: unknown field`);
    }
    // With reportInput, an absent required field is an invalid_type issue without input.
    const missing = issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;
    return [`${formatIssuePath(issue.path) || '(root)'}: ${missing ? 'required' : issue.message}`];
  });
}
