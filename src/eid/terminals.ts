/**
 * ServiceTerminalProvider over the eService registry: for an eService id, the terminal certificate
 * and its key (registry `terminal`), the certificate pool (registry `terminal.chain` + link and DV
 * certificates of the PKI directory), the CertificateDescription next to the terminal certificate,
 * the sector public key (registry `riSector`), passive authentication against the PKI directory's
 * trust store, the sector's block list and the data profile. Each node builds this itself; results
 * are cached per process and rebuilt when the registry record or any file behind it changes.
 *
 * Key references: file paths (PKCS#8 or SEC1 PEM); `pkcs11:` URIs (RFC 7512) are refused with
 * TERMINAL_KEY_REFERENCE_UNSUPPORTED until HSM signing exists.
 *
 * @spec tr03130-1 §2.4 (eID-Server tasks: TA with the eService's key, PA, document validity, RI);
 * @spec tr03110-4 §2.2.6 (CertificateDescription), tr03110-3 §C.3.2 (id-sector), tr03110-2 §3.6 (RI)
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { IdpError } from '../errors/idp-error.js';
import type { ErrorCode } from '../errors/catalog.js';
import type { ServiceRecord } from '../services/model.js';
import type { ServiceRegistry } from '../services/registry.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Chat } from './eac/cvc/chat.js';
import { checkDescriptionHash } from './eac/cvc/certificate-description.js';
import { descriptionExtension } from './eac/cvc/extensions.js';
import { parseCvCertificate, type CvCertificate } from './eac/cvc/cv-certificate.js';
import { domainParametersOfKey, pointOfPublicKey } from './eac/domain-parameters.js';
import { verifyCardSecurity } from './eac/passive-authentication.js';
import type { SectorPublicKey } from './eac/ri.js';
import { keyObjectSigner } from './eac/ta.js';
import type { ServiceTerminal, ServiceTerminalProvider } from './flow/terminal-config.js';
import { loadPkiDirectory, pkiDirectoryStamp, type PkiDirectory } from './pki-directory.js';
import { getProfile } from './profiles/index.js';

export interface ServiceTerminalsOptions {
  registry: ServiceRegistry;
  /** eID-Server PKI directory (src/eid/pki-directory.ts layout). */
  pkiDir: string;
  /** Maps a registry file reference to a path (development: `.dev/…` → dev.dataDir). Default: as written. */
  resolvePath?: (reference: string) => string;
  /** Serve eServices in state `testing` too. */
  allowTesting?: boolean;
  clock?: Clock;
  /** Time zone of the card holders' calendar (default of the EAC terminal: Asia/Taipei). */
  timeZone?: string;
}

export interface ServiceTerminals {
  /** For createEidServer. */
  provider: ServiceTerminalProvider;
  /** CHAT of the eService's terminal certificate (SOAP useID / getServerInfo); null without a terminal. */
  terminalChat(service: Pick<ServiceRecord, 'id' | 'terminal'>): Promise<Chat | null>;
  /** The PKI directory as currently loaded (startup log, readiness). */
  pki(): PkiDirectory;
}

/** The certificate description belonging to `terminal.cvcert` is `terminal.description.der` (same stem). */
export function descriptionPathOf(certificatePath: string): string {
  return certificatePath.replace(/(\.[A-Za-z0-9]+)?$/, '.description.der');
}

function fail(code: ErrorCode, message: string, cause?: unknown): IdpError {
  return new IdpError(code, message, cause === undefined ? {} : { cause });
}

function fileReference(reference: string, what: string): void {
  // RFC 7512 object URIs name a key inside a token; we have no PKCS#11 signer yet.
  if (reference.startsWith('pkcs11:')) throw fail('TERMINAL_KEY_REFERENCE_UNSUPPORTED', `${what}: pkcs11: references are not supported yet (${reference.split(';')[0] ?? ''}…)`);
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw fail('TERMINAL_MATERIAL_INVALID', `${what}: cannot read ${path}`, cause);
  }
}

/** CV certificates are stored as binary DER or as hex text (the CLI writes DER). */
function readCvc(path: string, what: string): CvCertificate {
  const raw = readFile(path, what);
  const text = raw.toString('latin1').trim();
  const der = /^(?:[0-9A-Fa-f]{2})+$/.test(text) ? Buffer.from(text, 'hex') : raw;
  try {
    return parseCvCertificate(der);
  } catch (cause) {
    throw fail('TERMINAL_MATERIAL_INVALID', `${what}: ${path} is not a CV certificate`, cause);
  }
}

function readPrivateKey(path: string, what: string): KeyObject {
  try {
    return createPrivateKey(readFile(path, what).toString('utf8'));
  } catch (cause) {
    if (cause instanceof IdpError) throw cause;
    throw fail('TERMINAL_MATERIAL_INVALID', `${what}: ${path} is not a PEM private key`, cause);
  }
}

function readSectorKey(path: string, what: string): SectorPublicKey {
  try {
    const key = createPublicKey(readFile(path, what).toString('utf8'));
    return { curve: domainParametersOfKey(key).name, point: pointOfPublicKey(key) };
  } catch (cause) {
    if (cause instanceof IdpError && cause.code === 'TERMINAL_MATERIAL_INVALID') throw cause;
    throw fail('TERMINAL_MATERIAL_INVALID', `${what}: ${path} is not an EC public key (SPKI PEM) on a supported curve`, cause);
  }
}

