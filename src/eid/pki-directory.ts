/**
 * The eID-Server's PKI directory (config eid.pkiDir): what every eService's EAC needs besides its own
 * terminal. Layout (each part optional except csca/):
 *
 *   csca/*.{pem,cer,crt,der}   CSCA certificates — trust anchors of passive authentication
 *   crl/*.{crl,der,pem}        CSCA CRLs (signature checked against a stored CSCA)
 *   masterlist/*.{ml,der}      CSCA master lists (CMS), accepted only when their signer chains to csca/
 *   cvc/*.cvcert               CVCA link certificates and DV certificates, offered to every card
 *   blocklist/<sector-id>.txt  sector-specific identifiers (hex, one a line) of blocked cards
 *
 * @spec tr03130-1 §2.4.3 (passive authentication with CSCA and CRL), §2.4.6 (document validity, block list);
 * @spec icao9303-12 §7.1 (CSCA master list); tr03110-3 §2.2 (link certificates)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseCvCertificate } from './eac/cvc/cv-certificate.js';
import { IdpError } from '../errors/idp-error.js';
import { TrustStore } from '../pki/trust-store.js';

export interface PkiDirectory {
  readonly trustStore: TrustStore;
  /** DER CV certificates (link, DV) for the certificate chain towards the card's CAR. */
  readonly cvCertificates: readonly Buffer[];
  /** Sector id → blocked sector-specific identifiers (lowercase hex). */
  readonly blockLists: ReadonlyMap<string, ReadonlySet<string>>;
  /** Counts for the startup log. */
  readonly summary: { cscas: number; crls: number; masterLists: number; cvCertificates: number; blockLists: number };
}

function invalid(message: string, cause?: unknown): IdpError {
  return new IdpError('TERMINAL_TRUST_STORE_INVALID', message, cause === undefined ? {} : { cause });
}

function filesOf(dir: string, extensions: readonly string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw invalid(`cannot list ${dir}`, cause);
  }
  return names.filter((n) => extensions.includes(extname(n).toLowerCase())).sort().map((n) => join(dir, n));
}

/** Modification times of everything loadPkiDirectory reads: a change in any file changes the stamp. */
export function pkiDirectoryStamp(dir: string): string {
  const parts: string[] = [];
  for (const sub of ['csca', 'crl', 'masterlist', 'cvc', 'blocklist']) {
    for (const file of filesOf(join(dir, sub), ['.pem', '.cer', '.crt', '.der', '.crl', '.ml', '.cvcert', '.txt'])) {
      const st = statSync(file);
      parts.push(`${file}:${st.size}:${st.mtimeMs}`);
    }
  }
  return parts.join('|');
}

export function loadPkiDirectory(dir: string, at: Date): PkiDirectory {
  const trustStore = new TrustStore();
  const read = (file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (cause) {
      throw invalid(`cannot read ${file}`, cause);
    }
  };
  const cscaFiles = filesOf(join(dir, 'csca'), ['.pem', '.cer', '.crt', '.der']);
  for (const file of cscaFiles) {
    try {
      const bytes = read(file);
      trustStore.addCscas(bytes.includes('-----BEGIN') ? bytes.toString('utf8') : bytes);
    } catch (cause) {
      throw invalid(`${file}: not a CSCA certificate`, cause);
    }
  }
  // TR-03130-1 §2.4.3: without a CSCA nothing passes passive authentication; refuse at load, not per login.
  if (trustStore.cscas.length === 0) throw invalid(`${join(dir, 'csca')}: no CSCA certificate (passive authentication needs at least one)`);
  const masterListFiles = filesOf(join(dir, 'masterlist'), ['.ml', '.der']);
  for (const file of masterListFiles) {
    try {
      trustStore.addMasterList(read(file), at);
    } catch (cause) {
      throw invalid(`${file}: master list not verifiable against csca/`, cause);
    }
  }
  const crlFiles = filesOf(join(dir, 'crl'), ['.crl', '.der', '.pem']);
  for (const file of crlFiles) {
    try {
      const bytes = read(file);
      trustStore.addCrl(bytes.includes('-----BEGIN') ? bytes.toString('utf8') : bytes);
    } catch (cause) {
      throw invalid(`${file}: CRL not verifiable against a CSCA`, cause);
    }
  }
  const cvCertificates: Buffer[] = [];
  for (const file of filesOf(join(dir, 'cvc'), ['.cvcert'])) {
    const der = read(file);
    try {
      parseCvCertificate(der);
    } catch (cause) {
      throw invalid(`${file}: not a CV certificate`, cause);
    }
    if (!cvCertificates.some((c) => c.equals(der))) cvCertificates.push(der);
  }
  const blockLists = new Map<string, ReadonlySet<string>>();
  for (const file of filesOf(join(dir, 'blocklist'), ['.txt'])) {
    const sector = file.slice(join(dir, 'blocklist').length + 1, -'.txt'.length);
    const ids = new Set<string>();
    read(file).toString('utf8').split(/\r?\n/).forEach((line, i) => {
      const value = line.replace(/#.*$/, '').trim();
      if (value === '') return;
      if (!/^(?:[0-9A-Fa-f]{2}){16,64}$/.test(value)) throw invalid(`${file}:${i + 1}: expected a sector-specific identifier in hex`);
      ids.add(value.toLowerCase());
    });
    blockLists.set(sector, ids);
  }
  return {
    trustStore, cvCertificates, blockLists,
    summary: { cscas: trustStore.cscas.length, crls: crlFiles.length, masterLists: masterListFiles.length, cvCertificates: cvCertificates.length, blockLists: blockLists.size },
  };
}
