/**
 * EF.CardSecurity: CMS SignedData over the DER SecurityInfos, signed by a Document Signer (card issuer side).
 *
 * @spec tr03110-3 §A.1.2 (EF.CardSecurity), rfc5652 §5 (SignedData)
 *
 * ```asn1
 * id-SecurityObject OBJECT IDENTIFIER ::= { bsi-de(0.4.0.127.0.7) applications(3) eID(2) 1 }
 * EF.CardSecurity ::= ContentInfo { id-signedData, SignedData { eContentType id-SecurityObject, eContent DER(SecurityInfos) } }
 * ```
 */
import type { KeyObject } from 'node:crypto';
import type { DigestName } from '../../pki/algorithms.js';
import type { X509Certificate } from '../../pki/certificate.js';
import { buildSignedData } from '../../pki/cms.js';
import { encodeSecurityInfos } from './security-infos.js';
import type { SecurityInfo } from './security-infos.js';

export const ID_SECURITY_OBJECT = '0.4.0.127.0.7.3.2.1';

export interface CardSecurityInput {
  /** Decoded infos (encoded here as sorted DER) or ready DER SecurityInfos, signed exactly as given. */
  readonly securityInfos: readonly SecurityInfo[] | Uint8Array;
  readonly documentSigner: { readonly certificate: X509Certificate; readonly privateKey: KeyObject };
  /** Default sha256 for 256-bit keys, sha384 above (TR-03116-2 pairs hash and key size). */
  readonly hash?: DigestName;
  readonly signingTime?: Date;
}

/** DER EF.CardSecurity; the DS certificate is included (the terminal needs it for passive authentication). */
export function buildCardSecurity(input: CardSecurityInput): Buffer {
  const content = input.securityInfos instanceof Uint8Array ? Buffer.from(input.securityInfos) : encodeSecurityInfos(input.securityInfos);
  const bits = input.documentSigner.certificate.publicKey.asymmetricKeyDetails?.namedCurve;
  const hash = input.hash ?? (bits === 'brainpoolP256r1' || bits === 'prime256v1' ? 'sha256' : 'sha384');
  return buildSignedData({
    eContentType: ID_SECURITY_OBJECT, content, signer: input.documentSigner, hash,
    ...(input.signingTime === undefined ? {} : { signingTime: input.signingTime }),
  });
}
