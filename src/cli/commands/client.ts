/**
 * `neid client`: the reference eID client (tools/eid-client/server.ts) on the local eID-Client URL with
 * a software card. Interactive by default (consent page with the eService, the requested fields and
 * the PIN); --headless answers with --pin and --deselect. Development and test use only.
 *
 * @spec tr03124-1 §2.2 (eID-Client URL on 127.0.0.1:24727), §2.4-§2.5 (online authentication)
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';

function fail(message: string): never {
  process.stderr.write(`neid client: ${message}\n`);
  process.exit(2);
}

export function registerClient(program: Command): void {
  program.command('client')
    .description('reference eID client with a software card: http://127.0.0.1:<port>/eID-Client?tcTokenURL=…')
    .requiredOption('--card <file>', 'card.json (from `neid card issue`; updated after each login)')
    .option('--port <n>', 'local port (TR-03124-1: 24727)', '24727')
    .option('--pin <digits>', 'PIN for --headless')
    .option('--deselect <ids>', 'optional attributes to deselect (comma-separated ids) for --headless', '')
    .option('--headless', 'no consent page: use --pin and --deselect', false)
    .option('--profile <id>', 'data profile of the card: tw | de', 'tw')
    .option('--no-allow-http-loopback', 'refuse http TC Token and RefreshAddress URLs even on loopback (default: accepted, for the development front)')
    .action(async (o: { card: string; port: string; pin?: string; deselect: string; headless: boolean; profile: string; allowHttpLoopback: boolean }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0-65535');
      if (!existsSync(o.card)) fail(`card file ${o.card} not found`);
      if (o.profile !== 'tw' && o.profile !== 'de') fail(`unknown profile ${o.profile}`);
      if (o.headless && (o.pin === undefined || !/^\d{6}$/.test(o.pin))) fail('--headless needs --pin with 6 digits');
      const deselect = o.deselect.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const { createLogger } = await import('../../shared/logger.js');
      const { startEidClientServer } = await import('../../../tools/eid-client/server.js');
      const logger = createLogger({ level: 'info' });
      const server = await startEidClientServer({
        port, cardFile: o.card, headless: o.headless, deselect, profile: o.profile, allowHttpLoopback: o.allowHttpLoopback, logger,
        ...(o.pin === undefined ? {} : { pin: o.pin }),
      });
      logger.info({ port: server.port, headless: o.headless }, `eID client on http://127.0.0.1:${server.port}/eID-Client`);
      const stop = () => { void server.close().then(() => process.exit(0)); };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
