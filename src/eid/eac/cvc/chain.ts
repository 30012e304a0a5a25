/**
 * CV certificate chains: building the chain a terminal sends to the chip (TA: one PSO:Verify
 * Certificate per certificate), and verifying a chain from the chip's trust point, as the chip does.
 *
 * @spec tr03110-3 §C.4 (certificate validation, effective authorization), §B.11.5 (PSO:Verify Certificate)
 * @spec tr03110-2 §2.5 (trust points, link certificates and the chip's current date)
 *
 * Chain shape: [link certificates (CVCA role, CAR = previous CVCA)…, DV certificate, terminal certificate],
 * starting at a certificate whose CAR the chip knows (CAR_curr / CAR_prev from PACE / EF.CardAccess).
 *
 * Checks per certificate, in this order (the chip's view):
 *  1. its CAR names the current issuer (the trust point, or the previous certificate) → CVC_CHAIN_INVALID / CVC_UNKNOWN_CAR
 *  2. its role may follow the issuer's role: CVCA → CVCA (link) | DV; DV → terminal → CVC_ROLE_INVALID
 *  3. the signature verifies with the issuer's key, algorithm and curve → CVC_SIGNATURE_INVALID
 *  4. same terminal type as the issuer; rights within the issuer's rights (strict mode) → CVC_CHAT_TYPE_MISMATCH / CVC_CHAT_ESCALATION
 *  5. not expired against the current date → CVC_EXPIRED; with an accurate clock also not before the effective date → CVC_NOT_YET_VALID
 *  6. chip clock: the current date advances to the effective date of CVCA, DV and accurate terminal certificates
 */
import type { KeyObject } from 'node:crypto';
import type { CurveName } from '../domain-parameters.js';
import { chatIntersect, chatRightsBeyond } from './chat.js';
import type { Chat, ChatRole } from './chat.js';
import { isSelfSigned, verifyCvCertificateSignature } from './cv-certificate.js';
import type { CvCertificate } from './cv-certificate.js';
import type { CvcDate } from './dates.js';
import { checkCvcDate } from './dates.js';
import { CvcError } from './errors.js';
import { keyObjectOf } from './public-key.js';
import type { CvcPublicKey } from './public-key.js';

/** What a chip stores for a CVCA: its CHR, public key with domain parameters, and CHAT. */
export interface TrustPoint {
  readonly chr: string;
  readonly publicKey: CvcPublicKey;
  readonly curve: CurveName;
  readonly chat: Chat;
}

/** A trust point from a CVCA certificate (self-signed or link); it must carry domain parameters. */
export function trustPointFromCvca(cert: CvCertificate, inheritedCurve?: CurveName): TrustPoint {
  if (cert.chat.role !== 'cvca') throw new CvcError('CVC_ROLE_INVALID', `${cert.chr} is not a CVCA certificate (role ${cert.chat.role})`);
  const curve = cert.publicKey.curve ?? inheritedCurve;
  if (curve === undefined) throw new CvcError('CVC_DOMAIN_PARAMETERS_MISSING', `CVCA certificate ${cert.chr} carries no domain parameters`);
  return { chr: cert.chr, publicKey: cert.publicKey, curve, chat: cert.chat };
}

// ---------------------------------------------------------------------------------------------
// Building (terminal side)

/**
 * Orders certificates from `pool` (CVCA, link, DV certificates in any order; extra ones are ignored)
 * into the chain to send for `terminal`: [link…, DV, terminal], shortest first, and among equally
 * short chains the one starting at the earliest-listed CAR of `chipCars` (pass [CAR_curr, CAR_prev]).
 * Self-signed CVCA certificates are never sent (the chip has them as trust points or not at all).
 */
