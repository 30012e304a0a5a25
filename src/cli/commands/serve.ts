import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the IdP (all listeners) with config/default.yaml, config/<NODE_ENV>.yaml and NEID_* overrides')
    .action(async () => {
      const { main } = await import('../../main.js');
      await main();
    });
}
