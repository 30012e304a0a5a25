/**
 * The eID client's binding of the TLS channels to the eService: every server certificate the client
 * met (TLS-2, the eID-Server's RSA_PSK certificate) must be listed, by hash, in the commCertificates
 * of the CertificateDescription, and that description must be the one the terminal certificate
 * certifies (id-description hash) — otherwise the list would be whatever the server chose to send.
 * The check runs when EAC1InputType brings the description (before the user is asked for the PIN),
 * over the certificates seen so far, and then on every further connection.
 *
 * Modes: `enforce` (production: a description without commCertificates lets no server through),
 * `enforce-when-present` (default: checked when the list is present and non-empty), `off`.
 *
 * @spec eid-protocol §2.3 (channel binding: TLS certificate hash in commCertificates), §4.1 (client checks of the description)
 * @spec tr03110-4 §2.2.6 (CertificateDescription, hash function of the terminal certificate), tr03110-3 §C.3.1 (id-description)
 * @spec tr03124-1 §2.7 (commCertificates)
 *
 * AusweisApp does the same (TlsChecker::checkCertificate, StateCheckCertificates; developer mode only logs).
 */
import { checkDescriptionHash, descriptionHash, parseCertificateDescription } from '../../src/eid/eac/cvc/certificate-description.js';
import { parseCvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import type { CvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import type { Eac1InputMessage } from '../../src/eid/paos/index.js';
import { constantTimeEqual } from '../../src/shared/bytes.js';

export type CommCertificateCheck = 'enforce' | 'enforce-when-present' | 'off';

export const COMM_CERTIFICATE_CHECKS: readonly CommCertificateCheck[] = ['enforce', 'enforce-when-present', 'off'];

/**
 * Stable codes of the reference client's own refusals. They never reach the wire (the eService sees
 * ResultMinor trustedChannelEstablishmentFailed at the RefreshAddress), so they are kept here, not in
 * the IdP's error catalog (src/errors/catalog).
 */
export const EID_CLIENT_CODES = {
  /** A server certificate's hash is not in commCertificates. */
  COMM_CERTIFICATE_UNLISTED: 'EID_CLIENT_COMM_CERTIFICATE_UNLISTED',
  /** `enforce`: the CertificateDescription has no (or an empty) commCertificates. */
  COMM_CERTIFICATES_MISSING: 'EID_CLIENT_COMM_CERTIFICATES_MISSING',
  /** No terminal certificate in EAC1InputType, or the description is not the one it certifies. */
  DESCRIPTION_UNBOUND: 'EID_CLIENT_DESCRIPTION_UNBOUND',
} as const;

export type EidClientCode = (typeof EID_CLIENT_CODES)[keyof typeof EID_CLIENT_CODES];

export class EidClientError extends Error {
  readonly code: EidClientCode;
  /** Where the browser is sent after the refusal (the RefreshAddress with the error), once reported. */
  refreshUrl: string | undefined;

  constructor(code: EidClientCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EidClientError';
    this.code = code;
  }
}

/** Accepts a server certificate (DER) or throws EID_CLIENT_COMM_CERTIFICATE_UNLISTED. */
export type ServerCertificateCheck = (der: Buffer) => void;

function terminalCertificate(certificates: readonly Buffer[]): CvCertificate | undefined {
  for (const raw of certificates) {
    try {
      const cert = parseCvCertificate(raw);
      if (cert.chat.role === 'terminal') return cert;
    } catch {
      // Not for the client to judge: the chip verifies the chain in TA.
    }
  }
  return undefined;
}

/**
 * The check EAC1InputType calls for, or null when nothing is checked (`off`, or `enforce-when-present`
 * and no list). Throws EidClientError when the description cannot be trusted or, in `enforce`, has no list.
 */
export function commCertificateCheck(input: Pick<Eac1InputMessage, 'certificates' | 'certificateDescription'>, mode: CommCertificateCheck): ServerCertificateCheck | null {
  if (mode === 'off') return null;
  const hashes = parseCertificateDescription(input.certificateDescription).commCertificates ?? [];
  if (hashes.length === 0) {
    if (mode === 'enforce-when-present') return null;
    throw new EidClientError(EID_CLIENT_CODES.COMM_CERTIFICATES_MISSING, 'the CertificateDescription lists no commCertificates');
  }
  const terminal = terminalCertificate(input.certificates);
  if (terminal === undefined) throw new EidClientError(EID_CLIENT_CODES.DESCRIPTION_UNBOUND, 'EAC1InputType carries no terminal certificate');
  try {
    checkDescriptionHash(terminal, input.certificateDescription);
  } catch (err) {
    throw new EidClientError(EID_CLIENT_CODES.DESCRIPTION_UNBOUND, `the CertificateDescription is not the one ${terminal.chr} certifies`, { cause: err });
  }
  return (der) => {
    // TR-03110-4 §2.2.6: the hash function of the terminal certificate (id-TA-ECDSA-SHA-256 → SHA-256).
    const hash = descriptionHash(terminal, der);
    if (!hashes.some((h) => h.length === hash.length && constantTimeEqual(h, hash))) {
      throw new EidClientError(EID_CLIENT_CODES.COMM_CERTIFICATE_UNLISTED, 'server certificate not listed in commCertificates');
    }
  };
}
