/**
 * Key derivation function for PACE, CA and secure messaging:
 *   KDF(K, [r,] c) = H(K || [r ||] c), truncated to the key length,
 * with c a 32-bit big-endian counter: 1 → K_enc, 2 → K_mac, 3 → K_π (PACE password key).
 *
 * @spec tr03110-3 §A.2.3 (key derivation function; AES: SHA-1 for AES-128, SHA-256 for AES-192/256; K_π)
 * @spec icao9303-11 §9.7 (key derivation mechanism)
 */
import { createHash } from 'node:crypto';

export type SmCipher = 'AES-128' | 'AES-192' | 'AES-256';
export type KdfCounter = 1 | 2 | 3;

/** Counter values of TR-03110-3 §A.2.3. */
export const KDF_COUNTER = { K_ENC: 1, K_MAC: 2, K_PI: 3 } as const satisfies Record<string, KdfCounter>;

const KEY_LENGTH: Readonly<Record<SmCipher, number>> = { 'AES-128': 16, 'AES-192': 24, 'AES-256': 32 };
// TR-03110-3 §A.2.3: AES-128 keys are the first 16 bytes of SHA-1, AES-192/256 take SHA-256 (24 / 32 bytes).
const HASH: Readonly<Record<SmCipher, 'sha1' | 'sha256'>> = { 'AES-128': 'sha1', 'AES-192': 'sha256', 'AES-256': 'sha256' };

export function keyLength(cipher: SmCipher): number {
  return KEY_LENGTH[cipher];
}

/**
 * Derives one key. `nonce` is r_PICC for Chip Authentication v2 (TR-03110-3 §A.2.3: the nonce is used
 * only for Chip Authentication); PACE and K_π pass none. 3DES (parity-adjusted SHA-1 output) is
 * not offered: this engine negotiates AES only.
 */
export function kdf(secret: Uint8Array, counter: KdfCounter, cipher: SmCipher, nonce?: Uint8Array): Buffer {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(counter);
  const h = createHash(HASH[cipher]).update(secret);
  if (nonce !== undefined) h.update(nonce);
  return h.update(c).digest().subarray(0, KEY_LENGTH[cipher]);
}
