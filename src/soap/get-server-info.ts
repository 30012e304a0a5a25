/**
 * getServerInfo: the interface version and the DocumentVerificationRights the eService's current
 * terminal certificate grants (ALLOWED / PROHIBITED per operation).
 *
 * @spec tr03130-1 §3.2.3 (getServerInfo), §3.3.21 (OperationsSelectorType)
 */
import type { Chat } from '../eid/eac/cvc/chat.js';
import { attributesForChat } from '../services/attribute-policy.js';
import { SERVER_VERSION, type SoapProfile } from './profiles.js';
import { elementChildren, violation } from './xml/dom.js';

/** getServerInfoRequest is nullType; reference §1.6: Example 7 sends it unqualified, so both are accepted (by the dispatcher). */
export function parseGetServerInfoRequest(el: Element): void {
  if (elementChildren(el).length > 0) throw violation('getServerInfoRequest must be empty');
}

export function getServerInfo(el: Element, profile: SoapProfile, terminalChat: Chat | null): string {
  parseGetServerInfoRequest(el);
  const granted = new Set(terminalChat === null ? [] : attributesForChat(profile.id, terminalChat).attributes);
  let rights = '';
  for (const o of profile.operations) {
    if (!o.emit) continue;
    rights += `<eid:${o.element}>${o.attribute !== null && granted.has(o.attribute) ? 'ALLOWED' : 'PROHIBITED'}</eid:${o.element}>`;
  }
  const v = SERVER_VERSION;
  return (
    `<eid:getServerInfoResponse xmlns:eid="${profile.ns}">` +
    `<eid:ServerVersion><eid:VersionString>${v.versionString}</eid:VersionString><eid:Major>${v.major}</eid:Major><eid:Minor>${v.minor}</eid:Minor><eid:Bugfix>${v.bugfix}</eid:Bugfix></eid:ServerVersion>` +
    `<eid:DocumentVerificationRights>${rights}</eid:DocumentVerificationRights>` +
    '</eid:getServerInfoResponse>'
  );
}
