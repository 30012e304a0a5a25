/**
 * Configuration schema: the one description of every setting, its type and its bounds.
 * Defaults live in config/default.yaml (so operators read them in one place); this schema only
 * validates. Unknown keys are errors, so a misspelt setting never silently falls back to a default.
 */
import { z } from 'zod';
import { parseRedisUrl } from '../session/store/redis-url.js';

const port = z.number().int().min(0).max(65535);
const host = z.string().min(1);
const listener = z.strictObject({ host, port });

export const configSchema = z
  .strictObject({
    profile: z.enum(['tw', 'de']),
    publicUrl: z.url({ protocol: /^https?$/ }),
    dev: z.strictObject({ enabled: z.boolean(), dataDir: z.string().min(1), demoSpPort: port, eidClientPort: port }),
    http: z.strictObject({
      host,
      port,
      bodyLimitBytes: z.number().int().min(1024).max(16 * 1024 * 1024),
      trustProxyHops: z.number().int().min(0).max(10),
      requestTimeoutMs: z.number().int().min(1000).max(600_000),
      keepAliveTimeoutMs: z.number().int().min(100).max(600_000),
    }),
    eid: z.strictObject({
      host,
      port,
      // tr03124-1 §2.4: TC Token ServerAddress (src/main.ts → eidRouter paosUrl).
      publicUrl: z.url({ protocol: /^https$/ }),
      tlsKey: z.string(),
      tlsCert: z.string(),
      pkiDir: z.string(),
      // tr03124-1 §2.2: the eID client's start URL the browser is sent to (SAML, OIDC and the demo).
      clientUrl: z.url({ protocol: /^https?$/ }),
      // TR-03130-1 §3.2.2 / reference §6.4: timeouts between useID → TC Token → PAOS → getResult (src/session/eid-session.ts).
      session: z.strictObject({
        lifetimeMs: z.number().int().min(10_000).max(3_600_000),
        tcTokenTimeoutMs: z.number().int().min(1000).max(3_600_000),
        handshakeTimeoutMs: z.number().int().min(1000).max(3_600_000),
        paosStepTimeoutMs: z.number().int().min(1000).max(3_600_000),
        resultTimeoutMs: z.number().int().min(1000).max(3_600_000),
        tlsSessionTtlMs: z.number().int().min(1000).max(86_400_000),
      }),
    }),
    soap: z.strictObject({ host, port, tlsKey: z.string(), tlsCert: z.string(), wssKey: z.string(), wssCert: z.string(), clientCaFile: z.string() }),
    admin: listener,
    store: z.strictObject({
      redisUrl: z.string().regex(/^$|^(rediss?|redis\+sentinel|redis\+cluster):\/\//, 'a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL, or empty for the in-memory store'),
      keyPrefix: z.string().max(64).regex(/^[A-Za-z0-9:_.-]*$/, 'letters, digits and : _ . - only'),
      dataKey: z.string().regex(/^$|^[0-9a-fA-F]{64}$/, '64 hex characters (AES-256 key) or empty in development'),
    }),
    registry: z.strictObject({ dir: z.string().min(1), importOnStart: z.boolean() }),
    log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) }),
    shutdown: z.strictObject({ graceMs: z.number().int().min(0).max(120_000) }),
    readiness: z.strictObject({ storeTimeoutMs: z.number().int().min(50).max(30_000) }),
    keys: z.strictObject({ dir: z.string() }),
    // SPEC §5.2 / tr03130-1 §4 (src/saml/router.ts SamlSettings).
    saml: z.strictObject({
      redirectMaxBytes: z.number().int().min(1024).max(65536),
      requestMaxAgeMs: z.number().int().min(10_000).max(3_600_000),
      clockSkewMs: z.number().int().min(0).max(600_000),
      assertionLifetimeMs: z.number().int().min(10_000).max(300_000),
      metadataValidityMs: z.number().int().min(3_600_000).max(365 * 86_400_000),
      maxEncodedBytes: z.number().int().min(4096).max(1_048_576),
      maxInflatedBytes: z.number().int().min(8192).max(4_194_304),
      metadataDir: z.string().min(1),
    }),
    // SPEC §5.3 (src/oidc/configuration.ts OidcTtls): lifetimes of what the OpenID provider issues.
    oidc: z.strictObject({
      // rfc6749 §4.1.2: at most 10 minutes.
      authorizationCodeSeconds: z.number().int().min(10).max(600),
      accessTokenSeconds: z.number().int().min(60).max(3600),
      idTokenSeconds: z.number().int().min(60).max(3600),
      interactionSeconds: z.number().int().min(60).max(3600),
      sessionSeconds: z.number().int().min(60).max(86_400),
    }),
  })
  .superRefine((config, ctx) => {
    if (config.store.redisUrl !== '') {
      try {
        parseRedisUrl(config.store.redisUrl);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['store', 'redisUrl'], message: (err as Error).message });
      }
    }
    // SPEC §8: production state must survive a node; the in-memory store is for development only.
    if (!config.dev.enabled && config.store.redisUrl === '') {
      ctx.addIssue({ code: 'custom', path: ['store', 'redisUrl'], message: 'required when dev.enabled is false (production needs Redis)' });
    }
    // SPEC §7: production keys are provisioned, never generated on first use.
    if (!config.dev.enabled && config.keys.dir === '') {
      ctx.addIssue({ code: 'custom', path: ['keys', 'dir'], message: 'required when dev.enabled is false (provisioned SAML/OIDC keys)' });
    }
    // TR-03130-1 §2.3.2 / §3.5: production TLS and WS-Security keys and the PKI are provisioned, never generated.
    if (!config.dev.enabled) {
      const required: [string, string, string][] = [
        ['eid', 'tlsKey', config.eid.tlsKey], ['eid', 'tlsCert', config.eid.tlsCert], ['eid', 'pkiDir', config.eid.pkiDir],
        ['soap', 'tlsKey', config.soap.tlsKey], ['soap', 'tlsCert', config.soap.tlsCert], ['soap', 'wssKey', config.soap.wssKey], ['soap', 'wssCert', config.soap.wssCert],
      ];
      for (const [section, key, value] of required) {
        if (value === '') ctx.addIssue({ code: 'custom', path: [section, key], message: 'required when dev.enabled is false (provisioned file)' });
      }
    }
    // SPEC §7 SO1: nodes must share the key that seals personal data; a generated key is development only.
    if (!config.dev.enabled && config.store.dataKey === '') {
      ctx.addIssue({ code: 'custom', path: ['store', 'dataKey'], message: 'required when dev.enabled is false (64 hex characters shared by all nodes)' });
    }
  });

export type Config = z.infer<typeof configSchema>;
