/**
 * A SAML IdP under test: memory store, the demo-saml eService from config/services (its keys are the
 * test fixtures in test/fixtures/demo-eservices), an IdP key store in a temporary directory, and an
 * Express app with samlRouter mounted. The eID part is driven through EidSessions directly.
 */
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { parse as parseYaml } from 'yaml';
import { KeyStore } from '../../src/keys/key-store.js';
import { SpResolver, type FetchLike } from '../../src/saml/metadata/sp-resolver.js';
import { DEFAULT_SAML_SETTINGS, samlEndpoints, samlRouter, type SamlSettings } from '../../src/saml/router.js';
import { ServiceRegistry } from '../../src/services/registry.js';
import { AuthTransactions } from '../../src/session/auth-transaction.js';
import { EidSessions } from '../../src/session/eid-session.js';
import { SealedBox } from '../../src/session/sealed-box.js';
import { createStore } from '../../src/session/store/index.js';
import type { Store } from '../../src/session/store/store.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';

export const PUBLIC_URL = 'http://idp.test';
export const FIXTURES = 'test/fixtures/demo-eservices';

export interface DemoSp {
  entityId: string;
  acsUrl: string;
  signingKey: KeyObject;
  signingCertPem: string;
  encryptionKey: KeyObject;
  encryptionCertPem: string;
}

export function demoSp(): DemoSp {
  return {
    entityId: 'http://localhost:3100/demo-saml/metadata',
    acsUrl: 'http://localhost:3100/demo-saml/acs',
    signingKey: createPrivateKey(readFileSync(join(FIXTURES, 'demo-saml-signing.key.pem'))),
    signingCertPem: readFileSync(join(FIXTURES, 'demo-saml-signing.crt.pem'), 'utf8'),
    encryptionKey: createPrivateKey(readFileSync(join(FIXTURES, 'demo-saml-encryption.key.pem'))),
    encryptionCertPem: readFileSync(join(FIXTURES, 'demo-saml-encryption.crt.pem'), 'utf8'),
  };
}

export function demoSamlDefinition(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const def = parseYaml(readFileSync('config/services/demo-saml.yaml', 'utf8')) as Record<string, unknown>;
  return { ...def, ...overrides };
}

let sharedKeysDir: string | undefined;
/** One generated IdP key set per test process (RSA-3072 generation is slow on a shared CPU). */
export function testKeysDir(): string {
  sharedKeysDir ??= mkdtempSync(join(tmpdir(), 'neid-saml-keys-'));
  return sharedKeysDir;
}

export interface SamlWorld {
  app: Express;
  store: Store;
  keys: KeyStore;
  registry: ServiceRegistry;
  resolver: SpResolver;
  sessions: EidSessions;
  transactions: AuthTransactions;
  sp: DemoSp;
  endpoints: ReturnType<typeof samlEndpoints>;
  settings: SamlSettings;
}

export async function samlWorld(options: { definition?: Record<string, unknown>; settings?: Partial<SamlSettings>; clock?: Clock; keysDir?: string; fetch?: FetchLike; metadataDir?: string; publicUrl?: string; store?: Store; box?: SealedBox; mount?: (app: Express, sessions: EidSessions) => void } = {}): Promise<SamlWorld> {
  const store = options.store ?? createStore({});
  const registry = new ServiceRegistry(store);
  await registry.applyDeclared((options.definition ?? demoSamlDefinition()) as never, { by: 'test:saml' });
  const keys = new KeyStore({ dir: options.keysDir ?? testKeysDir(), generate: true });
  const resolver = new SpResolver({ registry, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.metadataDir ? { metadataDir: options.metadataDir } : {}), ...(options.clock ? { clock: options.clock } : {}) });
  const box = options.box ?? new SealedBox(randomBytes(32));
  const sessions = new EidSessions({
    store, box, ...(options.clock ? { clock: options.clock } : {}),
    timeouts: { lifetimeMs: 900_000, tcTokenTimeoutMs: 300_000, handshakeTimeoutMs: 120_000, paosStepTimeoutMs: 60_000, resultTimeoutMs: 300_000, tlsSessionTtlMs: 600_000 },
  });
  const transactions = new AuthTransactions({ store, box, ttlMs: 900_000, secureCookie: false, ...(options.clock ? { clock: options.clock } : {}) });
  const settings = { ...DEFAULT_SAML_SETTINGS, ...options.settings };
  const app = express();
  app.set('query parser', 'simple');
  app.use(express.urlencoded({ extended: false, limit: 262144, parameterLimit: 100 }));
  options.mount?.(app, sessions);
  app.use(samlRouter({ publicUrl: options.publicUrl ?? PUBLIC_URL, keys, resolver, store, sessions, transactions, settings, logger: createLogger({ level: 'silent' }), ...(options.clock ? { clock: options.clock } : {}) }));
  return { app, store, keys, registry, resolver, sessions, transactions, sp: demoSp(), endpoints: samlEndpoints(options.publicUrl ?? PUBLIC_URL), settings };
}
