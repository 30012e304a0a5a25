/**
 * card.json: the persistent state of one software eID card (what survives a power cycle).
 * Volatile state (PACE/SM session, TA/CA progress, selected file) is never stored.
 *
 * @spec tr03110-2 §3.5 (PIN retry counter, PUK), tr03110-3 §A.6.4 (current date, trust points)
 *
 * The file holds the card's secrets (PIN, CAN, PUK, CA and RI private keys): it is test material,
 * never production data.
 */
import { z } from 'zod';
import type { CurveName } from '../../src/eid/eac/domain-parameters.js';
import { SoftwareCardError } from './chip-status.js';

export const CARD_JSON_FORMAT = 'neid-software-card/1';

const hexString = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'lower-case hex');
const curveName = z.enum(['brainpoolP256r1', 'brainpoolP384r1', 'P-384']) satisfies z.ZodType<CurveName>;
const oid = z.string().regex(/^[0-2](?:\.(?:0|[1-9][0-9]*))+$/, 'dotted OID');
/** ISO 8601 calendar date; the card's clock has day granularity (TR-03110-3 §A.6.4). */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const keyId = z.number().int().min(0).max(0xffff);

const keyPair = z.object({
  keyId,
  /** Protocol OID (id-CA-ECDH-AES-CBC-CMAC-128, id-RI-ECDH-SHA-256, …). */
  oid,
  curve: curveName,
  /** Private scalar d, big-endian, field length. */
  privateKey: hexString,
  /** Uncompressed public point 04||X||Y. */
  publicKey: hexString,
}).strict();

const cardJsonSchema = z.object({
  format: z.literal(CARD_JSON_FORMAT),
  profile: z.enum(['tw', 'de']),
  /** Date the card believes it is (only ever moves forward, from verified certificates). */
  currentDate: isoDate,
  passwords: z.object({
    pin: z.string().regex(/^\d{6}$/, 'six digits'),
    can: z.string().regex(/^\d{6}$/, 'six digits'),
    puk: z.string().regex(/^\d{10}$/, 'ten digits'),
  }).strict(),
  /** TR-03110-2 §3.5.1: 3 = initial, 1 = suspended, 0 = blocked. */
  pinRetryCounter: z.number().int().min(0).max(3),
  /** Number of PIN unblocks left with the PUK (the German eID card allows 10). */
  pukUsesLeft: z.number().int().min(0).max(255),
  /** PACE configurations the chip runs, the same as the PACEInfos in EF.CardAccess. */
  pace: z.array(z.object({ oid, curve: curveName, parameterId: z.number().int().min(0).max(31) }).strict()).min(1),
  chipAuthentication: z.array(keyPair).min(1),
  restrictedIdentification: z.array(keyPair.extend({ authorizedOnly: z.boolean() }).strict()),
  /** CVCA public keys the chip trusts; the first is the current one (TR-03110-3 §2.5 trust point). */
  trustPoints: z.array(z.object({
    chr: z.string().min(1).max(16),
    /** id-TA-ECDSA-SHA-* of the CVCA key (fixes the hash for signatures made with it). */
    keyOid: oid,
    curve: curveName,
    publicKey: hexString,
    /** YYMMDD, from the CVCA certificate. */
    expirationDate: z.string().regex(/^\d{6}$/),
  }).strict()).min(1).max(2),
  /**
   * What the chip compares in auxiliary-data verification (from the profile's verificationData()):
   * dates YYYYMMDD (spaces for unknown parts), null = not on the card / no end of validity.
   */
  verification: z.object({
    dateOfBirth: z.string().regex(/^[0-9 ]{8}$/).nullable(),
    dateOfExpiry: z.string().regex(/^\d{8}$/).nullable(),
    communityId: hexString.nullable(),
  }).strict(),
  files: z.object({
    cardAccess: hexString,
    cardSecurity: hexString,
    /** DG number (1..22) → complete DG TLV (tag 0x60 + n). */
    dataGroups: z.record(z.string().regex(/^(?:[1-9]|1\d|2[0-2])$/), hexString),
  }).strict(),
}).strict();

export type CardJson = z.infer<typeof cardJsonSchema>;
export type CardKeyPair = z.infer<typeof keyPair>;
export type RiKeyPair = CardJson['restrictedIdentification'][number];
export type TrustPoint = CardJson['trustPoints'][number];

export function parseCardJson(json: unknown): CardJson {
  const result = cardJsonSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SoftwareCardError('SOFTCARD_JSON_INVALID', `card.json invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return result.data;
}
