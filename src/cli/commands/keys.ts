/**
 * `neid keys list` and `neid keys rotate --stage|--activate [--purpose saml-signing|saml-encryption|oidc-signing]`:
 * key rollover without breaking SPs — stage a next key (metadata now publishes current + next),
 * let SPs refresh their copy of our metadata, then activate (next → current, current → previous).
 *
 * The OIDC JWKS publishes current and next keys the same way (oidc-core §10.1.1).
 *
 * @spec SPEC §5.2 (current and next keys in metadata); saml-metadata §2.4.1.1; oidc-core §10.1.1
 */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../config/load.js';
import { isIdpError } from '../../errors/idp-error.js';
import { keyDirOf } from '../../keys/key-dir.js';
import { activateNextKey, KEY_PURPOSES, KeyStore, stageNextKey, type KeyPurpose } from '../../keys/key-store.js';
import { activateNextOidcKeys, loadOidcKeys, stageNextOidcKeys } from '../../oidc/keys.js';

/** The OIDC signing keys (JWKS: P-256, P-384, RSA) rotate together under one name. */
const OIDC = 'oidc-signing';
const ALL_PURPOSES = [...KEY_PURPOSES, OIDC] as const;
type AnyPurpose = (typeof ALL_PURPOSES)[number];

export interface KeysCommandDeps {
  loadConfig: () => Config;
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultDeps: KeysCommandDeps = {
  loadConfig: () => loadConfig(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

function purposes(value: string | undefined): AnyPurpose[] {
  if (value === undefined) return [...ALL_PURPOSES];
  if (!(ALL_PURPOSES as readonly string[]).includes(value)) throw new Error(`--purpose must be one of ${ALL_PURPOSES.join(', ')}`);
  return [value as AnyPurpose];
}

function list(store: KeyStore, dir: string): string {
  const lines: string[] = [];
  for (const k of loadOidcKeys(dir, { generate: false }).kids) lines.push(`${OIDC}\t${k.slot}\t${k.type}\tkid ${k.kid}`);
  for (const purpose of KEY_PURPOSES) {
    for (const slot of ['current', 'next', 'previous'] as const) {
      const k = store.get(purpose, slot);
      if (k) lines.push(`${purpose}\t${slot}\t${k.fingerprint}\tvalid to ${k.certificate.validTo}`);
    }
  }
  return lines.join('\n');
}

export function registerKeys(program: Command, deps: KeysCommandDeps = defaultDeps): void {
  const keys = program.command('keys').description('IdP signing and encryption keys: list, rotate');
  const fail = (err: unknown): void => {
    deps.err(isIdpError(err) ? `${err.code}: ${err.message}` : String((err as Error).message ?? err));
    process.exitCode = 1;
  };
  keys.command('list').description('list current, next and previous keys').action(() => {
    try {
      const { dir, generate } = keyDirOf(deps.loadConfig());
      const store = new KeyStore({ dir, generate });
      loadOidcKeys(dir, { generate });
      deps.out(list(store, dir));
    } catch (err) {
      fail(err);
    }
  });
  keys.command('rotate')
    .description('--stage: create the next key (published, not used); --activate: make the next key current')
    .option('--stage', 'create next keys')
    .option('--activate', 'next → current, current → previous')
    .option('--purpose <purpose>', `one of ${ALL_PURPOSES.join(', ')} (default: all)`)
    .action((options: { stage?: boolean; activate?: boolean; purpose?: string }) => {
      try {
        if (options.stage === options.activate) throw new Error('give exactly one of --stage, --activate');
        const { dir, generate } = keyDirOf(deps.loadConfig());
        new KeyStore({ dir, generate }); // the current keys must exist (and are generated in development)
        loadOidcKeys(dir, { generate });
        for (const purpose of purposes(options.purpose)) {
          if (purpose === OIDC) {
            if (options.stage) stageNextOidcKeys(dir);
            else activateNextOidcKeys(dir);
          } else if (options.stage) stageNextKey(dir, purpose as KeyPurpose);
          else activateNextKey(dir, purpose as KeyPurpose);
        }
        deps.out(list(new KeyStore({ dir, generate: false }), dir));
        deps.out(options.stage
          ? 'Staged. The metadata now lists the next keys; activate after every SP has refreshed it.'
          : 'Activated. Nodes pick the new keys up on restart (or KeyStore.reload()).');
      } catch (err) {
        fail(err);
      }
    });
}
