/**
 * CertificateDescription: the eService information a terminal certificate commits to through the
 * id-description extension (shown to the user by the eID client, and its commCertificates bind the
 * TLS certificates of the eService).
 *
 * @spec tr03110-4 §2.2.6 (CertificateDescription), tr03110-3 §C.3.1 (id-description extension)
 * @spec tr03124-1 §2.7 (client checks: subjectURL, commCertificates)
 *
 * ```asn1
 * CertificateDescription ::= SEQUENCE {
 *   descriptionType  OBJECT IDENTIFIER,          -- id-plainFormat | id-htmlFormat | id-pdfFormat
 *   issuerName       [1] UTF8String,
 *   issuerURL        [2] PrintableString OPTIONAL,
 *   subjectName      [3] UTF8String,
 *   subjectURL       [4] PrintableString OPTIONAL,
 *   termsOfUsage     [5] ANY DEFINED BY descriptionType,   -- UTF8String | IA5String | OCTET STRING (PDF)
 *   redirectURL      [6] PrintableString OPTIONAL,
 *   commCertificates [7] SET OF OCTET STRING OPTIONAL }
 * ```
 *
 * Tagging decision: the context tags are EXPLICIT (A1 0C …, A7 31 04 …), as AusweisApp
 * (`CertificateDescription.cpp`) and the BSI/Governikus descriptions encode them. We always emit
 * EXPLICIT. The IMPLICIT form written by Debian's OpenPACE `cvc-create` (81 …, 82 …) is rejected
 * with CVC_DESCRIPTION_IMPLICIT_TAGS, because an eID client would not be able to read such a
 * description; tools that only want to inspect one can pass `{ acceptImplicitTags: true }`.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { constantTimeEqual } from '../../../shared/bytes.js';
import { decodeTlv } from '../../card/tlv.js';
import type { CvCertificateBody } from './cv-certificate.js';
import { CvcError } from './errors.js';
import { descriptionExtension } from './extensions.js';
import { DESCRIPTION_FORMAT_OIDS } from './oids.js';
import { hashOfTaAlgorithm } from './public-key.js';

export type DescriptionFormat = 'plain' | 'html' | 'pdf';

export interface CertificateDescription {
  readonly format: DescriptionFormat;
  readonly issuerName: string;
  readonly issuerUrl?: string | undefined;
  readonly subjectName: string;
  readonly subjectUrl?: string | undefined;
  /** plain: text, html: HTML source (IA5), pdf: the PDF bytes. */
  readonly termsOfUsage: string | Buffer;
  readonly redirectUrl?: string | undefined;
  /** Hashes of the eService's TLS certificates (TR-03124-1); undefined when [7] is absent. */
  readonly commCertificates?: readonly Buffer[] | undefined;
}

export interface ParsedCertificateDescription extends CertificateDescription {
  /** The exact bytes received (the id-description hash is over these). */
  readonly raw: Buffer;
  readonly tagging: 'explicit' | 'implicit';
}

const FORMAT_BY_OID: ReadonlyMap<string, DescriptionFormat> = new Map([
  [DESCRIPTION_FORMAT_OIDS.PLAIN, 'plain'],
  [DESCRIPTION_FORMAT_OIDS.HTML, 'html'],
  [DESCRIPTION_FORMAT_OIDS.PDF, 'pdf'],
]);
const OID_BY_FORMAT: Readonly<Record<DescriptionFormat, string>> = {
  plain: DESCRIPTION_FORMAT_OIDS.PLAIN, html: DESCRIPTION_FORMAT_OIDS.HTML, pdf: DESCRIPTION_FORMAT_OIDS.PDF,
};

/** A PDF terms of usage can be large; 1 MiB is far above real descriptions. */
const MAX_DESCRIPTION_LENGTH = 1 << 20;
const CONTEXT = 3;
const UNIVERSAL = 1;
const U = { OCTET_STRING: 4, OID: 6, UTF8: 12, SET: 17, PRINTABLE: 19, IA5: 22 } as const;

