/**
 * Development material, generated at start when dev.enabled (never in production, never committed:
 * everything lives in dev.dataDir, git-ignored). Idempotent: what exists and is still usable is reused,
 * so later starts only read files.
 *
 *   <dataDir>/pki/                    test PKI (`neid pki init` layout + manifest.json) and the eID-Server
 *                                     PKI directory (src/eid/pki-directory.ts): csca/, crl/, masterlist/, cvc/
 *   <dataDir>/pki/dv/dv.cvcert        DV certificate (the registry files' terminal.chain)
 *   <dataDir>/pki/terminals/<id>/     terminal.cvcert, terminal.key.pem, terminal.description.der per demo eService
 *   <dataDir>/pki/sectors/<sector>.{pub,key}.pem   RI sector key pairs (registry riSector)
 *   <dataDir>/tls/{eid,soap,soap-wss}.{key,crt}.pem RSA-3072: TLS-2 endpoint, SOAP listener, SOAP WS-Security
 *   <dataDir>/cards/tw-citizen.json   sample citizen card (software card) issued from the test PKI
 *
 * Registry references starting with `.dev/` point into dev.dataDir (devPathResolver).
 *
 * @spec tr03110-3 §2 (EAC PKI), tr03110-4 §2.2.3.2 (CHAT from the approved attributes), §2.2.6 (CertificateDescription);
 * @spec tr03124-1 §2.7 (subjectURL, commCertificates), tr03110-3 §C.3.2 (id-sector); SPEC §4.1
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeChat } from '../eid/eac/cvc/chat.js';
import { encodeCertificateDescription, type CertificateDescription } from '../eid/eac/cvc/certificate-description.js';
import { parseCvCertificate } from '../eid/eac/cvc/cv-certificate.js';
import { cvcDateAddDays, cvcDateFromDate, compareCvcDates } from '../eid/eac/cvc/dates.js';
import { hashOfTaAlgorithm } from '../eid/eac/cvc/public-key.js';
import { domainParametersOfKey, generateEcKeyPair, pointOfPublicKey } from '../eid/eac/domain-parameters.js';
import { sectorPublicKeyHash } from '../eid/eac/ri.js';
import { SecurityInfoOid } from '../eid/eac/security-infos.js';
import { descriptionPathOf } from '../eid/terminals.js';
import { parseCrl } from '../pki/crl.js';
import { terminalChatOf } from '../services/attribute-policy.js';
import type { ServiceRecord } from '../services/model.js';
import type { ServiceRegistry } from '../services/registry.js';
import type { Logger } from '../shared/logger.js';
import { createTerminal } from '../../tools/test-pki/cvc-chain.js';
import { issueCardFromPki } from '../../tools/software-card/issue.js';
import { initTestPki, readManifest, readPrivateKey, readRole, type Manifest } from '../../tools/software-card/test-pki-dir.js';
import { createDevTlsCertificate, type DevTlsCertificate } from './tls-certificate.js';

export interface DevBootstrapOptions {
  dataDir: string;
  registry: ServiceRegistry;
  /** Browser-facing base URL (CertificateDescription subjectURL = its origin). */
  publicUrl: string;
  /** Person file of the sample card (absent: no card, a warning). */
  personFile?: string;
  /** The demo SOAP client certificate (trusted as its own anchor when its fingerprint is registered). */
  soapClientCertificateFile?: string;
  logger: Logger;
  now?: Date;
}

export interface DevMaterial {
  /** eID-Server PKI directory (eid.pkiDir). */
  pkiDir: string;
  resolvePath: (reference: string) => string;
  eidTls: DevTlsCertificate;
  soapTls: DevTlsCertificate;
  soapWss: DevTlsCertificate;
  /** Extra trust anchors of the SOAP listener (the demo client's self-signed certificate). */
  soapClientCa: string[];
  /** The sample citizen card, when a person file was available. */
  cardFile: string | undefined;
  /** What was generated this time (empty on a warm start). */
  generated: string[];
}

/** Registry references `.dev/…` → `<dataDir>/…` (the registry files are written for the default dataDir). */
export function devPathResolver(dataDir: string): (reference: string) => string {
  return (reference) => (reference.startsWith('.dev/') ? join(dataDir, reference.slice('.dev/'.length)) : reference);
}

function write(path: string, content: string | Buffer, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode });
}

async function tlsPair(dir: string, name: string, generated: string[], at: Date): Promise<DevTlsCertificate> {
  const keyFile = join(dir, `${name}.key.pem`);
  const certFile = join(dir, `${name}.crt.pem`);
  if (existsSync(keyFile) && existsSync(certFile)) {
    const cert = readFileSync(certFile, 'utf8');
    // Renew a week before expiry so a long-running dev setup never serves an expired certificate.
    if (new Date(new X509Certificate(cert).validTo).getTime() - at.getTime() > 7 * 86_400_000) return { key: readFileSync(keyFile, 'utf8'), cert };
  }
  const pair = await createDevTlsCertificate(`neid-dev-${name}`, at);
  write(keyFile, pair.key);
  write(certFile, pair.cert, 0o644);
  generated.push(`tls/${name}`);
  return pair;
}

