/**
 * Certification authority reference (CAR) and certificate holder reference (CHR):
 * country code || holder mnemonic || sequence number.
 *
 * @spec tr03110-3 §A.6.1 (certificate holder reference), §D.2 (42 CAR / 5F20 CHR, ISO/IEC 8859-1)
 */
import { CvcError } from './errors.js';

export interface CertificateReference {
  /** ISO 3166-1 alpha-2, e.g. "DE". */
  readonly countryCode: string;
  /** Up to 9 characters, e.g. "TESTeID". */
  readonly holderMnemonic: string;
  /** 5 numeric or alphanumeric characters, e.g. "00005". */
  readonly sequenceNumber: string;
}

// TR-03110-3 §A.6.1: country code (2 letters), holder mnemonic (≤ 9 characters ISO/IEC 8859-1),
// sequence number (5 characters, numeric or alphanumeric). Control characters are never allowed.
const PATTERN = /^([A-Z]{2})([\x20-\x7e\xa0-\xff]{0,9})([A-Za-z0-9]{5})$/;

/** Splits and checks a CAR/CHR string. */
export function parseCertificateReference(reference: string): CertificateReference {
  const m = PATTERN.exec(reference);
  if (m === null) {
    throw new CvcError('CVC_REFERENCE_INVALID', `not a certificate reference (CC + mnemonic ≤ 9 + 5-character sequence number): ${JSON.stringify(reference)}`);
  }
  return { countryCode: m[1] as string, holderMnemonic: m[2] as string, sequenceNumber: m[3] as string };
}

export function formatCertificateReference(ref: CertificateReference): string {
  const text = `${ref.countryCode}${ref.holderMnemonic}${ref.sequenceNumber}`;
  parseCertificateReference(text);
  return text;
}

/** Value bytes (ISO/IEC 8859-1) of a reference; checks the syntax. */
export function encodeCertificateReference(reference: string): Buffer {
  parseCertificateReference(reference);
  return Buffer.from(reference, 'latin1');
}

export function decodeCertificateReference(value: Uint8Array): string {
  const text = Buffer.from(value).toString('latin1');
  parseCertificateReference(text);
  return text;
}
