/**
 * `neid pki init` and `neid pki terminal`: a complete test PKI on disk (EAC + passive authentication)
 * and terminal certificates for eServices. Test material only.
 *
 * @spec tr03110-3 §2 (EAC PKI), tr03110-4 §2.2.3.2 (CHAT), tr03110-4 §2.2.6 (CertificateDescription)
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';

function fail(message: string): never {
  process.stderr.write(`neid pki: ${message}\n`);
  process.exit(2);
}

export function registerPki(program: Command): void {
  const pki = program.command('pki').description('test PKI for EAC and passive authentication (test material only)');

  pki.command('init')
    .description('create CVCA, link to a second-generation CVCA, DV, CSCA, document signer, CRL, master list and sector keys')
    .requiredOption('--dir <dir>', 'output directory (must not hold a PKI yet)')
    .option('--curve <curve>', 'brainpoolP256r1 | brainpoolP384r1 | P-384', 'brainpoolP256r1')
    .option('--cvca-name <chr>', 'CHR of the first CVCA (country + mnemonic + 5-digit sequence number)', 'TWCVCA00001')
    .action(async (o: { dir: string; curve: string; cvcaName: string }) => {
      if (!['brainpoolP256r1', 'brainpoolP384r1', 'P-384'].includes(o.curve)) fail(`unsupported curve ${o.curve}`);
      const { initTestPki } = await import('../../../tools/software-card/test-pki-dir.js');
      const manifest = initTestPki({ dir: o.dir, curve: o.curve as 'brainpoolP256r1', cvcaName: o.cvcaName });
      process.stdout.write(`${JSON.stringify({ dir: o.dir, cvca: manifest.cvca, dv: manifest.dv, files: Object.keys(manifest.files).length })}\n`);
    });

  pki.command('terminal')
    .description('issue an authentication-terminal certificate under the DV (with id-sector for the sector keys)')
    .requiredOption('--dir <dir>', 'PKI directory from `neid pki init`')
    .requiredOption('--name <chr>', 'CHR of the terminal certificate')
    .option('--chat <hex>', 'access rights: 5-byte CHAT discretionary data (role bits 00) or a complete 7F4C CHAT, hex')
    .option('--attributes <list>', 'access rights from attribute ids of the profile, comma-separated (e.g. ChineseName,DateOfBirth,RestrictedID)')
    .option('--profile <id>', 'data profile for --attributes: tw | de', 'tw')
    .option('--description <file>', 'CertificateDescription as JSON {issuerName, issuerUrl?, subjectName, subjectUrl?, termsOfUsage, redirectUrl?, commCertificates?: [hex]}')
    .option('--days <n>', 'validity in days', '30')
    .action(async (o: { dir: string; name: string; chat?: string; attributes?: string; profile: string; description?: string; days: string }) => {
      if ((o.chat === undefined) === (o.attributes === undefined)) fail('give exactly one of --chat and --attributes');
      const { decodeChat } = await import('../../eid/eac/cvc/chat.js');
      const { chatForAttributes } = await import('../../services/attribute-policy.js');
      let rights: bigint;
      if (o.chat !== undefined) {
        const hex = o.chat.replace(/\s/g, '').toLowerCase();
        if (!/^([0-9a-f]{2})+$/.test(hex)) fail('--chat must be hex');
        if (hex.length === 10) {
          const value = BigInt(`0x${hex}`);
          // TR-03110-3 §C.1.5: the two most significant bits are the role; a terminal has 00.
          if (value >> 38n !== 0n) fail('--chat: role bits must be 00 (terminal)');
          rights = value;
        } else {
          const chat = decodeChat(Buffer.from(hex, 'hex'));
          if (chat.role !== 'terminal' || chat.terminalType !== 'at') fail('--chat must be an authentication-terminal CHAT with role terminal');
          rights = chat.rights;
        }
      } else {
        if (o.profile !== 'tw' && o.profile !== 'de') fail(`unknown profile ${o.profile}`);
        rights = chatForAttributes(o.profile, (o.attributes ?? '').split(',').map((a) => a.trim()).filter((a) => a.length > 0)).rights;
      }
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 3650) fail('--days must be 1..3650');
      let description;
      if (o.description !== undefined) {
        const d = JSON.parse(readFileSync(o.description, 'utf8')) as Record<string, unknown>;
        const text = (k: string): string | undefined => (typeof d[k] === 'string' ? d[k] : undefined);
        const issuerName = text('issuerName');
        const subjectName = text('subjectName');
        if (issuerName === undefined || subjectName === undefined) fail('--description needs issuerName and subjectName');
        const comm = Array.isArray(d.commCertificates) ? d.commCertificates.map((h) => Buffer.from(String(h), 'hex')) : undefined;
        description = {
          format: 'plain' as const, issuerName, subjectName, termsOfUsage: text('termsOfUsage') ?? '',
          issuerUrl: text('issuerUrl'), subjectUrl: text('subjectUrl'), redirectUrl: text('redirectUrl'), commCertificates: comm,
        };
      }
      const { issueTestTerminal } = await import('../../../tools/software-card/test-pki-dir.js');
      const manifest = issueTestTerminal({ dir: o.dir, chr: o.name, rights, days, ...(description === undefined ? {} : { description }) });
      process.stdout.write(`${JSON.stringify({ terminal: o.name, chain: manifest.chains[o.name] })}\n`);
    });
}
