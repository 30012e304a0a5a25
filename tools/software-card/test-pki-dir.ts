/**
 * A test PKI on disk (what `neid pki init` writes and `neid pki terminal` / `neid card issue` read):
 * the EAC side (CVCA, second-generation CVCA with link certificate, DV, terminals) and the
 * passive-authentication side (CSCA, document signer, CRL, master list), plus RI sector key pairs.
 * manifest.json names every file by role; nothing else is assumed about the layout.
 *
 * @spec tr03110-3 §2 (EAC PKI: CVCA, link certificates, DV, terminals), tr03110-3 §C.3.2 (id-sector)
 * @spec icao9303-12 §5 (CSCA, document signer, CRL, master list)
 *
 * Test material only: private keys are written unencrypted (PKCS#8 PEM).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { domainParametersOfKey, generateEcKeyPair, pointOfPublicKey } from '../../src/eid/eac/domain-parameters.js';
import type { CurveName, EcKeyPair } from '../../src/eid/eac/domain-parameters.js';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { parseCvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import type { CvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import type { CertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import { cvcDateAddDays, cvcDateFromDate } from '../../src/eid/eac/cvc/dates.js';
import { sectorPublicKeyHash } from '../../src/eid/eac/ri.js';
import { SecurityInfoOid } from '../../src/eid/eac/security-infos.js';
import { hashOfTaAlgorithm } from '../../src/eid/eac/cvc/public-key.js';
import { parseCertificate, toPem } from '../../src/pki/certificate.js';
import type { X509Certificate } from '../../src/pki/certificate.js';
import { createCvca, createCvcaGeneration, createDv, createTerminal, ALL_AT_RIGHTS } from '../test-pki/cvc-chain.js';
import type { IssuedCvc } from '../test-pki/cvc-chain.js';
import { createTestPki } from '../test-pki/x509.js';
import { SoftwareCardError } from './chip-status.js';

export const MANIFEST_FORMAT = 'neid-test-pki/1';

export type FileFormat = 'cvc' | 'pkcs8-pem' | 'x509-pem' | 'x509-der' | 'crl-der' | 'cms-der' | 'spki-pem' | 'der' | 'hex';

export interface ManifestFile { readonly path: string; readonly format: FileFormat }

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly curve: CurveName;
  readonly createdOn: string;
  /** CHRs: `first` is the trust point cards are issued with; `current` signs the DV (reached through `link`). */
  readonly cvca: { readonly first: string; readonly current: string };
  readonly dv: string;
  /** Role → file. Roles: cvca-1, cvca-1-key, cvca-2, cvca-2-key, link-cvca-2, dv, dv-key, csca, csca-der, csca-key, ds, ds-key,
   *  crl, master-list, master-list-signer, master-list-signer-key, sector-N-key, sector-N-public, terminal:CHR, terminal-key:CHR,
   *  terminal-description:CHR. */
  readonly files: Readonly<Record<string, ManifestFile>>;
  /** Terminal CHR → roles of the certificates to send to a card that trusts cvca.first (link, DV, terminal). */
  readonly chains: Readonly<Record<string, readonly string[]>>;
}

export interface InitOptions {
  dir: string;
  curve?: CurveName;
  /** CHR of the first CVCA, e.g. TWCVCA00001; the second generation gets the next sequence number. */
  cvcaName?: string;
  /** Day the PKI starts (default today, UTC). */
  today?: Date;
}

function nextSequence(chr: string): string {
  const m = /^(.*?)(\d{5})$/.exec(chr);
  if (m === null) throw new SoftwareCardError('TESTPKI_ARGUMENT_INVALID', `CVCA name ${chr} must end in a 5-digit sequence number`);
  return `${m[1] as string}${String(Number(m[2]) + 1).padStart(5, '0')}`;
}

function countryOf(chr: string): string {
  return chr.slice(0, 2);
}

