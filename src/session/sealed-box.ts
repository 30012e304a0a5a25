/**
 * Encryption at rest for what the store keeps about a citizen (personal data, PSKs): AES-256-GCM with
 * a random 96-bit IV per value and the store key as associated data, so a value copied to another key
 * does not decrypt. SPEC §7 SO1: personal data is encrypted in the session store.
 *
 * Format: "v1." + base64url(iv || ciphertext || tag).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { IdpError } from '../errors/index.js';

const VERSION = 'v1.';

export class SealedBox {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.byteLength !== 32) throw new IdpError('CONFIG_INVALID', 'store.dataKey: expected 32 bytes (64 hex characters)');
    this.key = Buffer.from(key);
  }

  seal(storeKey: string, plaintext: string | Uint8Array): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(storeKey, 'utf8'));
    const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
    return VERSION + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  open(storeKey: string, sealed: string): Buffer {
    if (!sealed.startsWith(VERSION)) throw new IdpError('STORE_VALUE_INVALID', 'sealed value has an unknown format');
    const raw = Buffer.from(sealed.slice(VERSION.length), 'base64url');
    if (raw.length < 12 + 16) throw new IdpError('STORE_VALUE_INVALID', 'sealed value truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(storeKey, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    try {
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    } catch (cause) {
      throw new IdpError('STORE_VALUE_INVALID', 'sealed value failed authentication', { cause });
    }
  }

  openText(storeKey: string, sealed: string): string {
    return this.open(storeKey, sealed).toString('utf8');
  }
}