function stampOf(paths: readonly string[]): string {
  return paths.map((p) => {
    try {
      const st = statSync(p);
      return `${p}:${st.size}:${st.mtimeMs}`;
    } catch {
      return `${p}:absent`;
    }
  }).join('|');
}

export function createServiceTerminals(options: ServiceTerminalsOptions): ServiceTerminals {
  const clock = options.clock ?? systemClock;
  const resolve = options.resolvePath ?? ((r: string) => r);
  let pki: { stamp: string; value: PkiDirectory } | undefined;
  const cache = new Map<string, { stamp: string; value: ServiceTerminal }>();

  const currentPki = (): PkiDirectory => {
    const stamp = pkiDirectoryStamp(options.pkiDir);
    if (pki?.stamp !== stamp) pki = { stamp, value: loadPkiDirectory(options.pkiDir, clock.now()) };
    return pki.value;
  };

  const filesOf = (service: ServiceRecord): string[] => {
    const t = service.terminal;
    if (t === undefined) return [];
    const files = [t.certificate, t.key, ...(t.chain ?? [])].filter((r) => !r.startsWith('pkcs11:')).map(resolve);
    files.push(descriptionPathOf(resolve(t.certificate)));
    if (service.riSector !== undefined) files.push(resolve(service.riSector.publicKey));
    return files;
  };

  const build = (service: ServiceRecord, directory: PkiDirectory): ServiceTerminal => {
    const t = service.terminal;
    if (t === undefined) throw fail('TERMINAL_NOT_CONFIGURED', `${service.id}: no terminal certificate registered`);
    fileReference(t.certificate, `${service.id} terminal.certificate`);
    fileReference(t.key, `${service.id} terminal.key`);
    const certPath = resolve(t.certificate);
    const certificate = readCvc(certPath, `${service.id} terminal.certificate`);
    const privateKey = readPrivateKey(resolve(t.key), `${service.id} terminal.key`);
    // The key must belong to the certificate: a mix-up would otherwise surface only as a refused TA at the card.
    if (!pointOfPublicKey(createPublicKey(privateKey)).equals(certificate.publicKey.point)) {
      throw fail('TERMINAL_MATERIAL_INVALID', `${service.id}: terminal.key does not match the public key of terminal.certificate`);
    }
    const chain = (t.chain ?? []).map((ref, i) => {
      fileReference(ref, `${service.id} terminal.chain[${i}]`);
      return readCvc(resolve(ref), `${service.id} terminal.chain[${i}]`).raw;
    });
    const pool: Buffer[] = [];
    for (const c of [...chain, ...directory.cvCertificates]) if (!pool.some((p) => p.equals(c))) pool.push(c);

    let certificateDescription: Buffer | undefined;
    if (descriptionExtension(certificate.extensions) !== undefined) {
      const path = descriptionPathOf(certPath);
      certificateDescription = readFile(path, `${service.id} certificate description`);
      try {
        // TR-03110-4 §2.2.6: the client checks this hash; a stale file would fail there, after the citizen's consent.
        checkDescriptionHash(certificate, certificateDescription);
      } catch (cause) {
        throw fail('TERMINAL_MATERIAL_INVALID', `${service.id}: ${path} does not match id-description of the terminal certificate`, cause);
      }
    }

    const sectorPublicKeys = service.riSector === undefined ? [] : [readSectorKey(resolve(service.riSector.publicKey), `${service.id} riSector.publicKey`)];
    const blocked = service.riSector === undefined ? undefined : directory.blockLists.get(service.riSector.id);
    const trustStore = directory.trustStore;
    return {
      certificates: pool,
      terminalCertificate: certificate.raw,
      signer: keyObjectSigner(privateKey),
      ...(certificateDescription === undefined ? {} : { certificateDescription }),
      sectorPublicKeys,
      profile: getProfile(service.profile),
      // TR-03130-1 §2.4.3: EF.CardSecurity against the CSCA trust store, CRL required.
      verifyCardSecurity: async (der) => verifyCardSecurity(der, { trustStore, clock }).securityInfos,
      // TR-03130-1 §2.4.6 (block list): it holds the sector-specific identifiers of this eService's sector.
      ...(blocked === undefined || blocked.size === 0 ? {} : { isBlocked: (ids: readonly Buffer[]) => ids.some((id) => blocked.has(id.toString('hex'))) }),
      clock,
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
    };
  };

  const provider: ServiceTerminalProvider = async (serviceId) => {
    const service = await options.registry.getActive(serviceId, { allowTesting: options.allowTesting === true });
    const directory = currentPki();
    const stamp = `${service.revision}:${service.updatedAt}:${pki?.stamp ?? ''}:${stampOf(filesOf(service))}`;
    const hit = cache.get(serviceId);
    if (hit?.stamp === stamp) return hit.value;
    const value = build(service, directory);
    cache.set(serviceId, { stamp, value });
    return value;
  };

  return {
    provider,
    async terminalChat(service) {
      const ref = service.terminal?.certificate;
      if (ref === undefined || ref.startsWith('pkcs11:')) return null;
      return readCvc(resolve(ref), `${service.id} terminal.certificate`).chat;
    },
    pki: currentPki,
  };
}
