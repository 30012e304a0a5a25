/**
 * Trust store for passive authentication: CSCA certificates (trust anchors) and the CSCAs' CRLs.
 * CSCAs come from PEM/DER files configured by the operator, or from a master list verified against
 * CSCAs already trusted. CRLs are verified against their CSCA when added and checked for freshness
 * at each validation; their signature against a stored CSCA is verified once per CRL and CSCA
 * (VerifiedCrlCache, until the CRL's nextUpdate), not in every validation.
 *
 * @spec icao9303-12 §5.1 (CSCA as trust anchor), §9 (master lists); rfc5280 §6.1.1 (trust anchor input), §6.3
 * @spec tr03130-1 §2.4.3 (PA: trust store, path validation incl. CRL)
 */
import { PkiError } from './algorithms.js';
import { parseCertificates } from './certificate.js';
import type { KeyUsageName, X509Certificate } from './certificate.js';
import { validateCertificatePath } from './chain.js';
import type { ValidatedPath } from './chain.js';
import { checkNotRevoked, parseCrl, VerifiedCrlCache, verifyCrlSignature } from './crl.js';
import type { X509Crl } from './crl.js';
import { namesEqual } from './certificate.js';
import { verifyMasterList } from './master-list.js';

export interface TrustedValidationOptions {
  readonly at: Date;
  /** Default true: a certificate below a CSCA without a fresh CSCA CRL fails (PKI_CRL_MISSING / PKI_CRL_STALE). */
  readonly requireCrl?: boolean;
  readonly requiredKeyUsage?: KeyUsageName;
  readonly requiredExtKeyUsage?: string;
  readonly intermediates?: readonly X509Certificate[];
}

export interface TrustStoreOptions {
  /** Verified CRL signatures (default: one cache of this store). */
  readonly verifiedCrls?: VerifiedCrlCache;
}

export class TrustStore {
  readonly #cscas: X509Certificate[] = [];
  readonly #crls: X509Crl[] = [];
  readonly #verifiedCrls: VerifiedCrlCache;

  constructor(options: TrustStoreOptions = {}) {
    this.#verifiedCrls = options.verifiedCrls ?? new VerifiedCrlCache();
  }

  /** A CSCA must be a CA certificate allowed to sign certificates. */
  addCsca(cert: X509Certificate): void {
    if (cert.basicConstraints?.ca !== true) throw new PkiError('PKI_NOT_A_CA', `not a CA certificate: ${cert.subjectText}`);
    if (cert.keyUsage !== null && !cert.keyUsage.has('keyCertSign')) throw new PkiError('PKI_KEY_USAGE', `CSCA lacks keyCertSign: ${cert.subjectText}`);
    if (!this.#cscas.some((c) => c.der.equals(cert.der))) this.#cscas.push(cert);
  }

  /** PEM (one or more CERTIFICATE blocks) or DER; returns how many were added. */
  addCscas(input: Uint8Array | string): number {
    const certs = parseCertificates(input);
    for (const c of certs) this.addCsca(c);
    return certs.length;
  }

  /**
   * Adds the CSCAs of a master list whose signer chains to a CSCA already in this store (checked at `at`,
   * including the CRL of that CSCA when one is loaded). Returns the number of CSCAs in the list.
   */
  addMasterList(der: Uint8Array, at: Date): number {
    const verified = verifyMasterList(der, {
      trustAnchors: this.#cscas, at,
      checkRevocation: (cert, issuer) => { const crl = this.crlFor(issuer, at); if (crl !== undefined) checkNotRevoked(crl, cert, issuer, at, this.#cacheFor(issuer)); },
    });
    // Entries that are not CA certificates (e.g. stray link or signer certificates) are skipped, not trusted.
    let added = 0;
    for (const c of verified.cscas) {
      if (c.basicConstraints?.ca === true && (c.keyUsage === null || c.keyUsage.has('keyCertSign'))) { this.addCsca(c); added++; }
    }
    return added;
  }

  /** Adds a CRL after verifying its signature by one of the stored CSCAs; keeps the newest per CSCA. */
  addCrl(input: Uint8Array | string): X509Crl {
    const crl = parseCrl(input);
    const issuer = this.#cscas.find((c) => {
      if (!namesEqual(c.subject, crl.issuer)) return false;
      try { verifyCrlSignature(crl, c); return true; } catch { return false; }
    });
    if (issuer === undefined) throw new PkiError('PKI_CRL_SIGNATURE_INVALID', `CRL of ${crl.issuerText}: no stored CSCA verifies it`);
    const older = this.#crls.findIndex((x) => x.der.equals(crl.der) || (namesEqual(x.issuer, crl.issuer) && x.thisUpdate.getTime() <= crl.thisUpdate.getTime()));
    if (older >= 0) this.#crls.splice(older, 1);
    this.#crls.push(crl);
    return crl;
  }

  get cscas(): readonly X509Certificate[] { return this.#cscas; }
  get crls(): readonly X509Crl[] { return this.#crls; }

  /**
   * The newest stored CRL signed by `issuer`. With `at` (the validation time), a signature already
   * verified against one of the stored CSCAs is not verified again (VerifiedCrlCache).
   */
  crlFor(issuer: X509Certificate, at?: Date): X509Crl | undefined {
    const cache = at === undefined ? undefined : this.#cacheFor(issuer);
    return this.#crls
      .filter((crl) => {
        if (!namesEqual(crl.issuer, issuer.subject)) return false;
        try {
          if (cache === undefined) verifyCrlSignature(crl, issuer);
          else cache.verify(crl, issuer, at!);
          return true;
        } catch {
          return false;
        }
      })
      .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())[0];
  }

  /** The cache only for a trust anchor of this store: a certificate from the card (a link certificate) is checked each time. */
  #cacheFor(issuer: X509Certificate): VerifiedCrlCache | undefined {
    return this.#cscas.includes(issuer) ? this.#verifiedCrls : undefined;
  }

  /** RFC 5280 §6.1 path validation to a stored CSCA, with the CSCA CRL checked for every certificate below it. */
  validate(cert: X509Certificate, options: TrustedValidationOptions): ValidatedPath {
    const requireCrl = options.requireCrl ?? true;
    return validateCertificatePath({
      target: cert,
      trustAnchors: this.#cscas,
      at: options.at,
      ...(options.intermediates === undefined ? {} : { intermediates: options.intermediates }),
      ...(options.requiredKeyUsage === undefined ? {} : { requiredKeyUsage: options.requiredKeyUsage }),
      ...(options.requiredExtKeyUsage === undefined ? {} : { requiredExtKeyUsage: options.requiredExtKeyUsage }),
      checkRevocation: (c, issuer) => {
        const crl = this.crlFor(issuer, options.at);
        if (crl === undefined) {
          if (requireCrl) throw new PkiError('PKI_CRL_MISSING', `no CRL of ${issuer.subjectText}`);
          return;
        }
        checkNotRevoked(crl, c, issuer, options.at, this.#cacheFor(issuer));
      },
    });
  }
}
