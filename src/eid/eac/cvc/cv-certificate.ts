/**
 * Card-verifiable certificates (CVCA, link, DV and terminal certificates): strict decoding,
 * body encoding, signing and signature verification (ECDSA, TR-03111 plain r||s).
 *
 * @spec tr03110-3 §C.1 (Table C.1: certificate body, element order), §C.2 (certificate requests are not handled here)
 * @spec tr03110-3 §D.2 (data objects), §D.3.3 (EC public keys), bsi-tr03111 §4.1.3 (plain signature format)
 *
 * ```
 * 7F21 CV Certificate {
 *   7F4E Certificate Body {
 *     5F29 Certificate Profile Identifier (00)
 *     42   Certification Authority Reference
 *     7F49 Public Key
 *     5F20 Certificate Holder Reference
 *     7F4C Certificate Holder Authorization Template
 *     5F25 Certificate Effective Date
 *     5F24 Certificate Expiration Date
 *     65   Certificate Extensions                     OPTIONAL }
 *   5F37 Signature over the complete 7F4E data object }
 * ```
 *
 * Signatures are made and checked with the algorithm of the ISSUER's public key OID (the OID of a
 * key names the algorithm that key signs with), on the issuer's curve.
 */
import type { KeyObject } from 'node:crypto';
import { decodeTlv, decodeTlvs, encodeTlv } from '../../card/tlv.js';
import type { Tlv } from '../../card/tlv.js';
import { domainParametersOfKey, ecdsaSignPlain, ecdsaVerifyPlain } from '../domain-parameters.js';
import { chatFromTlv, encodeChat, TAG_CHAT } from './chat.js';
import type { Chat } from './chat.js';
import { decodeCvcDate, encodeCvcDate } from './dates.js';
import type { CvcDate } from './dates.js';
import { CvcError, withTlvErrors } from './errors.js';
import { encodeExtensions, extensionsFromTlv, TAG_EXTENSIONS } from './extensions.js';
import type { CvcExtension } from './extensions.js';
import { encodePublicKey, hashOfTaAlgorithm, publicKeyFromTlv, TAG_PUBLIC_KEY } from './public-key.js';
import type { CvcPublicKey } from './public-key.js';
import { decodeCertificateReference, encodeCertificateReference } from './reference.js';

export const TAG = {
  CV_CERTIFICATE: 0x7f21,
  BODY: 0x7f4e,
  PROFILE_IDENTIFIER: 0x5f29,
  CAR: 0x42,
  PUBLIC_KEY: TAG_PUBLIC_KEY,
  CHR: 0x5f20,
  CHAT: TAG_CHAT,
  EFFECTIVE_DATE: 0x5f25,
  EXPIRATION_DATE: 0x5f24,
  EXTENSIONS: TAG_EXTENSIONS,
  SIGNATURE: 0x5f37,
} as const;

/** TR-03110-3 §C.1.1: the only defined certificate profile identifier. */
export const CERTIFICATE_PROFILE_IDENTIFIER = 0;

export interface CvCertificateBody {
  readonly profileId: number;
  readonly car: string;
  readonly publicKey: CvcPublicKey;
  readonly chr: string;
  readonly chat: Chat;
  readonly effectiveDate: CvcDate;
  readonly expirationDate: CvcDate;
  /** Empty when the certificate has no 65. */
  readonly extensions: readonly CvcExtension[];
}

export interface CvCertificate extends CvCertificateBody {
  /** The complete 7F21 encoding as received. */
  readonly raw: Buffer;
  /** The complete 7F4E encoding as received (the signed data). */
  readonly bodyRaw: Buffer;
  /** Plain r||s. */
  readonly signature: Buffer;
}

const hexTag = (t: number): string => t.toString(16).toUpperCase();

/**
 * Walks `nodes` against `expected` (in order; optional ones may be absent). Missing mandatory tag
 * → CVC_MISSING_ELEMENT, present but out of order or unexpected → CVC_WRONG_TAG.
 */
