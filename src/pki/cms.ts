/**
 * CMS SignedData with one signer, as used for EF.CardSecurity (TR-03110-3 App. A, ICAO-style
 * SignedData) and CSCA master lists (ICAO 9303-12 §9): build, and verify the signature layer.
 * Certificate path validation of the signer is the caller's job (chain.ts).
 *
 * @spec rfc5652 §5.1 (SignedData), §5.3 (SignerInfo), §5.4 (message digest), §5.6 (verification),
 *       §11.1 (contentType), §11.2 (messageDigest), §11.3 (signingTime)
 *
 * ```asn1
 * ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
 * SignedData ::= SEQUENCE { version CMSVersion, digestAlgorithms SET OF DigestAlgorithmIdentifier,
 *   encapContentInfo SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL },
 *   certificates [0] IMPLICIT CertificateSet OPTIONAL, crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
 *   signerInfos SET OF SignerInfo }
 * SignerInfo ::= SEQUENCE { version CMSVersion, sid SignerIdentifier, digestAlgorithm,
 *   signedAttrs [0] IMPLICIT SET OF Attribute OPTIONAL, signatureAlgorithm, signature OCTET STRING,
 *   unsignedAttrs [1] IMPLICIT SET OF Attribute OPTIONAL }
 * ```
 */
import type { KeyObject } from 'node:crypto';
import type { ErrorCode } from '../errors/catalog.js';
import { cmsSignatureAlgorithm, digest, digestAlgorithmIdentifier, digestByOid, PkiError, signData, verifySignature } from './algorithms.js';
import type { DigestName } from './algorithms.js';
import { namesEqual, parseCertificate } from './certificate.js';
import type { X509Certificate } from './certificate.js';
import {
  derInteger, derOctetString, derOid, derSequence, derSetOf, derTlv, isContext, isUniversal, parseDer, parseTime, readInteger, readOctetString,
  readOid, readSequence, Tag,
} from './der.js';
import type { DerNode, Fail } from './der.js';
import { constantTimeEqual } from '../shared/bytes.js';

export const CmsOid = {
  SIGNED_DATA: '1.2.840.113549.1.7.2',
  DATA: '1.2.840.113549.1.7.1',
  CONTENT_TYPE: '1.2.840.113549.1.9.3',
  MESSAGE_DIGEST: '1.2.840.113549.1.9.4',
  SIGNING_TIME: '1.2.840.113549.1.9.5',
} as const;

export interface SignedDataInput {
  readonly eContentType: string;
  readonly content: Uint8Array;
  readonly signer: { readonly certificate: X509Certificate; readonly privateKey: KeyObject };
  readonly hash: DigestName;
  /** Further certificates to include after the signer's (e.g. a CSCA in a master list is not needed). */
  readonly certificates?: readonly X509Certificate[];
  readonly signingTime?: Date;
  /** Default true. False only to produce negative test vectors (a verifier then cannot find the signer). */
  readonly includeSignerCertificate?: boolean;
}

function attribute(oid: string, value: Buffer): Buffer {
  return derSequence([derOid(oid), derSetOf([value])]);
}

function utcTime(d: Date): Buffer {
  // RFC 5652 §11.3: UTCTime for 1950–2049.
  const s = d.toISOString();
  return derTlv(0x17, Buffer.from(`${s.slice(2, 4)}${s.slice(5, 7)}${s.slice(8, 10)}${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}Z`, 'latin1'));
}

/** DER ContentInfo(SignedData) with one SignerInfo (sid = issuerAndSerialNumber, signed attributes). */
export function buildSignedData(input: SignedDataInput): Buffer {
  const { certificate, privateKey } = input.signer;
  const digestAlg = digestAlgorithmIdentifier(input.hash);
  const signedAttrs = [
    attribute(CmsOid.CONTENT_TYPE, derOid(input.eContentType)),
    attribute(CmsOid.MESSAGE_DIGEST, derOctetString(digest(input.hash, input.content))),
    ...(input.signingTime === undefined ? [] : [attribute(CmsOid.SIGNING_TIME, utcTime(input.signingTime))]),
  ];
  // RFC 5652 §5.4: the signature covers the DER encoding of the SET OF signed attributes (tag 0x31).
  const signedAttrsSet = derSetOf(signedAttrs);
  const { signature, algorithm } = signData(privateKey, input.hash, signedAttrsSet);
  const signerInfo = derSequence([
    derInteger(1), // RFC 5652 §5.3: version 1 with issuerAndSerialNumber
    derSequence([certificate.issuer.raw, derInteger(certificate.serialNumber)]),
    digestAlg,
    Buffer.concat([Buffer.from([0xa0]), signedAttrsSet.subarray(1)]), // [0] IMPLICIT
    algorithm,
    derOctetString(signature),
  ]);
  const certs = [...(input.includeSignerCertificate === false ? [] : [certificate]), ...(input.certificates ?? [])].map((c) => c.der);
  const signedData = derSequence([
    derInteger(3), // RFC 5652 §5.1: version 3 when eContentType is not id-data
    derSetOf([digestAlg]),
    derSequence([derOid(input.eContentType), derTlv(0xa0, derOctetString(input.content))]),
    ...(certs.length === 0 ? [] : [derTlv(0xa0, Buffer.concat(certs))]), // [0] IMPLICIT CertificateSet
    derSetOf([signerInfo]),
  ]);
  return derSequence([derOid(CmsOid.SIGNED_DATA), derTlv(0xa0, signedData)]);
}