function invalid(message: string, cause?: unknown): CvcError {
  return new CvcError('CVC_DESCRIPTION_INVALID', message, cause === undefined ? {} : { cause });
}

/** X.680 §41.4: the PrintableString repertoire. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

// ---------------------------------------------------------------------------------------------
// Encoding (always EXPLICIT)

function explicit(tagNumber: number, inner: asn1js.BaseBlock): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber }, value: [inner] });
}

function printable(field: string, value: string): asn1js.PrintableString {
  if (!PRINTABLE.test(value)) throw invalid(`${field} contains characters outside PrintableString: ${JSON.stringify(value)}`);
  return new asn1js.PrintableString({ value });
}

function ia5(value: string): asn1js.IA5String {
  if ([...value].some((c) => c.charCodeAt(0) > 0x7f)) throw invalid('HTML terms of usage must be IA5 (ASCII); escape other characters as entities');
  return new asn1js.IA5String({ value });
}

/** DER encoding with EXPLICIT context tags. */
export function encodeCertificateDescription(d: CertificateDescription): Buffer {
  if (d.issuerName.length === 0 || d.subjectName.length === 0) throw invalid('issuerName and subjectName are mandatory');
  let terms: asn1js.BaseBlock;
  if (d.format === 'pdf') {
    if (!Buffer.isBuffer(d.termsOfUsage)) throw invalid('PDF terms of usage must be bytes');
    terms = new asn1js.OctetString({ valueHex: Uint8Array.from(d.termsOfUsage) });
  } else {
    if (typeof d.termsOfUsage !== 'string') throw invalid(`${d.format} terms of usage must be text`);
    terms = d.format === 'plain' ? new asn1js.Utf8String({ value: d.termsOfUsage }) : ia5(d.termsOfUsage);
  }
  const value: asn1js.BaseBlock[] = [
    new asn1js.ObjectIdentifier({ value: OID_BY_FORMAT[d.format] }),
    explicit(1, new asn1js.Utf8String({ value: d.issuerName })),
  ];
  if (d.issuerUrl !== undefined) value.push(explicit(2, printable('issuerURL', d.issuerUrl)));
  value.push(explicit(3, new asn1js.Utf8String({ value: d.subjectName })));
  if (d.subjectUrl !== undefined) value.push(explicit(4, printable('subjectURL', d.subjectUrl)));
  value.push(explicit(5, terms));
  if (d.redirectUrl !== undefined) value.push(explicit(6, printable('redirectURL', d.redirectUrl)));
  if (d.commCertificates !== undefined) {
    // X.690 §11.6 (DER): the elements of a SET OF are sorted by their encodings.
    const sorted = [...d.commCertificates].map((c) => Buffer.from(c)).sort(Buffer.compare);
    value.push(explicit(7, new asn1js.Set({ value: sorted.map((c) => new asn1js.OctetString({ valueHex: Uint8Array.from(c) })) })));
  }
  return Buffer.from(new asn1js.Sequence({ value }).toBER(false));
}

// ---------------------------------------------------------------------------------------------
// Decoding

type Block = asn1js.BaseBlock;

function isUniversal(b: Block, tag: number): boolean {
  return b.idBlock.tagClass === UNIVERSAL && b.idBlock.tagNumber === tag;
}

function stringOf(b: Block, tag: number, field: string): string {
  if (!isUniversal(b, tag) || b.idBlock.isConstructed) throw invalid(`${field} has the wrong type`);
  return (b as asn1js.Utf8String | asn1js.PrintableString | asn1js.IA5String).valueBlock.value;
}

function octetsOf(b: Block, field: string): Buffer {
  if (!isUniversal(b, U.OCTET_STRING) || b.idBlock.isConstructed) throw invalid(`${field} must be an OCTET STRING`);
  return Buffer.from((b as asn1js.OctetString).valueBlock.valueHexView);
}

