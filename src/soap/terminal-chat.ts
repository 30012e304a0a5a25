/**
 * The CHAT of an eService's current terminal (authorization) certificate, read from the registry's
 * key reference, for useID (requested rights ⊆ CHAT) and getServerInfo (DocumentVerificationRights).
 *
 * @spec tr03130-1 §3.2.1, §3.2.3; tr03110-3 §C.1.5 (CHAT in the CV certificate)
 */
import { readFile } from 'node:fs/promises';
import type { Chat } from '../eid/eac/cvc/chat.js';
import { parseCvCertificate } from '../eid/eac/cvc/cv-certificate.js';
import type { ServiceRecord } from '../services/model.js';

/** Reads the CV certificate file (binary DER, or hex text). pkcs11: references hold no certificate → null. */
export async function terminalChatFromFile(service: Pick<ServiceRecord, 'terminal'>): Promise<Chat | null> {
  const ref = service.terminal?.certificate;
  if (ref === undefined || ref.startsWith('pkcs11:')) return null;
  const raw = await readFile(ref);
  const text = raw.toString('latin1').trim();
  const der = /^(?:[0-9A-Fa-f]{2})+$/.test(text) ? Buffer.from(text, 'hex') : raw;
  return parseCvCertificate(der).chat;
}
