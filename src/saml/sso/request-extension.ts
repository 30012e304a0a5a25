/**
 * The encrypted request extension: `samlp:Extensions/eid:EncryptedAuthnRequestExtension` decrypted
 * with the IdP's encryption key, then `eid:AuthnRequestExtension Version="2"` →
 * `RequestedAttributes/saml:Attribute` with `eid:RequiredAttribute` and the values of
 * AgeVerification, PlaceVerification, TransactionInfo and LevelOfAssurance. Profile `tw` uses the
 * same elements with the attribute names of SPEC §4.1 (ChineseName, NationalIdNumber, …).
 *
 * @spec tr03130-1 §4.3 (AuthnRequestExtension, RequestedAttributes, RequiredAttribute default true), §4.3.1 (attribute names), §3.3.6 (AgeVerificationRequestType), §3.3.8 (PlaceVerificationRequestType); saml-core §3.2.1 (Extensions); SPEC §4.1, §5.2
 */
import type { KeyObject } from 'node:crypto';
import { getProfile } from '../../eid/profiles/index.js';
import type { ProfileId } from '../../eid/profiles/types.js';
import type { XmlElement } from '../../shared/xml.js';
import { SamlError } from '../errors.js';
import { NS } from '../namespaces.js';
import { decryptElement } from '../xmlenc.js';
import { attr, children, childElements, isElement, optionalChild, parseSamlXml, requiredChild, textOf } from '../xml.js';

export interface RequestedAttribute {
  name: string;
  required: boolean;
}

export interface AuthnRequestExtension {
  attributes: RequestedAttribute[];
  ageVerification?: { age: number };
  placeVerification?: { communityId: string };
  transactionInfo?: string;
  levelOfAssurance?: string;
}

const MAX_ATTRIBUTES = 64;
const VERIFICATION_ATTRIBUTES: ReadonlySet<string> = new Set(['AgeVerification', 'PlaceVerification', 'TransactionInfo', 'LevelOfAssurance']);

function malformed(message: string): never {
  throw new SamlError('SAML_EXTENSION_MALFORMED', message);
}

/** Finds eid:EncryptedAuthnRequestExtension in samlp:Extensions (exactly one). */
export function findEncryptedExtension(request: XmlElement): XmlElement {
  const extensions = optionalChild(request, NS.samlp, 'Extensions', 'SAML_REQUEST_MALFORMED');
  const found = extensions ? children(extensions, NS.eid, 'EncryptedAuthnRequestExtension') : [];
  if (found.length > 1) malformed('more than one EncryptedAuthnRequestExtension');
  // tr03130-1 §4.3: the requested attributes travel encrypted; a plaintext AuthnRequestExtension is refused.
  if (extensions && children(extensions, NS.eid, 'AuthnRequestExtension').length > 0) malformed('AuthnRequestExtension must be encrypted');
  const el = found[0];
  if (!el) throw new SamlError('SAML_EXTENSION_MISSING', 'no eid:EncryptedAuthnRequestExtension');
  return el;
}

function booleanAttr(el: XmlElement): boolean {
  const v = el.getAttributeNS(NS.eid, 'RequiredAttribute');
  if (!el.hasAttributeNS(NS.eid, 'RequiredAttribute')) return true; // XSD default="true"
  // xs:boolean lexical space (xmlschema-2 §3.2.2.1).
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return malformed('eid:RequiredAttribute is not an xs:boolean');
}

function valueElement(attribute: XmlElement, name: string): XmlElement {
  const values = children(attribute, NS.saml, 'AttributeValue');
  if (values.length !== 1) malformed(`${name} needs exactly one AttributeValue`);
  return values[0] as XmlElement;
}

