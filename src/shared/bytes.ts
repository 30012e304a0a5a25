/** Small byte helpers shared by every layer. Buffers are Node Buffers (Uint8Array subclasses). */
import { timingSafeEqual } from 'node:crypto';

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(text: string): Buffer {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new TypeError('not a hex string');
  return Buffer.from(clean, 'hex');
}

export function concat(...parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/** Constant-time comparison; different lengths compare unequal without leaking where. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}
