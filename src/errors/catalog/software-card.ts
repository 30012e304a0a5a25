import { entry } from './types.js';

/**
 * Codes of the test tooling that plays the chip (tools/software-card) and builds the test PKI
 * (`neid pki …`, `neid card issue`). They never reach an eID client or an eService: the software
 * card answers every command with a status word, and the CLI turns these into an exit code.
 */
export const softwareCardCodes = {
  SOFTCARD_STATUS: entry('Software card: a command ends with a non-success status word (internal to the card, becomes the SW)'),
  SOFTCARD_JSON_INVALID: entry('Software card: card.json does not match the software-card format'),
  SOFTCARD_ISSUE_INVALID: entry('Card issuing: PKI directory, profile or person data incomplete or inconsistent'),
  TESTPKI_MANIFEST_INVALID: entry('Test PKI: manifest.json missing, malformed, or naming a missing file'),
  TESTPKI_ARGUMENT_INVALID: entry('Test PKI: a command-line option has an invalid value'),
} as const;
