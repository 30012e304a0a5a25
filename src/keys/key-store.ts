/**
 * The IdP's own key store: separate signing and encryption key pairs per protocol use, each with a
 * `current` key (signs / is preferred), an optional `next` key (published in metadata before it is
 * used, so SPs learn it ahead of the switch) and an optional `previous` key (kept for decryption only
 * after a switch, for SPs that still encrypt to the old certificate).
 *
 * @spec SPEC §5.2 (separate signing and encryption key pairs, current and next keys in metadata); seed 002 §陸.參.五.(二); saml-metadata §2.4.1.1
 *
 * Layout: `<dir>/<purpose>/<slot>.key.pem` (PKCS#8, mode 0600) + `<slot>.crt.pem`. Development keys
 * (RSA-3072) are generated on first use when `generate` is set; production reads existing files and
 * fails with KEYS_INVALID when one is missing (later: pkcs11: references, SPEC §7).
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdpError } from '../errors/idp-error.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { selfSignedCertificate, type CertificateUsage } from './self-signed.js';

export const KEY_PURPOSES = ['saml-signing', 'saml-encryption'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];
export const KEY_SLOTS = ['current', 'next', 'previous'] as const;
export type KeySlot = (typeof KEY_SLOTS)[number];

/** Errors of the key store (codes KEYS_*, src/errors/catalog/saml.ts). */
export class KeyStoreError extends IdpError {}

export interface ManagedKey {
  purpose: KeyPurpose;
  slot: KeySlot;
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificate: X509Certificate;
  /** PEM of the certificate. */
  certificatePem: string;
  /** base64 DER of the certificate, as ds:X509Certificate carries it. */
  certificateBase64: string;
  /** SHA-256 of the certificate DER, hex (the key's stable name in logs and the CLI). */
  fingerprint: string;
}

export interface KeyStoreOptions {
  dir: string;
  /** Generate a missing `current` key (development only). */
  generate: boolean;
  /** RSA modulus size of generated keys; TR-03116-4 requires ≥ 3000 bits. */
  rsaBits?: number;
  /** Validity of generated certificates. */
  validityDays?: number;
  clock?: Clock;
}

const USAGE: Readonly<Record<KeyPurpose, CertificateUsage>> = { 'saml-signing': 'signing', 'saml-encryption': 'encryption' };
const MIN_RSA_BITS = 3000;

function paths(dir: string, purpose: KeyPurpose, slot: KeySlot): { key: string; cert: string } {
  return { key: join(dir, purpose, `${slot}.key.pem`), cert: join(dir, purpose, `${slot}.crt.pem`) };
}

function loadKey(dir: string, purpose: KeyPurpose, slot: KeySlot): ManagedKey | undefined {
  const p = paths(dir, purpose, slot);
  const hasKey = existsSync(p.key);
  const hasCert = existsSync(p.cert);
  if (!hasKey && !hasCert) return undefined;
  if (!hasKey || !hasCert) throw new KeyStoreError('KEYS_INVALID', `${purpose}/${slot}: key and certificate must both exist`, { detail: { purpose, slot } });
  let privateKey: KeyObject;
  let certificate: X509Certificate;
  try {
    privateKey = createPrivateKey(readFileSync(p.key));
    certificate = new X509Certificate(readFileSync(p.cert));
  } catch (cause) {
    throw new KeyStoreError('KEYS_INVALID', `${purpose}/${slot}: unreadable key or certificate`, { cause, detail: { purpose, slot } });
  }
  const publicKey = createPublicKey(privateKey);
  if (!certificate.checkPrivateKey(privateKey)) throw new KeyStoreError('KEYS_INVALID', `${purpose}/${slot}: certificate does not match the private key`, { detail: { purpose, slot } });
  const type = privateKey.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    // tr03116-4 §2: RSA keys of at least 3000 bits.
    if (bits < MIN_RSA_BITS) throw new KeyStoreError('KEYS_INVALID', `${purpose}/${slot}: RSA key of ${bits} bits, at least ${MIN_RSA_BITS} required`);
  } else if (!(type === 'ec' && purpose === 'saml-signing')) {
    // XML-Enc key transport here is RSA-OAEP; EC keys may only sign.
    throw new KeyStoreError('KEYS_INVALID', `${purpose}/${slot}: key type ${String(type)} not usable for ${purpose}`);
  }
  return {
    purpose, slot, privateKey, publicKey, certificate,
    certificatePem: certificate.toString(),
    certificateBase64: certificate.raw.toString('base64'),
    fingerprint: createHash('sha256').update(certificate.raw).digest('hex'),
  };
}

