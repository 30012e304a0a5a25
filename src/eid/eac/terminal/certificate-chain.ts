/**
 * Chooses the CV certificates the chip needs, from its trust point (CAR_curr, else CAR_prev) down
 * to the terminal certificate, and checks the chain the server is about to present: links by
 * CAR/CHR, terminal rights within the DV's (no CHAT escalation), validity on the given date.
 * The chip verifies signatures; the server's checks only turn misconfiguration into clear errors.
 *
 * @spec tr03110-3 §2.5-§2.7 (certificate validation, effective authorization), tr03112-7 §3.6.4 (Certificate in EAC1/EAC2)
 */
import { isSelfSigned, parseCvCertificate } from '../cvc/cv-certificate.js';
import type { CvCertificate } from '../cvc/cv-certificate.js';
import { chatIntersect, chatIsSubset, chatRightsBeyond } from '../cvc/chat.js';
import type { Chat } from '../cvc/chat.js';
import { compareCvcDates } from '../cvc/dates.js';
import { keyObjectOf } from '../cvc/public-key.js';
import { publicKeyFromPoint } from '../domain-parameters.js';
import type { CurveName } from '../domain-parameters.js';
import type { KeyObject } from 'node:crypto';
import { EacTerminalError } from '../eac-terminal-error.js';

/** Certificates from the one issued by `car` down to the terminal certificate (inclusive), in sending order. */
export function chainFromTrustPoint(terminal: CvCertificate, pool: readonly CvCertificate[], car: string): CvCertificate[] {
  const chain: CvCertificate[] = [terminal];
  let current = terminal;
  // A chain is CVCA (link) → DV → terminal: at most a handful; the bound stops CAR/CHR loops.
  for (let depth = 0; depth < 8; depth++) {
    if (current.car === car) return chain.reverse();
    // A self-signed CVCA is never sent (the chip holds it as a trust point or not at all); the pool may
    // hold one next to the link certificate of the same CHR.
    const issuer = pool.find((c) => c.chr === current.car && c !== current && !isSelfSigned(c));
    if (issuer === undefined) break;
    chain.push(issuer);
    current = issuer;
  }
  throw new EacTerminalError('TA_CAR_UNKNOWN', `no certificate chain from trust point ${car} to ${terminal.chr}`, { detail: { car } });
}

/**
 * TR-03110-3 §C.4: the CHAT of the CVCA the chip holds as trust point once it has processed `chain`
 * (src/eid/eac/cvc/chain.ts verifyChainStep): the last link certificate of the chain, else the CVCA
 * certificates of the pool with the chain's first CAR as CHR (self-signed, or the link certificate
 * that introduced that CVCA; intersected if there are several, they should agree). null when the pool
 * has none: the chip then applies a CVCA CHAT the server cannot see.
 */
export function trustPointChat(chain: readonly CvCertificate[], pool: readonly CvCertificate[]): Chat | null {
  const links = chain.filter((c) => c.chat.role === 'cvca');
  const last = links[links.length - 1];
  if (last !== undefined) return last.chat;
  const first = chain[0];
  if (first === undefined) return null;
  const cvcas = pool.filter((c) => c.chr === first.car && c.chat.role === 'cvca' && c.chat.terminalType === first.chat.terminalType);
  const [top, ...more] = cvcas;
  if (top === undefined) return null;
  return more.reduce((acc, c) => chatIntersect(acc, c.chat), top.chat);
}

/**
 * Effective authorization the chip will grant (TR-03110-3 §C.4 / TR-03110-2 §2.7): the user's
 * selection ∧ every DV and terminal CHAT of `chain` ∧ the trust point's CVCA CHAT (trustPointChat;
 * a link certificate replaces the CVCA CHAT rather than adding to it, as on the chip).
 */
export function effectiveChatOf(userChat: Chat, chain: readonly CvCertificate[], pool: readonly CvCertificate[]): Chat {
  let effective = userChat;
  for (const c of chain) if (c.chat.role !== 'cvca' && c.chat.terminalType === effective.terminalType) effective = chatIntersect(effective, c.chat);
  const cvca = trustPointChat(chain, pool);
  if (cvca !== null && cvca.terminalType === effective.terminalType) effective = chatIntersect(effective, cvca);
  return effective;
}

