/**
 * XML Encryption as the SAML profile uses it: hybrid encryption of one element (EncryptedAssertion,
 * eid:EncryptedAuthnRequestExtension) with a fresh AES-GCM content key wrapped by RSA-OAEP to the
 * recipient's encryption certificate. Written on node:crypto; no static symmetric keys.
 *
 * @spec xmlenc-core1 §3.1 (EncryptedData), §3.5.1 (EncryptedKey), §5.2.4 (AES-GCM: IV ‖ ciphertext ‖ tag), §5.5.1 (rsa-oaep-mgf1p), §5.5.2 (rsa-oaep); saml-core §2.2.4 (EncryptedElementType); tr03130-1 §4 (hybrid encryption); SPEC §5.2
 *
 * Accepted inbound: content aes256-gcm / aes128-gcm only (no CBC: padding oracles, xmlenc-core1 §6.5),
 * key transport RSA-OAEP only (rsa-1_5 never, idp-landscape finding 4). Decryption failures of any kind
 * give the one code SAML_DECRYPTION_FAILED, so the error does not tell which step failed.
 */
import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import type { XmlElement } from '../shared/xml.js';
import { SamlError } from './errors.js';
import { ENC, NS } from './namespaces.js';
import { attr, childElements, children, isElement, optionalChild, requiredChild, textOf } from './xml.js';

export type KeyTransport = 'rsa-oaep-mgf1p' | 'rsa-oaep-sha256';

const CONTENT: Readonly<Record<string, number>> = { [ENC.aes256gcm]: 32, [ENC.aes128gcm]: 16 };
const GCM_IV = 12;
const GCM_TAG = 16;
const MAX_CIPHER_BASE64 = 512 * 1024;

function base64Strict(value: string): Buffer {
  const compact = value.replace(/[\s]+/g, '');
  if (compact.length > MAX_CIPHER_BASE64 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'CipherValue is not base64');
  }
  return Buffer.from(compact, 'base64');
}

function cipherValue(parent: XmlElement): Buffer {
  const cipherData = requiredChild(parent, NS.xenc, 'CipherData', 'SAML_ENCRYPTED_DATA_INVALID');
  // xmlenc-core1 §3.3.1: CipherReference would make us fetch a URI; only inline CipherValue is accepted.
  return base64Strict(textOf(requiredChild(cipherData, NS.xenc, 'CipherValue', 'SAML_ENCRYPTED_DATA_INVALID'), 'SAML_ENCRYPTED_DATA_INVALID'));
}

function methodOf(parent: XmlElement): { algorithm: string; el: XmlElement } {
  const el = requiredChild(parent, NS.xenc, 'EncryptionMethod', 'SAML_ENCRYPTED_DATA_INVALID');
  return { algorithm: attr(el, 'Algorithm') ?? '', el };
}

/** OAEP digest from EncryptionMethod: rsa-oaep-mgf1p → SHA-1 (MGF1-SHA1 fixed); rsa-oaep → DigestMethod = MGF hash. */
function oaepHash(method: { algorithm: string; el: XmlElement }): 'sha1' | 'sha256' {
  const digestEl = optionalChild(method.el, NS.ds, 'DigestMethod', 'SAML_ENCRYPTED_DATA_INVALID');
  const digest = digestEl ? attr(digestEl, 'Algorithm') : ENC.sha1;
  if (optionalChild(method.el, NS.xenc, 'OAEPparams', 'SAML_ENCRYPTED_DATA_INVALID')) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'OAEPparams are not accepted');
  const hash = digest === ENC.sha1 ? 'sha1' : digest === ENC.sha256 ? 'sha256' : undefined;
  if (hash === undefined) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'OAEP DigestMethod not accepted');
  if (method.algorithm === ENC.rsaOaepMgf1p) {
    // xmlenc-core1 §5.5.1: MGF1 with SHA-1 always; node's OAEP uses one hash for both, so SHA-1 it is.
    if (hash !== 'sha1') throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'rsa-oaep-mgf1p with a digest other than SHA-1 is not supported');
    return hash;
  }
  if (method.algorithm === ENC.rsaOaep) {
    const mgfEl = optionalChild(method.el, NS.xenc11, 'MGF', 'SAML_ENCRYPTED_DATA_INVALID');
    const mgf = mgfEl ? attr(mgfEl, 'Algorithm') : ENC.mgf1sha1;
    const mgfHash = mgf === ENC.mgf1sha1 ? 'sha1' : mgf === ENC.mgf1sha256 ? 'sha256' : undefined;
    if (mgfHash !== hash) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'RSA-OAEP DigestMethod and MGF must use the same hash');
    return hash;
  }
  throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'key transport algorithm not accepted (RSA-OAEP only)');
}

