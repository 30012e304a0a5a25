/**
 * Personalisation of a software card: fresh chip keys (CA, RI), passwords, EF.CardAccess, the
 * DS-signed EF.CardSecurity, the trust points (CVCA keys) and the data groups of one person.
 *
 * @spec tr03110-3 §A.1.2 (EF.CardAccess / EF.CardSecurity), tr03110-2 §2.5 (trust points, current date)
 * @spec tr03110-2 §3.5 (PIN 6 digits, PUK 10 digits, CAN 6 digits), tr03110-3 §C.4 (CVCA CHAT of the trust point)
 */
import { randomInt } from 'node:crypto';
import { domainParameters, generateEcKeyPair, scalarOfPrivateKey } from '../../src/eid/eac/domain-parameters.js';
import type { CurveName } from '../../src/eid/eac/domain-parameters.js';
import type { CvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import type { ProfileId } from '../../src/eid/profiles/index.js';
import { hex } from '../../src/shared/bytes.js';
import { trustPointFromCvca } from '../../src/eid/eac/cvc/chain.js';
import { CARD_JSON_FORMAT, parseCardJson, storedTrustPoint } from './card-json.js';
import type { CardJson, CardKeyPair, RiKeyPair, TrustPoint } from './card-json.js';
import { encodeCardAccess, encodeCardSecurityContent, protocolsForCurve } from './card-security-infos.js';
import { SoftwareCardError } from './chip-status.js';
import { PIN_RETRY_INITIAL } from './pace-passwords.js';

/** The German eID card allows 10 unblocks with the PUK. */
export const PUK_USES = 10;
/** Key ids as the German eID card numbers them is arbitrary; these are ours. */
export const CA_KEY_ID = 1;
export const RI_KEY_IDS = { OPEN: 1, AUTHORIZED_ONLY: 2 } as const;

export interface IssueCardInput {
  profile: ProfileId;
  /** person.json (validated by the profile). */
  person: unknown;
  /** CVCA certificates the chip trusts: current first, optionally the previous generation. */
  trustPoints: readonly CvCertificate[];
  /** Curve of the chip's keys (PACE, CA, RI); default the current CVCA's. */
  curve?: CurveName;
  pin?: string;
  can?: string;
  puk?: string;
  /** The card's initial current date (day of personalisation), ISO YYYY-MM-DD. */
  issuedOn: string;
  /** Signs the DER SecurityInfos as EF.CardSecurity (CMS SignedData by the document signer). */
  signCardSecurity: (securityInfos: Buffer) => Buffer;
}

function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

function keyPair(curve: CurveName, oid: string, keyId: number): CardKeyPair {
  const pair = generateEcKeyPair(curve);
  return { keyId, oid, curve, privateKey: hex(scalarOfPrivateKey(pair.privateKey)), publicKey: hex(pair.publicPoint) };
}

/** TR-03110-3 §C.4: the trust point keeps the CVCA's key, domain parameters and CHAT (its rights bound every chain). */
function trustPoint(cert: CvCertificate): TrustPoint {
  if (cert.chat.role !== 'cvca' || cert.chat.terminalType !== 'at' || cert.publicKey.curve === undefined) {
    throw new SoftwareCardError('SOFTCARD_ISSUE_INVALID', `trust point ${cert.chr} is not an authentication-terminal CVCA certificate with domain parameters`);
  }
  return storedTrustPoint(trustPointFromCvca(cert), cert.expirationDate);
}

export function issueCard(input: IssueCardInput): CardJson {
  const profile = getProfile(input.profile);
  const person = profile.validatePerson(input.person);
  const [current] = input.trustPoints;
  if (current === undefined || input.trustPoints.length > 2) throw new SoftwareCardError('SOFTCARD_ISSUE_INVALID', 'one or two CVCA trust points needed');
  const curve = input.curve ?? current.publicKey.curve ?? 'brainpoolP256r1';
  const protocols = protocolsForCurve(curve);
  const pin = input.pin ?? person.secrets.pin ?? digits(6);
  const puk = input.puk ?? person.secrets.puk ?? digits(10);
  // tw: the CAN is also a data group; keep the two equal when the person file has one.
  const canAttribute = person.attributes.CAN;
  const can = input.can ?? person.secrets.can ?? (typeof canAttribute === 'string' ? canAttribute : digits(6));
  const keys = {
    pace: [{ oid: protocols.pace, curve, parameterId: domainParameters(curve).standardizedId }],
    chipAuthentication: [keyPair(curve, protocols.ca, CA_KEY_ID)],
    restrictedIdentification: [
      { ...keyPair(curve, protocols.ri, RI_KEY_IDS.OPEN), authorizedOnly: false },
      { ...keyPair(curve, protocols.ri, RI_KEY_IDS.AUTHORIZED_ONLY), authorizedOnly: true },
    ] satisfies RiKeyPair[],
  };
  const verification = profile.verificationData(person);
  const dataGroups: Record<string, string> = {};
  for (const [dg, bytes] of profile.encodeDataGroups(person)) dataGroups[String(dg)] = hex(bytes);
  const card = {
    format: CARD_JSON_FORMAT,
    profile: input.profile,
    currentDate: input.issuedOn,
    passwords: { pin, can, puk },
    pinRetryCounter: PIN_RETRY_INITIAL,
    pukUsesLeft: PUK_USES,
    ...keys,
    trustPoints: input.trustPoints.map(trustPoint),
    verification: {
      dateOfBirth: verification.dateOfBirth,
      dateOfExpiry: verification.dateOfExpiry,
      communityId: verification.communityId === null ? null : hex(verification.communityId),
    },
    files: {
      cardAccess: hex(encodeCardAccess(keys)),
      cardSecurity: hex(input.signCardSecurity(encodeCardSecurityContent(keys))),
      dataGroups,
    },
  };
  // The same validation as loading: an issued card always loads.
  return parseCardJson(card);
}
