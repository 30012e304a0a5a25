/**
 * Checks of a verified AuthnRequest, in two stages:
 * 1. `chooseAcs`: where a Response may go — the AssertionConsumerServiceURL / Index must be in the
 *    eService's metadata; failing this no Response is ever sent (HTTP 400 page).
 * 2. `checkAuthnRequest`: everything else; failures now go back to the verified ACS as SAML status.
 *
 * @spec saml-core §3.4.1 (AuthnRequest: ACS URL/Index exclusive, IsPassive, NameIDPolicy, ProtocolBinding), §3.2.1 (ID, Version, IssueInstant, Destination), §1.3.4; saml-bindings §3.4.5.2 (Destination of signed messages); saml-profiles §4.1.4.1; tr03130-1 §4.8; SPEC §5.2
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../session/store/store.js';
import { SamlError } from '../errors.js';
import type { AcsEndpoint } from '../metadata/sp-metadata.js';
import { BINDING, NAMEID_FORMAT, NS } from '../namespaces.js';
import { attr, optionalChild } from '../xml.js';
import type { VerifiedAuthnRequest } from './receive-authn-request.js';

export type ResponseBinding = 'redirect' | 'post';

export interface ChosenAcs {
  url: string;
  /** null: no preference in the request; the IdP picks Redirect, or POST when the URL gets too long. */
  binding: ResponseBinding | null;
}

export interface RequestWindow {
  /** Accepted age of IssueInstant. */
  maxAgeMs: number;
  /** Accepted clock skew (future IssueInstant). */
  skewMs: number;
}

export interface CheckedAuthnRequest {
  id: string;
  issuer: string;
  acs: ChosenAcs;
  relayState?: string;
  forceAuthn: boolean;
}

const SUPPORTED: Readonly<Record<string, ResponseBinding>> = { [BINDING.redirect]: 'redirect', [BINDING.post]: 'post' };

export function chooseAcs(v: VerifiedAuthnRequest): ChosenAcs {
  const r = v.request;
  const url = attr(r, 'AssertionConsumerServiceURL');
  const indexText = attr(r, 'AssertionConsumerServiceIndex');
  const protocolBinding = attr(r, 'ProtocolBinding');
  const usable = v.sp.acs.filter((a) => SUPPORTED[a.binding] !== undefined);
  const bindingOf = (candidates: AcsEndpoint[]): ResponseBinding | null => {
    if (protocolBinding === undefined) return null;
    const wanted = SUPPORTED[protocolBinding];
    // An unsupported binding is reported as status later; the ACS itself is known.
    return wanted !== undefined && candidates.some((c) => c.binding === protocolBinding) ? wanted : null;
  };
  // saml-core §3.4.1: AssertionConsumerServiceIndex is mutually exclusive with ACS URL and ProtocolBinding.
  if (indexText !== undefined && (url !== undefined || protocolBinding !== undefined)) {
    throw new SamlError('SAML_ACS_NOT_REGISTERED', 'AssertionConsumerServiceIndex together with AssertionConsumerServiceURL/ProtocolBinding');
  }
  if (url !== undefined) {
    // Exact comparison (no normalisation): an open redirect starts with "almost the same URL".
    const matches = usable.filter((a) => a.url === url);
    if (matches.length === 0) throw new SamlError('SAML_ACS_NOT_REGISTERED', 'AssertionConsumerServiceURL is not in the eService metadata', { detail: { service: v.sp.service.id } });
    return { url, binding: bindingOf(matches) };
  }
  if (indexText !== undefined) {
    const index = /^\d{1,5}$/.test(indexText) ? Number(indexText) : -1;
    const matches = usable.filter((a) => a.index === index);
    const first = matches[0];
    if (!first) throw new SamlError('SAML_ACS_NOT_REGISTERED', 'AssertionConsumerServiceIndex is not in the eService metadata');
    return { url: first.url, binding: matches.length === 1 ? (SUPPORTED[first.binding] ?? null) : null };
  }
  const chosen = usable.find((a) => a.isDefault) ?? usable[0];
  if (!chosen) throw new SamlError('SAML_ACS_NOT_REGISTERED', 'the eService has no usable AssertionConsumerService');
  return { url: chosen.url, binding: bindingOf(usable.filter((a) => a.url === chosen.url)) };
}

/** xs:ID is an NCName; length bounded so it can be a cache key. */
const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export interface CheckDeps {
  ssoUrls: readonly string[];
  now: Date;
  window: RequestWindow;
  store: Store;
}

