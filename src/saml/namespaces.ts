/**
 * SAML 2.0, XML-DSig, XML-Enc and TR-03130 namespace and algorithm URIs, and the status codes
 * (one place, spelled as the specs spell them).
 *
 * @spec saml-core §1.3 (namespaces), §3.2.2.2 (StatusCode), §8.3.8 (transient NameID); saml-bindings §3.4, §3.5; xmldsig-core §6; xmlenc-core §5; xmlenc-core1 §5.2.4 (AES-GCM); rfc4051 §2.3 (RSA-SHA256/384/512), rfc6931 §2.3.6 (ECDSA-SHA*); tr03130-1 §4
 */
export const NS = {
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  xenc11: 'http://www.w3.org/2009/xmlenc11#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
  /** tr03130-1 §4: the eID namespace of the SAML extension elements and attribute types. */
  eid: 'http://bsi.bund.de/eID/',
} as const;

export const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export const NAMEID_FORMAT = {
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  entity: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
} as const;

export const ATTRNAME_FORMAT_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
export const ATTRNAME_FORMAT_BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

/** tr03130-1 §4.9: AuthnContext of an eID login. */
export const AUTHN_CONTEXT_SMARTCARD_PKI = 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI';

export const CONFIRMATION_BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** URL-signature algorithms accepted on inbound Redirect messages (saml-bindings §3.4.4.1). SHA-1 is refused. */
export const SIG_ALG = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  ecdsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  ecdsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
} as const;

export interface SigAlgInfo {
  key: 'rsa' | 'ec';
  hash: 'sha256' | 'sha384' | 'sha512';
}

export const SIG_ALGS: Readonly<Record<string, SigAlgInfo>> = {
  [SIG_ALG.rsaSha256]: { key: 'rsa', hash: 'sha256' },
  [SIG_ALG.rsaSha384]: { key: 'rsa', hash: 'sha384' },
  [SIG_ALG.rsaSha512]: { key: 'rsa', hash: 'sha512' },
  [SIG_ALG.ecdsaSha256]: { key: 'ec', hash: 'sha256' },
  [SIG_ALG.ecdsaSha384]: { key: 'ec', hash: 'sha384' },
  [SIG_ALG.ecdsaSha512]: { key: 'ec', hash: 'sha512' },
};

export const DSIG = {
  exclusiveC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
} as const;

export const ENC = {
  aes256gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  aes128gcm: 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  /** RSA-OAEP, SHA-1 digest and MGF1-SHA1: the key transport every SP decrypts (idp-landscape addendum). */
  rsaOaepMgf1p: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  /** xmlenc-core1 §5.5.2: RSA-OAEP with a DigestMethod and MGF of choice. */
  rsaOaep: 'http://www.w3.org/2009/xmlenc11#rsa-oaep',
  mgf1sha1: 'http://www.w3.org/2009/xmlenc11#mgf1sha1',
  mgf1sha256: 'http://www.w3.org/2009/xmlenc11#mgf1sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  typeElement: 'http://www.w3.org/2001/04/xmlenc#Element',
} as const;

/** saml-core §3.2.2.2 top-level and second-level status codes. */
export const STATUS_PREFIX = 'urn:oasis:names:tc:SAML:2.0:status:';
export const STATUS_SUCCESS = `${STATUS_PREFIX}Success`;