function matchOrder(where: string, nodes: readonly Tlv[], expected: readonly { tag: number; optional?: boolean }[]): Map<number, Tlv> {
  const out = new Map<number, Tlv>();
  let i = 0;
  for (const e of expected) {
    const node = nodes[i];
    if (node?.tag === e.tag) {
      out.set(e.tag, node);
      i++;
      continue;
    }
    if (e.optional === true) continue;
    if (nodes.some((n) => n.tag === e.tag)) {
      throw new CvcError('CVC_WRONG_TAG', `${where}: ${hexTag(e.tag)} out of order (found ${node === undefined ? 'end' : hexTag(node.tag)} where ${hexTag(e.tag)} belongs)`);
    }
    throw new CvcError('CVC_MISSING_ELEMENT', `${where}: mandatory ${hexTag(e.tag)} missing`, { detail: { tag: hexTag(e.tag) } });
  }
  const extra = nodes[i];
  if (extra !== undefined) {
    throw new CvcError('CVC_WRONG_TAG', `${where}: unexpected ${hexTag(extra.tag)}${out.has(extra.tag) ? ' (repeated)' : ''}`);
  }
  return out;
}

const BODY_ORDER = [
  { tag: TAG.PROFILE_IDENTIFIER }, { tag: TAG.CAR }, { tag: TAG.PUBLIC_KEY }, { tag: TAG.CHR }, { tag: TAG.CHAT },
  { tag: TAG.EFFECTIVE_DATE }, { tag: TAG.EXPIRATION_DATE }, { tag: TAG.EXTENSIONS, optional: true },
] as const;

function bodyFromTlv(body: Tlv): CvCertificateBody {
  if (body.tag !== TAG.BODY) throw new CvcError('CVC_WRONG_TAG', `expected certificate body 7F4E, found ${hexTag(body.tag)}`);
  // TR-03110-3 §C.1, Table C.1: the data objects of the body appear in exactly this order.
  const m = matchOrder('certificate body', body.children, BODY_ORDER);
  const get = (tag: number): Tlv => m.get(tag) as Tlv;
  const cpi = get(TAG.PROFILE_IDENTIFIER).value;
  // TR-03110-3 §C.1.1: version 1 of the profile is encoded as 0x00.
  if (cpi.length !== 1 || cpi[0] !== CERTIFICATE_PROFILE_IDENTIFIER) {
    throw new CvcError('CVC_PROFILE_UNSUPPORTED', `certificate profile identifier ${cpi.toString('hex')} is not 00`);
  }
  const primitive = (tag: number): Buffer => {
    const node = get(tag);
    if (node.constructed) throw new CvcError('CVC_WRONG_TAG', `${hexTag(tag)} must be primitive`);
    return node.value;
  };
  const effectiveDate = decodeCvcDate(primitive(TAG.EFFECTIVE_DATE));
  const expirationDate = decodeCvcDate(primitive(TAG.EXPIRATION_DATE));
  if (expirationDate < effectiveDate) {
    throw new CvcError('CVC_DATE_INVALID', `expiration date ${expirationDate} before effective date ${effectiveDate}`);
  }
  const ext = m.get(TAG.EXTENSIONS);
  return {
    profileId: CERTIFICATE_PROFILE_IDENTIFIER,
    car: decodeCertificateReference(primitive(TAG.CAR)),
    publicKey: publicKeyFromTlv(get(TAG.PUBLIC_KEY)),
    chr: decodeCertificateReference(primitive(TAG.CHR)),
    chat: chatFromTlv(get(TAG.CHAT)),
    effectiveDate,
    expirationDate,
    extensions: ext === undefined ? [] : extensionsFromTlv(ext),
  };
}

function fromParts(bodyNode: Tlv, signatureNode: Tlv, raw: Buffer): CvCertificate {
  const body = bodyFromTlv(bodyNode);
  const signature = signatureNode.value;
  // BSI TR-03111 §4.1.3: r||s of equal length; the exact length is checked against the issuer's curve on verification.
  if (signatureNode.constructed || signature.length === 0 || signature.length % 2 !== 0) {
    throw new CvcError('CVC_SIGNATURE_MALFORMED', `signature of ${signature.length} bytes is not r||s`);
  }
  return { ...body, raw, bodyRaw: bodyNode.raw, signature };
}

/** Decodes a complete 7F21 CV certificate; exactly one data object, no trailing bytes. */
export function parseCvCertificate(bytes: Uint8Array): CvCertificate {
  const outer = withTlvErrors('CV certificate', () => decodeTlv(bytes));
  if (outer.tag !== TAG.CV_CERTIFICATE) throw new CvcError('CVC_WRONG_TAG', `expected CV certificate 7F21, found ${hexTag(outer.tag)}`);
  const m = matchOrder('CV certificate', outer.children, [{ tag: TAG.BODY }, { tag: TAG.SIGNATURE }]);
  return fromParts(m.get(TAG.BODY) as Tlv, m.get(TAG.SIGNATURE) as Tlv, outer.raw);
}

