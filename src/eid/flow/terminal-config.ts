/**
 * The EAC terminal configuration of one login: the eService's terminal (certificates, key, sector
 * keys, trust anchors; from the registry's terminal references) plus what this request asks for
 * (Required/Optional CHAT from the attribute ids, age and place verification).
 *
 * @spec tr03130-1 §3.2.1 (RequiredCHAT / OptionalCHAT, AgeVerification, PlaceVerification), tr03110-4 §2.2.3.2
 */
import type { EacTerminalConfig } from '../eac/terminal/config.js';
import { chatForAttributes } from '../../services/attribute-policy.js';
import type { EidRequest } from '../../session/eid-session-model.js';

/** Per-eService part of the EAC configuration (no request-specific fields). */
export type ServiceTerminal = Omit<EacTerminalConfig, 'requiredChat' | 'optionalChat' | 'auxiliary'>;

/** Resolves the eService's terminal on any node (registry + key store); called once per PAOS step. */
export type ServiceTerminalProvider = (serviceId: string) => Promise<ServiceTerminal>;

export function eacConfigForRequest(terminal: ServiceTerminal, request: EidRequest): EacTerminalConfig {
  const required = new Set(request.required);
  const optional = request.optional.filter((id) => !required.has(id));
  return {
    ...terminal,
    requiredChat: chatForAttributes(request.profile, [...required]),
    optionalChat: chatForAttributes(request.profile, optional),
    auxiliary: {
      minimumAge: request.ageVerification?.age,
      communityIdPrefix: request.placeVerification === undefined ? undefined : terminal.profile.communityIdFromDigits(request.placeVerification.communityId),
    },
  };
}
