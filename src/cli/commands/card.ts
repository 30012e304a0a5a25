/**
 * `neid card issue`: personalises a software eID card (tools/software-card) from a test PKI, a data
 * profile and a person file. The output holds the card's secrets: test material only.
 *
 * @spec tr03110-3 §A.1.2 (EF.CardAccess, EF.CardSecurity), tr03110-2 §3.5 (PIN, CAN, PUK)
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';

function fail(message: string): never {
  process.stderr.write(`neid card: ${message}\n`);
  process.exit(2);
}

export function registerCard(program: Command): void {
  const card = program.command('card').description('software eID card (test material only)');
  card.command('issue')
    .description('issue a software card: chip keys, PIN/CAN/PUK, EF.CardAccess, DS-signed EF.CardSecurity, trust point, data groups')
    .requiredOption('--pki <dir>', 'PKI directory from `neid pki init`')
    .requiredOption('--profile <id>', 'data profile: tw | de')
    .requiredOption('--data <file>', 'person.json (fictional test person)')
    .requiredOption('--out <file>', 'card.json to write')
    .option('--pin <digits>', 'eID PIN, 6 digits (default from the person file, else random)')
    .option('--can <digits>', 'card access number, 6 digits (default from the person file, else random)')
    .option('--puk <digits>', 'PUK, 10 digits (default from the person file, else random)')
    .option('--date <yyyy-mm-dd>', "the card's initial current date (default today)")
    .option('--trust-point <which>', 'first | current CVCA generation as trust point', 'first')
    .action(async (o: { pki: string; profile: string; data: string; out: string; pin?: string; can?: string; puk?: string; date?: string; trustPoint: string }) => {
      if (o.profile !== 'tw' && o.profile !== 'de') fail(`unknown profile ${o.profile}`);
      if (o.pin !== undefined && !/^\d{6}$/.test(o.pin)) fail('--pin must be 6 digits');
      if (o.can !== undefined && !/^\d{6}$/.test(o.can)) fail('--can must be 6 digits');
      if (o.puk !== undefined && !/^\d{10}$/.test(o.puk)) fail('--puk must be 10 digits');
      if (o.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.date)) fail('--date must be YYYY-MM-DD');
      if (o.trustPoint !== 'first' && o.trustPoint !== 'current') fail('--trust-point must be first or current');
      const { issueCardFromPki } = await import('../../../tools/software-card/issue.js');
      const json = issueCardFromPki({
        pkiDir: o.pki, profile: o.profile, personFile: o.data, trustPoint: o.trustPoint,
        ...(o.pin === undefined ? {} : { pin: o.pin }), ...(o.can === undefined ? {} : { can: o.can }),
        ...(o.puk === undefined ? {} : { puk: o.puk }), ...(o.date === undefined ? {} : { issuedOn: o.date }),
      });
      writeFileSync(o.out, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
      process.stdout.write(`${JSON.stringify({ out: o.out, profile: json.profile, trustPoint: json.trustPoints[0]?.chr, dataGroups: Object.keys(json.files.dataGroups).map(Number) })}\n`);
    });
}
