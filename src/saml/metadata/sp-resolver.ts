/**
 * Finds the SAML eService behind an Issuer: the registry record (protocols.saml) merged with its SP
 * metadata, from `protocols.saml.metadata.file`, a `metadata/*.xml` file with the same entityID, or
 * `protocols.saml.metadata.url` (fetched, signature checked against the configured certificate,
 * refreshed every refreshSeconds; the last good copy is kept while it is valid).
 *
 * @spec saml-metadata §2.3.2 (validUntil, cacheDuration), §3.1 (publication, signing), §4.2 (well-known location not used: explicit URLs only); SPEC §5.2, §6
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ServiceRecord } from '../../services/model.js';
import type { ServiceRegistry } from '../../services/registry.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { SamlError } from '../errors.js';
import { BINDING } from '../namespaces.js';
import type { KeyTransport } from '../xmlenc.js';
import { verifyEnveloped } from '../xmldsig.js';
import { parseSpMetadata, parseSpMetadataElement, type AcsEndpoint, type SpMetadata } from './sp-metadata.js';

export interface ResolvedSp {
  service: ServiceRecord;
  entityId: string;
  acs: AcsEndpoint[];
  signingCertificates: string[];
  encryptionCertificates: string[];
  keyTransport?: KeyTransport;
}

export type FetchLike = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface SpResolverOptions {
  registry: ServiceRegistry;
  /** Directory of SP metadata files (`metadata/*.xml`); absent or missing directory: none. */
  metadataDir?: string;
  /** Base directory for relative `metadata.file` paths. */
  baseDir?: string;
  fetch?: FetchLike;
  clock?: Clock;
  /** How long the entityID → service index is reused. */
  indexTtlMs?: number;
  fetchTimeoutMs?: number;
}

const MAX_METADATA_BYTES = 1024 * 1024;
const DEFAULT_REFRESH_S = 3600;

interface UrlCacheEntry { metadata: SpMetadata; fetchedAt: number }

export class SpResolver {
  readonly #o: SpResolverOptions;
  readonly #clock: Clock;
  #index: { at: number; byEntity: Map<string, string> } | undefined;
  #dirFiles: { at: number; byEntity: Map<string, SpMetadata> } | undefined;
  readonly #urlCache = new Map<string, UrlCacheEntry>();