/** The test PKI is usable while the DV is valid for another day and the CSCA CRL is not about to go stale. */
function pkiUsable(dir: string, at: Date): boolean {
  if (!existsSync(join(dir, 'manifest.json'))) return false;
  try {
    const manifest = readManifest(dir);
    const dv = parseCvCertificate(readRole(dir, manifest, 'dv'));
    const crl = parseCrl(readRole(dir, manifest, 'crl'));
    const tomorrow = cvcDateAddDays(cvcDateFromDate(at), 1);
    return compareCvcDates(dv.expirationDate, tomorrow) >= 0 && (crl.nextUpdate === null || crl.nextUpdate.getTime() - at.getTime() > 86_400_000);
  } catch {
    return false;
  }
}

/** The eID-Server view of the test PKI: csca/, crl/, masterlist/ (cvc/ is shared with the test layout). */
function publishTrust(dir: string, manifest: Manifest): void {
  const copy = (role: string, to: string) => {
    const file = manifest.files[role];
    if (file !== undefined) write(join(dir, to), readRole(dir, manifest, role), 0o644);
  };
  copy('csca', 'csca/csca.pem');
  copy('crl', 'crl/csca.crl');
  copy('master-list', 'masterlist/master-list.der');
  copy('dv', 'dv/dv.cvcert');
}

function mnemonicOf(serviceId: string): string {
  const m = serviceId.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 9);
  return m === '' ? 'DEMO' : m;
}

