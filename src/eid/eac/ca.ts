/**
 * Chip Authentication version 2, terminal (server) side. The eID client runs MSE:Set AT and
 * GENERAL AUTHENTICATE with the chip; the server, holding the ephemeral private key from TA,
 * checks the chip's answer (nonce r_PICC, token T_PICC) against the static CA key taken from the
 * passive-authenticated EF.CardSecurity, and derives the secure-messaging keys.
 *
 * | CA v2 step (TR-03110-2 §3.3) | here |
 * |---|---|
 * | terminal chooses CA key/domain parameters from EF.CardAccess (TA needs them first) | caParametersFromCardAccess |
 * | chip's static key from the VERIFIED EF.CardSecurity | verifyChipAuthentication → selectChipAuthentication |
 * | K = KA(SK_PCD, PK_PICC), K_enc/K_mac = KDF(K, r_PICC, 1/2) | verifyChipAuthentication |
 * | T_PICC = MAC(K_mac, PK_PCD as public key data object) | chipAuthenticationToken |
 *
 * @spec tr03110-2 §3.3 (CA v2), tr03110-3 §A.2.3 (KDF), §A.2.4.2 / §D.3.4 (authentication token), App. B (CA APDUs)
 */
import { aesCmac } from './cmac.js';
import { kdf, KDF_COUNTER } from './kdf.js';
import type { SmCipher } from './kdf.js';
import type { SmKeys } from './secure-messaging.js';
import { ecdhSharedX, privateKeyFromScalar } from './domain-parameters.js';
import type { CurveName } from './domain-parameters.js';
import { curveOfDomainParameters, selectChipAuthentication, SecurityInfoOid } from './security-infos.js';
import type { ChipAuthenticationDomainParameterInfo, ChipAuthenticationInfo, SecurityInfo } from './security-infos.js';
import { encodeTlv } from '../card/tlv.js';
import { encodeOidValue } from './cvc/oids.js';
import { constantTimeEqual } from '../../shared/bytes.js';
import { EacTerminalError } from './eac-terminal-error.js';
import type { TaEphemeralKey } from './ta.js';

/** TR-03110-3 §A.1.1.2: id-CA-ECDH-AES-CBC-CMAC-* → SM cipher. 3DES is not offered. */
const CIPHER_BY_CA_OID: ReadonlyMap<string, SmCipher> = new Map([
  [SecurityInfoOid.CA_ECDH_AES_CBC_CMAC_128, 'AES-128'],
  [SecurityInfoOid.CA_ECDH_AES_CBC_CMAC_192, 'AES-192'],
  [SecurityInfoOid.CA_ECDH_AES_CBC_CMAC_256, 'AES-256'],
]);

/** TR-03110-2 §3.3: r_PICC of CA v2 is 8 bytes; the token is the 8-byte truncated CMAC. */
export const CA_NONCE_LENGTH = 8;
export const CA_TOKEN_LENGTH = 8;

export function smCipherOfCaProtocol(oid: string): SmCipher {
  const cipher = CIPHER_BY_CA_OID.get(oid);
  if (cipher === undefined) throw new EacTerminalError('CA_NOT_SUPPORTED', `CA protocol ${oid} not supported (only id-CA-ECDH-AES-CBC-CMAC-*)`);
  return cipher;
}

/** The CA parameters the terminal commits to at TA time (stored in the session). */
export interface CaParameters {
  protocolOid: string;
  /** null when the chip has a single CA key without keyId. */
  keyId: number | null;
  curve: CurveName;
}

/**
 * TR-03110-2 §3.4.1 step 2 needs the chip's CA domain parameters before TA, i.e. from EF.CardAccess
 * (ChipAuthenticationInfo v2 + ChipAuthenticationDomainParameterInfo). The choice is re-checked
 * against EF.CardSecurity after passive authentication.
 */
export function caParametersFromCardAccess(infos: readonly SecurityInfo[]): CaParameters {
  const caInfos = infos.filter((i): i is ChipAuthenticationInfo => i.type === 'ChipAuthenticationInfo' && i.version === 2 && CIPHER_BY_CA_OID.has(i.protocol));
  // Prefer the strongest cipher, so a chip offering AES-256 is not talked down to AES-128.
  caInfos.sort((a, b) => b.protocol.localeCompare(a.protocol));
  const info = caInfos[0];
  if (info === undefined) throw new EacTerminalError('CA_NOT_SUPPORTED', 'EF.CardAccess has no ChipAuthenticationInfo v2 with id-CA-ECDH-AES-CBC-CMAC-*');
  const dps = infos.filter((i): i is ChipAuthenticationDomainParameterInfo => i.type === 'ChipAuthenticationDomainParameterInfo');
  const dp = dps.find((d) => d.keyId === info.keyId) ?? (dps.length === 1 && info.keyId === null ? dps[0] : undefined);
  const spec = dp?.domainParameter.parameters ?? null;
  if (spec === null) throw new EacTerminalError('CA_NOT_SUPPORTED', `no ChipAuthenticationDomainParameterInfo for keyId ${String(info.keyId)}`);
  return { protocolOid: info.protocol, keyId: info.keyId, curve: curveOfDomainParameters(spec).name };
}

