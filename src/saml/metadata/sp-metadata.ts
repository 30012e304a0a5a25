/**
 * SP metadata import: the EntityDescriptor/SPSSODescriptor of an eService — its signing and
 * encryption certificates, AssertionConsumerService endpoints and the key transport it declares.
 *
 * @spec saml-metadata §2.3.2 (EntityDescriptor, validUntil), §2.4.1.1 (KeyDescriptor use), §2.4.4 (SPSSODescriptor), §2.2.3 (IndexedEndpointType), §2.4.4.1 (AuthnRequestsSigned); sstc-saml-metadata-algsupport §2
 */
import { X509Certificate } from 'node:crypto';
import type { XmlElement } from '../../shared/xml.js';
import { SamlError } from '../errors.js';
import { BINDING, ENC, NS } from '../namespaces.js';
import type { KeyTransport } from '../xmlenc.js';
import { attr, children, childElements, parseSamlXml, textOf } from '../xml.js';

export interface AcsEndpoint {
  url: string;
  binding: string;
  index?: number;
  isDefault?: boolean;
}

export interface SpMetadata {
  entityId: string;
  validUntil?: Date;
  acs: AcsEndpoint[];
  signingCertificates: string[];
  encryptionCertificates: string[];
  /** From md:EncryptionMethod of the encryption KeyDescriptor; undefined: the interoperable default. */
  keyTransport?: KeyTransport;
}

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

function fail(message: string): never {
  throw new SamlError('SAML_METADATA_INVALID', message);
}

function certificatesOf(keyDescriptor: XmlElement): string[] {
  const out: string[] = [];
  for (const keyInfo of children(keyDescriptor, NS.ds, 'KeyInfo')) {
    for (const data of children(keyInfo, NS.ds, 'X509Data')) {
      for (const certEl of children(data, NS.ds, 'X509Certificate')) {
        const b64 = textOf(certEl, 'SAML_METADATA_INVALID').replace(/\s+/g, '');
        let cert: X509Certificate;
        try {
          cert = new X509Certificate(Buffer.from(b64, 'base64'));
        } catch (cause) {
          throw new SamlError('SAML_METADATA_INVALID', 'X509Certificate does not parse', { cause });
        }
        out.push(cert.toString());
      }
    }
  }
  if (out.length === 0) fail('KeyDescriptor without an X509Certificate');
  return out;
}

export function parseSpMetadataElement(root: XmlElement, now: Date): SpMetadata {
  if (root.namespaceURI !== NS.md || root.localName !== 'EntityDescriptor') fail('root is not md:EntityDescriptor');
  const entityId = attr(root, 'entityID') ?? fail('entityID missing');
  if (entityId.length === 0 || entityId.length > 1024) fail('entityID empty or longer than 1024 characters');
  const validUntilText = attr(root, 'validUntil');
  let validUntil: Date | undefined;
  if (validUntilText !== undefined) {
    validUntil = new Date(validUntilText);
    if (Number.isNaN(validUntil.getTime())) fail('validUntil is not a dateTime');
    // saml-metadata §2.3.2: metadata past validUntil must not be used.
    if (validUntil.getTime() <= now.getTime()) fail('metadata expired (validUntil)');
  }
  const descriptors = children(root, NS.md, 'SPSSODescriptor').filter((d) => (attr(d, 'protocolSupportEnumeration') ?? '').split(/\s+/).includes(PROTOCOL));
  if (descriptors.length !== 1) fail('expected exactly one SAML 2.0 SPSSODescriptor');
  const sp = descriptors[0] as XmlElement;
  const signing: string[] = [];
  const encryption: string[] = [];
  let keyTransport: KeyTransport | undefined;
  for (const kd of children(sp, NS.md, 'KeyDescriptor')) {
    const use = attr(kd, 'use');
    const certs = certificatesOf(kd);
    if (use === undefined || use === 'signing') signing.push(...certs);
    if (use === undefined || use === 'encryption') {
      encryption.push(...certs);
      const methods = children(kd, NS.md, 'EncryptionMethod').map((m) => attr(m, 'Algorithm') ?? '');
      // Prefer SHA-256 OAEP only when the SP lists it and not the SHA-1 variant.
      if (methods.includes(ENC.rsaOaep) && !methods.includes(ENC.rsaOaepMgf1p)) keyTransport = 'rsa-oaep-sha256';
    }
    if (use !== undefined && use !== 'signing' && use !== 'encryption') fail('KeyDescriptor use must be signing or encryption');
  }
  const acs: AcsEndpoint[] = [];
  for (const el of children(sp, NS.md, 'AssertionConsumerService')) {
    const url = attr(el, 'Location') ?? fail('AssertionConsumerService without Location');
    const binding = attr(el, 'Binding') ?? fail('AssertionConsumerService without Binding');
    const indexText = attr(el, 'index');
    const index = indexText === undefined ? undefined : Number(indexText);
    if (index !== undefined && (!Number.isInteger(index) || index < 0 || index > 65535)) fail('AssertionConsumerService index is not an unsignedShort');
    if (!URL.canParse(url)) fail('AssertionConsumerService Location is not a URL');
    acs.push({ url, binding, ...(index !== undefined ? { index } : {}), ...(attr(el, 'isDefault') === 'true' ? { isDefault: true } : {}) });
  }
  if (!acs.some((a) => a.binding === BINDING.redirect || a.binding === BINDING.post)) fail('no AssertionConsumerService with the HTTP-Redirect or HTTP-POST binding');
  if (childElements(sp).length > 200) fail('SPSSODescriptor too large');
  return { entityId, ...(validUntil ? { validUntil } : {}), acs, signingCertificates: signing, encryptionCertificates: encryption, ...(keyTransport ? { keyTransport } : {}) };
}

export function parseSpMetadata(xml: string | Uint8Array, now: Date): SpMetadata {
  const doc = parseSamlXml(xml, { maxBytes: 1024 * 1024, maxDepth: 32, maxElements: 20_000 });
  return parseSpMetadataElement(doc.documentElement ?? fail('no root'), now);
}
