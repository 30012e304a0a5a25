/**
 * Sums a V8 CPU profile (NEID_BENCH_CPU_PROF=<dir> npm run bench writes one of the server) without a
 * GUI: CPU time per owning source file (each sample charged to the nearest frame under src/ or
 * tools/, so library and node:crypto time lands on the code that called it), per function (self
 * time), or inclusive per function.
 *
 *   npx tsx tools/bench/cpuprofile.ts <file.cpuprofile> [--by owner|self|inclusive] [--top N] [--match TEXT]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export type SummaryMode = 'owner' | 'self' | 'inclusive';

/** Rows of [key, ms], largest first, and the non-idle total in ms. */
export function summarize(profile: Profile, mode: SummaryMode): { totalMs: number; rows: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const source = (url: string) => /\/((?:src|tools)\/.*)$/.exec(url)?.[1];
  const fn = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${source(n.callFrame.url) ?? n.callFrame.url.replace(/^.*node_modules\//, '')}`;
  const sums = new Map<string, number>();
  const add = (key: string, us: number) => sums.set(key, (sums.get(key) ?? 0) + us);
  let total = 0;
  for (const [id, us] of self) {
    const leaf = byId.get(id) as ProfileNode;
    if (leaf.callFrame.functionName === '(idle)') continue;
    total += us;
    const chain: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) chain.push(byId.get(cur) as ProfileNode);
    if (mode === 'self') add(fn(leaf), us);
    else if (mode === 'inclusive') new Set(chain.map(fn)).forEach((k) => add(k, us));
    else add(chain.map((n) => source(n.callFrame.url)).find((s) => s !== undefined) ?? `(outside src) ${fn(leaf)}`, us);
  }
  return { totalMs: total / 1000, rows: [...sums].map(([k, us]): [string, number] => [k, us / 1000]).sort((a, b) => b[1] - a[1]) };
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { by: { type: 'string', default: 'owner' }, top: { type: 'string', default: '40' }, match: { type: 'string', default: '' } } });
  const file = positionals[0];
  const mode = values.by as SummaryMode;
  if (file === undefined || !['owner', 'self', 'inclusive'].includes(mode)) throw new Error('usage: cpuprofile.ts <file.cpuprofile> [--by owner|self|inclusive] [--top N] [--match TEXT]');
  const { totalMs, rows } = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, mode);
  process.stdout.write(`non-idle ${totalMs.toFixed(0)} ms\n`);
  for (const [key, ms] of rows.filter(([k]) => k.includes(values.match)).slice(0, Number(values.top))) {
    process.stdout.write(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${key}\n`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
