import { EID_AUTHENTICATION_FAILED, entry } from './types.js';

/**
 * Terminal (eID-Server / PCD) side of EAC: command builders, TA v2, CA v2, RI, auxiliary data,
 * the server-side EAC session, and the eID client's APDU driver (tools/eid-client).
 * During an eID conversation each ends the login: to the eID client it travels as a security
 * condition or internal error (TR-03112-1), to the eService as an authentication failure.
 */
const failed = EID_AUTHENTICATION_FAILED;
const security = { ...failed, ecardMinor: '/sal#securityConditionNotSatisfied' } as const;
const invalidDocument = { ...failed, ecardMinor: '/sal#securityConditionNotSatisfied', eidMinor: 'getResult#invalidDocument' } as const;

export const eacTerminalCodes = {
  // Command builders / parsers (ISO/IEC 7816-4, TR-03110-3 App. B)
  CMD_ARGUMENT_INVALID: entry('A card command was built with an out-of-range argument (SFI, offset, key reference, length)', failed),
  CMD_RESPONSE_INVALID: entry('A card response does not have the form the command defines (length, data objects)', failed),
  // Terminal Authentication v2 (TR-03110-2 §3.4)
  TA_CHAT_EXCEEDS_TERMINAL: entry('Required or optional CHAT asks for rights the terminal certificate does not grant', { ...failed, eidMinor: 'useID#missingTerminalRights' }),
  TA_EFFECTIVE_CHAT_INVALID: entry('Effective CHAT from EAC1 output is not a subset of the requested CHAT or lacks a required right', security),
  TA_CAR_UNKNOWN: entry('No certificate chain from the card\'s trust point (CAR) to the terminal certificate', security),
  TA_CHAIN_INVALID: entry('The terminal certificate chain is malformed, out of order or expired', security),
  TA_TERMINAL_KEY_MISMATCH: entry('The terminal private key does not belong to the terminal certificate', failed),
  TA_CHALLENGE_INVALID: entry('Chip challenge r_PICC is not 8 bytes', security),
  TA_ID_PICC_INVALID: entry('ID_PICC from EAC1 output is empty or too long', security),
  TA_UNSUPPORTED_ALGORITHM: entry('Terminal certificate key algorithm is not a supported id-TA-ECDSA-* OID', failed),
  // Chip Authentication v2 (TR-03110-2 §3.3)
  CA_NOT_SUPPORTED: entry('EF.CardSecurity announces no ChipAuthenticationInfo version 2 with a supported protocol', invalidDocument),
  CA_KEY_NOT_FOUND: entry('EF.CardSecurity has no ChipAuthenticationPublicKeyInfo for the CA key in use', invalidDocument),
  CA_TOKEN_INVALID: entry('CA v2 authentication token T_PICC does not verify: the chip does not hold the signed CA key', invalidDocument),
  CA_NONCE_INVALID: entry('CA v2 nonce r_PICC has the wrong length', invalidDocument),
  // Restricted Identification (TR-03110-2 §3.5)
  RI_SECTOR_KEY_NOT_CERTIFIED: entry('Sector public key hash does not match the terminal certificate id-sector extension', failed),
  RI_NOT_SUPPORTED: entry('The card announces no RestrictedIdentificationInfo usable by this terminal', failed),
  RI_RESPONSE_INVALID: entry('RI GENERAL AUTHENTICATE response lacks the sector identifier or it has the wrong length', failed),
  // Auxiliary data (TR-03110-3 §A.6.5)
  AUX_DATA_INVALID: entry('Authenticated auxiliary data malformed (date, community ID, duplicate or unknown object)', { ...failed, eidMinor: 'useID#missingArgument' }),
  AUX_VERIFICATION_NOT_ALLOWED: entry('Age or place verification requested without the CHAT right or aux data', { ...failed, eidMinor: 'useID#missingArgument' }),
  // Server-side EAC session
  EAC_STEP_ORDER: entry('EAC terminal session step called out of order or the stored state is inconsistent', failed),
  EAC_STATE_INVALID: entry('Stored EAC terminal session state cannot be decoded', failed),
  EAC_TRANSMIT_RESPONSE_INVALID: entry('Transmit answers do not match the APDUs sent (count, MAC, status word)', security),
  EAC_DATA_GROUP_DENIED: entry('The card refused to read a data group inside the effective CHAT', security),
  EAC_DOCUMENT_EXPIRED: entry('The document is expired (aux verification id-DateOfExpiry failed)', invalidDocument),
  EAC_DOCUMENT_REVOKED: entry('The document is on the block list (sector-specific identifier listed)', invalidDocument),
  // eID client driver (tools/eid-client), PACE outcome by status word (TR-03110-3 App. B, ISO 7816-4 §5.6)
  PACE_PASSWORD_WRONG: entry('PACE: wrong PIN/CAN/PUK, tries remain (detail.retries)', { ...failed, ecardMinor: '/ifdl/common#invalidPIN' }),
  PACE_PIN_SUSPENDED: entry('PACE: PIN suspended (one try left), the CAN must be entered first', { ...failed, ecardMinor: '/ifdl/common#invalidPIN' }),
  PACE_PIN_BLOCKED: entry('PACE: PIN blocked, unblock with the PUK', { ...failed, ecardMinor: '/ifdl/common#invalidPIN' }),
  PACE_PASSWORD_DEACTIVATED: entry('PACE: the password is deactivated (eID function switched off)', failed),
  EAC_CARD_REFUSED: entry('The card refused an EAC step (status word in detail.sw)', security),
} as const;
