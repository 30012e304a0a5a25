/**
 * Chip side of TA v2, first half: MSE:Set DST selects the verification key (DO83 = CAR), then
 * PSO:Verify Certificate checks one certificate of the chain CVCA link → DV → terminal and, if it
 * verifies, makes its public key available for the next one.
 *
 * @spec tr03110-3 §B.11.4 (MSE:Set DST), §B.11.5 (PSO:Verify Certificate), §C.1 (certificate body), §C.4 (CHAT)
 * @spec tr03110-2 §2.5 (certificate validation: expiration against the current date, current-date update, trust-point update)
 *
 * Rules enforced here, in order:
 * - a PACE channel exists (certificates come under SM);
 * - the CAR names the key selected with MSE:Set DST; that key is a trust point or was verified in this session;
 * - the signature verifies with the selected key (hash = the selected key's id-TA-ECDSA-SHA-* OID);
 * - issuer role → subject role: trust point/CVCA → CVCA (link) or DV; DV → terminal; terminal → nothing;
 * - the terminal type (CHAT OID) is id-AT throughout, and the certificate has not expired on the card's date;
 * - effective CHAT = CVCA (the trust point's stored CHAT) ∧ DV ∧ terminal; the current date moves forward to the effective date of a CVCA,
 *   DV or domestic terminal certificate; a verified CVCA link certificate becomes the new trust point.
 */