/**
 * Decodes the command data of PSO:Verify Certificate (`7F4E … 5F37 …`, TR-03110-3 §B.11.5), as the chip
 * receives it. `raw` of the result is the equivalent 7F21 encoding.
 */
export function parseCvCertificateParts(bytes: Uint8Array): CvCertificate {
  const nodes = withTlvErrors('certificate body and signature', () => decodeTlvs(bytes));
  const m = matchOrder('PSO:Verify Certificate data', nodes, [{ tag: TAG.BODY }, { tag: TAG.SIGNATURE }]);
  const body = m.get(TAG.BODY) as Tlv;
  const sig = m.get(TAG.SIGNATURE) as Tlv;
  return fromParts(body, sig, encodeTlv(TAG.CV_CERTIFICATE, [body.raw, sig.raw]));
}

/** `7F4E … 5F37 …`: the command data of PSO:Verify Certificate. */
export function psoVerifyCertificateData(cert: CvCertificate): Buffer {
  return Buffer.concat([cert.bodyRaw, encodeTlv(TAG.SIGNATURE, cert.signature)]);
}

/** The 7F4E encoding of a body (elements in Table C.1 order; 65 only when there are extensions). */
export function encodeCvCertificateBody(body: CvCertificateBody): Buffer {
  if (body.profileId !== CERTIFICATE_PROFILE_IDENTIFIER) throw new CvcError('CVC_PROFILE_UNSUPPORTED', `profile identifier ${body.profileId} is not 0`);
  if (body.expirationDate < body.effectiveDate) throw new CvcError('CVC_DATE_INVALID', 'expiration date before effective date');
  const parts = [
    encodeTlv(TAG.PROFILE_IDENTIFIER, Buffer.from([CERTIFICATE_PROFILE_IDENTIFIER])),
    encodeTlv(TAG.CAR, encodeCertificateReference(body.car)),
    encodePublicKey(body.publicKey),
    encodeTlv(TAG.CHR, encodeCertificateReference(body.chr)),
    encodeChat(body.chat),
    encodeTlv(TAG.EFFECTIVE_DATE, encodeCvcDate(body.effectiveDate)),
    encodeTlv(TAG.EXPIRATION_DATE, encodeCvcDate(body.expirationDate)),
  ];
  if (body.extensions.length > 0) parts.push(encodeExtensions(body.extensions));
  return encodeTlv(TAG.BODY, parts);
}

/**
 * Signs a body with the issuer's private key and returns the complete 7F21 certificate.
 * `issuerAlgorithmOid` is the id-TA-ECDSA-* OID of the issuer's key (for a self-signed CVCA: its own).
 */
export function signCvCertificate(body: CvCertificateBody | Uint8Array, issuerPrivateKey: KeyObject, issuerAlgorithmOid: string): Buffer {
  const bodyRaw = body instanceof Uint8Array ? Buffer.from(body) : encodeCvCertificateBody(body);
  if (body instanceof Uint8Array) bodyFromTlv(withTlvErrors('certificate body', () => decodeTlv(bodyRaw)));
  const signature = ecdsaSignPlain(issuerPrivateKey, bodyRaw, hashOfTaAlgorithm(issuerAlgorithmOid));
  return encodeTlv(TAG.CV_CERTIFICATE, [bodyRaw, encodeTlv(TAG.SIGNATURE, signature)]);
}

/**
 * True iff the signature verifies over the received 7F4E bytes with the issuer's key and algorithm.
 * Throws CVC_SIGNATURE_MALFORMED when the signature length does not fit the issuer's curve
 * (a truncated or padded signature is a structural error, not merely a wrong signature).
 */
export function verifyCvCertificateSignature(cert: CvCertificate, issuerPublicKey: KeyObject, issuerAlgorithmOid: string): boolean {
  const hash = hashOfTaAlgorithm(issuerAlgorithmOid);
  const { fieldSize, name } = domainParametersOfKey(issuerPublicKey);
  if (cert.signature.length !== 2 * fieldSize) {
    throw new CvcError('CVC_SIGNATURE_MALFORMED', `signature of ${cert.signature.length} bytes, ${name} needs ${2 * fieldSize}`);
  }
  return ecdsaVerifyPlain(issuerPublicKey, cert.bodyRaw, cert.signature, hash);
}

/** A self-signed CVCA certificate names itself as CAR. */
export function isSelfSigned(cert: CvCertificateBody): boolean {
  return cert.car === cert.chr;
}
