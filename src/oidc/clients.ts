/**
 * OpenID clients come from the eService registry (src/services): the service's `protocols.oidc`
 * settings already use the RFC 7591 metadata names; only active services are clients (SPEC §5.2
 * "only registered, active eServices are served"), and there is no open dynamic registration.
 *
 * @spec rfc7591 §2 (client metadata); oidc-registration §2 (id_token_*_response_*); rfc9126 §6 (require_pushed_authorization_requests); oidc-core §8.1 (subject_type pairwise); SPEC §5.3, §6
 */
import type { ServiceRegistry } from '../services/registry.js';
import type { ServiceRecord } from '../services/model.js';
import type { AdapterPayload, ClientSource } from './adapter-redis.js';

/** Custom client metadata the provider keeps with each client (configuration.ts extraClientMetadata). */
export const SERVICE_ID_METADATA = 'neid_service_id';
export const MINIMUM_ACR_METADATA = 'neid_minimum_acr';

/** The registry's OIDC settings turned into client metadata for oidc-provider. */
export function clientMetadataOf(service: ServiceRecord): AdapterPayload | undefined {
  const oidc = service.protocols.oidc;
  if (!oidc) return undefined;
  const optional = (name: string, value: unknown): AdapterPayload => (value === undefined ? {} : { [name]: value });
  return {
    client_id: oidc.client_id,
    client_name: service.names.zh,
    redirect_uris: [...oidc.redirect_uris],
    ...optional('post_logout_redirect_uris', oidc.post_logout_redirect_uris),
    ...optional('backchannel_logout_uri', oidc.backchannel_logout_uri),
    ...(oidc.backchannel_logout_uri !== undefined && { backchannel_logout_session_required: true }),
    // Code flow only (SPEC §5.3); no refresh tokens, no implicit or hybrid responses.
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: oidc.token_endpoint_auth_method,
    ...optional('jwks', oidc.jwks),
    ...optional('jwks_uri', oidc.jwks_uri),
    id_token_signed_response_alg: oidc.id_token_signed_response_alg ?? 'ES256',
    ...optional('id_token_encrypted_response_alg', oidc.id_token_encrypted_response_alg),
    ...optional('id_token_encrypted_response_enc', oidc.id_token_encrypted_response_enc),
    ...optional('userinfo_signed_response_alg', oidc.userinfo_signed_response_alg),
    ...optional('userinfo_encrypted_response_alg', oidc.userinfo_encrypted_response_alg),
    ...optional('userinfo_encrypted_response_enc', oidc.userinfo_encrypted_response_enc),
    // rfc9449 §5.2: the token endpoint refuses this client's token requests without a DPoP proof.
    dpop_bound_access_tokens: oidc.dpop_bound_access_tokens,
    require_pushed_authorization_requests: oidc.require_pushed_authorization_requests,
    // oidc-core §8.1: every subject is pairwise (restricted identification per sector, account.ts).
    subject_type: 'pairwise',
    ...optional('sector_identifier_uri', oidc.sector_identifier_uri),
    ...optional('default_acr_values', oidc.minimum_acr === undefined ? undefined : [oidc.minimum_acr]),
    [SERVICE_ID_METADATA]: service.id,
    ...optional(MINIMUM_ACR_METADATA, oidc.minimum_acr),
  };
}

export interface RegistryClientSourceOptions {
  registry: ServiceRegistry;
  /** Also serve services in `testing` (test environments only). */
  allowTesting?: boolean;
  /** How long the client_id → service id index is reused (the record itself is read every time). */
  indexTtlMs?: number;
}

/** Finds the active eService whose `protocols.oidc.client_id` is the client id. */
export class RegistryClientSource implements ClientSource {
  readonly #registry: ServiceRegistry;
  readonly #allowTesting: boolean;
  readonly #indexTtlMs: number;
  #index: { at: number; map: Map<string, string> } | undefined;

  constructor(options: RegistryClientSourceOptions) {
    this.#registry = options.registry;
    this.#allowTesting = options.allowTesting ?? false;
    this.#indexTtlMs = options.indexTtlMs ?? 5000;
  }

  async #serviceIdOf(clientId: string): Promise<string | undefined> {
    const now = Date.now();
    if (!this.#index || now - this.#index.at > this.#indexTtlMs || !this.#index.map.has(clientId)) {
      const map = new Map<string, string>();
      for (const service of await this.#registry.list()) {
        const id = service.protocols.oidc?.client_id;
        if (id !== undefined) map.set(id, service.id);
      }
      this.#index = { at: now, map };
    }
    return this.#index.map.get(clientId);
  }

  /** The service behind a client id when it is active (or testing, if allowed). */
  async service(clientId: string): Promise<ServiceRecord | undefined> {
    const serviceId = await this.#serviceIdOf(clientId);
    if (serviceId === undefined) return undefined;
    try {
      const service = await this.#registry.getActive(serviceId, { allowTesting: this.#allowTesting });
      // The record is re-read: a client id moved to another service in between does not count.
      return service.protocols.oidc?.client_id === clientId ? service : undefined;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'REGISTRY_SERVICE_INACTIVE' || code === 'REGISTRY_SERVICE_NOT_FOUND') return undefined;
      throw err;
    }
  }

  async find(clientId: string): Promise<AdapterPayload | undefined> {
    const service = await this.service(clientId);
    return service === undefined ? undefined : clientMetadataOf(service);
  }
}
