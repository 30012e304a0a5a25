/**
 * CSCA master lists: CMS SignedData whose content is a CscaMasterList, signed by a master-list
 * signer certified by a CSCA. Verifying one yields CSCA certificates to add to the trust store.
 *
 * @spec icao9303-12 §9 (CSCA master list), §7.1.2 (master list signer certificate); rfc5652 §5
 *
 * ```asn1
 * CscaMasterList ::= SEQUENCE { version CscaMasterListVersion (v0), certList SET OF Certificate }
 * id-icao-cscaMasterList OBJECT IDENTIFIER ::= { 2.23.136.1.1.2 }
 * id-icao-cscaMasterListSigningKey OBJECT IDENTIFIER ::= { 2.23.136.1.1.3 }  -- extKeyUsage of the signer
 * ```
 */
import type { KeyObject } from 'node:crypto';
import { PkiError } from './algorithms.js';
import type { DigestName } from './algorithms.js';
import { parseCertificate } from './certificate.js';
import type { X509Certificate } from './certificate.js';
import { validateCertificatePath } from './chain.js';
import type { ValidatedPath } from './chain.js';
import { buildSignedData, verifySignedData } from './cms.js';
import { derInteger, derSequence, derSetOf, isUniversal, parseDer, readInteger, readSequence, Tag } from './der.js';
import type { Fail } from './der.js';

export const MasterListOid = {
  CSCA_MASTER_LIST: '2.23.136.1.1.2',
  MASTER_LIST_SIGNING_KEY: '2.23.136.1.1.3',
} as const;

const invalid: Fail = (reason: string): never => { throw new PkiError('PKI_MASTER_LIST_INVALID', `master list: ${reason}`, { detail: { reason } }); };

export function encodeCscaMasterList(certificates: readonly X509Certificate[]): Buffer {
  return derSequence([derInteger(0), derSetOf(certificates.map((c) => c.der))]);
}

export function decodeCscaMasterList(bytes: Uint8Array): X509Certificate[] {
  const f = readSequence(parseDer(bytes, invalid), 'CscaMasterList', invalid, 2, 2);
  if (readInteger(f[0], 'version', invalid) !== 0n) invalid('version is not v0');
  if (!isUniversal(f[1]!, Tag.SET)) invalid('certList is not a SET');
  return f[1]!.children.map((c) => parseCertificate(c.raw));
}

export function buildMasterList(input: { certificates: readonly X509Certificate[]; signer: { certificate: X509Certificate; privateKey: KeyObject }; hash: DigestName; signingTime?: Date }): Buffer {
  return buildSignedData({
    eContentType: MasterListOid.CSCA_MASTER_LIST, content: encodeCscaMasterList(input.certificates), signer: input.signer, hash: input.hash,
    ...(input.signingTime === undefined ? {} : { signingTime: input.signingTime }),
  });
}

export interface VerifiedMasterList {
  readonly cscas: readonly X509Certificate[];
  readonly signer: X509Certificate;
  readonly signerPath: ValidatedPath;
}

/**
 * Verifies the CMS layer, then the signer: path to one of `trustAnchors` (CSCAs trusted out of band),
 * keyUsage digitalSignature and extKeyUsage id-icao-cscaMasterListSigningKey (ICAO 9303-12 §7.1.2).
 * The returned CSCAs are trustworthy only as far as `trustAnchors` are; revoked CSCAs may be listed,
 * so CRLs still apply (ICAO 9303-12 §9).
 */
export function verifyMasterList(der: Uint8Array, options: { trustAnchors: readonly X509Certificate[]; at: Date; checkRevocation?: (c: X509Certificate, issuer: X509Certificate) => void }): VerifiedMasterList {
  const signed = verifySignedData(der, { expectedContentType: MasterListOid.CSCA_MASTER_LIST });
  const signerPath = validateCertificatePath({
    target: signed.signer, trustAnchors: options.trustAnchors, intermediates: signed.certificates, at: options.at,
    requiredKeyUsage: 'digitalSignature', requiredExtKeyUsage: MasterListOid.MASTER_LIST_SIGNING_KEY,
    ...(options.checkRevocation === undefined ? {} : { checkRevocation: options.checkRevocation }),
  });
  return { cscas: decodeCscaMasterList(signed.content), signer: signed.signer, signerPath };
}
