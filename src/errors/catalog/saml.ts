import { entry } from './types.js';

/**
 * SAML 2.0 IdP codes. `saml: null` rows are never sent to an SP: they arise before the requester is
 * authenticated or before its ACS is known (TR-03130-1 §4.8), so the browser gets an HTTP 400 page.
 * Rows with a SAML status are sent to the verified ACS as a Response with that status.
 */
export const samlCodes = {
  // Transport and XML (before the signature is verified: page only).
  SAML_REQUEST_MISSING: entry('No SAMLRequest parameter', { http: 400, expose: true }),
  SAML_REQUEST_TOO_LARGE: entry('SAMLRequest (encoded or inflated) exceeds the configured size', { http: 400, expose: true }),
  SAML_REQUEST_ENCODING: entry('SAMLRequest is not base64 of a DEFLATE stream (saml-bindings §3.4.4.1)', { http: 400, expose: true }),
  SAML_QUERY_INVALID: entry('Query string malformed or a SAML parameter repeated', { http: 400, expose: true }),
  SAML_XML_MALFORMED: entry('SAML message is not well-formed XML', { http: 400, expose: true }),
  SAML_XML_FORBIDDEN: entry('SAML message contains a DTD, entity declaration or processing instruction', { http: 400, expose: true }),
  SAML_XML_TOO_LARGE: entry('SAML message exceeds the size, depth or element limits', { http: 400, expose: true }),
  SAML_REQUEST_MALFORMED: entry('AuthnRequest violates the SAML schema or profile', { http: 400, saml: ['Requester'], expose: true }),
  SAML_ISSUER_UNKNOWN: entry('AuthnRequest Issuer is not a registered SAML eService', { http: 400, expose: true }),
  SAML_SIGNATURE_MISSING: entry('AuthnRequest is not signed (Signature/SigAlg missing)', { http: 400, expose: true }),
  SAML_SIGNATURE_INVALID: entry('AuthnRequest signature does not verify with the eService signing keys', { http: 400, expose: true }),
  SAML_SIGALG_UNSUPPORTED: entry('SigAlg is not one of RSA-SHA256/384/512, ECDSA-SHA256/384/512', { http: 400, expose: true }),
  SAML_SIGALG_MISMATCH: entry('SigAlg does not match the type of the eService signing key', { http: 400, expose: true }),
  SAML_ACS_NOT_REGISTERED: entry('AssertionConsumerServiceURL/Index not in the eService metadata; no Response is sent', { http: 400, expose: true }),
  // After the signature and ACS are verified: delivered to the SP as SAML status.
  SAML_VERSION_MISMATCH: entry('AuthnRequest Version is not 2.0', { http: 400, saml: ['VersionMismatch'], expose: true }),
  SAML_SERVICE_INACTIVE: entry('The eService is registered but not active', { http: 403, saml: ['Requester', 'RequestDenied'], expose: true }),
  SAML_DESTINATION_MISMATCH: entry('AuthnRequest Destination is not this IdP SSO endpoint', { http: 400, saml: ['Requester', 'RequestDenied'], expose: true }),
  SAML_ISSUE_INSTANT_INVALID: entry('AuthnRequest IssueInstant outside the accepted window', { http: 400, saml: ['Requester', 'RequestDenied'], expose: true }),
  SAML_REQUEST_REPLAYED: entry('AuthnRequest ID was already used', { http: 400, saml: ['Requester', 'RequestDenied'], expose: true }),
  SAML_BINDING_UNSUPPORTED: entry('Requested ProtocolBinding is not offered (HTTP-Redirect, HTTP-POST)', { http: 400, saml: ['Requester', 'UnsupportedBinding'], expose: true }),
  SAML_NAMEID_POLICY_UNSUPPORTED: entry('NameIDPolicy Format other than transient', { http: 400, saml: ['Requester', 'InvalidNameIDPolicy'], expose: true }),
  SAML_PASSIVE_NOT_POSSIBLE: entry('IsPassive requested; an eID login always needs the citizen', { http: 400, saml: ['Responder', 'NoPassive'], expose: true }),
  SAML_EXTENSION_MISSING: entry('AuthnRequest has no eid:EncryptedAuthnRequestExtension', { http: 400, saml: ['Requester', 'RequestUnsupported'], expose: true }),
  SAML_EXTENSION_DECRYPT_FAILED: entry('eid:EncryptedAuthnRequestExtension could not be decrypted with the IdP encryption key', { http: 400, saml: ['Requester', 'RequestUnsupported'], expose: true }),
  SAML_EXTENSION_MALFORMED: entry('AuthnRequestExtension violates TR-03130-1 §4 (version, attributes, values)', { http: 400, saml: ['Requester', 'RequestUnsupported'], expose: true }),
  SAML_ATTRIBUTE_UNKNOWN: entry('A requested attribute is not an attribute of the data profile', { http: 400, saml: ['Requester', 'RequestUnsupported'], expose: true }),
  SAML_ATTRIBUTE_NOT_APPROVED: entry('A requested attribute is not approved for this eService', { http: 403, saml: ['Requester', 'RequestDenied'], expose: true }),
  SAML_SP_ENCRYPTION_KEY_MISSING: entry('The eService has no usable encryption certificate for the EncryptedAssertion', { http: 500, saml: ['Responder'] }),
  SAML_LOGIN_FAILED: entry('The eID login ended without a usable result', { http: 400, saml: ['Responder', 'AuthnFailed'], expose: true }),
  // Continue endpoint and metadata.
  SAML_METADATA_INVALID: entry('SP metadata is malformed or lacks what the profile needs', { http: 400, expose: true }),
  SAML_METADATA_SIGNATURE_INVALID: entry('SP metadata signature missing or not made by the configured certificate', { http: 400, expose: true }),
  SAML_METADATA_FETCH_FAILED: entry('SP metadata URL could not be fetched', { http: 502, expose: true }),
  SAML_ENCRYPTED_DATA_INVALID: entry('XML-Enc EncryptedData malformed or using an algorithm that is not accepted', { http: 400, expose: true }),
  SAML_DECRYPTION_FAILED: entry('XML-Enc decryption failed (wrong key or tampered ciphertext)', { http: 400, expose: true }),
  SAML_XML_SIGNATURE_INVALID: entry('Enveloped XML signature missing, wrapped, or not valid', { http: 400, expose: true }),
  KEYS_INVALID: entry('Key store: a key or certificate file is missing, unreadable or does not match', { http: 500 }),
  KEYS_ROTATION_INVALID: entry('Key rotation step not possible in the current key state', { http: 409, expose: true }),
} as const;