/** TR-03110-3 §A.2.4.2 / §D.3.4: T = MAC(K_mac, 7F49 { 06 protocol OID, 86 PK }) truncated to 8 bytes. */
export function chipAuthenticationToken(kMac: Uint8Array, protocolOid: string, terminalEphemeralPoint: Uint8Array): Buffer {
  const publicKeyDataObject = encodeTlv(0x7f49, [encodeTlv(0x06, encodeOidValue(protocolOid)), encodeTlv(0x86, terminalEphemeralPoint)]);
  return aesCmac(kMac, publicKeyDataObject).subarray(0, CA_TOKEN_LENGTH);
}

/** Derives K_enc and K_mac from the shared secret and r_PICC (TR-03110-3 §A.2.3.1, counters 1 and 2). */
export function deriveSessionKeys(sharedSecret: Uint8Array, nonce: Uint8Array, cipher: SmCipher): SmKeys {
  return { kEnc: kdf(sharedSecret, KDF_COUNTER.K_ENC, cipher, nonce), kMac: kdf(sharedSecret, KDF_COUNTER.K_MAC, cipher, nonce), cipher };
}

export interface ChipAuthenticationInput {
  /** SecurityInfos of EF.CardSecurity AFTER passive authentication (never EF.CardAccess). */
  verifiedSecurityInfos: readonly SecurityInfo[];
  /** What the terminal committed to at TA time. */
  parameters: CaParameters;
  /** The terminal's ephemeral key from TA (its Comp() was signed in TA). */
  ephemeralKey: TaEphemeralKey;
  nonce: Uint8Array;
  token: Uint8Array;
}

export interface ChipAuthenticationResult {
  protocolOid: string;
  keyId: number | null;
  /** The chip's static CA public key that the token proved (04‖X‖Y), from the verified EF.CardSecurity. */
  chipPublicPoint: Buffer;
  smKeys: SmKeys;
}

/**
 * Verifies CA v2 and returns the SM keys. Trust: from here on the chip is proven to hold the private
 * key of a CA public key that the document signer signed, so the SM channel ends in a genuine chip.
 */
export function verifyChipAuthentication(input: ChipAuthenticationInput): ChipAuthenticationResult {
  const { parameters, ephemeralKey } = input;
  if (input.nonce.length !== CA_NONCE_LENGTH) throw new EacTerminalError('CA_NONCE_INVALID', `r_PICC must be ${CA_NONCE_LENGTH} bytes, got ${input.nonce.length}`);
  if (input.token.length !== CA_TOKEN_LENGTH) throw new EacTerminalError('CA_TOKEN_INVALID', `T_PICC must be ${CA_TOKEN_LENGTH} bytes, got ${input.token.length}`);
  let selection;
  try {
    selection = selectChipAuthentication(input.verifiedSecurityInfos, parameters.keyId ?? undefined);
  } catch (err) {
    throw new EacTerminalError('CA_KEY_NOT_FOUND', 'EF.CardSecurity has no CA v2 key matching the one announced in EF.CardAccess', { cause: err });
  }
  // TR-03110-2 §3.3: the key agreement uses the domain parameters of the chip's static key; the
  // ephemeral key was made on those announced in EF.CardAccess, so both must agree.
  if (selection.info.protocol !== parameters.protocolOid || selection.curve !== ephemeralKey.curve) {
    throw new EacTerminalError('CA_KEY_NOT_FOUND', 'CA protocol or domain parameters in EF.CardSecurity differ from EF.CardAccess');
  }
  const cipher = smCipherOfCaProtocol(selection.info.protocol);
  const privateKey = privateKeyFromScalar(ephemeralKey.curve, ephemeralKey.privateScalar);
  const shared = ecdhSharedX(ephemeralKey.curve, privateKey, selection.publicPoint);
  const smKeys = deriveSessionKeys(shared, input.nonce, cipher);
  const expected = chipAuthenticationToken(smKeys.kMac, selection.info.protocol, ephemeralKey.publicPoint);
  if (!constantTimeEqual(expected, input.token)) {
    throw new EacTerminalError('CA_TOKEN_INVALID', 'T_PICC does not verify with the CA key from EF.CardSecurity');
  }
  shared.fill(0);
  return { protocolOid: selection.info.protocol, keyId: selection.info.keyId, chipPublicPoint: Buffer.from(selection.publicPoint), smKeys };
}

