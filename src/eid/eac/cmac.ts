/**
 * AES-CMAC (OMAC1) over AES-128/192/256; node:crypto offers no CMAC, so it is built on AES-ECB
 * (subkeys) and AES-CBC with a zero IV (the chained MAC).
 *
 * @spec rfc4493 §2.3 (subkey generation), §2.4 (MAC generation)
 * @spec nist-sp800-38b §6.1, §6.2 (same algorithm, AES-192/256)
 * @spec tr03110-3 §A.2.4.2, App. F (CMAC as the EAC/SM MAC, truncated to 8 bytes by the caller)
 */
import { createCipheriv } from 'node:crypto';
import { EacCryptoError } from './domain-parameters.js';

const BLOCK = 16;
// RFC 4493 §2.3: const_Rb for a 128-bit block cipher.
const RB = 0x87;

function aesName(key: Uint8Array, mode: 'ecb' | 'cbc'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new EacCryptoError('EAC_INVALID_KEY', 'AES key must be 16, 24 or 32 bytes', { detail: { length: key.length } });
  }
  return `aes-${key.length * 8}-${mode}`;
}

/** Single-block AES encryption E_K(block). */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  if (block.length !== BLOCK) throw new RangeError('AES block must be 16 bytes');
  const cipher = createCipheriv(aesName(key, 'ecb'), key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** RFC 4493 §2.3: left shift by one bit; XOR const_Rb if the MSB was set. */
function doubleBlock(block: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    const next = i + 1 < BLOCK ? block.readUInt8(i + 1) : 0;
    out.writeUInt8(((block.readUInt8(i) << 1) | (next >>> 7)) & 0xff, i);
  }
  if ((block.readUInt8(0) & 0x80) !== 0) out.writeUInt8(out.readUInt8(BLOCK - 1) ^ RB, BLOCK - 1);
  return out;
}

/** RFC 4493 §2.3: K1, K2 derived from L = E_K(0^128). Exported for the RFC 4493 §4 subkey vector. */
export function cmacSubkeys(key: Uint8Array): { k1: Buffer; k2: Buffer } {
  const l = aesEncryptBlock(key, Buffer.alloc(BLOCK));
  const k1 = doubleBlock(l);
  return { k1, k2: doubleBlock(k1) };
}

/** The full 16-byte AES-CMAC tag of `message` (RFC 4493 §2.4). Truncation is the caller's business. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Buffer {
  const { k1, k2 } = cmacSubkeys(key);
  const blocks = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const lastStart = (blocks - 1) * BLOCK;
  // Step 4: M_last = M_n ⊕ K1 if M_n is complete, else padding(M_n) ⊕ K2 with padding 10^i.
  const last = Buffer.alloc(BLOCK);
  Buffer.from(message.subarray(lastStart)).copy(last);
  if (!complete) last.writeUInt8(0x80, message.length - lastStart);
  const subkey = complete ? k1 : k2;
  for (let i = 0; i < BLOCK; i++) last.writeUInt8(last.readUInt8(i) ^ subkey.readUInt8(i), i);
  // Steps 5–6: CBC-MAC with IV 0; the tag is the last ciphertext block.
  const cipher = createCipheriv(aesName(key, 'cbc'), key, Buffer.alloc(BLOCK)).setAutoPadding(false);
  const chained = Buffer.concat([cipher.update(message.subarray(0, lastStart)), cipher.update(last), cipher.final()]);
  return chained.subarray(chained.length - BLOCK);
}
