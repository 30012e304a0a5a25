/**
 * Issues a software card from a test PKI directory: trust point = the PKI's first CVCA (so the
 * first EAC also exercises the link certificate to the current CVCA), EF.CardSecurity signed by
 * the PKI's document signer with the pki engineer's builder.
 *
 * @spec tr03110-3 §A.1.2 (EF.CardSecurity: CMS SignedData, eContentType id-SecurityObject)
 */
import { readFileSync } from 'node:fs';
import { buildCardSecurity } from '../../src/eid/eac/card-security.js';
import type { ProfileId } from '../../src/eid/profiles/index.js';
import type { CardJson } from './card-json.js';
import { SoftwareCardError } from './chip-status.js';
import { issueCard } from './issue-card.js';
import { readCvc, readManifest, readPrivateKey, readX509 } from './test-pki-dir.js';

export interface IssueFromPkiOptions {
  pkiDir: string;
  profile: ProfileId;
  personFile: string;
  pin?: string;
  can?: string;
  puk?: string;
  /** ISO date of personalisation (the card's initial current date); default today (UTC). */
  issuedOn?: string;
  /** 'first' (default) or 'current' CVCA generation as the trust point. */
  trustPoint?: 'first' | 'current';
}

export function issueCardFromPki(options: IssueFromPkiOptions): CardJson {
  const manifest = readManifest(options.pkiDir);
  let person: unknown;
  try {
    person = JSON.parse(readFileSync(options.personFile, 'utf8'));
  } catch (cause) {
    throw new SoftwareCardError('SOFTCARD_ISSUE_INVALID', `cannot read person file ${options.personFile}`, { cause });
  }
  const trustPoint = readCvc(options.pkiDir, manifest, options.trustPoint === 'current' ? 'cvca-2' : 'cvca-1');
  const documentSigner = { certificate: readX509(options.pkiDir, manifest, 'ds'), privateKey: readPrivateKey(options.pkiDir, manifest, 'ds-key') };
  return issueCard({
    profile: options.profile, person, trustPoints: [trustPoint], curve: manifest.curve,
    issuedOn: options.issuedOn ?? new Date().toISOString().slice(0, 10),
    ...(options.pin === undefined ? {} : { pin: options.pin }),
    ...(options.can === undefined ? {} : { can: options.can }),
    ...(options.puk === undefined ? {} : { puk: options.puk }),
    signCardSecurity: (securityInfos) => buildCardSecurity({ securityInfos, documentSigner }),
  });
}