export function buildCvcChain(terminal: CvCertificate, pool: readonly CvCertificate[], chipCars: readonly string[]): CvCertificate[] {
  const rank = (car: string): number => {
    const i = chipCars.indexOf(car);
    return i === -1 ? Number.POSITIVE_INFINITY : i;
  };
  // Breadth-first from the terminal towards the trust points: each path is a chain suffix.
  let level: CvCertificate[][] = [[terminal]];
  const seen = new Set<string>([terminal.raw.toString('hex')]);
  while (level.length > 0) {
    const done = level.filter((path) => rank((path[0] as CvCertificate).car) !== Number.POSITIVE_INFINITY);
    if (done.length > 0) {
      done.sort((a, b) => rank((a[0] as CvCertificate).car) - rank((b[0] as CvCertificate).car));
      return done[0] as CvCertificate[];
    }
    const next: CvCertificate[][] = [];
    for (const path of level) {
      const head = path[0] as CvCertificate;
      const issuers = pool
        .filter((c) => c.chr === head.car && !isSelfSigned(c) && !seen.has(c.raw.toString('hex')))
        // Prefer the newest certificate when an issuer was re-certified under the same CHR.
        .sort((a, b) => (a.expirationDate < b.expirationDate ? 1 : a.expirationDate > b.expirationDate ? -1 : 0));
      for (const issuer of issuers) {
        seen.add(issuer.raw.toString('hex'));
        next.push([issuer, ...path]);
      }
    }
    level = next;
  }
  throw new CvcError('CVC_UNKNOWN_CAR', `no certificate path from ${terminal.chr} to a CAR the chip knows (${chipCars.join(', ') || 'none'})`,
    { detail: { chr: terminal.chr, chipCars: [...chipCars] } });
}

// ---------------------------------------------------------------------------------------------
// Verification (chip side)

export interface ChainVerificationOptions {
  /** The current date: the chip's stored date ('chip' clock) or today ('accurate' clock). */
  readonly currentDate: CvcDate;
  /**
   * 'chip' (default): the chip's approximate date, advanced by the certificates it accepts; only
   * expiration is checked. 'accurate': a real clock (server side); effective dates are checked too
   * and the date never changes.
   */
  readonly clock?: 'chip' | 'accurate';
  /**
   * true (default): a certificate claiming rights that its issuer lacks is rejected (CVC_CHAT_ESCALATION).
   * false: such rights are silently dropped by the intersection, as a chip computes effective rights.
   */
  readonly strictChat?: boolean;
}

/** State between certificates (what a chip keeps during TA while PSO:Verify Certificate commands arrive). */
export interface ChainState {
  /** The trust point in use (replaced by a link certificate). */
  readonly trustPoint: TrustPoint;
  /** The last verified certificate's holder, or the trust point before the first one. */
  readonly issuer: { readonly chr: string; readonly role: ChatRole; readonly key: KeyObject; readonly algorithmOid: string };
  /** Intersection of the CHATs seen so far, starting with the trust point's. */
  readonly effectiveChat: Chat;
  readonly currentDate: CvcDate;
  /** Certificates accepted so far, in order. */
  readonly accepted: readonly CvCertificate[];
}

export interface ChainVerificationResult {
  readonly terminal: CvCertificate;
  /** Terminal CHAT ∧ DV CHAT ∧ CVCA CHAT, role of the terminal. */
  readonly effectiveChat: Chat;
  /** The trust point after the chain (a different one if link certificates were processed). */
  readonly trustPoint: TrustPoint;
  /** The current date after the chain (advanced only with the 'chip' clock). */
  readonly currentDate: CvcDate;
  /** Public key of the terminal (for the TA signature), on the chain's curve. */
  readonly terminalKey: KeyObject;
  readonly terminalAlgorithmOid: string;
  readonly curve: CurveName;
}

/** Starts a chain at the trust point named by `car` (CVC_UNKNOWN_CAR if the chip has none). */
export function startChain(trustPoints: readonly TrustPoint[], car: string, currentDate: CvcDate): ChainState {
  checkCvcDate(currentDate);
  const trustPoint = trustPoints.find((t) => t.chr === car);
  if (trustPoint === undefined) {
    throw new CvcError('CVC_UNKNOWN_CAR', `CAR ${car} is not a trust point of the chip`, { detail: { car, trustPoints: trustPoints.map((t) => t.chr) } });
  }
  return {
    trustPoint,
    issuer: { chr: trustPoint.chr, role: 'cvca', key: keyObjectOf(trustPoint.publicKey, trustPoint.curve), algorithmOid: trustPoint.publicKey.oid },
    effectiveChat: trustPoint.chat,
    currentDate,
    accepted: [],
  };
}

const isDv = (role: ChatRole): boolean => role === 'dv-official' || role === 'dv-non-official';