/** Writes a new RSA key pair + self-signed certificate into `<purpose>/<slot>`. */
export function generateKey(dir: string, purpose: KeyPurpose, slot: KeySlot, options: { rsaBits?: number; validityDays?: number; clock?: Clock; commonName?: string } = {}): void {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.rsaBits ?? 3072 });
  const now = (options.clock ?? systemClock).now();
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + (options.validityDays ?? 730) * 86_400_000);
  const cert = selfSignedCertificate({
    privateKey, publicKey, commonName: `${options.commonName ?? 'neid-idp'} ${purpose} ${now.toISOString().slice(0, 10)}`,
    organization: 'New eID IdP', usage: USAGE[purpose], notBefore, notAfter,
  });
  const p = paths(dir, purpose, slot);
  mkdirSync(join(dir, purpose), { recursive: true, mode: 0o700 });
  // Write to temporary names first, so a crash never leaves a key without its certificate.
  writeFileSync(`${p.key}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(`${p.cert}.tmp`, cert.toString(), { mode: 0o644 });
  renameSync(`${p.cert}.tmp`, p.cert);
  renameSync(`${p.key}.tmp`, p.key);
}

function moveSlot(dir: string, purpose: KeyPurpose, from: KeySlot, to: KeySlot): void {
  const a = paths(dir, purpose, from);
  const b = paths(dir, purpose, to);
  renameSync(a.cert, b.cert);
  renameSync(a.key, b.key);
}

function removeSlot(dir: string, purpose: KeyPurpose, slot: KeySlot): void {
  const p = paths(dir, purpose, slot);
  rmSync(p.key, { force: true });
  rmSync(p.cert, { force: true });
}

/**
 * `neid keys rotate --stage`: creates the `next` key. Publish the metadata (it now lists current and
 * next), give SPs time to refresh, then activate. Refuses when a next key already exists.
 */
export function stageNextKey(dir: string, purpose: KeyPurpose, options: { rsaBits?: number; validityDays?: number; clock?: Clock } = {}): void {
  if (loadKey(dir, purpose, 'current') === undefined) throw new KeyStoreError('KEYS_ROTATION_INVALID', `${purpose}: no current key to rotate from`);
  if (loadKey(dir, purpose, 'next') !== undefined) throw new KeyStoreError('KEYS_ROTATION_INVALID', `${purpose}: a next key is already staged; activate it first`);
  generateKey(dir, purpose, 'next', options);
}

/**
 * `neid keys rotate --activate`: next → current, current → previous (the old previous is dropped).
 * The previous encryption key still decrypts; the previous signing key is no longer published.
 */
export function activateNextKey(dir: string, purpose: KeyPurpose): void {
  if (loadKey(dir, purpose, 'next') === undefined) throw new KeyStoreError('KEYS_ROTATION_INVALID', `${purpose}: no next key staged (run rotate --stage first)`);
  removeSlot(dir, purpose, 'previous');
  if (loadKey(dir, purpose, 'current') !== undefined) moveSlot(dir, purpose, 'current', 'previous');
  moveSlot(dir, purpose, 'next', 'current');
}

export class KeyStore {
  readonly #options: KeyStoreOptions;
  #keys = new Map<string, ManagedKey>();

  constructor(options: KeyStoreOptions) {
    this.#options = options;
    this.reload();
  }

  get dir(): string {
    return this.#options.dir;
  }

  /** Re-reads all slots (after a rotation by the CLI; call on SIGHUP or periodically). */
  reload(): void {
    const keys = new Map<string, ManagedKey>();
    for (const purpose of KEY_PURPOSES) {
      if (this.#options.generate && loadKey(this.#options.dir, purpose, 'current') === undefined) {
        generateKey(this.#options.dir, purpose, 'current', this.#options);
      }
      for (const slot of KEY_SLOTS) {
        const key = loadKey(this.#options.dir, purpose, slot);
        if (key) keys.set(`${purpose}/${slot}`, key);
      }
      if (!keys.has(`${purpose}/current`)) throw new KeyStoreError('KEYS_INVALID', `${purpose}: no current key in ${this.#options.dir}`, { detail: { purpose } });
    }
    this.#keys = keys;
  }

  current(purpose: KeyPurpose): ManagedKey {
    const key = this.#keys.get(`${purpose}/current`);
    if (!key) throw new KeyStoreError('KEYS_INVALID', `${purpose}: no current key`);
    return key;
  }

  get(purpose: KeyPurpose, slot: KeySlot): ManagedKey | undefined {
    return this.#keys.get(`${purpose}/${slot}`);
  }

  /** Keys announced in metadata: current, then next (SPEC §5.2 rollover). */
  published(purpose: KeyPurpose): ManagedKey[] {
    return (['current', 'next'] as const).flatMap((slot) => this.#keys.get(`${purpose}/${slot}`) ?? []);
  }

  /** Keys that may decrypt what peers encrypted to us: current, next (early adopters), previous. */
  decryptionKeys(purpose: KeyPurpose): ManagedKey[] {
    return KEY_SLOTS.flatMap((slot) => this.#keys.get(`${purpose}/${slot}`) ?? []);
  }
}