import { SW } from '../../src/eid/card/status-words.js';
import { decodeTlvs } from '../../src/eid/card/tlv.js';
import { ecdsaVerifyPlain, publicKeyFromPoint } from '../../src/eid/eac/domain-parameters.js';
import type { CurveName, HashName } from '../../src/eid/eac/domain-parameters.js';
import { chatIntersect } from '../../src/eid/eac/cvc/chat.js';
import { trustPointFromCvca } from '../../src/eid/eac/cvc/chain.js';
import { ROLE_OIDS } from '../../src/eid/eac/cvc/oids.js';
import { hashOfTaAlgorithm, keyObjectOf } from '../../src/eid/eac/cvc/public-key.js';
import { parseCvCertificateParts } from '../../src/eid/eac/cvc/cv-certificate.js';
import { sectorExtension } from '../../src/eid/eac/cvc/extensions.js';
import type { CvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import { fromHex } from '../../src/shared/bytes.js';
import { storedTrustPoint, trustPointChat } from './card-json.js';
import type { CardJson, TrustPoint } from './card-json.js';
import { ChipStatus, ensure } from './chip-status.js';
import type { ChipSession, VerificationKey } from './chip-session.js';
import { cardDateToCvc, cvcDateToCard } from './card-date.js';

const TAG_KEY_REFERENCE = 0x83;

/**
 * A stored trust point as a verification key. TR-03110-3 §C.4: its CHAT is the CVCA certificate's,
 * the upper bound of every chain below it (all rights only for card.json without a stored CHAT).
 */
function trustPointKey(tp: TrustPoint): VerificationKey | null {
  let hash: HashName;
  try {
    hash = hashOfTaAlgorithm(tp.keyOid);
  } catch {
    return null;
  }
  const point = fromHex(tp.publicKey);
  return {
    chr: tp.chr, curve: tp.curve, hash, keyOid: tp.keyOid, point, publicKey: publicKeyFromPoint(tp.curve, point),
    chat: trustPointChat(tp), expirationDate: tp.expirationDate, role: 'trust-point', sectorHashes: [],
  };
}

/** MSE:Set DST 00 22 81 B6 {83 CAR}: select the key the next certificate is verified with. */
export function mseSetDst(card: CardJson, session: ChipSession, data: Buffer): void {
  ensure(session.channel !== null && session.sm !== null, SW.SECURITY_STATUS_NOT_SATISFIED, 'TA needs a PACE channel');
  const objects = decodeTlvs(data);
  const ref = objects.length === 1 ? objects[0] : undefined;
  ensure(ref?.tag === TAG_KEY_REFERENCE && ref.value.length > 0, SW.WRONG_DATA, 'MSE:Set DST needs exactly DO83');
  const car = ref.value.toString('latin1');
  const fromSession = session.ta.keys.get(car);
  const fromTrustPoints = card.trustPoints.find((tp) => tp.chr === car);
  const key = fromSession ?? (fromTrustPoints === undefined ? null : trustPointKey(fromTrustPoints));
  // TR-03110-3 §B.11.4: 6A88 when the referenced public key is not present.
  if (key === null) throw new ChipStatus(SW.REFERENCE_DATA_NOT_FOUND, `no public key ${car}`);
  session.ta.selected = key;
}

type SubjectRole = VerificationKey['role'];

/** TR-03110-3 §2.5 / §C.4: which certificate role may follow which issuer role. */
function roleAllowed(issuer: SubjectRole, subject: SubjectRole): boolean {
  if (issuer === 'trust-point' || issuer === 'cvca') return subject === 'cvca' || subject === 'dv-official' || subject === 'dv-non-official';
  if (issuer === 'dv-official' || issuer === 'dv-non-official') return subject === 'terminal';
  return false;
}

/** PSO:Verify Certificate 00 2A 00 BE {7F4E body, 5F37 signature}. */
export function psoVerifyCertificate(card: CardJson, session: ChipSession, data: Buffer): void {
  ensure(session.channel !== null && session.sm !== null, SW.SECURITY_STATUS_NOT_SATISFIED, 'TA needs a PACE channel');
  const issuer = session.ta.selected;
  ensure(issuer !== null, SW.CONDITIONS_NOT_SATISFIED, 'no key selected with MSE:Set DST');
  // TR-03110-3 §B.11.5: the data field is the certificate body 7F4E followed by the signature 5F37.
  const cert = parseCvCertificateParts(data);
  ensure(cert.car === issuer.chr, SW.WRONG_DATA, `CAR ${cert.car} is not the selected key ${issuer.chr}`);

  // TR-03110-3 §C.1: the signature is over the complete body 7F4E, made with the issuer's key.
  if (!ecdsaVerifyPlain(issuer.publicKey, cert.bodyRaw, cert.signature, issuer.hash)) {
    throw new ChipStatus(SW.VERIFICATION_FAILED, `signature of ${cert.chr} does not verify with ${issuer.chr}`);
  }
  const subjectRole = cert.chat.role;
  ensure(roleAllowed(issuer.role, subjectRole), SW.CONDITIONS_NOT_SATISFIED, `${subjectRole} certificate cannot follow ${issuer.role}`);
  // This chip serves authentication terminals only (eID application, TR-03110-4 §2.2.3).
  ensure(cert.chat.roleOid === ROLE_OIDS.AT, SW.CONDITIONS_NOT_SATISFIED, 'terminal type is not id-AT');

  const today = cardDateToCvc(card.currentDate);
  // TR-03110-2 §2.5: a certificate is rejected once its expiration date lies before the current date.
  if (cert.expirationDate < today) throw new ChipStatus(SW.CONDITIONS_NOT_SATISFIED, `certificate ${cert.chr} expired ${cert.expirationDate}`);
  // An expired trust point verifies no DV any more; only a link certificate to its successor (rollover after expiry).
  if (issuer.expirationDate < today && subjectRole !== 'cvca') {
    throw new ChipStatus(SW.CONDITIONS_NOT_SATISFIED, `key ${issuer.chr} expired ${issuer.expirationDate}`);
  }

  const hash = hashOfTaAlgorithm(cert.publicKey.oid);
  // DV and terminal keys inherit the CVCA's domain parameters (TR-03110-3 §C.1.3); a link certificate carries its own.
  ensure(subjectRole !== 'cvca' || cert.publicKey.curve !== undefined, SW.WRONG_DATA, 'CVCA certificate without domain parameters');
  ensure(subjectRole === 'cvca' || cert.publicKey.curve === undefined || cert.publicKey.curve === issuer.curve, SW.WRONG_DATA, 'curve differs from the CVCA');
  const curve: CurveName = cert.publicKey.curve ?? issuer.curve;
  const publicKey = keyObjectOf(cert.publicKey, issuer.curve);

  // TR-03110-3 §C.4: a DV or terminal certificate's rights are cut down to those of the chain above it
  // (the trust point's CVCA CHAT included); a link certificate brings the new CVCA's own CHAT, as
  // verifyChainStep (src/eid/eac/cvc/chain.ts) computes it.
  const chainChat = issuer.role === 'trust-point' || issuer.role === 'cvca' ? issuer.chat : (session.ta.chainChat ?? issuer.chat);
  const chat = subjectRole === 'cvca' ? cert.chat : chatIntersect(cert.chat, chainChat);
  const key: VerificationKey = {
    chr: cert.chr, curve, hash, keyOid: cert.publicKey.oid, publicKey, point: Buffer.from(cert.publicKey.point),
    chat, expirationDate: cert.expirationDate, role: subjectRole,
    sectorHashes: sectorHashes(cert),
  };
  session.ta.keys.set(key.chr, key);
  session.ta.chainChat = key.chat;
  if (subjectRole === 'terminal') session.ta.terminal = key;

  // TR-03110-2 §2.5: the current date is updated from CVCA, DV and accurate (domestic DV issued) terminal certificates.
  const accurate = subjectRole !== 'terminal' || issuer.role === 'dv-official';
  if (accurate && cert.effectiveDate > today) card.currentDate = cvcDateToCard(cert.effectiveDate);

  // TR-03110-2 §2.4: a CVCA link certificate replaces the trust point (key, domain parameters and CHAT);
  // the previous one is kept as the second.
  if (subjectRole === 'cvca') {
    const previous = card.trustPoints.find((tp) => tp.chr === issuer.chr);
    const next = storedTrustPoint(trustPointFromCvca(cert, issuer.curve), cert.expirationDate);
    card.trustPoints = previous === undefined ? [next] : [next, previous];
  }
}

/** Hashes in the terminal certificate's id-sector extension (TR-03110-3 §C.3.2.1), for authorizedOnly RI keys. */
function sectorHashes(cert: CvCertificate): Buffer[] {
  const sector = sectorExtension(cert.extensions);
  return [sector?.sector1Hash, sector?.sector2Hash].filter((h): h is Buffer => h !== undefined);
}
