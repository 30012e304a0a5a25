/**
 * Development-only secrets, generated on first start into dev.dataDir (git-ignored) so that restarts
 * keep working; production configuration must supply its own (the schema enforces it).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './load.js';

export function storeDataKey(config: Config): Buffer {
  if (config.store.dataKey !== '') return Buffer.from(config.store.dataKey, 'hex');
  const file = join(config.dev.dataDir, 'store-data-key.hex');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(config.dev.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return key;
}
