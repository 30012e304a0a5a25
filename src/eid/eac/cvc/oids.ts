/**
 * Object identifiers of the CV certificate layer and the DER encoding of OBJECT IDENTIFIER values
 * (the value field only; in CVCs the tag 06 is wrapped by the TLV codec).
 *
 * @spec tr03110-3 §A.6.4 (id-TA), §C.1.5 (CHAT terminal types), §C.3 (certificate extensions)
 * @spec x690 §8.19 (object identifier value encoding)
 */
import { CvcError } from './errors.js';

/** bsi-de = 0.4.0.127.0.7 */
const BSI_DE = '0.4.0.127.0.7';

/** TR-03110-3 §A.6.4: id-TA-ECDSA-SHA-* (the algorithm the certified key signs with). */
export const TA_ECDSA_OIDS = {
  SHA_1: `${BSI_DE}.2.2.2.2.1`,
  SHA_224: `${BSI_DE}.2.2.2.2.2`,
  SHA_256: `${BSI_DE}.2.2.2.2.3`,
  SHA_384: `${BSI_DE}.2.2.2.2.4`,
  SHA_512: `${BSI_DE}.2.2.2.2.5`,
} as const;
export type TaEcdsaOid = (typeof TA_ECDSA_OIDS)[keyof typeof TA_ECDSA_OIDS];

/** id-TA-RSA-* (0.4.0.127.0.7.2.2.2.1.x): recognised only to say "unsupported" precisely. */
export const TA_RSA_PREFIX = `${BSI_DE}.2.2.2.1.`;

/** TR-03110-3 §C.1.5: terminal types (id-roles). */
export const ROLE_OIDS = {
  IS: `${BSI_DE}.3.1.2.1`,
  AT: `${BSI_DE}.3.1.2.2`,
  ST: `${BSI_DE}.3.1.2.3`,
} as const;

/** TR-03110-3 §C.3: certificate extensions. */
export const EXTENSION_OIDS = {
  DESCRIPTION: `${BSI_DE}.3.1.3.1`,
  SECTOR: `${BSI_DE}.3.1.3.2`,
} as const;

/** TR-03110-4 §2.2.6: CertificateDescription descriptionType. */
export const DESCRIPTION_FORMAT_OIDS = {
  PLAIN: `${BSI_DE}.3.1.3.1.1`,
  HTML: `${BSI_DE}.3.1.3.1.2`,
  PDF: `${BSI_DE}.3.1.3.1.3`,
} as const;

function invalid(message: string): CvcError {
  return new CvcError('CVC_OID_INVALID', message);
}

/** X.690 §8.19: value bytes of an OBJECT IDENTIFIER in dotted form. */
export function encodeOidValue(oid: string): Buffer {
  if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid)) throw invalid(`not a dotted object identifier: ${oid}`);
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [first, second, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  // X.690 §8.19.4: the first two arcs form one subidentifier 40·X + Y, Y < 40 unless X = 2.
  if (first < 2n && second >= 40n) throw invalid(`second arc ${second} out of range in ${oid}`);
  const out: number[] = [];
  for (const sub of [first * 40n + second, ...rest]) {
    const group: number[] = [Number(sub & 0x7fn)];
    for (let v = sub >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  }
  return Buffer.from(out);
}

/** X.690 §8.19: dotted form of OBJECT IDENTIFIER value bytes; rejects empty, unterminated and non-minimal encodings. */
export function decodeOidValue(value: Uint8Array): string {
  if (value.length === 0) throw invalid('empty object identifier');
  const subs: bigint[] = [];
  let current = 0n;
  let started = false;
  for (const byte of value) {
    // X.690 §8.19.2: the leading octet of a subidentifier shall not be 0x80 (minimal encoding).
    if (!started && byte === 0x80) throw invalid('non-minimal subidentifier encoding');
    started = true;
    current = (current << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      subs.push(current);
      current = 0n;
      started = false;
    }
  }
  if (started) throw invalid('object identifier ends inside a subidentifier');
  const [head, ...tail] = subs as [bigint, ...bigint[]];
  const first = head < 40n ? 0n : head < 80n ? 1n : 2n;
  return [first, head - first * 40n, ...tail].join('.');
}
