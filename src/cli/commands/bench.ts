import type { Command } from 'commander';

const KNOWN = ['login', 'store'] as const;

function positive(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number.parseInt(value, 10);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1) {
    process.stderr.write(`neid bench: ${flag}: expected a positive integer\n`);
    process.exit(2);
  }
  return n;
}

/** `neid bench [name]`: benchmarks that print numbers measured in one run, with their ratios last. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run a benchmark and print numbers measured in one run, ratios last (login: complete SOAP-profile logins; store: store operations)')
    .argument('[name]', `benchmark to run: ${KNOWN.join(' | ')}`, 'login')
    .option('--redis <url>', 'Redis URL (login: use Redis as the session store instead of memory; store: default $NEID_REDIS_URL or redis://127.0.0.1:6379)')
    .option('-n, --operations <n>', 'logins per phase (login, default 30) or operations per measurement (store, default 5000)')
    .option('-c, --concurrency <n>', 'login: concurrent logins in the second phase', '4')
    .action(async (name: string, opts: { redis?: string; operations?: string; concurrency: string }) => {
      const log = (line: string) => process.stdout.write(`${line}\n`);
      switch (name) {
        case 'login': {
          const { benchLogin } = await import('../../../tools/bench/login.js');
          await benchLogin({
            logins: positive(opts.operations, 30, '--operations'), concurrency: positive(opts.concurrency, 4, '--concurrency'),
            ...(opts.redis === undefined ? {} : { redisUrl: opts.redis }), log,
          });
          break;
        }
        case 'store': {
          const { benchStore } = await import('../../../tools/bench/store.js');
          const redisUrl = opts.redis ?? (process.env.NEID_REDIS_URL || 'redis://127.0.0.1:6379');
          await benchStore({ redisUrl, operations: positive(opts.operations, 5000, '--operations'), log });
          break;
        }
        default:
          process.stderr.write(`neid bench: unknown benchmark ${JSON.stringify(name)} (known: ${KNOWN.join(', ')})\n`);
          process.exit(2);
      }
    });
}
