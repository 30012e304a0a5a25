/**
 * `neid services list [--json] | show <id> [--json] | import [--dir <dir>]`: the eService registry
 * from the command line, over the configured store (Redis, or the in-memory store seeded from the
 * registry files, since a fresh in-memory store holds nothing).
 *
 * @spec SPEC §6
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfig, type Config } from '../../config/load.js';
import { isIdpError } from '../../errors/idp-error.js';
import { importServices, type ImportSummary } from '../../services/import.js';
import { definitionOf, ServiceRegistry } from '../../services/registry.js';
import type { ServiceRecord } from '../../services/model.js';
import { createStore } from '../../session/store/index.js';
import type { Store } from '../../session/store/store.js';

export interface ServicesCommandDeps {
  loadConfig: () => Config;
  createStore: (config: Config) => Store;
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultDeps: ServicesCommandDeps = {
  loadConfig: () => loadConfig(),
  createStore: (config) => createStore({ redisUrl: config.store.redisUrl, keyPrefix: config.store.keyPrefix }),
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export function registerServices(program: Command, deps: ServicesCommandDeps = defaultDeps): void {
  const services = program.command('services').description('eService registry: list, show, import declarative definitions');

  services
    .command('list')
    .description('list registered eServices (id, state, profile, protocols, approved attributes)')
    .option('--json', 'print the records as JSON')
    .action((options: { json?: boolean }) => run(deps, async (registry) => deps.out(formatList(await registry.list(), options.json === true))));

  services
    .command('show <id>')
    .description('show one eService record (definition and status history) as YAML')
    .option('--json', 'print the record as JSON')
    .action((id: string, options: { json?: boolean }) => run(deps, async (registry) => deps.out(formatRecord(await registry.get(id), options.json === true))));

  services
    .command('import')
    .description('import config/services/*.yaml into the store (idempotent upsert; the state is taken from the files)')
    .option('--dir <dir>', 'directory of registry files (default: registry.dir of the configuration)')
    .action((options: { dir?: string }) =>
      run(deps, async (registry, config) => deps.out(formatSummary(await importServices(registry, { dir: options.dir ?? config.registry.dir }))), { seed: false }),
    );
}

async function run(
  deps: ServicesCommandDeps,
  body: (registry: ServiceRegistry, config: Config) => Promise<void>,
  options: { seed?: boolean } = {},
): Promise<void> {
  let store: Store | undefined;
  try {
    const config = deps.loadConfig();
    store = deps.createStore(config);
    const registry = new ServiceRegistry(store);
    if (options.seed !== false && store.kind === 'memory') {
      // A new in-memory store is empty: show what this process would serve, i.e. the registry files.
      deps.err(`note: in-memory store; showing the services declared in ${config.registry.dir}`);
      await importServices(registry, { dir: config.registry.dir, by: 'cli:seed' });
    }
    if (options.seed === false && store.kind === 'memory') deps.err('note: in-memory store; the import lasts only as long as this process');
    await body(registry, config);
  } catch (err) {
    deps.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    // CONFIG_INVALID exits with 2 (errors/catalog/core.ts), everything else with 1.
    process.exitCode = isIdpError(err) && err.code === 'CONFIG_INVALID' ? 2 : 1;
  } finally {
    await store?.close();
  }
}

export function formatList(records: readonly ServiceRecord[], json: boolean): string {
  if (json) return JSON.stringify(records, null, 2);
  if (records.length === 0) return 'no eServices registered';
  const rows = records.map((r) => [
    r.id,
    r.state,
    r.profile,
    (['saml', 'oidc', 'soap'] as const).filter((p) => r.protocols[p] !== undefined).join(','),
    r.approvedAttributes.join(','),
  ]);
  const header = ['ID', 'STATE', 'PROFILE', 'PROTOCOLS', 'APPROVED ATTRIBUTES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatRecord(record: ServiceRecord, json: boolean): string {
  if (json) return JSON.stringify(record, null, 2);
  const { statusHistory, revision, createdAt, updatedAt, pendingChange } = record;
  return stringify({ ...definitionOf(record), revision, createdAt, updatedAt, ...(pendingChange && { pendingChange }), statusHistory }, { lineWidth: 0 });
}

export function formatSummary(summary: ImportSummary): string {
  const part = (label: string, ids: readonly string[]): string => `${label} ${ids.length}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}`;
  return [part('created', summary.created), part('updated', summary.updated), part('unchanged', summary.unchanged)].join(', ');
}
