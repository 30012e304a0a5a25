import { randomBytes } from 'node:crypto';

/** Random identifier as lowercase hex; `bytes` of entropy (default 32 → 64 hex characters). */
export function randomHexId(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}
