/**
 * Where the IdP keys live for a configuration: `keys.dir`, or `<dev.dataDir>/keys` in development
 * (generated on first use, git-ignored).
 *
 * @spec SPEC §5.2, §7 (key store)
 */
import { join } from 'node:path';
import type { Config } from '../config/load.js';

export function keyDirOf(config: Pick<Config, 'keys' | 'dev'>): { dir: string; generate: boolean } {
  if (config.keys.dir !== '') return { dir: config.keys.dir, generate: false };
  return { dir: join(config.dev.dataDir, 'keys'), generate: config.dev.enabled };
}
