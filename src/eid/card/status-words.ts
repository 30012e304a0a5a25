/**
 * Named status words (SW1-SW2). Names follow the wording of ISO/IEC 7816-4 §5.6 Tables 5 and 6;
 * TR-03110-3 gives some of them a PACE/TA/CA meaning, noted at the entry.
 *
 * @spec iso7816-4 §5.6, tr03110-3 App. B (PIN states in the MSE:Set AT answer)
 */

export const SW = {
  // Normal processing
  SUCCESS: 0x9000,
  // Warning processing (62xx: state of non-volatile memory unchanged; 63xx: changed)
  WARNING_NO_INFORMATION: 0x6200,
  END_OF_FILE: 0x6282, // "End of file or record reached before reading Ne bytes"
  SELECTED_FILE_DEACTIVATED: 0x6283,
  VERIFICATION_FAILED: 0x6300, // 63Cx: counter, see isWarningRetries
  /** TR-03110-3 App. B: PIN has 2 tries left (MSE:Set AT / GENERAL AUTHENTICATE with PIN). */
  PIN_RETRY_2: 0x63c2,
  /** TR-03110-3 App. B: PIN suspended, 1 try left; the next PACE with PIN must follow a PACE with CAN. */
  PIN_SUSPENDED: 0x63c1,
  /** TR-03110-3 App. B: no tries left (the card may also answer AUTHENTICATION_METHOD_BLOCKED). */
  PIN_RETRY_0: 0x63c0,
  // Execution error
  MEMORY_FAILURE: 0x6581,
  // Checking error
  WRONG_LENGTH: 0x6700,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  LAST_COMMAND_OF_CHAIN_EXPECTED: 0x6883,
  COMMAND_CHAINING_NOT_SUPPORTED: 0x6884,
  COMMAND_NOT_ALLOWED: 0x6900,
  COMMAND_INCOMPATIBLE_WITH_FILE_STRUCTURE: 0x6981,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTHENTICATION_METHOD_BLOCKED: 0x6983,
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED_NO_CURRENT_EF: 0x6986,
  SM_DATA_OBJECTS_MISSING: 0x6987,
  SM_DATA_OBJECTS_INCORRECT: 0x6988,
  WRONG_PARAMETERS_P1P2_NO_INFORMATION: 0x6a00,
  WRONG_DATA: 0x6a80, // "Incorrect parameters in the command data field"
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82, // "File or application not found"
  RECORD_NOT_FOUND: 0x6a83,
  NOT_ENOUGH_MEMORY: 0x6a84, // "Not enough memory space in the file"
  NC_INCONSISTENT_WITH_TLV: 0x6a85,
  INCORRECT_P1P2: 0x6a86,
  NC_INCONSISTENT_WITH_P1P2: 0x6a87,
  REFERENCE_DATA_NOT_FOUND: 0x6a88, // "Referenced data or reference data not found"
  FILE_ALREADY_EXISTS: 0x6a89,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00, // "Instruction code not supported or invalid"
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

export type SwName = keyof typeof SW;

/** ISO 7816-4 §5.6 wording for each named SW. */
const DESCRIPTIONS: Record<SwName, string> = {
  SUCCESS: 'No further qualification',
  WARNING_NO_INFORMATION: 'No information given (state of non-volatile memory unchanged)',
  END_OF_FILE: 'End of file or record reached before reading Ne bytes',
  SELECTED_FILE_DEACTIVATED: 'Selected file deactivated',
  VERIFICATION_FAILED: 'Verification failed (state of non-volatile memory changed)',
  PIN_RETRY_2: 'Verification failed, counter 2 (PIN: 2 tries left)',
  PIN_SUSPENDED: 'Verification failed, counter 1 (PIN suspended: CAN required)',
  PIN_RETRY_0: 'Verification failed, counter 0 (PIN blocked)',
  MEMORY_FAILURE: 'Memory failure',
  WRONG_LENGTH: 'Wrong length; no further indication',
  LOGICAL_CHANNEL_NOT_SUPPORTED: 'Logical channel not supported',
  SECURE_MESSAGING_NOT_SUPPORTED: 'Secure messaging not supported',
  LAST_COMMAND_OF_CHAIN_EXPECTED: 'Last command of the chain expected',
  COMMAND_CHAINING_NOT_SUPPORTED: 'Command chaining not supported',
  COMMAND_NOT_ALLOWED: 'Command not allowed; no information given',
  COMMAND_INCOMPATIBLE_WITH_FILE_STRUCTURE: 'Command incompatible with file structure',
  SECURITY_STATUS_NOT_SATISFIED: 'Security status not satisfied',
  AUTHENTICATION_METHOD_BLOCKED: 'Authentication method blocked',
  REFERENCE_DATA_NOT_USABLE: 'Reference data not usable',
  CONDITIONS_NOT_SATISFIED: 'Conditions of use not satisfied',
  COMMAND_NOT_ALLOWED_NO_CURRENT_EF: 'Command not allowed (no current EF)',
  SM_DATA_OBJECTS_MISSING: 'Expected secure messaging data objects missing',
  SM_DATA_OBJECTS_INCORRECT: 'Incorrect secure messaging data objects',
  WRONG_PARAMETERS_P1P2_NO_INFORMATION: 'Wrong parameters P1-P2; no information given',
  WRONG_DATA: 'Incorrect parameters in the command data field',
  FUNCTION_NOT_SUPPORTED: 'Function not supported',
  FILE_NOT_FOUND: 'File or application not found',
  RECORD_NOT_FOUND: 'Record not found',
  NOT_ENOUGH_MEMORY: 'Not enough memory space in the file',
  NC_INCONSISTENT_WITH_TLV: 'Nc inconsistent with TLV structure',
  INCORRECT_P1P2: 'Incorrect parameters P1-P2',
  NC_INCONSISTENT_WITH_P1P2: 'Nc inconsistent with parameters P1-P2',
  REFERENCE_DATA_NOT_FOUND: 'Referenced data or reference data not found',
  FILE_ALREADY_EXISTS: 'File already exists',
  WRONG_P1P2: 'Wrong parameters P1-P2',
  INS_NOT_SUPPORTED: 'Instruction code not supported or invalid',
  CLA_NOT_SUPPORTED: 'Class not supported',
  NO_PRECISE_DIAGNOSIS: 'No precise diagnosis',
};

const BY_VALUE = new Map<number, SwName>(Object.entries(SW).map(([name, value]) => [value, name as SwName]));

function hex4(sw: number): string {
  return (sw & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

/** The constant name of a status word, if it has one. */
export function swConstantName(sw: number): SwName | undefined {
  return BY_VALUE.get(sw);
}

/**
 * Human-readable, log-safe name of a status word: "6982 SECURITY_STATUS_NOT_SATISFIED (Security status not satisfied)".
 * Families without a fixed SW2 are named by their ISO 7816-4 meaning: 61xx, 6Cxx, 63Cx.
 */
export function swName(sw: number): string {
  const name = BY_VALUE.get(sw);
  if (name !== undefined) return `${hex4(sw)} ${name} (${DESCRIPTIONS[name]})`;
  const s1 = (sw >>> 8) & 0xff;
  const s2 = sw & 0xff;
  if (s1 === 0x61) return `${hex4(sw)} BYTES_REMAINING (${s2 === 0 ? '256 or more' : String(s2)} bytes still available)`;
  if (s1 === 0x6c) return `${hex4(sw)} WRONG_LE (exact length ${s2 === 0 ? 256 : s2})`;
  const retries = isWarningRetries(sw);
  if (retries !== null) return `${hex4(sw)} VERIFICATION_FAILED (counter ${retries})`;
  return `${hex4(sw)} UNKNOWN`;
}

/** For 63Cx ("counter provided by X"), the counter x (PIN tries left); otherwise null. */
export function isWarningRetries(sw: number): number | null {
  return (sw & 0xfff0) === 0x63c0 ? sw & 0x0f : null;
}

/** ISO 7816-4 §5.6: 9000 and 61xx are normal processing. */
export function isNormalProcessing(sw: number): boolean {
  return sw === SW.SUCCESS || (sw & 0xff00) === 0x6100;
}

/** ISO 7816-4 §5.6: 62xx and 63xx are warnings (the command completed; data may be present). */
export function isWarning(sw: number): boolean {
  const s1 = (sw >>> 8) & 0xff;
  return s1 === 0x62 || s1 === 0x63;
}