  constructor(options: SpResolverOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The registered eService with this entityID (any state; callers check the state), or undefined. */
  async resolve(entityId: string): Promise<ResolvedSp | undefined> {
    const serviceId = (await this.#entityIndex()).get(entityId);
    if (serviceId === undefined) return undefined;
    const service = await this.#o.registry.find(serviceId);
    const saml = service?.protocols.saml;
    if (!service || !saml || saml.entityId !== entityId) return undefined;
    const metadata = await this.#metadataFor(service);
    if (metadata && metadata.entityId !== entityId) throw new SamlError('SAML_METADATA_INVALID', 'metadata entityID differs from the registered entityId', { detail: { service: service.id } });
    // Registry ACS URLs accept both response bindings; metadata endpoints keep their own binding.
    const acs: AcsEndpoint[] = saml.acs.flatMap((url, i) => [
      { url, binding: BINDING.redirect, index: i }, { url, binding: BINDING.post, index: i },
    ]);
    acs.push(...(metadata?.acs ?? []));
    const uniq = (xs: string[]) => [...new Set(xs)];
    return {
      service, entityId, acs,
      signingCertificates: uniq([...saml.signingCertificates, ...(metadata?.signingCertificates ?? [])]),
      encryptionCertificates: uniq([...saml.encryptionCertificates, ...(metadata?.encryptionCertificates ?? [])]),
      ...(metadata?.keyTransport ? { keyTransport: metadata.keyTransport } : {}),
    };
  }

  /** Forgets cached indexes and metadata (after a registry change or `neid services import`). */
  invalidate(): void {
    this.#index = undefined;
    this.#dirFiles = undefined;
    this.#urlCache.clear();
  }

  async #entityIndex(): Promise<Map<string, string>> {
    const now = this.#clock.now().getTime();
    if (this.#index && now - this.#index.at < (this.#o.indexTtlMs ?? 30_000)) return this.#index.byEntity;
    const byEntity = new Map<string, string>();
    for (const record of await this.#o.registry.list()) {
      const id = record.protocols.saml?.entityId;
      if (id !== undefined) byEntity.set(id, record.id);
    }
    this.#index = { at: now, byEntity };
    return byEntity;
  }

  async #metadataFor(service: ServiceRecord): Promise<SpMetadata | undefined> {
    const md = service.protocols.saml?.metadata;
    const now = this.#clock.now();
    if (md?.file !== undefined) {
      const path = resolve(this.#o.baseDir ?? process.cwd(), md.file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (cause) {
        throw new SamlError('SAML_METADATA_INVALID', 'metadata file unreadable', { cause, detail: { service: service.id } });
      }
      return parseSpMetadata(text, now);
    }
    if (md?.url !== undefined) return this.#fromUrl(md.url, md.signingCertificate ?? '', md.refreshSeconds ?? DEFAULT_REFRESH_S);
    return this.#fromDir(service.protocols.saml?.entityId ?? '');
  }

  #fromDir(entityId: string): SpMetadata | undefined {
    const dir = this.#o.metadataDir;
    if (dir === undefined) return undefined;
    const now = this.#clock.now();
    if (!this.#dirFiles || now.getTime() - this.#dirFiles.at >= (this.#o.indexTtlMs ?? 30_000)) {
      const byEntity = new Map<string, SpMetadata>();
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.xml')).sort();
      } catch {
        names = [];
      }
      for (const name of names) {
        const metadata = parseSpMetadata(readFileSync(join(dir, name)), now);
        if (byEntity.has(metadata.entityId)) throw new SamlError('SAML_METADATA_INVALID', `two metadata files for one entityID (${name})`);
        byEntity.set(metadata.entityId, metadata);
      }
      this.#dirFiles = { at: now.getTime(), byEntity };
    }
    return this.#dirFiles.byEntity.get(entityId);
  }

  async #fromUrl(url: string, certificatePem: string, refreshSeconds: number): Promise<SpMetadata> {
    const now = this.#clock.now();
    const cached = this.#urlCache.get(url);
    const fresh = cached && now.getTime() - cached.fetchedAt < refreshSeconds * 1000;
    if (cached && fresh) return cached.metadata;
    try {
      const metadata = await this.fetchSigned(url, certificatePem);
      this.#urlCache.set(url, { metadata, fetchedAt: now.getTime() });
      return metadata;
    } catch (err) {
      // A failed refresh keeps the last good copy while its validUntil allows (saml-metadata §2.3.2).
      if (cached && (cached.metadata.validUntil === undefined || cached.metadata.validUntil > now)) return cached.metadata;
      throw err;
    }
  }

  /** Fetches metadata and accepts it only with a valid enveloped signature by `certificatePem`. */
  async fetchSigned(url: string, certificatePem: string): Promise<SpMetadata> {
    const fetcher = this.#o.fetch ?? (globalThis.fetch as unknown as FetchLike);
    let text: string;
    try {
      const res = await fetcher(url, { signal: AbortSignal.timeout(this.#o.fetchTimeoutMs ?? 5000), headers: { accept: 'application/samlmetadata+xml, application/xml' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (cause) {
      throw new SamlError('SAML_METADATA_FETCH_FAILED', 'metadata URL could not be fetched', { cause, detail: { url } });
    }
    if (Buffer.byteLength(text, 'utf8') > MAX_METADATA_BYTES) throw new SamlError('SAML_METADATA_INVALID', 'metadata larger than 1 MiB');
    if (certificatePem === '') throw new SamlError('SAML_METADATA_SIGNATURE_INVALID', 'no certificate configured for metadata from a URL');
    let verified;
    try {
      verified = verifyEnveloped(text, [certificatePem]);
    } catch (cause) {
      throw new SamlError('SAML_METADATA_SIGNATURE_INVALID', 'metadata signature missing or invalid', { cause, detail: { url } });
    }
    // Only the signed bytes are read (the re-parsed signed reference), never the document as fetched.
    return parseSpMetadataElement(verified.root, this.#clock.now());
  }
}
