/**
 * Builds the SAML front's dependencies from the configuration, for src/main.ts:
 * `app.use(samlRouter(createSamlDeps(...)))`.
 *
 * @spec SPEC §5.2
 */
import { resolve } from 'node:path';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/load.js';
import { keyDirOf } from '../keys/key-dir.js';
import { KeyStore } from '../keys/key-store.js';
import type { ServiceRegistry } from '../services/registry.js';
import { AuthTransactions } from '../session/auth-transaction.js';
import type { EidSessions } from '../session/eid-session.js';
import type { SealedBox } from '../session/sealed-box.js';
import type { Store } from '../session/store/store.js';
import type { Logger } from '../shared/logger.js';
import { SpResolver } from './metadata/sp-resolver.js';
import type { SamlRouterDeps, SamlSettings } from './router.js';

export function samlSettingsOf(config: Config): SamlSettings {
  const s = config.saml;
  return {
    redirectMaxBytes: s.redirectMaxBytes, requestMaxAgeMs: s.requestMaxAgeMs, clockSkewMs: s.clockSkewMs,
    assertionLifetimeMs: s.assertionLifetimeMs, metadataValidityMs: s.metadataValidityMs,
    limits: { maxEncodedBytes: s.maxEncodedBytes, maxInflatedBytes: s.maxInflatedBytes }, eidClientUrl: config.eid.clientUrl,
  };
}

export interface SamlSetupInput {
  config: Config;
  store: Store;
  box: SealedBox;
  sessions: EidSessions;
  registry: ServiceRegistry;
  logger: Logger;
  /** Shared with the OIDC front; created here when not given. */
  keys?: KeyStore;
  transactions?: AuthTransactions;
  /** The process's audit trail (default: the router builds one over the store and logger). */
  audit?: AuditLog;
}

export function createSamlDeps(i: SamlSetupInput): SamlRouterDeps {
  const { dir, generate } = keyDirOf(i.config);
  const keys = i.keys ?? new KeyStore({ dir, generate });
  const transactions = i.transactions ?? new AuthTransactions({
    store: i.store, box: i.box, ttlMs: i.config.eid.session.lifetimeMs, secureCookie: new URL(i.config.publicUrl).protocol === 'https:',
  });
  return {
    publicUrl: i.config.publicUrl, keys, store: i.store, sessions: i.sessions, transactions, logger: i.logger,
    resolver: new SpResolver({ registry: i.registry, metadataDir: resolve(i.config.saml.metadataDir) }),
    settings: samlSettingsOf(i.config),
    ...(i.audit && { audit: i.audit }),
  };
}
