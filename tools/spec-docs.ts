/**
 * Renders the module → spec map of docs/specs.md from the `@spec` tags of the sources, so the map
 * cannot drift. `npm run docs:specs` rewrites it; test/meta/spec-citations.test.ts fails when stale.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SPEC_DOC = 'docs/specs.md';
const START = '<!-- module-map:start -->';
const END = '<!-- module-map:end -->';

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** `@spec` lines of a file: each names one or more short names with sections. */
export function specTags(text: string): string[] {
  return [...text.matchAll(/@spec\s+([^\n*]+)/g)].map((m) => (m[1] ?? '').trim()).filter((s) => s !== '');
}

export function shortNames(doc: string): Set<string> {
  const names = new Set<string>();
  for (const m of doc.matchAll(/^\| ([a-z0-9-]+) \|/gm)) if (m[1] !== undefined && m[1] !== 'short') names.add(m[1]);
  return names;
}

export function renderModuleMap(): string {
  const rows = ['src', 'tools'].flatMap(sourceFiles).flatMap((file) => {
    const tags = specTags(readFileSync(file, 'utf8'));
    return tags.length === 0 ? [] : [`| \`${file}\` | ${tags.join('; ')} |`];
  });
  return [START, '| file | implements |', '|---|---|', ...rows, END].join('\n');
}

export function renderSpecDoc(current: string): string {
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`${SPEC_DOC}: module-map markers missing`);
  return `${current.slice(0, start)}${renderModuleMap()}${current.slice(end + END.length)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SPEC_DOC, renderSpecDoc(readFileSync(SPEC_DOC, 'utf8')));
}