/** Content of an IMPLICIT-tagged primitive field, read as the given string type. */
function implicitString(b: Block, field: string, type: 'utf8' | 'latin1'): string {
  if (b.idBlock.isConstructed) throw invalid(`${field} mixes EXPLICIT and IMPLICIT tagging`);
  return Buffer.from((b as asn1js.Primitive).valueBlock.valueHexView).toString(type);
}

export interface ParseDescriptionOptions {
  /** Accept the IMPLICIT-tag form of Debian OpenPACE cvc-create (inspection only). Default false. */
  acceptImplicitTags?: boolean;
}

/** Decodes a DER CertificateDescription; see the file header for the tagging rule. */
export function parseCertificateDescription(bytes: Uint8Array, options: ParseDescriptionOptions = {}): ParsedCertificateDescription {
  const raw = Buffer.from(bytes);
  if (raw.length > MAX_DESCRIPTION_LENGTH) throw invalid(`CertificateDescription of ${raw.length} bytes exceeds ${MAX_DESCRIPTION_LENGTH}`);
  const parsed = asn1js.fromBER(Uint8Array.from(raw));
  if (parsed.offset === -1) throw invalid(`not BER: ${parsed.result.error}`);
  if (parsed.offset !== raw.length) throw invalid(`${raw.length - parsed.offset} bytes after the CertificateDescription`);
  const seq = parsed.result;
  if (!(seq instanceof asn1js.Sequence)) throw invalid('CertificateDescription must be a SEQUENCE');
  // The id-description hash is over these exact bytes: accept only definite, shortest-form (DER)
  // lengths, so that one description has one encoding (asn1js alone accepts BER).
  try {
    decodeTlv(raw, { maxDepth: 8, maxLength: MAX_DESCRIPTION_LENGTH });
  } catch (err) {
    throw invalid(`CertificateDescription is not DER: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const [typeBlock, ...fields] = seq.valueBlock.value;
  if (typeBlock === undefined || !(typeBlock instanceof asn1js.ObjectIdentifier)) throw invalid('descriptionType OID missing');
  const typeOid = typeBlock.valueBlock.toString();
  const format = FORMAT_BY_OID.get(typeOid);
  if (format === undefined) throw invalid(`unknown descriptionType ${typeOid}`);

  const byTag = new Map<number, Block>();
  let last = 0;
  let implicitCount = 0;
  for (const f of fields) {
    const n = f.idBlock.tagNumber;
    if (f.idBlock.tagClass !== CONTEXT || n < 1 || n > 7) throw invalid('unexpected element in CertificateDescription');
    if (n <= last) throw invalid(`[${n}] repeated or out of order`);
    last = n;
    byTag.set(n, f);
    // EXPLICIT: every field is a constructed [n] with exactly one inner element. IMPLICIT: [1]..[6]
    // are primitive, and [7] holds the OCTET STRINGs directly.
    const inner = f.idBlock.isConstructed ? (f as asn1js.Constructed).valueBlock.value : [];
    const implicitForm = n === 7 ? inner.some((b) => isUniversal(b, U.OCTET_STRING)) : !f.idBlock.isConstructed;
    if (implicitForm) implicitCount++;
    else if (inner.length !== 1) throw invalid(`[${n}] must contain exactly one element`);
  }
  if (!byTag.has(1) || !byTag.has(3) || !byTag.has(5)) throw invalid('issuerName [1], subjectName [3] and termsOfUsage [5] are mandatory');
  if (implicitCount > 0 && implicitCount !== byTag.size) throw invalid('CertificateDescription mixes EXPLICIT and IMPLICIT tags');
  const tagging = implicitCount > 0 ? 'implicit' : 'explicit';
  if (tagging === 'implicit' && options.acceptImplicitTags !== true) {
    throw new CvcError('CVC_DESCRIPTION_IMPLICIT_TAGS',
      'CertificateDescription uses IMPLICIT tags (81 …, as OpenPACE cvc-create writes them); TR-03110-4 eID clients expect EXPLICIT (A1 …)');
  }

  const str = (n: number, tag: number, field: string): string | undefined => {
    const f = byTag.get(n);
    if (f === undefined) return undefined;
    if (tagging === 'implicit') return implicitString(f, field, tag === U.UTF8 ? 'utf8' : 'latin1');
    return stringOf((f as asn1js.Constructed).valueBlock.value[0] as Block, tag, field);
  };

  const termsBlock = byTag.get(5) as Block;
  let termsOfUsage: string | Buffer;
  if (tagging === 'implicit') {
    termsOfUsage = format === 'pdf' ? Buffer.from((termsBlock as asn1js.Primitive).valueBlock.valueHexView) : implicitString(termsBlock, 'termsOfUsage', format === 'plain' ? 'utf8' : 'latin1');
  } else {
    const inner = (termsBlock as asn1js.Constructed).valueBlock.value[0] as Block;
    termsOfUsage = format === 'pdf' ? octetsOf(inner, 'termsOfUsage') : stringOf(inner, format === 'plain' ? U.UTF8 : U.IA5, 'termsOfUsage');
  }

  let commCertificates: Buffer[] | undefined;
  const comm = byTag.get(7);
  if (comm !== undefined) {
    let elements: Block[];
    if (tagging === 'implicit') {
      elements = (comm as asn1js.Constructed).valueBlock.value;
    } else {
      const set = (comm as asn1js.Constructed).valueBlock.value[0] as Block;
      if (!isUniversal(set, U.SET)) throw invalid('commCertificates must be a SET OF OCTET STRING');
      elements = (set as asn1js.Set).valueBlock.value;
    }
    commCertificates = elements.map((e) => octetsOf(e, 'commCertificates element'));
  }

  return {
    raw,
    tagging,
    format,
    issuerName: str(1, U.UTF8, 'issuerName') as string,
    issuerUrl: str(2, U.PRINTABLE, 'issuerURL'),
    subjectName: str(3, U.UTF8, 'subjectName') as string,
    subjectUrl: str(4, U.PRINTABLE, 'subjectURL'),
    termsOfUsage,
    redirectUrl: str(6, U.PRINTABLE, 'redirectURL'),
    commCertificates,
  };
}

/**
 * Hash of a description (or of a TLS certificate for commCertificates) with the hash function of the
 * terminal certificate's public key algorithm (id-TA-ECDSA-SHA-256 → SHA-256), TR-03110-4 §2.2.6.
 */
export function descriptionHash(terminalCert: Pick<CvCertificateBody, 'publicKey'>, bytes: Uint8Array): Buffer {
  return createHash(hashOfTaAlgorithm(terminalCert.publicKey.oid)).update(bytes).digest();
}

/**
 * TR-03110-3 §C.3.1: the id-description extension holds the hash of the CertificateDescription.
 * Throws CVC_DESCRIPTION_MISSING (no extension) or CVC_DESCRIPTION_HASH_MISMATCH.
 */
export function checkDescriptionHash(terminalCert: Pick<CvCertificateBody, 'publicKey' | 'extensions' | 'chr'>, descriptionBytes: Uint8Array): void {
  const ext = descriptionExtension(terminalCert.extensions);
  if (ext === undefined) throw new CvcError('CVC_DESCRIPTION_MISSING', `certificate ${terminalCert.chr} has no id-description extension`);
  if (!constantTimeEqual(descriptionHash(terminalCert, descriptionBytes), ext.hash)) {
    throw new CvcError('CVC_DESCRIPTION_HASH_MISMATCH', `CertificateDescription does not match the id-description hash of ${terminalCert.chr}`);
  }
}
