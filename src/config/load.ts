/**
 * Loads the configuration: config/default.yaml, then config/<NODE_ENV>.yaml if present, then NEID_*
 * environment variables, validated against src/config/schema.ts. This is the only reader of process.env
 * for settings. Errors name the key (and the variable or file it came from) and what was expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors.js';
import { configSchema, type Config } from './schema.js';

export type { Config } from './schema.js';

type Tree = Record<string, unknown>;

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory holding default.yaml and <env>.yaml (default: ./config of the working directory). */
  dir?: string;
}

/** Short aliases kept for operators' convenience. */
const ENV_ALIASES: Record<string, string> = { NEID_REDIS_URL: 'store.redisUrl' };

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const dir = resolve(options.dir ?? 'config');
  const defaults = readYaml(join(dir, 'default.yaml'), true);
  let merged = defaults;
  const envName = env.NODE_ENV;
  if (envName !== undefined && envName !== '') {
    if (!/^[a-z0-9-]+$/.test(envName)) throw new ConfigError(`NODE_ENV: expected lowercase letters, digits or -, got ${JSON.stringify(envName)}`);
    const overlayFile = join(dir, `${envName}.yaml`);
    if (existsSync(overlayFile)) merged = deepMerge(merged, readYaml(overlayFile, false));
  }
  const sources = new Map<string, string>();
  merged = applyEnv(merged, defaults, env, sources);
  const parsed = configSchema.safeParse(merged, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const source = sources.get(key);
      return `  ${key || '(root)'}${source === undefined ? '' : ` (from ${source})`}: ${describeIssue(issue)}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function describeIssue(issue: { message: string; code: string; input?: unknown }): string {
  const got = 'input' in issue && issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : '';
  return `${issue.message}${got}`;
}

function readYaml(file: string, required: boolean): Tree {
  if (!existsSync(file)) {
    if (required) throw new ConfigError(`${file}: configuration file not found`);
    return {};
  }
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new ConfigError(`${file}: ${first?.message ?? 'YAML syntax error'}`);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 50 });
  if (value === null || value === undefined) return {};
  if (!isTree(value)) throw new ConfigError(`${file}: expected a mapping at the top level`);
  return value;
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Tree, overlay: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** camelCase path segment → UPPER_SNAKE (keyPrefix → KEY_PREFIX). */
function envSegment(segment: string): string {
  return segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * Every leaf of the defaults is overridable as NEID_<PATH>. Strings are converted to the type of the
 * default value; a value that does not convert is passed through as a string so the schema reports it.
 */
function applyEnv(config: Tree, defaults: Tree, env: NodeJS.ProcessEnv, sources: Map<string, string>): Tree {
  const known = new Map<string, { path: string[]; sample: unknown }>();
  const walk = (tree: Tree, path: string[]): void => {
    for (const [key, value] of Object.entries(tree)) {
      const next = [...path, key];
      if (isTree(value)) walk(value, next);
      else known.set(`NEID_${next.map(envSegment).join('_')}`, { path: next, sample: value });
    }
  };
  walk(defaults, []);
  for (const [alias, dotted] of Object.entries(ENV_ALIASES)) {
    const target = [...known.values()].find((k) => k.path.join('.') === dotted);
    if (target) known.set(alias, target);
  }
  let out = config;
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('NEID_') || raw === undefined) continue;
    const target = known.get(name);
    if (!target) {
      // NEID_ variables that are not settings (e.g. NEID_FROM_SOURCE, NEID_TEST_*) are ignored.
      continue;
    }
    sources.set(target.path.join('.'), name);
    out = setPath(out, target.path, convert(raw, target.sample));
  }
  return out;
}

function convert(raw: string, sample: unknown): unknown {
  if (typeof sample === 'number') {
    const trimmed = raw.trim();
    return trimmed !== '' && /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : raw;
  }
  if (typeof sample === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  return raw;
}

function setPath(tree: Tree, path: readonly string[], value: unknown): Tree {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  const current = tree[head];
  return { ...tree, [head]: rest.length === 0 ? value : setPath(isTree(current) ? current : {}, rest, value) };
}