export function parseAuthnRequestExtension(root: XmlElement, profile: ProfileId): AuthnRequestExtension {
  if (!isElement(root, NS.eid, 'AuthnRequestExtension')) malformed('decrypted content is not eid:AuthnRequestExtension');
  // tr03130-1 §4.3: Version="2".
  if (attr(root, 'Version') !== '2') malformed('AuthnRequestExtension Version must be 2');
  const kids = childElements(root);
  if (kids.length !== 1) malformed('AuthnRequestExtension must contain exactly RequestedAttributes');
  const requested = requiredChild(root, NS.eid, 'RequestedAttributes', 'SAML_EXTENSION_MALFORMED');
  const attributes = childElements(requested);
  if (attributes.length > MAX_ATTRIBUTES) malformed(`more than ${MAX_ATTRIBUTES} requested attributes`);
  const data = getProfile(profile);
  const out: AuthnRequestExtension = { attributes: [] };
  const seen = new Set<string>();
  for (const el of attributes) {
    if (!isElement(el, NS.saml, 'Attribute')) malformed('RequestedAttributes may contain saml:Attribute only');
    const name = attr(el, 'Name') ?? malformed('Attribute without Name');
    if (seen.has(name)) malformed(`attribute ${name.slice(0, 64)} requested twice`);
    seen.add(name);
    const required = booleanAttr(el);
    if (name === 'TransactionInfo') {
      const text = textOf(valueElement(el, name), 'SAML_EXTENSION_MALFORMED');
      if (text.length > 4096) malformed('TransactionInfo longer than 4096 characters');
      out.transactionInfo = text;
      continue;
    }
    if (name === 'LevelOfAssurance') {
      const text = textOf(valueElement(el, name), 'SAML_EXTENSION_MALFORMED');
      if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\S{1,250}$/.test(text)) malformed('LevelOfAssurance must be a URI');
      out.levelOfAssurance = text;
      continue;
    }
    if (data.attribute(name) === undefined) throw new SamlError('SAML_ATTRIBUTE_UNKNOWN', `attribute ${name.slice(0, 64)} is not part of profile ${profile}`);
    if (name === 'AgeVerification') {
      const ageEl = requiredChild(valueElement(el, name), NS.eid, 'Age', 'SAML_EXTENSION_MALFORMED');
      const text = textOf(ageEl, 'SAML_EXTENSION_MALFORMED');
      // tr03130-1 §3.3.6: Age is an int ≥ 0.
      if (!/^\d{1,3}$/.test(text) || Number(text) > 150) malformed('AgeVerification Age must be 0..150');
      out.ageVerification = { age: Number(text) };
    } else if (name === 'PlaceVerification') {
      const cid = textOf(requiredChild(valueElement(el, name), NS.eid, 'CommunityID', 'SAML_EXTENSION_MALFORMED'), 'SAML_EXTENSION_MALFORMED');
      try {
        data.communityIdFromDigits(cid);
      } catch (cause) {
        throw new SamlError('SAML_EXTENSION_MALFORMED', 'PlaceVerification CommunityID invalid for the profile', { cause });
      }
      out.placeVerification = { communityId: cid };
    } else if (children(el, NS.saml, 'AttributeValue').length > 0) {
      malformed(`${name} takes no AttributeValue`);
    }
    if (!VERIFICATION_ATTRIBUTES.has(name) || name === 'AgeVerification' || name === 'PlaceVerification') out.attributes.push({ name, required });
  }
  return out;
}

/** Decrypts and parses the extension. Any decryption problem → SAML_EXTENSION_DECRYPT_FAILED. */
export function readEncryptedExtension(request: XmlElement, keys: readonly KeyObject[], profile: ProfileId): AuthnRequestExtension {
  const encrypted = findEncryptedExtension(request);
  let plaintext: Buffer;
  try {
    plaintext = decryptElement(encrypted, keys);
  } catch (cause) {
    throw new SamlError('SAML_EXTENSION_DECRYPT_FAILED', 'EncryptedAuthnRequestExtension could not be decrypted', { cause });
  }
  const doc = parseSamlXml(plaintext, { maxBytes: 64 * 1024, maxDepth: 16, maxElements: 1000 });
  return parseAuthnRequestExtension(doc.documentElement ?? malformed('empty'), profile);
}
