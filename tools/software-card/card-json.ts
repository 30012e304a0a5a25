/**
 * card.json: the persistent state of one software eID card (what survives a power cycle).
 * Volatile state (PACE/SM session, TA/CA progress, selected file) is never stored.
 *
 * @spec tr03110-2 §3.5 (PIN retry counter, PUK), tr03110-3 §A.6.4 (current date, trust points)
 * @spec tr03110-3 §C.4 (the CVCA's CHAT is part of the effective authorization)
 *
 * The file holds the card's secrets (PIN, CAN, PUK, CA and RI private keys): it is test material,
 * never production data.
 */
import { z } from 'zod';
import { createChat, decodeChat, encodeChat } from '../../src/eid/eac/cvc/chat.js';
import type { TrustPoint as CvcaTrustPoint } from '../../src/eid/eac/cvc/chain.js';
import type { Chat } from '../../src/eid/eac/cvc/chat.js';
import type { CurveName } from '../../src/eid/eac/domain-parameters.js';
import { hex } from '../../src/shared/bytes.js';
import { SoftwareCardError } from './chip-status.js';

export const CARD_JSON_FORMAT = 'neid-software-card/1';

const hexString = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'lower-case hex');
const curveName = z.enum(['brainpoolP256r1', 'brainpoolP384r1', 'P-384']) satisfies z.ZodType<CurveName>;
const oid = z.string().regex(/^[0-2](?:\.(?:0|[1-9][0-9]*))+$/, 'dotted OID');
/** ISO 8601 calendar date; the card's clock has day granularity (TR-03110-3 §A.6.4). */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const keyId = z.number().int().min(0).max(0xffff);

/** A CVCA's CHAT as its complete 7F4C TLV (hex); it must decode and name the CVCA role. */
const cvcaChat = hexString.refine((value) => {
  try {
    return decodeChat(Buffer.from(value, 'hex')).role === 'cvca';
  } catch {
    return false;
  }
}, 'CHAT 7F4C of a CVCA');

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
    /**
     * TR-03110-3 §C.4: the CVCA certificate's CHAT (7F4C TLV, hex), intersected into every effective
     * authorization under this trust point. Optional only so that card.json files written before it
     * was stored still load: absent = all rights of an authentication terminal (the earlier behaviour,
     * see trustPointChat). Issuing and link-certificate updates always write it.
     */
    chat: cvcaChat.optional(),
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

/** Every right of an authentication terminal: bits 0..37, below the two role bits (TR-03110-3 §C.4). */
const ALL_AT_RIGHTS = (1n << 38n) - 1n;

/**
 * The CHAT a stored trust point grants. A trust point without one (card.json from before the CVCA
 * CHAT was stored) grants all authentication-terminal rights, as those cards always did.
 */
export function trustPointChat(tp: TrustPoint): Chat {
  if (tp.chat === undefined) return createChat({ role: 'cvca', rights: ALL_AT_RIGHTS });
  return decodeChat(Buffer.from(tp.chat, 'hex'));
}

/**
 * The card.json record of a trust point (from trustPointFromCvca, src/eid/eac/cvc/chain.ts) with the
 * expiration date of the CVCA certificate it came from; the CHAT is always stored.
 */
export function storedTrustPoint(tp: CvcaTrustPoint, expirationDate: string): TrustPoint {
  return { chr: tp.chr, keyOid: tp.publicKey.oid, curve: tp.curve, publicKey: hex(tp.publicKey.point), expirationDate, chat: hex(encodeChat(tp.chat)) };
}

export function parseCardJson(json: unknown): CardJson {
  const result = cardJsonSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SoftwareCardError('SOFTCARD_JSON_INVALID', `card.json invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return result.data;
}
