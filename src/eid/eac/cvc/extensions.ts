/**
 * Certificate extensions of CV certificates (65): discretionary data templates (73), each an OID
 * followed by context-specific data objects. Two are known: id-description (hash of the
 * CertificateDescription) and id-sector (hashes of the sector public keys for restricted identification).
 *
 * @spec tr03110-3 §C.3 (certificate extensions), §C.3.1 (id-description), §C.3.2 (id-sector), §D.2 (65, 73)
 *
 * ```
 * 65 { 73 { 06 id-description 0.4.0.127.0.7.3.1.3.1, 80 hash(CertificateDescription) }
 *      73 { 06 id-sector      0.4.0.127.0.7.3.1.3.2, [80 hash(sector PK 1)], [81 hash(sector PK 2)] } }
 * ```
 */
import type { Tlv } from '../../card/tlv.js';
import { encodeTlv } from '../../card/tlv.js';
import { CvcError } from './errors.js';
import { EXTENSION_OIDS, decodeOidValue, encodeOidValue } from './oids.js';

export const TAG_EXTENSIONS = 0x65;
const TAG_TEMPLATE = 0x73;
const TAG_OID = 0x06;

export type CvcExtension =
  | { readonly type: 'description'; readonly hash: Buffer }
  | { readonly type: 'sector'; readonly sector1Hash: Buffer | undefined; readonly sector2Hash: Buffer | undefined }
  /** Any other extension, kept so that it survives re-encoding. */
  | { readonly type: 'unknown'; readonly oid: string; readonly objects: readonly { readonly tag: number; readonly value: Buffer }[] };

function invalid(message: string): CvcError {
  return new CvcError('CVC_EXTENSION_INVALID', message);
}

function templateFromTlv(node: Tlv): CvcExtension {
  if (node.tag !== TAG_TEMPLATE) throw invalid(`extensions contain ${node.tag.toString(16)}, only discretionary data templates 73`);
  const [oidNode, ...objects] = node.children;
  if (oidNode?.tag !== TAG_OID) throw invalid('discretionary data template must start with its OID (06)');
  const oid = decodeOidValue(oidNode.value);
  let last = 0;
  for (const o of objects) {
    // TR-03110-3 §C.3: the content is a sequence of context-specific primitive data objects 80, 81, …
    if (o.tag < 0x80 || o.tag > 0x9e || o.constructed) throw invalid(`unexpected data object ${o.tag.toString(16)} in extension ${oid}`);
    if (o.tag <= last) throw invalid(`data object ${o.tag.toString(16)} repeated or out of order in extension ${oid}`);
    last = o.tag;
  }
  const byTag = new Map(objects.map((o) => [o.tag, o.value]));
  if (oid === EXTENSION_OIDS.DESCRIPTION) {
    const hash = byTag.get(0x80);
    if (hash === undefined || byTag.size !== 1 || hash.length === 0) throw invalid('id-description must contain exactly the hash 80');
    return { type: 'description', hash };
  }
  if (oid === EXTENSION_OIDS.SECTOR) {
    const sector1Hash = byTag.get(0x80);
    const sector2Hash = byTag.get(0x81);
    const known = (sector1Hash === undefined ? 0 : 1) + (sector2Hash === undefined ? 0 : 1);
    if (known === 0 || known !== byTag.size) throw invalid('id-sector must contain 80 and/or 81 only');
    return { type: 'sector', sector1Hash, sector2Hash };
  }
  return { type: 'unknown', oid, objects: objects.map((o) => ({ tag: o.tag, value: o.value })) };
}

function oidOf(ext: CvcExtension): string {
  return ext.type === 'description' ? EXTENSION_OIDS.DESCRIPTION : ext.type === 'sector' ? EXTENSION_OIDS.SECTOR : ext.oid;
}

/** Decodes a 65 node: at least one template, no OID twice. */
export function extensionsFromTlv(tlv: Tlv): CvcExtension[] {
  if (tlv.tag !== TAG_EXTENSIONS) throw new CvcError('CVC_WRONG_TAG', 'expected certificate extensions 65');
  if (tlv.children.length === 0) throw invalid('certificate extensions 65 present but empty');
  const out = tlv.children.map(templateFromTlv);
  const oids = out.map(oidOf);
  if (new Set(oids).size !== oids.length) throw invalid('an extension OID occurs twice');
  return out;
}

/** 65 encoding of a non-empty list (callers omit 65 altogether for no extensions). */
export function encodeExtensions(extensions: readonly CvcExtension[]): Buffer {
  if (extensions.length === 0) throw invalid('an empty extension list is encoded by omitting 65');
  const templates = extensions.map((ext) => {
    const objects: Buffer[] = [];
    if (ext.type === 'description') {
      objects.push(encodeTlv(0x80, ext.hash));
    } else if (ext.type === 'sector') {
      if (ext.sector1Hash === undefined && ext.sector2Hash === undefined) throw invalid('id-sector needs at least one hash');
      if (ext.sector1Hash !== undefined) objects.push(encodeTlv(0x80, ext.sector1Hash));
      if (ext.sector2Hash !== undefined) objects.push(encodeTlv(0x81, ext.sector2Hash));
    } else {
      for (const o of ext.objects) objects.push(encodeTlv(o.tag, o.value));
    }
    return encodeTlv(TAG_TEMPLATE, [encodeTlv(TAG_OID, encodeOidValue(oidOf(ext))), ...objects]);
  });
  const oids = extensions.map(oidOf);
  if (new Set(oids).size !== oids.length) throw invalid('an extension OID occurs twice');
  return encodeTlv(TAG_EXTENSIONS, templates);
}

export function descriptionExtension(extensions: readonly CvcExtension[]): { type: 'description'; hash: Buffer } | undefined {
  return extensions.find((e): e is { type: 'description'; hash: Buffer } => e.type === 'description');
}

export function sectorExtension(extensions: readonly CvcExtension[]): { type: 'sector'; sector1Hash: Buffer | undefined; sector2Hash: Buffer | undefined } | undefined {
  return extensions.find((e): e is { type: 'sector'; sector1Hash: Buffer | undefined; sector2Hash: Buffer | undefined } => e.type === 'sector');
}