function sectorKey(pubFile: string, curve: Manifest['curve'], generated: string[], label: string): Buffer {
  const keyFile = pubFile.replace(/(\.pub)?\.pem$/, '.key.pem');
  if (existsSync(pubFile)) {
    const pub = createPublicKey(readFileSync(pubFile, 'utf8'));
    if (domainParametersOfKey(pub).name === curve) return pointOfPublicKey(pub);
  }
  const pair = generateEcKeyPair(curve);
  write(keyFile, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  write(pubFile, pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(), 0o644);
  generated.push(`sector ${label}`);
  return pair.publicPoint;
}

function descriptionFor(service: ServiceRecord, publicUrl: string, commCertificates: readonly Buffer[]): CertificateDescription {
  const contact = service.contacts.person;
  return {
    format: 'plain',
    issuerName: 'New eID development DV (TEST ONLY)',
    subjectName: `${service.agency.names.zh} ${service.agency.names.en}`,
    subjectUrl: new URL(publicUrl).origin,
    termsOfUsage: [
      `${service.names.zh} / ${service.names.en}`,
      service.agency.address === undefined ? '' : `${service.agency.address}`,
      `${contact.name}, ${contact.unit}, ${contact.email}`,
      '',
      service.purpose,
      '',
      'Development certificate of a fictional eService. TEST ONLY.',
    ].filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n'),
    commCertificates,
  };
}

interface TerminalInputs { chat: string; description: string; sectorPoint: string; dv: string }

function ensureTerminal(
  pkiDir: string, manifest: Manifest, service: ServiceRecord, resolve: (r: string) => string, publicUrl: string, commCertificates: readonly Buffer[],
  at: Date, generated: string[],
): void {
  const t = service.terminal;
  if (t === undefined || !t.certificate.startsWith('.dev/') || !t.key.startsWith('.dev/')) return;
  const certFile = resolve(t.certificate);
  const keyFile = resolve(t.key);
  const dvCert = readRole(pkiDir, manifest, 'dv');
  const dv = parseCvCertificate(dvCert);
  for (const ref of t.chain ?? []) if (ref.startsWith('.dev/')) write(resolve(ref), dvCert, 0o644);
  const sectorPoint = service.riSector === undefined ? undefined : sectorKey(resolve(service.riSector.publicKey), manifest.curve, generated, service.riSector.id);
  const chat = terminalChatOf(service);
  const description = descriptionFor(service, publicUrl, commCertificates);
  const inputs: TerminalInputs = {
    chat: encodeChat(chat).toString('hex'), description: encodeCertificateDescription(description).toString('hex'),
    sectorPoint: sectorPoint?.toString('hex') ?? '', dv: dvCert.toString('hex'),
  };
  const inputsFile = join(dirname(certFile), 'inputs.json');
  const tomorrow = cvcDateAddDays(cvcDateFromDate(at), 1);
  if (existsSync(certFile) && existsSync(keyFile) && existsSync(inputsFile)) {
    try {
      const same = JSON.stringify(JSON.parse(readFileSync(inputsFile, 'utf8'))) === JSON.stringify(inputs);
      if (same && compareCvcDates(parseCvCertificate(readFileSync(certFile)).expirationDate, tomorrow) >= 0) return;
    } catch {
      // unreadable: issue again
    }
  }
  const dvKey = readPrivateKey(pkiDir, manifest, 'dv-key');
  const dvPublic = createPublicKey(dvKey);
  const issuer = { certificate: dvCert, parsed: dv, keyPair: { curve: manifest.curve, privateKey: dvKey, publicKey: dvPublic, publicPoint: pointOfPublicKey(dvPublic) } };
  const hash = hashOfTaAlgorithm(dv.publicKey.oid);
  const today = cvcDateFromDate(at);
  const expiry = cvcDateAddDays(today, 30);
  const terminal = createTerminal(issuer, {
    chr: `${dv.chr.slice(0, 2)}${mnemonicOf(service.id)}00001`, rights: chat.rights, description,
    effectiveDate: today, expirationDate: compareCvcDates(expiry, dv.expirationDate) > 0 ? dv.expirationDate : expiry,
    // TR-03110-3 §C.3.2: the sector key this eService's pseudonyms are computed with is certified in id-sector.
    ...(sectorPoint === undefined ? {} : { sector: { sector1Hash: sectorPublicKeyHash(SecurityInfoOid.RI_ECDH_SHA_256, { curve: manifest.curve, point: sectorPoint }, hash) } }),
  });
  write(certFile, terminal.certificate, 0o644);
  write(keyFile, terminal.keyPair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  if (terminal.description !== undefined) write(descriptionPathOf(certFile), terminal.description, 0o644);
  write(inputsFile, `${JSON.stringify(inputs)}\n`, 0o644);
  generated.push(`terminal ${service.id}`);
}

function sha256Fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toUpperCase();
}

export async function bootstrapDev(o: DevBootstrapOptions): Promise<DevMaterial> {
  const at = o.now ?? new Date();
  const generated: string[] = [];
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const resolvePath = devPathResolver(o.dataDir);
  const tlsDir = join(o.dataDir, 'tls');
  const [eidTls, soapTls, soapWss] = await Promise.all([
    tlsPair(tlsDir, 'eid', generated, at), tlsPair(tlsDir, 'soap', generated, at), tlsPair(tlsDir, 'soap-wss', generated, at),
  ]);

  const pkiDir = join(o.dataDir, 'pki');
  let freshPki = false;
  if (!pkiUsable(pkiDir, at)) {
    rmSync(pkiDir, { recursive: true, force: true });
    initTestPki({ dir: pkiDir, cvcaName: 'TWCVCA00001', today: at });
    freshPki = true;
    generated.push('test PKI');
  }
  const manifest = readManifest(pkiDir);
  publishTrust(pkiDir, manifest);

  // TR-03124-1 §2.7: commCertificates = hashes of the certificates of the servers the eID client talks to.
  const commCertificates = [eidTls.cert, soapTls.cert].map((pem) => createHash('sha256').update(new X509Certificate(pem).raw).digest());
  for (const service of await o.registry.list()) ensureTerminal(pkiDir, manifest, service, resolvePath, o.publicUrl, commCertificates, at, generated);

  let cardFile: string | undefined;
  if (o.personFile !== undefined && existsSync(o.personFile)) {
    cardFile = join(o.dataDir, 'cards', 'tw-citizen.json');
    if (freshPki || !existsSync(cardFile)) {
      const card = issueCardFromPki({ pkiDir, profile: 'tw', personFile: o.personFile, issuedOn: at.toISOString().slice(0, 10) });
      write(cardFile, `${JSON.stringify(card, null, 2)}\n`);
      generated.push('card tw-citizen');
    }
  } else {
    o.logger.warn({ personFile: o.personFile }, 'no person file for the sample citizen card; the reference eID client has no card');
  }

  const soapClientCa: string[] = [];
  if (o.soapClientCertificateFile !== undefined && existsSync(o.soapClientCertificateFile)) {
    // The demo client certificate is self-signed (not from a CA we hold): it becomes its own trust anchor,
    // but only when an eService registered exactly this certificate.
    const pem = readFileSync(o.soapClientCertificateFile, 'utf8');
    const fp = sha256Fingerprint(pem);
    const registered = (await o.registry.list()).some((s) => s.protocols.soap?.clientCertificateSha256?.replace(/:/g, '').toUpperCase() === fp);
    if (registered) soapClientCa.push(pem);
  }
  return { pkiDir, resolvePath, eidTls, soapTls, soapWss, soapClientCa, cardFile, generated };
}
