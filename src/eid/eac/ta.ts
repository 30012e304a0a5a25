/**
 * Terminal Authentication version 2, terminal (server) side.
 *
 * | TA step (TR-03110-2 §3.4.1) | here |
 * |---|---|
 * | 1 terminal sends its certificate chain (MSE:Set DST + PSO:Verify, client) | — (chain chosen in terminal/) |
 * | 2 terminal generates ephemeral key on the chip's CA domain parameters | generateTaEphemeralKey |
 * | 3 terminal sends Comp(ePK_PCD) and aux data (MSE:Set AT, client) | compressEphemeralPublicKey |
 * | 4 chip sends r_PICC (GET CHALLENGE, client) | — |
 * | 5 terminal signs ID_PICC ‖ r_PICC ‖ Comp(ePK_PCD) ‖ aux data | taSignatureInput, signTa |
 * | 6 chip verifies (EXTERNAL AUTHENTICATE, client) | verifyTaSignature (software card, tests) |
 *
 * @spec tr03110-2 §3.4 (TA v2), tr03110-3 App. B (TA APDUs), tr03110-3 §A.2.2.3 (Comp for ECDH), bsi-tr03111 §5.2.1 (plain ECDSA)
 */
import type { KeyObject } from 'node:crypto';
import { TA_ECDSA_OIDS } from './cvc/oids.js';
import {
  domainParameters, ecdsaSignPlain, ecdsaVerifyPlain, generateEcKeyPair, decodePoint, scalarOfPrivateKey, bigintToBytes,
} from './domain-parameters.js';
import type { CurveName, HashName } from './domain-parameters.js';
import { EacTerminalError } from './eac-terminal-error.js';
import { TA_CHALLENGE_LENGTH } from '../card/commands/get-challenge.js';

/** TR-03110-3 §A.6.4: id-TA-ECDSA-SHA-x → hash of the TA signature. */
const HASH_BY_TA_OID: ReadonlyMap<string, HashName> = new Map([
  [TA_ECDSA_OIDS.SHA_1, 'sha1'],
  [TA_ECDSA_OIDS.SHA_224, 'sha224'],
  [TA_ECDSA_OIDS.SHA_256, 'sha256'],
  [TA_ECDSA_OIDS.SHA_384, 'sha384'],
  [TA_ECDSA_OIDS.SHA_512, 'sha512'],
]);

/** TR-03110-3 §A.6.4 / App. B: the TA protocol OID sent in MSE:Set AT, taken from the terminal key's OID. */
export function taHashOfKeyOid(keyOid: string): HashName {
  const hash = HASH_BY_TA_OID.get(keyOid);
  if (hash === undefined) throw new EacTerminalError('TA_UNSUPPORTED_ALGORITHM', `terminal key algorithm ${keyOid} is not id-TA-ECDSA-*`);
  return hash;
}

/** The terminal's ephemeral CA key pair, in storable form (scalar and point as bytes). */
export interface TaEphemeralKey {
  curve: CurveName;
  /** Private scalar, fixed field length. Secret: kept only in the (encrypted) session store. */
  privateScalar: Buffer;
  /** Uncompressed 04 ‖ X ‖ Y. */
  publicPoint: Buffer;
}

/** TA step 2: a fresh key on the chip's CA domain parameters (TR-03110-2 §3.4.1: "on the domain parameters of the chip's static CA key"). */
export function generateTaEphemeralKey(curve: CurveName): TaEphemeralKey {
  const pair = generateEcKeyPair(curve);
  return { curve, privateScalar: scalarOfPrivateKey(pair.privateKey), publicPoint: pair.publicPoint };
}

/** TR-03110-3 §A.2.2.3: Comp(PK) for ECDH is the x-coordinate, as a field-length octet string. */
export function compressEphemeralPublicKey(curve: CurveName, point: Uint8Array): Buffer {
  const p = decodePoint(curve, point);
  return bigintToBytes(p.x, domainParameters(curve).fieldSize);
}

export interface TaSignatureInput {
  /** ID_PICC: Comp(chip's ephemeral PACE key), as the eID client reported it. */
  idPicc: Uint8Array;
  /** r_PICC from GET CHALLENGE, 8 bytes. */
  challenge: Uint8Array;
  /** Comp(ePK_PCD). */
  ephemeralPublicKeyComp: Uint8Array;
  /** The complete 67 TLV exactly as sent in MSE:Set AT; omitted when absent. */
  auxiliaryData?: Uint8Array | undefined;
}

/** TA step 5: ID_PICC ‖ r_PICC ‖ Comp(ePK_PCD) ‖ [AuthenticatedAuxiliaryData] (TR-03110-2 §3.4.1, TR-03110-3 App. B). */
export function taSignatureInput(input: TaSignatureInput): Buffer {
  if (input.challenge.length !== TA_CHALLENGE_LENGTH) throw new EacTerminalError('TA_CHALLENGE_INVALID', `r_PICC must be ${TA_CHALLENGE_LENGTH} bytes, got ${input.challenge.length}`);
  // ID_PICC is Comp() of a PACE key: a field element, at most 66 bytes for the curves in use.
  if (input.idPicc.length === 0 || input.idPicc.length > 133) throw new EacTerminalError('TA_ID_PICC_INVALID', `ID_PICC of ${input.idPicc.length} bytes`);
  const parts = [input.idPicc, input.challenge, input.ephemeralPublicKeyComp];
  if (input.auxiliaryData !== undefined) parts.push(input.auxiliaryData);
  return Buffer.concat(parts);
}

/** The terminal's signing key. An HSM (PKCS#11) implementation may sign asynchronously. */
export interface TerminalSigner {
  sign(data: Buffer, hash: HashName): Buffer | Promise<Buffer>;
}

/** A TerminalSigner over an in-process EC private key (tests, software key store). */
export function keyObjectSigner(privateKey: KeyObject): TerminalSigner {
  return { sign: (data, hash) => ecdsaSignPlain(privateKey, data, hash) };
}

/** TA step 5: plain r‖s ECDSA signature (TR-03111) with the hash the terminal certificate's key OID names. */
export async function signTa(signer: TerminalSigner, terminalKeyOid: string, input: TaSignatureInput): Promise<Buffer> {
  return Buffer.from(await signer.sign(taSignatureInput(input), taHashOfKeyOid(terminalKeyOid)));
}

/** TA step 6, as the chip does it: verify with the terminal certificate's public key. */
export function verifyTaSignature(terminalPublicKey: KeyObject, terminalKeyOid: string, input: TaSignatureInput, signature: Uint8Array): boolean {
  return ecdsaVerifyPlain(terminalPublicKey, taSignatureInput(input), signature, taHashOfKeyOid(terminalKeyOid));
}