/** Replay cache key: hash of Issuer and ID (the ID is attacker-chosen text; the key stays bounded). */
function replayKey(issuer: string, id: string): string {
  return `saml:req:${createHash('sha256').update(issuer).update('\0').update(id).digest('hex')}`;
}

export async function checkAuthnRequest(v: VerifiedAuthnRequest, acs: ChosenAcs, deps: CheckDeps): Promise<CheckedAuthnRequest> {
  const r = v.request;
  const id = attr(r, 'ID');
  if (id === undefined || !ID_PATTERN.test(id)) throw new SamlError('SAML_REQUEST_MALFORMED', 'ID missing or not an xs:ID');
  // saml-core §3.2.1: Version "2.0".
  if (attr(r, 'Version') !== '2.0') throw new SamlError('SAML_VERSION_MISMATCH', 'Version must be 2.0');
  const instantText = attr(r, 'IssueInstant') ?? '';
  const instant = DATETIME.test(instantText) ? Date.parse(instantText) : Number.NaN;
  if (Number.isNaN(instant)) throw new SamlError('SAML_REQUEST_MALFORMED', 'IssueInstant missing or not an xs:dateTime');
  const now = deps.now.getTime();
  if (instant > now + deps.window.skewMs || instant < now - deps.window.maxAgeMs - deps.window.skewMs) {
    throw new SamlError('SAML_ISSUE_INSTANT_INVALID', 'IssueInstant outside the accepted window', { detail: { service: v.sp.service.id } });
  }
  // The replay cache outlives the IssueInstant window, so a request is either stale or remembered.
  const fresh = await deps.store.setIfAbsent(replayKey(v.sp.entityId, id), '1', { ttlMs: deps.window.maxAgeMs + 2 * deps.window.skewMs });
  if (!fresh) throw new SamlError('SAML_REQUEST_REPLAYED', 'AuthnRequest ID already used', { detail: { service: v.sp.service.id } });

  // saml-bindings §3.4.5.2 / §3.5.5.2: a signed request names its Destination, and it must be us.
  const destination = attr(r, 'Destination');
  if (destination === undefined || !deps.ssoUrls.includes(destination)) throw new SamlError('SAML_DESTINATION_MISMATCH', 'Destination is not this SSO endpoint');
  if (v.sp.service.state !== 'active') throw new SamlError('SAML_SERVICE_INACTIVE', `eService is ${v.sp.service.state}`, { detail: { service: v.sp.service.id } });

  const protocolBinding = attr(r, 'ProtocolBinding');
  if (protocolBinding !== undefined && SUPPORTED[protocolBinding] === undefined) throw new SamlError('SAML_BINDING_UNSUPPORTED', 'ProtocolBinding not offered');
  if (protocolBinding !== undefined && acs.binding === null) throw new SamlError('SAML_BINDING_UNSUPPORTED', 'the ACS does not accept the requested ProtocolBinding');

  const boolAttr = (name: string): boolean => {
    const value = attr(r, name);
    if (value === undefined || value === 'false' || value === '0') return false;
    if (value === 'true' || value === '1') return true;
    throw new SamlError('SAML_REQUEST_MALFORMED', `${name} is not an xs:boolean`);
  };
  // An eID login always needs the citizen and the card: no passive login (saml-core §3.4.1 IsPassive).
  if (boolAttr('IsPassive')) throw new SamlError('SAML_PASSIVE_NOT_POSSIBLE', 'IsPassive is not possible with eID');
  const forceAuthn = boolAttr('ForceAuthn');

  const policy = optionalChild(r, NS.samlp, 'NameIDPolicy', 'SAML_REQUEST_MALFORMED');
  const format = policy ? attr(policy, 'Format') : undefined;
  if (format !== undefined && format !== NAMEID_FORMAT.transient && format !== NAMEID_FORMAT.unspecified) {
    throw new SamlError('SAML_NAMEID_POLICY_UNSUPPORTED', 'only transient NameIDs are issued');
  }
  // saml-core §3.4.1.1: a Subject in the request is a constraint we cannot honour before the card is read.
  if (optionalChild(r, NS.saml, 'Subject', 'SAML_REQUEST_MALFORMED')) throw new SamlError('SAML_REQUEST_MALFORMED', 'Subject in AuthnRequest is not supported');

  return { id, issuer: v.sp.entityId, acs, forceAuthn, ...(v.relayState !== undefined ? { relayState: v.relayState } : {}) };
}

