/**
 * Declarative eService import from config/services/*.yaml: one service per file (a mapping) or several
 * (a sequence of mappings). Every file is parsed and validated before anything is written, so a broken
 * file changes nothing; then each service is upserted (unchanged ones are not touched).
 *
 * @spec SPEC §6
 *
 * Messages name the file and the place: YAML errors as `file:line:col: problem`, schema errors as
 * `file: path: problem (at line:col)`, e.g. `config/services/demo-saml.yaml: protocols.saml.acs[0]:
 * expected an https URL (no fragment, no credentials) (at 14:9)`.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { RegistryError } from './errors.js';
import { PARSE_OPTIONS, formatIssuePath, serviceDefinitionSchema, type ServiceDefinition } from './model.js';
import type { ServiceRegistry, UpsertOutcome } from './registry.js';

/** Registry files are small; anything larger is a mistake (or an attack on the parser). */
export const MAX_SERVICE_FILE_BYTES = 1024 * 1024;
const MAX_ALIASES = 50;

export class RegistryFileError extends RegistryError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('REGISTRY_FILE_INVALID', problems.join('\n'), { detail: { problems: problems.length } });
    this.problems = problems;
  }
}

export interface ServiceFile {
  file: string;
  definitions: ServiceDefinition[];
}

export interface ImportSummary {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Parses and validates one file's text. `file` is used in messages only. Throws RegistryFileError. */
export function parseServiceFile(file: string, text: string): ServiceDefinition[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${line}:${col}`;
  };
  const yamlProblems = [...doc.errors, ...doc.warnings].map((e) => `${file}:${at(e.pos[0])}: ${e.message}${e.code === 'DUPLICATE_KEY' ? ' (duplicate key)' : ''}`);
  if (yamlProblems.length > 0) throw new RegistryFileError(yamlProblems);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new RegistryFileError([`${file}: ${err instanceof Error ? err.message : String(err)}`]);
  }
  if (value === null || value === undefined) throw new RegistryFileError([`${file}: empty file; expected a service mapping or a list of them`]);

  const list = Array.isArray(value);
  const items: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  if (items.length === 0) throw new RegistryFileError([`${file}: empty list; expected at least one service`]);
  const problems: string[] = [];
  const definitions: ServiceDefinition[] = [];
  items.forEach((item, index) => {
    const base: (string | number)[] = list ? [index] : [];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${file}: ${formatIssuePath(base) || '(root)'}: expected a service mapping`);
      return;
    }
    const parsed = serviceDefinitionSchema.safeParse(item, PARSE_OPTIONS);
    if (parsed.success) {
      definitions.push(parsed.data);
      return;
    }
    for (const issue of parsed.error.issues) {
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of paths) {
        const full = [...base, ...(path as (string | number)[])];
        const missing = issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;
        const message = issue.code === 'unrecognized_keys' ? 'unknown field' : missing ? 'required' : issue.message;
        problems.push(`${file}: ${formatIssuePath(full) || '(root)'}: ${message}${locate(doc, full, issue.code === 'unrecognized_keys', at)}`);
      }
    }
  });
  if (problems.length > 0) throw new RegistryFileError(problems);
  return definitions;
}

/** ` (at line:col)` of the YAML node at `path` (the key itself for unknown fields), or '' when absent. */
function locate(doc: Document, path: readonly (string | number)[], keyOfLast: boolean, at: (offset: number) => string): string {
  let probe = [...path];
  // A missing field has no node: point at the nearest existing parent instead.
  while (probe.length > 0) {
    const node = keyOfLast && probe.length === path.length ? findKeyNode(doc, probe) : doc.getIn(probe, true);
    if (isNode(node) && node.range) return ` (at ${at(node.range[0])})`;
    probe = probe.slice(0, -1);
  }
  return '';
}

function findKeyNode(doc: Document, path: readonly (string | number)[]): unknown {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
    for (const pair of parent.items as unknown[]) {
      if (pair && typeof pair === 'object' && 'key' in pair && isNode(pair.key) && 'value' in pair.key && pair.key.value === last) return pair.key;
    }
  }
  return undefined;
}

/** Reads `*.yaml` / `*.yml` of a directory (sorted, non-recursive), validating all of them. */
export function loadServiceFiles(dir: string): ServiceFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    throw new RegistryFileError([`${displayPath(dir)}: cannot read the registry directory (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  const problems: string[] = [];
  const files: ServiceFile[] = [];
  const owner = new Map<string, string>();
  for (const name of names) {
    const path = join(dir, name);
    const shown = displayPath(path);
    const size = statSync(path).size;
    if (size > MAX_SERVICE_FILE_BYTES) {
      problems.push(`${shown}: ${size} bytes exceeds the limit of ${MAX_SERVICE_FILE_BYTES}`);
      continue;
    }
    try {
      const definitions = parseServiceFile(shown, readFileSync(path, 'utf8'));
      for (const definition of definitions) {
        const previous = owner.get(definition.id);
        if (previous !== undefined) problems.push(`${shown}: id ${definition.id} is also defined in ${previous}`);
        owner.set(definition.id, shown);
      }
      files.push({ file: shown, definitions });
    } catch (err) {
      if (err instanceof RegistryFileError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) throw new RegistryFileError(problems);
  return files;
}

/**
 * Validates every file of `dir`, then upserts each service (state as declared). Idempotent: running it
 * twice reports everything unchanged the second time. Services not in the files are left alone.
 */
export async function importServices(registry: ServiceRegistry, options: { dir: string; by?: string }): Promise<ImportSummary> {
  const files = loadServiceFiles(options.dir);
  const summary: ImportSummary = { created: [], updated: [], unchanged: [] };
  for (const { file, definitions } of files) {
    for (const definition of definitions) {
      const { outcome } = await registry.applyDeclared(definition, { by: options.by ?? `import:${file}` });
      summary[outcome satisfies UpsertOutcome].push(definition.id);
    }
  }
  return summary;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