export interface VerifiedSignedData {
  readonly eContentType: string;
  /** The eContent octets; trust them only after the signer certificate is validated. */
  readonly content: Buffer;
  readonly signer: X509Certificate;
  readonly certificates: readonly X509Certificate[];
  readonly digestAlgorithm: DigestName;
  readonly signingTime: Date | null;
}

function failWith(code: ErrorCode): Fail {
  return (reason: string): never => { throw new PkiError(code, `CMS: ${reason}`, { detail: { reason } }); };
}

/**
 * Parses ContentInfo(SignedData) and verifies the single SignerInfo (RFC 5652 §5.6): signed attributes
 * present, contentType attribute = eContentType, messageDigest = digest(eContent), signature by the
 * included signer certificate. Does NOT validate the signer certificate.
 */
export function verifySignedData(der: Uint8Array, options: { expectedContentType?: string } = {}): VerifiedSignedData {
  const malformed: Fail = failWith('CMS_MALFORMED');
  const attrsInvalid: Fail = failWith('CMS_SIGNED_ATTRIBUTES_INVALID');
  const signerNotFound: Fail = failWith('CMS_SIGNER_NOT_FOUND');
  const ci = readSequence(parseDer(der, malformed), 'ContentInfo', malformed, 2, 2);
  if (readOid(ci[0], 'contentType', malformed) !== CmsOid.SIGNED_DATA) malformed('ContentInfo is not SignedData');
  const explicit = ci[1]!;
  if (!isContext(explicit, 0) || !explicit.constructed || explicit.children.length !== 1) malformed('content is not [0] EXPLICIT');
  const sd = readSequence(explicit.children[0], 'SignedData', malformed, 4, 6);
  const version = readInteger(sd[0], 'SignedData.version', malformed);
  if (version !== 1n && version !== 3n) malformed(`SignedData.version ${version}`);
  const digestAlgs = expectSet(sd[1], 'digestAlgorithms', malformed);
  const encap = readSequence(sd[2], 'encapContentInfo', malformed, 2, 2);
  const eContentType = readOid(encap[0], 'eContentType', malformed);
  const eContentWrap = encap[1]!;
  if (!isContext(eContentWrap, 0) || !eContentWrap.constructed || eContentWrap.children.length !== 1) malformed('eContent is not [0] EXPLICIT');
  const content = readOctetString(eContentWrap.children[0], 'eContent', malformed);

  let i = 3;
  const certificates: X509Certificate[] = [];
  if (sd[i] !== undefined && isContext(sd[i]!, 0)) {
    if (!sd[i]!.constructed) malformed('certificates not constructed');
    for (const c of sd[i]!.children) {
      // Only X.509 certificates (CertificateChoices.certificate); attribute/other certs are not used here.
      if (!isUniversal(c, Tag.SEQUENCE)) malformed('unsupported CertificateChoices alternative');
      certificates.push(parseCertificate(c.raw));
    }
    i++;
  }
  if (sd[i] !== undefined && isContext(sd[i]!, 1)) i++; // crls: revocation comes from the trust store, not the message
  const signerInfos = expectSet(sd[i], 'signerInfos', malformed);
  if (i + 1 !== sd.length) malformed('unexpected element after signerInfos');
  // One signer is what EF.CardSecurity and master lists use; several would need a policy for which to trust.
  if (signerInfos.length !== 1) malformed(`${signerInfos.length} SignerInfos (exactly one supported)`);

  if (options.expectedContentType !== undefined && eContentType !== options.expectedContentType) {
    failWith('CMS_UNEXPECTED_CONTENT_TYPE')(`eContentType ${eContentType}`);
  }

  const si = readSequence(signerInfos[0], 'SignerInfo', malformed, 5, 7);
  const siVersion = readInteger(si[0], 'SignerInfo.version', malformed);
  const sid = si[1]!;
  let signer: X509Certificate | undefined;
  if (siVersion === 1n) {
    const ias = readSequence(sid, 'issuerAndSerialNumber', malformed, 2, 2);
    const serial = readInteger(ias[1], 'serialNumber', malformed);
    signer = certificates.find((c) => c.serialNumber === serial && namesEqual(c.issuer, ias[0]!));
  } else if (siVersion === 3n) {
    if (!isContext(sid, 0) || sid.constructed) malformed('sid is not [0] subjectKeyIdentifier');
    signer = certificates.find((c) => c.subjectKeyIdentifier !== null && c.subjectKeyIdentifier.equals(sid.content));
  } else {
    malformed(`SignerInfo.version ${siVersion}`);
  }
  if (signer === undefined) signerNotFound('signer certificate not included');

  const digestAlgorithm = digestByOid(readOid(readSequence(si[2], 'digestAlgorithm', malformed, 1, 2)[0], 'digestAlgorithm', malformed));
  // RFC 5652 §5.1: digestAlgorithms lists the signer's digest algorithm.
  if (!digestAlgs.some((d) => d.raw.equals(si[2]!.raw))) malformed('signer digestAlgorithm not in SignedData.digestAlgorithms');
  const attrsNode = si[3]!;
  if (!isContext(attrsNode, 0) || !attrsNode.constructed) attrsInvalid('signedAttrs absent');
  const sigAlgNode = si[4];
  const signatureNode = si[5];
  if (si.length === 7 && !isContext(si[6]!, 1)) malformed('unexpected element after signature');

  // RFC 5652 §5.3: with eContentType other than id-data, signedAttrs MUST be present and hold
  // contentType and messageDigest, each exactly once with one value.
  const attrs = attrsNode.children.map((a) => {
    const f = readSequence(a, 'Attribute', attrsInvalid, 2, 2);
    return { type: readOid(f[0], 'attrType', attrsInvalid), values: expectSet(f[1], 'attrValues', attrsInvalid) };
  });
  const single = (oid: string, name: string): DerNode => {
    const found = attrs.filter((a) => a.type === oid);
    if (found.length !== 1 || found[0]!.values.length !== 1) attrsInvalid(`${name} attribute must occur once with one value`);
    return found[0]!.values[0]!;
  };
  if (readOid(single(CmsOid.CONTENT_TYPE, 'contentType'), 'contentType', attrsInvalid) !== eContentType) {
    attrsInvalid('contentType attribute differs from eContentType');
  }
  const messageDigest = readOctetString(single(CmsOid.MESSAGE_DIGEST, 'messageDigest'), 'messageDigest', attrsInvalid);
  // RFC 5652 §5.6: recompute the digest of eContent and compare with messageDigest.
  if (!constantTimeEqual(messageDigest, digest(digestAlgorithm, content))) failWith('CMS_DIGEST_MISMATCH')('messageDigest does not match eContent');
  const signingTimeAttr = attrs.find((a) => a.type === CmsOid.SIGNING_TIME)?.values[0];
  const signingTime = signingTimeAttr === undefined ? null : parseTime(signingTimeAttr, attrsInvalid);

  const sigAlgOid = readOid(readSequence(sigAlgNode, 'signatureAlgorithm', malformed, 1, 2)[0], 'signatureAlgorithm', malformed);
  const signature = readOctetString(signatureNode, 'signature', malformed);
  // RFC 5652 §5.4: the signed bytes are the DER SET OF with the EXPLICIT SET tag, not the [0] tag.
  const signedBytes = Buffer.concat([Buffer.from([0x31]), attrsNode.raw.subarray(1)]);
  if (!verifySignature(cmsSignatureAlgorithm(sigAlgOid, digestAlgorithm), signer.publicKey, signedBytes, signature)) {
    failWith('CMS_SIGNATURE_INVALID')('signature over signedAttrs does not verify');
  }
  return { eContentType, content, signer, certificates, digestAlgorithm, signingTime };
}

function expectSet(node: DerNode | undefined, what: string, fail: Fail): readonly DerNode[] {
  if (node === undefined || !isUniversal(node, Tag.SET)) fail(`${what}: not a SET`);
  return node.children;
}

/** Re-exported for the callers that read times next to CMS (the reader itself is in der.ts). */
export { parseTime };
