/**
 * Per-eService attribute policy: the attributes MOI approved ⇄ the CHAT of the eService's terminal
 * certificate, and the attributes a request may actually obtain (requested ∩ approved).
 *
 * @spec SPEC §4.1 (CHAT derived from the approved fields); tr03110-4 §2.2.3.2 (authentication terminal rights); tr03130-1 §3.2.1 (RequiredCHAT / OptionalCHAT ⊆ terminal CHAT)
 *
 * The card enforces the CHAT, so the approval in the registry becomes a cryptographic restriction once
 * the terminal certificate is issued with `chatForAttributes(approved)` [seed 002 表5 各欄位需為獨立授權].
 */
import { AT_RIGHTS, chatAllows, createChat, dgReadBit, type Chat } from '../eid/eac/cvc/chat.js';
import { findAttribute, registryAttributes, type RegistryAttribute } from './attribute-catalog.js';
import { RegistryError } from './errors.js';
import type { ProfileId } from './profile-id.js';

/** The CHAT bit an attribute needs, or null when it needs none (DocumentValidity is always sent). */
export function rightOfAttribute(attribute: RegistryAttribute): number | null {
  switch (attribute.kind) {
    case 'dg':
      return attribute.dg === null ? null : dgReadBit(attribute.dg);
    case 'restricted-id':
      return AT_RIGHTS.RESTRICTED_IDENTIFICATION;
    case 'age-verification':
      return AT_RIGHTS.AGE_VERIFICATION;
    case 'place-verification':
      // tr03110-4 §2.2.3.2: "Community ID Verification" is the right behind place verification.
      return AT_RIGHTS.COMMUNITY_ID_VERIFICATION;
    case 'document-validity':
      return null;
  }
}

function requireAttribute(profile: ProfileId, id: string): RegistryAttribute {
  const attribute = findAttribute(profile, id);
  if (!attribute) throw new RegistryError('REGISTRY_SERVICE_INVALID', `unknown attribute ${JSON.stringify(id)} for profile ${profile}`, { detail: { profile, attribute: id } });
  return attribute;
}

/** Authentication-terminal CHAT (role terminal) granting exactly what the attributes need. */
export function chatForAttributes(profile: ProfileId, attributeIds: readonly string[]): Chat {
  const bits = new Set<number>();
  for (const id of attributeIds) {
    const bit = rightOfAttribute(requireAttribute(profile, id));
    if (bit !== null) bits.add(bit);
  }
  return createChat({ terminalType: 'at', role: 'terminal', rights: [...bits].sort((a, b) => a - b) });
}

/**
 * Reverse: the profile's attributes whose right the CHAT grants, in profile order. Attributes that
 * need no right (DocumentValidity) are not listed. Rights without an attribute (PIN management,
 * install certificate, write rights …) are returned in `otherBits` so a caller can refuse them.
 */
export function attributesForChat(profile: ProfileId, chat: Chat): { attributes: string[]; otherBits: number[] } {
  const attributes: string[] = [];
  const covered = new Set<number>();
  for (const attribute of registryAttributes(profile)) {
    const bit = rightOfAttribute(attribute);
    if (bit === null) continue;
    covered.add(bit);
    if (chatAllows(chat, bit)) attributes.push(attribute.id);
  }
  const otherBits: number[] = [];
  for (let bit = 0; bit < 38; bit++) if (!covered.has(bit) && chatAllows(chat, bit)) otherBits.push(bit);
  return { attributes, otherBits };
}

export interface AttributeDecision {
  /** Requested and approved, in request order, without duplicates. */
  granted: string[];
  /** Requested but not approved for this eService. */
  notApproved: string[];
  /** Not attributes of the profile at all. */
  unknown: string[];
}

/** requested ∩ approved. DocumentValidity is granted whenever requested (SPEC §4.1: always sent). */
export function decideRequestedAttributes(
  service: { profile: ProfileId; approvedAttributes: readonly string[] },
  requested: readonly string[],
): AttributeDecision {
  const approved = new Set(service.approvedAttributes);
  const decision: AttributeDecision = { granted: [], notApproved: [], unknown: [] };
  for (const id of new Set(requested)) {
    const attribute = findAttribute(service.profile, id);
    if (!attribute) decision.unknown.push(id);
    else if (approved.has(id) || attribute.kind === 'document-validity') decision.granted.push(id);
    else decision.notApproved.push(id);
  }
  return decision;
}

/** The terminal CHAT an eService's certificate must carry (from its approved attributes). */
export function terminalChatOf(service: { profile: ProfileId; approvedAttributes: readonly string[] }): Chat {
  return chatForAttributes(service.profile, service.approvedAttributes);
}