/** EncryptedKey inside EncryptedData/ds:KeyInfo, or as siblings in the SAML EncryptedElementType container. */
function encryptedKeys(encryptedData: XmlElement, container: XmlElement | undefined): XmlElement[] {
  const keyInfo = optionalChild(encryptedData, NS.ds, 'KeyInfo', 'SAML_ENCRYPTED_DATA_INVALID');
  const inside = keyInfo ? children(keyInfo, NS.xenc, 'EncryptedKey') : [];
  const beside = container ? children(container, NS.xenc, 'EncryptedKey') : [];
  const all = [...inside, ...beside];
  if (all.length === 0) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'no EncryptedKey (static symmetric keys are not accepted)');
  if (all.length > 4) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'too many EncryptedKey elements');
  return all;
}

/**
 * Decrypts `container`'s single xenc:EncryptedData (saml:EncryptedElementType) with the first of
 * `keys` that unwraps its content key. Returns the plaintext (the serialized element).
 */
export function decryptElement(container: XmlElement, keys: readonly KeyObject[]): Buffer {
  const data = children(container, NS.xenc, 'EncryptedData');
  if (data.length !== 1) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'expected exactly one EncryptedData');
  const unexpected = childElements(container).filter((c) => !isElement(c, NS.xenc, 'EncryptedData') && !isElement(c, NS.xenc, 'EncryptedKey'));
  if (unexpected.length > 0) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'unexpected element beside EncryptedData');
  return decryptEncryptedData(data[0] as XmlElement, keys, container);
}

export function decryptEncryptedData(encryptedData: XmlElement, keys: readonly KeyObject[], container?: XmlElement): Buffer {
  const type = attr(encryptedData, 'Type');
  if (type !== undefined && type !== ENC.typeElement) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'EncryptedData Type must be Element');
  const content = methodOf(encryptedData);
  const keyLength = CONTENT[content.algorithm];
  if (keyLength === undefined) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'content encryption algorithm not accepted (AES-GCM only)');
  const cipher = cipherValue(encryptedData);
  if (cipher.length < GCM_IV + GCM_TAG) throw new SamlError('SAML_ENCRYPTED_DATA_INVALID', 'CipherValue too short for AES-GCM');
  const wrapped = encryptedKeys(encryptedData, container).map((ek) => ({ hash: oaepHash(methodOf(ek)), value: cipherValue(ek) }));

  for (const key of keys) {
    for (const w of wrapped) {
      let contentKey: Buffer;
      try {
        contentKey = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: w.hash }, w.value);
      } catch {
        continue;
      }
      if (contentKey.length !== keyLength) continue;
      try {
        const decipher = createDecipheriv(keyLength === 32 ? 'aes-256-gcm' : 'aes-128-gcm', contentKey, cipher.subarray(0, GCM_IV));
        decipher.setAuthTag(cipher.subarray(cipher.length - GCM_TAG));
        return Buffer.concat([decipher.update(cipher.subarray(GCM_IV, cipher.length - GCM_TAG)), decipher.final()]);
      } catch {
        // The GCM tag is the only integrity check of the content: no partial plaintext leaves here.
        throw new SamlError('SAML_DECRYPTION_FAILED', 'decryption failed');
      }
    }
  }
  throw new SamlError('SAML_DECRYPTION_FAILED', 'decryption failed');
}

export interface EncryptOptions {
  /** Recipient's encryption certificate key. */
  recipient: KeyObject;
  keyTransport?: KeyTransport;
  /** Namespace prefixes used: xenc and ds are declared on EncryptedData. */
}

/** Encrypts a serialized element; returns the xenc:EncryptedData element (EncryptedKey inside its KeyInfo). */
export function encryptElement(plaintextXml: string, options: EncryptOptions): string {
  const contentKey = randomBytes(32);
  const iv = randomBytes(GCM_IV);
  const cipher = createCipheriv('aes-256-gcm', contentKey, iv);
  const body = Buffer.concat([cipher.update(plaintextXml, 'utf8'), cipher.final()]);
  const cipherValueB64 = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  const transport = options.keyTransport ?? 'rsa-oaep-mgf1p';
  const hash = transport === 'rsa-oaep-mgf1p' ? 'sha1' : 'sha256';
  const wrapped = publicEncrypt({ key: options.recipient, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, contentKey).toString('base64');
  const method = transport === 'rsa-oaep-mgf1p'
    ? `<xenc:EncryptionMethod Algorithm="${ENC.rsaOaepMgf1p}"><ds:DigestMethod Algorithm="${ENC.sha1}"/></xenc:EncryptionMethod>`
    : `<xenc:EncryptionMethod Algorithm="${ENC.rsaOaep}"><ds:DigestMethod Algorithm="${ENC.sha256}"/><xenc11:MGF xmlns:xenc11="${NS.xenc11}" Algorithm="${ENC.mgf1sha256}"/></xenc:EncryptionMethod>`;
  contentKey.fill(0);
  return `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" xmlns:ds="${NS.ds}" Type="${ENC.typeElement}">`
    + `<xenc:EncryptionMethod Algorithm="${ENC.aes256gcm}"/>`
    + `<ds:KeyInfo><xenc:EncryptedKey>${method}<xenc:CipherData><xenc:CipherValue>${wrapped}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>`
    + `<xenc:CipherData><xenc:CipherValue>${cipherValueB64}</xenc:CipherValue></xenc:CipherData>`
    + '</xenc:EncryptedData>';
}
