/**
 * Signature and digest algorithms accepted in X.509, CRLs and CMS, mapped to node:crypto.
 * WebCrypto has no brainpool curves, so every signature is computed and verified by node:crypto
 * (OpenSSL) over the exact DER bytes (TBS, signed attributes).
 *
 * @spec rfc5758 §3.2 (ecdsa-with-SHA2), rfc8017 App. A.2.4 (sha*WithRSAEncryption), rfc5754 §2 (SHA-2 digests)
 * @spec bsi-tr03111 §4.2 (ECDSA), icao9303-12 §4.4.3 (permitted algorithms)
 */
import { createHash, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { IdpError } from '../errors/idp-error.js';
import { derNull, derOid, derSequence } from './der.js';

export class PkiError extends IdpError {}

export type DigestName = 'sha224' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_OIDS: Readonly<Record<DigestName, string>> = {
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

const ECDSA: Readonly<Record<DigestName, string>> = {
  sha224: '1.2.840.10045.4.3.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};
const RSA_PKCS1: Readonly<Record<DigestName, string>> = {
  sha224: '1.2.840.113549.1.1.14',
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};

export interface SignatureAlgorithm { readonly oid: string; readonly key: 'ec' | 'rsa'; readonly hash: DigestName }

const SIGNATURE_ALGORITHMS = new Map<string, SignatureAlgorithm>();
for (const hash of Object.keys(ECDSA) as DigestName[]) {
  SIGNATURE_ALGORITHMS.set(ECDSA[hash], { oid: ECDSA[hash], key: 'ec', hash });
  SIGNATURE_ALGORITHMS.set(RSA_PKCS1[hash], { oid: RSA_PKCS1[hash], key: 'rsa', hash });
}

/** SHA-1, MD5 and RSASSA-PSS are not accepted (ICAO 9303-12 §4.4.3 still allows PSS; add it when a CSCA needs it). */
export function signatureAlgorithm(oid: string): SignatureAlgorithm {
  const alg = SIGNATURE_ALGORITHMS.get(oid);
  if (alg === undefined) throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', `unsupported signature algorithm ${oid}`, { detail: { oid } });
  return alg;
}

export function digestByOid(oid: string): DigestName {
  const found = (Object.keys(DIGEST_OIDS) as DigestName[]).find((d) => DIGEST_OIDS[d] === oid);
  if (found === undefined) throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', `unsupported digest algorithm ${oid}`, { detail: { oid } });
  return found;
}

export function digest(hash: DigestName, data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest();
}

/** DER AlgorithmIdentifier of a signature algorithm: ECDSA without parameters (RFC 5758 §3.2), RSA with NULL. */
export function signatureAlgorithmIdentifier(key: 'ec' | 'rsa', hash: DigestName): Buffer {
  return key === 'ec' ? derSequence([derOid(ECDSA[hash])]) : derSequence([derOid(RSA_PKCS1[hash]), derNull()]);
}

/** DER AlgorithmIdentifier of a digest (parameters absent, RFC 5754 §2). */
export function digestAlgorithmIdentifier(hash: DigestName): Buffer {
  return derSequence([derOid(DIGEST_OIDS[hash])]);
}

/** Verifies an X.509/CMS signature (ECDSA: DER Ecdsa-Sig-Value) with the algorithm named by `oid`. */
export function verifySignature(oid: string | SignatureAlgorithm, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const alg = typeof oid === 'string' ? signatureAlgorithm(oid) : oid;
  if (publicKey.asymmetricKeyType !== alg.key) return false;
  try {
    return nodeVerify(alg.hash, data, publicKey, signature);
  } catch {
    // OpenSSL rejects malformed signature encodings by throwing; for us that is an invalid signature.
    return false;
  }
}

const KEY_ONLY: Readonly<Record<string, 'ec' | 'rsa'>> = { '1.2.840.10045.2.1': 'ec', '1.2.840.113549.1.1.1': 'rsa' };

/**
 * CMS SignerInfo.signatureAlgorithm: a full signature algorithm, or (RFC 5753 §2.1.1 / RFC 3370 §3.2)
 * only the key algorithm, in which case the hash is the SignerInfo digestAlgorithm.
 */
export function cmsSignatureAlgorithm(oid: string, digestAlgorithm: DigestName): SignatureAlgorithm {
  const key = KEY_ONLY[oid];
  return key === undefined ? signatureAlgorithm(oid) : { oid, key, hash: digestAlgorithm };
}

/** Signs for X.509/CMS; returns the signature and the DER AlgorithmIdentifier to put beside it. */
export function signData(privateKey: KeyObject, hash: DigestName, data: Uint8Array): { signature: Buffer; algorithm: Buffer } {
  const key = privateKey.asymmetricKeyType;
  if (key !== 'ec' && key !== 'rsa') throw new PkiError('PKI_UNSUPPORTED_ALGORITHM', `unsupported key type ${String(key)}`);
  return { signature: nodeSign(hash, data, privateKey), algorithm: signatureAlgorithmIdentifier(key, hash) };
}
