/**
 * The IdP's signed metadata: separate signing and encryption KeyDescriptors for the current and the
 * next key (SPs learn the next key before the switch: rollover without breaking them), the
 * algorithms we accept for encrypted request extensions, transient NameIDs and the SSO endpoints.
 *
 * @spec saml-metadata §2.3.2, §2.4.1.1 (KeyDescriptor use, EncryptionMethod), §2.4.3 (IDPSSODescriptor, WantAuthnRequestsSigned); saml-core §5.4 (signature); sstc-saml-metadata-algsupport §2; SPEC §5.2
 */
import type { KeyStore, ManagedKey } from '../../keys/key-store.js';
import { samlId, samlInstant } from '../ids.js';
import { BINDING, ENC, NAMEID_FORMAT, NS } from '../namespaces.js';
import { signEnveloped } from '../xmldsig.js';
import { esc } from '../xml.js';

export interface IdpMetadataOptions {
  entityId: string;
  ssoUrl: string;
  keys: KeyStore;
  now: Date;
  validityMs: number;
}

function keyDescriptor(use: 'signing' | 'encryption', key: ManagedKey): string {
  const methods = use === 'encryption'
    ? `<md:EncryptionMethod Algorithm="${ENC.aes256gcm}"/><md:EncryptionMethod Algorithm="${ENC.aes128gcm}"/>`
      + `<md:EncryptionMethod Algorithm="${ENC.rsaOaep}"/><md:EncryptionMethod Algorithm="${ENC.rsaOaepMgf1p}"/>`
    : '';
  return `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:KeyName>${key.slot}-${key.fingerprint.slice(0, 16)}</ds:KeyName>`
    + `<ds:X509Data><ds:X509Certificate>${key.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>${methods}</md:KeyDescriptor>`;
}

export function buildIdpMetadata(o: IdpMetadataOptions): string {
  const signing = o.keys.published('saml-signing').map((k) => keyDescriptor('signing', k)).join('');
  const encryption = o.keys.published('saml-encryption').map((k) => keyDescriptor('encryption', k)).join('');
  const xml = `<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" ID="${samlId()}" entityID="${esc(o.entityId)}" validUntil="${samlInstant(new Date(o.now.getTime() + o.validityMs))}">`
    + `<md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`
    + signing + encryption
    + `<md:NameIDFormat>${NAMEID_FORMAT.transient}</md:NameIDFormat>`
    + `<md:SingleSignOnService Binding="${BINDING.redirect}" Location="${esc(o.ssoUrl)}"/>`
    + `<md:SingleSignOnService Binding="${BINDING.post}" Location="${esc(o.ssoUrl)}"/>`
    + '</md:IDPSSODescriptor></md:EntityDescriptor>';
  const key = o.keys.current('saml-signing');
  return signEnveloped(xml, { privateKey: key.privateKey, certificateBase64: key.certificateBase64 });
}