/** Verifies one certificate against the state (one PSO:Verify Certificate) and returns the next state. */
export function verifyChainStep(state: ChainState, cert: CvCertificate, options: ChainVerificationOptions): ChainState {
  const { issuer } = state;
  const clock = options.clock ?? 'chip';
  // 1. TR-03110-3 §B.11.5: the certificate must be signed by the key selected with MSE:Set DST (its CAR).
  if (cert.car !== issuer.chr) {
    throw new CvcError('CVC_CHAIN_INVALID', `CAR ${cert.car} of ${cert.chr} does not name the previous holder ${issuer.chr}`);
  }
  // 2. TR-03110-3 §C.4: CVCA → link certificate or DV certificate; DV → terminal certificate; nothing after a terminal.
  const role = cert.chat.role;
  const allowed = issuer.role === 'cvca' ? role === 'cvca' || isDv(role) : isDv(issuer.role) ? role === 'terminal' : false;
  if (!allowed || (role === 'cvca' && state.accepted.some((c) => c.chat.role !== 'cvca'))) {
    throw new CvcError('CVC_ROLE_INVALID', `a ${role} certificate (${cert.chr}) cannot be issued by a ${issuer.role} (${issuer.chr})`);
  }
  // 3. Signature with the issuer's key; its OID names the algorithm, the trust point's parameters the curve.
  if (!verifyCvCertificateSignature(cert, issuer.key, issuer.algorithmOid)) {
    throw new CvcError('CVC_SIGNATURE_INVALID', `signature of ${cert.chr} does not verify with the key of ${issuer.chr}`);
  }
  // 4. Terminal type and rights.
  if (cert.chat.terminalType !== state.effectiveChat.terminalType) {
    throw new CvcError('CVC_CHAT_TYPE_MISMATCH', `${cert.chr} is a ${cert.chat.terminalType.toUpperCase()} certificate under a ${state.effectiveChat.terminalType.toUpperCase()} chain`);
  }
  if (role !== 'cvca' && (options.strictChat ?? true)) {
    const beyond = chatRightsBeyond(cert.chat, state.effectiveChat);
    if (beyond.length > 0) {
      throw new CvcError('CVC_CHAT_ESCALATION', `${cert.chr} claims rights (bits ${beyond.join(', ')}) that ${issuer.chr} does not have`, { detail: { bits: beyond } });
    }
  }
  const effectiveChat = role === 'cvca' ? cert.chat : chatIntersect(cert.chat, state.effectiveChat);
  // 5. Validity against the current date.
  if (cert.expirationDate < state.currentDate) {
    throw new CvcError('CVC_EXPIRED', `${cert.chr} expired on ${cert.expirationDate} (current date ${state.currentDate})`);
  }
  if (clock === 'accurate' && cert.effectiveDate > state.currentDate) {
    throw new CvcError('CVC_NOT_YET_VALID', `${cert.chr} is valid from ${cert.effectiveDate} (current date ${state.currentDate})`);
  }
  // 6. TR-03110-2 §2.5: a chip advances its date with CVCA, DV and accurate terminal certificates
  // (those issued by an official domestic DV); other terminal certificates cannot move it.
  const advances = role === 'cvca' || isDv(role) || (role === 'terminal' && issuer.role === 'dv-official');
  const currentDate = clock === 'chip' && advances && cert.effectiveDate > state.currentDate ? cert.effectiveDate : state.currentDate;

  const trustPoint = role === 'cvca' ? trustPointFromCvca(cert, state.trustPoint.curve) : state.trustPoint;
  return {
    trustPoint,
    issuer: { chr: cert.chr, role, key: keyObjectOf(cert.publicKey, trustPoint.curve), algorithmOid: cert.publicKey.oid },
    effectiveChat,
    currentDate,
    accepted: [...state.accepted, cert],
  };
}

/**
 * Verifies a whole chain [link…, DV, terminal] from one of the chip's trust points and returns the
 * terminal's effective rights and key. The chain must end with a terminal certificate.
 */
export function verifyCvcChain(trustPoints: readonly TrustPoint[], chain: readonly CvCertificate[], options: ChainVerificationOptions): ChainVerificationResult {
  const first = chain[0];
  if (first === undefined) throw new CvcError('CVC_CHAIN_INVALID', 'empty certificate chain');
  let state = startChain(trustPoints, first.car, options.currentDate);
  for (const cert of chain) state = verifyChainStep(state, cert, options);
  const terminal = chain[chain.length - 1] as CvCertificate;
  if (terminal.chat.role !== 'terminal') throw new CvcError('CVC_ROLE_INVALID', `chain ends with ${terminal.chr} (role ${terminal.chat.role}), not a terminal certificate`);
  return {
    terminal,
    effectiveChat: state.effectiveChat,
    trustPoint: state.trustPoint,
    currentDate: state.currentDate,
    terminalKey: state.issuer.key,
    terminalAlgorithmOid: state.issuer.algorithmOid,
    curve: state.trustPoint.curve,
  };
}
