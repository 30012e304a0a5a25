import { EID_AUTHENTICATION_FAILED, entry } from './types.js';

/**
 * EAC cryptography (eid/eac: domain parameters, CMAC/KDF, secure messaging, PACE).
 * During an eID conversation these end the card session; the user sees a failed authentication.
 */
const failed = EID_AUTHENTICATION_FAILED;

export const eacCryptoCodes = {
  EAC_UNSUPPORTED_DOMAIN_PARAMETERS: entry('Elliptic-curve domain parameters (OID, standardized id or key curve) not supported', failed),
  EAC_INVALID_POINT: entry('Elliptic-curve point is malformed, not on the curve, or the point at infinity', failed),
  EAC_INVALID_SCALAR: entry('Elliptic-curve private scalar is malformed or out of range [1, n-1]', failed),
  EAC_INVALID_KEY: entry('Cryptographic key has the wrong type, curve or length', failed),
  SM_MAC_INVALID: entry('Secure messaging: cryptographic checksum (DO8E) does not verify', failed),
  SM_DATA_OBJECT_MISSING: entry('Secure messaging: a mandatory data object (DO8E / DO99) is missing', failed),
  SM_DATA_OBJECT_INVALID: entry('Secure messaging: data object malformed, unexpected, or in the wrong order', failed),
  SM_PADDING_INVALID: entry('Secure messaging: padding-content indicator or ISO/IEC 9797-1 padding is wrong', failed),
  SM_STATE_INVALID: entry('Secure messaging: call out of order (wrap/unwrap must alternate) or a stored state that does not validate', failed),
  SM_SESSION_CLOSED: entry('Secure messaging: the session was closed after an SM error or SSC exhaustion', failed),
  PACE_TOKEN_INVALID: entry('PACE: authentication token does not verify (wrong password or tampered key)', failed),
  PACE_STATE_INVALID: entry('PACE: step called out of order or with a stale state', failed),
  PACE_NONCE_INVALID: entry('PACE: encrypted nonce has the wrong length', failed),
  PACE_UNSUPPORTED_ALGORITHM: entry('PACE: protocol OID not supported (only id-PACE-ECDH-GM-AES-CBC-CMAC-*)', failed),
  PACE_DATA_INVALID: entry('PACE: dynamic authentication data (7C) malformed or missing an object', failed),
} as const;
