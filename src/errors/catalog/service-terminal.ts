import { entry } from './types.js';

/**
 * eService terminal material (src/eid/terminals.ts): the files behind the registry's terminal
 * references and the eID-Server's PKI directory. All are operator problems, never the citizen's:
 * the PAOS conversation ends with al/common#internalError and the log names the file.
 */
export const serviceTerminalCodes = {
  TERMINAL_NOT_CONFIGURED: entry('The eService has no terminal (authorization) certificate in the registry', {
    ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  TERMINAL_KEY_REFERENCE_UNSUPPORTED: entry('The terminal key reference is a pkcs11: URI; HSM keys are not supported yet', {
    ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  TERMINAL_MATERIAL_INVALID: entry('A terminal certificate, key, chain, description or sector key file is missing or malformed', {
    ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
  TERMINAL_TRUST_STORE_INVALID: entry('The eID-Server PKI directory (CSCA, CRLs, master lists, CV certificates, block lists) is missing or malformed', {
    ecardMinor: '/al/common#internalError', eidMinor: 'common#internalError',
  }),
} as const;