/** CAR of the top of the chain the pool builds above the terminal certificate (the CVCA the EAC1 certificates start at). */
export function topCar(terminal: CvCertificate, pool: readonly CvCertificate[]): string {
  let current = terminal;
  for (let depth = 0; depth < 8; depth++) {
    const issuer = pool.find((c) => c.chr === current.car && c !== current && c.car !== c.chr);
    if (issuer === undefined) return current.car;
    current = issuer;
  }
  throw new EacTerminalError('TA_CHAIN_INVALID', `certificate chain above ${terminal.chr} does not end`);
}

/** First of the card's trust points (CAR_curr, CAR_prev) the pool can reach. */
export function chainForCars(terminal: CvCertificate, pool: readonly CvCertificate[], cars: readonly string[]): CvCertificate[] {
  let last: unknown;
  for (const car of cars) {
    try {
      return chainFromTrustPoint(terminal, pool, car);
    } catch (err) {
      last = err;
    }
  }
  throw last ?? new EacTerminalError('TA_CAR_UNKNOWN', 'the card reported no trust point (CAR)');
}

/**
 * Checks the terminal certificate against its issuers in the pool: terminal role, CHAT within each
 * issuer's CHAT (TR-03110-3 §2.7: the chip would silently intersect, hiding a misissued certificate),
 * and validity on `today` (YYMMDD, the CVC date form).
 */
export function checkTerminalChain(terminal: CvCertificate, pool: readonly CvCertificate[], today: string): void {
  if (terminal.chat.role !== 'terminal' || terminal.chat.terminalType !== 'at') {
    throw new EacTerminalError('TA_CHAIN_INVALID', `certificate ${terminal.chr} is not an authentication-terminal certificate`);
  }
  let child = terminal;
  for (let depth = 0; depth < 8; depth++) {
    if (compareCvcDates(today, child.effectiveDate) < 0 || compareCvcDates(today, child.expirationDate) > 0) {
      throw new EacTerminalError('TA_CHAIN_INVALID', `certificate ${child.chr} is not valid on ${today} (${child.effectiveDate}..${child.expirationDate})`, { detail: { chr: child.chr } });
    }
    const issuer = pool.find((c) => c.chr === child.car && c !== child);
    if (issuer === undefined) return;
    if (issuer.chat.terminalType === child.chat.terminalType && !chatIsSubset(child.chat, issuer.chat)) {
      throw new EacTerminalError('TA_CHAIN_INVALID', `certificate ${child.chr} claims rights beyond its issuer ${issuer.chr}`, {
        detail: { chr: child.chr, bits: chatRightsBeyond(child.chat, issuer.chat) },
      });
    }
    if (issuer.chr === issuer.car) return; // self-signed CVCA: top reached
    child = issuer;
  }
}

export function parseCertificatePool(certificates: readonly Buffer[]): CvCertificate[] {
  return certificates.map((c) => parseCvCertificate(c));
}

const CURVES: readonly CurveName[] = ['brainpoolP256r1', 'brainpoolP384r1', 'P-384'];

/**
 * The terminal certificate's public key as a KeyObject. TR-03110-3 §C.1.3: DV and terminal keys carry
 * no domain parameters and inherit those of the CVCA above them; they are taken from the nearest
 * issuer in the pool that has them (a link certificate), else from the one curve the point lies on
 * (the CVCA certificate itself lives on the card, not necessarily in the server's pool).
 */
export function terminalPublicKey(terminal: CvCertificate, pool: readonly CvCertificate[]): KeyObject {
  let current = terminal;
  for (let depth = 0; depth < 8; depth++) {
    if (current.publicKey.curve !== undefined) return keyObjectOf(terminal.publicKey, current.publicKey.curve);
    const issuer = pool.find((c) => c.chr === current.car && c !== current);
    if (issuer === undefined) break;
    current = issuer;
  }
  const fits = CURVES.filter((curve) => {
    try {
      publicKeyFromPoint(curve, terminal.publicKey.point);
      return true;
    } catch {
      return false;
    }
  });
  const [curve] = fits;
  if (curve === undefined || fits.length > 1) throw new EacTerminalError('TA_CHAIN_INVALID', `domain parameters of ${terminal.chr}'s key not determinable from the certificate pool`);
  return keyObjectOf(terminal.publicKey, curve);
}
