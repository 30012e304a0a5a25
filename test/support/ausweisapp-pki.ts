/**
 * The PKI that AusweisApp2 1.26.2 and its simulator card accept from our eID-Server:
 * - a development CVC chain whose CVCA CHR is `DETESTeID00005` (the simulator's CAR; it accepts any
 *   TA signature, the client checks the chain shape and the CertificateDescription);
 * - a `de`-profile terminal certificate with an EXPLICIT-tag CertificateDescription whose subjectURL is
 *   the https origin of the tcTokenURL and whose commCertificates are the SHA-256 of our TLS
 *   certificates (TR-03124-1 §2.7 channel binding);
 * - an RI sector key certified in id-sector;
 * - a passive-authentication trust store with the BSI TEST CSCA that signed the simulator's
 *   EF.CardSecurity (test/fixtures/ausweisapp/PROVENANCE.md).
 *
 * @spec tr03110-3 §C.1, §C.3; tr03110-4 §2.2.6; tr03124-1 §2.7; tr03130-1 §2.4.3; eid-protocol §5.1
 */
import { createECDH, createHash, X509Certificate as NodeX509 } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDevelopmentPki, type DevelopmentPki } from '../../tools/test-pki/cvc-chain.js';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import type { CertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import { cvcDateFromDate } from '../../src/eid/eac/cvc/dates.js';
import { sectorPublicKeyHash, type SectorPublicKey } from '../../src/eid/eac/ri.js';
import { verifyCardSecurity, type PassiveAuthenticationResult } from '../../src/eid/eac/passive-authentication.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import type { Clock } from '../../src/shared/clock.js';

/** The CAR the 1.26.2 simulator card reports (its fake PACE returns it as CAR_curr). */
export const SIMULATOR_CVCA = 'DETESTeID00005';
/** id-RI-ECDH-SHA-256: the RI protocol of the simulator card (EF.CardSecurity, reference §4.6). */
export const RI_ECDH_SHA_256 = '0.4.0.127.0.7.2.2.5.2.3';

export const BSI_TEST_CSCA_PATH = fileURLToPath(new URL('../fixtures/ausweisapp/bsi-test-csca-2018-12.cer', import.meta.url));

/** What a `de` demo eService may read: all data groups the simulator has, RI, age and place verification. */
export const DE_DEMO_RIGHTS: readonly AtRight[] = [
  'READ_DG1', 'READ_DG2', 'READ_DG3', 'READ_DG4', 'READ_DG5', 'READ_DG6', 'READ_DG7', 'READ_DG8', 'READ_DG9',
  'READ_DG10', 'READ_DG13', 'READ_DG17', 'READ_DG18', 'READ_DG19', 'READ_DG20',
  'RESTRICTED_IDENTIFICATION', 'AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION',
];

export interface AusweisAppPkiOptions {
  /** https origin of the tcTokenURL / RefreshAddress (CertificateDescription subjectURL). */
  subjectUrl: string;
  /** PEM of every TLS certificate the client sees (TC Token server, TLS-PSK eID-Server, RefreshAddress). */
  tlsCertificates: readonly string[];
  rights?: readonly AtRight[];
  today?: Date;
}

export interface AusweisAppPki {
  readonly pki: DevelopmentPki;
  readonly description: CertificateDescription;
  readonly rights: readonly AtRight[];
  /** The sector public key certified as sector 1 in the terminal certificate. */
  readonly sectorKey: SectorPublicKey;
  readonly trustStore: TrustStore;
}

/** SHA-256 of a PEM certificate's DER (the hash algorithm of the terminal key, brainpoolP256r1 + SHA-256). */
export function certificateHash(pem: string): Buffer {
  return createHash('sha256').update(new NodeX509(pem).raw).digest();
}

export function bsiTestTrustStore(): TrustStore {
  const store = new TrustStore();
  store.addCscas(readFileSync(BSI_TEST_CSCA_PATH));
  return store;
}

/**
 * Passive authentication against the BSI TEST CSCA. requireCrl is off: the test CSCA's only public CRL
 * expired in 2020 and the test runs offline (PROVENANCE.md); everything else is the production check.
 */
export function verifySimulatorCardSecurity(trustStore: TrustStore, clock: Clock, efCardSecurity: Buffer): PassiveAuthenticationResult {
  return verifyCardSecurity(efCardSecurity, { trustStore, clock, requireCrl: false });
}

export function createAusweisAppPki(o: AusweisAppPkiOptions): AusweisAppPki {
  const origin = new URL(o.subjectUrl);
  if (origin.protocol !== 'https:') throw new Error(`subjectURL must be https: ${o.subjectUrl}`);
  const rights = o.rights ?? DE_DEMO_RIGHTS;
  const ecdh = createECDH('brainpoolP256r1');
  ecdh.generateKeys();
  const sectorKey: SectorPublicKey = { curve: 'brainpoolP256r1', point: ecdh.getPublicKey() };
  const description: CertificateDescription = {
    format: 'plain',
    issuerName: 'New eID IdP test DV',
    issuerUrl: origin.origin,
    subjectName: 'New eID IdP demo eService (de)',
    subjectUrl: origin.origin,
    termsOfUsage: 'Name, Anschrift und E-Mail-Adresse des Diensteanbieters:\nNew eID IdP interop test\nlocalhost',
    commCertificates: o.tlsCertificates.map(certificateHash),
  };
  const pki = createDevelopmentPki({
    cvcaChr: SIMULATOR_CVCA,
    today: cvcDateFromDate(o.today ?? new Date()),
    rights,
    description,
    // brainpoolP256r1 terminal key → SHA-256 for the sector hash too.
    sector: { sector1Hash: sectorPublicKeyHash(RI_ECDH_SHA_256, sectorKey, 'sha256') },
  });
  return { pki, description, rights, sectorKey, trustStore: bsiTestTrustStore() };
}
