/**
 * `neid` command line. Each subcommand lives in src/cli/commands/<name>.ts and registers itself
 * on the program; this file only lists them.
 */
import { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerCard } from './commands/card.js';
import { registerClient } from './commands/client.js';
import { registerKeys } from './commands/keys.js';
import { registerPki } from './commands/pki.js';
import { registerServe } from './commands/serve.js';
import { registerServices } from './commands/services.js';

const program = new Command('neid')
  .description('New eID IdP: eID-Server, SAML 2.0 IdP, OpenID Connect provider')
  .showHelpAfterError();

for (const register of [registerServe, registerServices, registerBench, registerPki, registerCard, registerClient, registerKeys]) register(program);

await program.parseAsync(process.argv);
