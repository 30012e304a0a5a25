import type { Command } from 'commander';

/** `neid bench [name]`: benchmarks that print numbers measured in one run, with their ratios last. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run benchmarks (store; more with later stages) and print ratios measured in one run')
    .argument('[name]', 'benchmark to run: store', 'store')
    .option('--redis <url>', 'Redis for the store benchmark', process.env.NEID_REDIS_URL || 'redis://127.0.0.1:6379')
    .option('-n, --operations <n>', 'operations per measurement', '5000')
    .action(async (name: string, opts: { redis: string; operations: string }) => {
      const log = (line: string) => process.stdout.write(`${line}\n`);
      const operations = Number.parseInt(opts.operations, 10);
      if (!Number.isInteger(operations) || operations < 1) {
        process.stderr.write('neid bench: --operations: expected a positive integer\n');
        process.exit(2);
      }
      switch (name) {
        case 'store': {
          const { benchStore } = await import('../../../tools/bench/store.js');
          await benchStore({ redisUrl: opts.redis, operations, log });
          break;
        }
        default:
          process.stderr.write(`neid bench: unknown benchmark ${JSON.stringify(name)} (known: store)\n`);
          process.exit(2);
      }
    });
}
