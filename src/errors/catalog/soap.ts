import { entry } from './types.js';

/**
 * SOAP eID-Interface codes (src/soap): XML hardening, envelope structure, WS-Security and mutual TLS.
 * TR-03130-1 §3.5: an invalid signature is answered only with common#internalError; unsigned
 * requests and unknown certificates get no answer at all (the listener closes the connection).
 */
export const soapCodes = {
  SOAP_XML_MALFORMED: entry('The request is not well-formed XML', { http: 400, eidMinor: 'common#schemaViolation', expose: true }),
  SOAP_XML_DTD_FORBIDDEN: entry('The request carries a DTD, entity declaration or entity reference (XXE / entity expansion refused)', {
    http: 400, eidMinor: 'common#schemaViolation', expose: true,
  }),
  SOAP_TOO_LARGE: entry('The SOAP request exceeds the size or nesting limit', { http: 413, eidMinor: 'common#schemaViolation', expose: true }),
  SOAP_ENVELOPE_INVALID: entry('Not a SOAP 1.1 envelope with one Header and one Body holding one operation element', {
    http: 400, eidMinor: 'common#schemaViolation', expose: true,
  }),
  SOAP_SCHEMA_VIOLATION: entry('The operation element violates the TR-03130 schema (missing, misplaced or malformed element)', {
    http: 400, eidMinor: 'common#schemaViolation', expose: true,
  }),
  SOAP_OPERATION_UNKNOWN: entry('The Body holds no useID, getResult or getServerInfo request of this profile', {
    http: 400, eidMinor: 'common#schemaViolation', expose: true,
  }),
  WSS_SIGNATURE_MISSING: entry('The request carries no WS-Security signature (no answer is sent)', { http: 400 }),
  WSS_CERTIFICATE_UNKNOWN: entry('The WS-Security signature names a certificate other than the one registered for the eService (no answer is sent)', { http: 403 }),
  WSS_SIGNATURE_INVALID: entry('The WS-Security signature, its references, algorithms or timestamp are invalid', {
    http: 400, eidMinor: 'common#internalError',
  }),
  SOAP_CLIENT_UNKNOWN: entry('The TLS client certificate is not registered for an active SOAP eService (connection closed)', { http: 403 }),
  SOAP_CLIENT_ADDRESS_NOT_ALLOWED: entry('The TLS client certificate is an active SOAP eService\'s, but the peer address is not on its IP allow-list (connection closed; seed 002 表8)', { http: 403 }),
} as const;
