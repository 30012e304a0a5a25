/**
 * The OpenID provider's signing keys as a JWKS: per key type (P-256 for ES256, P-384 for ES384,
 * RSA-3072 for PS256/RS256) a `current` key that signs, an optional `next` key published ahead of
 * the switch (so RPs cache it before the first token signed with it) and an optional `previous` key
 * still published for verification after a switch. Non-current keys carry `key_ops: ["verify"]`, so
 * oidc-provider never signs with them (lib/helpers/keystore.js selectForSign).
 *
 * @spec rfc7517 §4.3 (key_ops), §5 (JWK Set); rfc7638 §3 (kid = JWK thumbprint); oidc-core §10.1.1 (rotation of signing keys); tr03116-4 §2 (RSA ≥ 3000 bits); SPEC §5.3, §7
 *
 * Layout beside the SAML key store (src/keys/key-store.ts): `<dir>/oidc-signing/<slot>.<type>.key.pem`
 * (PKCS#8, mode 0600), type ∈ {p256, p384, rsa}. No certificates: JWKS publish bare public keys.
 * ID tokens are encrypted to the clients' keys, so the provider holds no encryption key of its own.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdpError } from '../errors/idp-error.js';

export const OIDC_KEY_PURPOSE = 'oidc-signing';
export const OIDC_KEY_TYPES = ['p256', 'p384', 'rsa'] as const;
export type OidcKeyType = (typeof OIDC_KEY_TYPES)[number];
export const OIDC_KEY_SLOTS = ['current', 'next', 'previous'] as const;
export type OidcKeySlot = (typeof OIDC_KEY_SLOTS)[number];

/** Errors of the OIDC key set (code OIDC_KEYS_INVALID, src/errors/catalog/oidc.ts). */
export class OidcKeyError extends IdpError {}

const RSA_BITS = 3072;
const MIN_RSA_BITS = 3000;
/** JWS alg a key of each type is bound to; RSA keys serve PS256 and RS256 and so carry no alg. */
const ALG: Readonly<Record<OidcKeyType, string | undefined>> = { p256: 'ES256', p384: 'ES384', rsa: undefined };
const CURVE: Readonly<Record<'p256' | 'p384', string>> = { p256: 'P-256', p384: 'P-384' };

/** A private JWK as oidc-provider's `jwks` configuration takes it. */
export interface PrivateJwk extends JsonWebKey {
  kid: string;
  use: 'sig';
  alg?: string;
  key_ops?: string[];
}

export interface OidcKeySet {
  /** Private JWKS for oidc-provider: current keys first, then next, then previous. */
  jwks: { keys: PrivateJwk[] };
  /** kid of each loaded key, for the CLI and logs. */
  kids: { slot: OidcKeySlot; type: OidcKeyType; kid: string }[];
}

function keyPath(dir: string, slot: OidcKeySlot, type: OidcKeyType): string {
  return join(dir, OIDC_KEY_PURPOSE, `${slot}.${type}.key.pem`);
}

function generate(type: OidcKeyType): KeyObject {
  if (type === 'rsa') return generateKeyPairSync('rsa', { modulusLength: RSA_BITS }).privateKey;
  return generateKeyPairSync('ec', { namedCurve: CURVE[type] }).privateKey;
}

function writeKey(path: string, key: KeyObject): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  // Write-then-rename: a crash never leaves a half-written key that a restart would refuse.
  writeFileSync(`${path}.tmp`, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

function readKey(path: string, slot: OidcKeySlot, type: OidcKeyType): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path));
  } catch (cause) {
    throw new OidcKeyError('OIDC_KEYS_INVALID', `${OIDC_KEY_PURPOSE}/${slot}.${type}: unreadable private key`, { cause, detail: { slot, type } });
  }
  const details = key.asymmetricKeyDetails;
  const ok = type === 'rsa'
    ? key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= MIN_RSA_BITS
    : key.asymmetricKeyType === 'ec' && details?.namedCurve === (type === 'p256' ? 'prime256v1' : 'secp384r1');
  if (!ok) throw new OidcKeyError('OIDC_KEYS_INVALID', `${OIDC_KEY_PURPOSE}/${slot}.${type}: expected ${type === 'rsa' ? `RSA ≥ ${MIN_RSA_BITS} bits` : CURVE[type]}`, { detail: { slot, type } });
  return key;
}

/** RFC 7638 §3.2: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function toJwk(key: KeyObject, slot: OidcKeySlot, type: OidcKeyType): PrivateJwk {
  const jwk = key.export({ format: 'jwk' });
  const alg = ALG[type];
  return {
    ...jwk,
    kid: jwkThumbprint(jwk),
    use: 'sig',
    ...(alg !== undefined && { alg }),
    // rfc7517 §4.3: only the current key may sign; next/previous are for verification.
    ...(slot !== 'current' && { key_ops: ['verify'] }),
  };
}

/**
 * Loads the key set. With `generate` (development) missing `current` and `next` keys are created;
 * without it a missing `current` key fails with OIDC_KEYS_INVALID.
 */
export function loadOidcKeys(dir: string, options: { generate: boolean }): OidcKeySet {
  const keys: PrivateJwk[] = [];
  const kids: OidcKeySet['kids'] = [];
  for (const slot of OIDC_KEY_SLOTS) {
    for (const type of OIDC_KEY_TYPES) {
      const path = keyPath(dir, slot, type);
      if (!existsSync(path)) {
        if (options.generate && slot !== 'previous') writeKey(path, generate(type));
        else if (slot === 'current') throw new OidcKeyError('OIDC_KEYS_INVALID', `${OIDC_KEY_PURPOSE}/current.${type}: missing (${path})`, { detail: { slot, type } });
        else continue;
      }
      const jwk = toJwk(readKey(path, slot, type), slot, type);
      keys.push(jwk);
      kids.push({ slot, type, kid: jwk.kid });
    }
  }
  return { jwks: { keys }, kids };
}

/** `neid keys rotate --stage` for OIDC: creates the `next` keys (published, not yet signing). */
export function stageNextOidcKeys(dir: string): void {
  for (const type of OIDC_KEY_TYPES) {
    if (existsSync(keyPath(dir, 'next', type))) throw new OidcKeyError('OIDC_KEYS_INVALID', `${OIDC_KEY_PURPOSE}/next.${type}: already staged; activate it first`);
  }
  for (const type of OIDC_KEY_TYPES) writeKey(keyPath(dir, 'next', type), generate(type));
}

/** `neid keys rotate --activate` for OIDC: next → current, current → previous (the old previous is dropped). */
export function activateNextOidcKeys(dir: string): void {
  for (const type of OIDC_KEY_TYPES) {
    if (!existsSync(keyPath(dir, 'next', type))) throw new OidcKeyError('OIDC_KEYS_INVALID', `${OIDC_KEY_PURPOSE}/next.${type}: nothing staged (run rotate --stage first)`);
  }
  for (const type of OIDC_KEY_TYPES) {
    const previous = keyPath(dir, 'previous', type);
    rmSync(previous, { force: true });
    if (existsSync(keyPath(dir, 'current', type))) renameSync(keyPath(dir, 'current', type), previous);
    renameSync(keyPath(dir, 'next', type), keyPath(dir, 'current', type));
  }
}