class Writer {
  readonly files: Record<string, ManifestFile> = {};
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  write(role: string, path: string, format: FileFormat, content: string | Buffer): void {
    const full = join(this.#dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content, typeof content === 'string' ? { encoding: 'utf8', mode: 0o600 } : { mode: 0o600 });
    this.files[role] = { path, format };
  }

  key(role: string, path: string, key: KeyObject): void {
    this.write(role, path, 'pkcs8-pem', key.export({ format: 'pem', type: 'pkcs8' }).toString());
  }

  x509(role: string, path: string, cert: X509Certificate): void {
    this.write(role, path, 'x509-pem', toPem(cert.der, 'CERTIFICATE'));
  }
}

/** `neid pki init`: writes the whole hierarchy and manifest.json; refuses to overwrite an existing manifest. */
export function initTestPki(options: InitOptions): Manifest {
  const curve = options.curve ?? 'brainpoolP256r1';
  const at = options.today ?? new Date();
  const today = cvcDateFromDate(at);
  const firstChr = options.cvcaName ?? 'TWCVCA00001';
  if (existsSync(join(options.dir, 'manifest.json'))) throw new SoftwareCardError('TESTPKI_ARGUMENT_INVALID', `${options.dir} already holds a PKI`);
  const w = new Writer(options.dir);
  const cc = countryOf(firstChr);

  // The first generation has been in use for a year; the second starts today and is reached through the link certificate.
  const cvca1 = createCvca({ chr: firstChr, curve, effectiveDate: cvcDateAddDays(today, -365), expirationDate: cvcDateAddDays(today, 2 * 365) });
  const { cvca: cvca2, link } = createCvcaGeneration(cvca1, { chr: nextSequence(firstChr), curve, effectiveDate: today, expirationDate: cvcDateAddDays(today, 3 * 365) });
  const dv = createDv(cvca2, { chr: `${cc}DVTEST00001`, rights: ALL_AT_RIGHTS, effectiveDate: today, expirationDate: cvcDateAddDays(today, 90) });
  w.write('cvca-1', `cvc/${cvca1.parsed.chr}.cvcert`, 'cvc', cvca1.certificate);
  w.key('cvca-1-key', `cvc/${cvca1.parsed.chr}.pkcs8.pem`, cvca1.keyPair.privateKey);
  w.write('cvca-2', `cvc/${cvca2.parsed.chr}.cvcert`, 'cvc', cvca2.certificate);
  w.key('cvca-2-key', `cvc/${cvca2.parsed.chr}.pkcs8.pem`, cvca2.keyPair.privateKey);
  w.write('link-cvca-2', `cvc/${cvca1.parsed.chr}-${cvca2.parsed.chr}.link.cvcert`, 'cvc', link.certificate);
  w.write('dv', `cvc/${dv.parsed.chr}.cvcert`, 'cvc', dv.certificate);
  w.key('dv-key', `cvc/${dv.parsed.chr}.pkcs8.pem`, dv.keyPair.privateKey);

  const x509 = createTestPki({ curve, at, country: cc });
  w.x509('csca', 'x509/csca.pem', x509.csca.certificate);
  w.write('csca-der', 'x509/csca.der', 'x509-der', x509.csca.certificate.der);
  w.key('csca-key', 'x509/csca.key.pem', x509.csca.privateKey);
  w.x509('ds', 'x509/document-signer.pem', x509.documentSigner.certificate);
  w.key('ds-key', 'x509/document-signer.key.pem', x509.documentSigner.privateKey);
  w.x509('ds-revoked', 'x509/document-signer-revoked.pem', x509.revokedDocumentSigner.certificate);
  w.key('ds-revoked-key', 'x509/document-signer-revoked.key.pem', x509.revokedDocumentSigner.privateKey);
  w.write('crl', 'x509/csca.crl', 'crl-der', x509.crl);
  w.write('master-list', 'x509/master-list.der', 'cms-der', x509.masterList);
  w.x509('master-list-signer', 'x509/master-list-signer.pem', x509.masterListSigner.certificate);
  w.key('master-list-signer-key', 'x509/master-list-signer.key.pem', x509.masterListSigner.privateKey);

  // Sector key pairs for restricted identification (TR-03110-2 §3.6); the public point also as hex for the terminal side.
  for (const n of [1, 2]) {
    const sector = generateEcKeyPair(curve);
    w.key(`sector-${n}-key`, `sectors/sector-${n}.key.pem`, sector.privateKey);
    w.write(`sector-${n}-public`, `sectors/sector-${n}.pub.pem`, 'spki-pem', sector.publicKey.export({ format: 'pem', type: 'spki' }).toString());
  }

  const manifest: Manifest = {
    format: MANIFEST_FORMAT, curve, createdOn: at.toISOString().slice(0, 10),
    cvca: { first: cvca1.parsed.chr, current: cvca2.parsed.chr }, dv: dv.parsed.chr, files: w.files, chains: {},
  };
  writeFileSync(join(options.dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

// ---- reading ---------------------------------------------------------------------------------------

export function readManifest(dir: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch (cause) {
    throw new SoftwareCardError('TESTPKI_MANIFEST_INVALID', `cannot read ${join(dir, 'manifest.json')}`, { cause });
  }
  const m = json as Partial<Manifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== MANIFEST_FORMAT || typeof m.files !== 'object' || m.cvca === undefined) {
    throw new SoftwareCardError('TESTPKI_MANIFEST_INVALID', 'manifest.json is not a neid test PKI manifest');
  }
  return m as Manifest;
}

export function readRole(dir: string, manifest: Manifest, role: string): Buffer {
  const file = manifest.files[role];
  if (file === undefined) throw new SoftwareCardError('TESTPKI_MANIFEST_INVALID', `manifest names no file for role ${role}`);
  const full = join(dir, file.path);
  if (!existsSync(full)) throw new SoftwareCardError('TESTPKI_MANIFEST_INVALID', `file for role ${role} missing: ${file.path}`);
  return readFileSync(full);
}

export function readCvc(dir: string, manifest: Manifest, role: string): CvCertificate {
  return parseCvCertificate(readRole(dir, manifest, role));
}

export function readPrivateKey(dir: string, manifest: Manifest, role: string): KeyObject {
  return createPrivateKey(readRole(dir, manifest, role).toString('utf8'));
}

export function readX509(dir: string, manifest: Manifest, role: string): X509Certificate {
  const pem = readRole(dir, manifest, role).toString('utf8');
  const b64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return parseCertificate(Buffer.from(b64, 'base64'));
}

function issuedOf(dir: string, manifest: Manifest, certRole: string, keyRole: string): IssuedCvc {
  const privateKey = readPrivateKey(dir, manifest, keyRole);
  const publicKey = createPublicKey(privateKey);
  const keyPair: EcKeyPair = { curve: domainParametersOfKey(privateKey).name, privateKey, publicKey, publicPoint: pointOfPublicKey(publicKey) };
  const certificate = readRole(dir, manifest, certRole);
  return { certificate, parsed: parseCvCertificate(certificate), keyPair };
}

// ---- terminals --------------------------------------------------------------------------------------

export interface TerminalRequest {
  dir: string;
  chr: string;
  rights: readonly AtRight[] | bigint;
  description?: CertificateDescription;
  /** Days of validity from `today` (default 30). */
  days?: number;
  today?: Date;
}

/** `neid pki terminal`: a terminal certificate under the DV, with id-sector for the PKI's sector keys. */
export function issueTestTerminal(request: TerminalRequest): Manifest {
  const manifest = readManifest(request.dir);
  if (manifest.files[`terminal:${request.chr}`] !== undefined) throw new SoftwareCardError('TESTPKI_ARGUMENT_INVALID', `terminal ${request.chr} exists`);
  const dv = issuedOf(request.dir, manifest, 'dv', 'dv-key');
  const hash = hashOfTaAlgorithm(dv.parsed.publicKey.oid);
  const sectorHash = (n: number): Buffer | undefined => {
    if (manifest.files[`sector-${n}-public`] === undefined) return undefined;
    const point = pointOfPublicKey(createPublicKey(readRole(request.dir, manifest, `sector-${n}-public`).toString('utf8')));
    return sectorPublicKeyHash(SecurityInfoOid.RI_ECDH_SHA_256, { curve: manifest.curve, point }, hash);
  };
  const today = cvcDateFromDate(request.today ?? new Date());
  const sector1Hash = sectorHash(1);
  const sector2Hash = sectorHash(2);
  const terminal = createTerminal(dv, {
    chr: request.chr, rights: request.rights, effectiveDate: today, expirationDate: cvcDateAddDays(today, request.days ?? 30),
    ...(request.description === undefined ? {} : { description: request.description }),
    ...(sector1Hash === undefined ? {} : { sector: { sector1Hash, ...(sector2Hash === undefined ? {} : { sector2Hash }) } }),
  });
  const w = new Writer(request.dir);
  w.write(`terminal:${request.chr}`, `terminals/${request.chr}/terminal.cvcert`, 'cvc', terminal.certificate);
  w.key(`terminal-key:${request.chr}`, `terminals/${request.chr}/terminal.pkcs8.pem`, terminal.keyPair.privateKey);
  if (terminal.description !== undefined) w.write(`terminal-description:${request.chr}`, `terminals/${request.chr}/description.der`, 'der', terminal.description);
  const updated: Manifest = {
    ...manifest,
    files: { ...manifest.files, ...w.files },
    chains: { ...manifest.chains, [request.chr]: ['link-cvca-2', 'dv', `terminal:${request.chr}`] },
  };
  writeFileSync(join(request.dir, 'manifest.json'), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}
