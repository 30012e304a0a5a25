/**
 * PACE v2 with Generic Mapping over ECDH and AES (id-PACE-ECDH-GM-AES-CBC-CMAC-128/192/256), for
 * both ends, as pure step functions: each takes the previous JSON-safe state and the peer's data
 * and returns the next state and the data to send. No I/O, no APDUs (see dynamic-authentication-data.ts
 * for the 7C encodings).
 *
 * @spec tr03110-2 §3.2 (PACE protocol)
 * @spec tr03110-3 §A.3 (PACE: encrypted nonce, Generic Mapping), §A.2.3 (KDF), §A.2.4.2 (authentication token)
 * @spec icao9303-11 §4.4 (PACE), App. G.1 (worked example; test/vectors/icao9303-11)
 *
 * ```text
 * step  chip (PICC)                                  terminal (PCD)
 * 1     s random, z = E(K_π, s)          ── 80 z ──▶ s = D(K_π, z)
 * 2     (x̃, X̃ = x̃·G)                  ◀── 81 Ỹ ──  (ỹ, Ỹ = ỹ·G)
 *       H = x̃·Ỹ, Ĝ = s·G + H              ── 82 X̃ ──▶ H = ỹ·X̃, Ĝ = s·G + H
 * 3     (x, X = x·Ĝ)                     ◀── 83 Y ──  (y, Y = y·Ĝ)
 *       K = x(x·Y)                        ── 84 X ──▶ K = x(y·X)
 *       K_enc = KDF(K,1), K_mac = KDF(K,2)
 * 4     check T_PCD = MAC(K_mac, X)      ◀── 85 ───
 *       T_PICC = MAC(K_mac, Y)            ── 86 ───▶ check T_PICC
 * ```
 * K_π = KDF(f(π), 3) with f(π) = SHA-1(MRZ information) for the MRZ and the ISO 8859-1 bytes of
 * CAN, PIN or PUK. ID_PICC = Comp(X) = x-coordinate of the chip's ephemeral public key.
 *
 * The state holds the nonce, private scalars and session keys: keep it server-side, short-lived.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { IdpError } from '../../errors/idp-error.js';
import type { ErrorCode } from '../../errors/catalog.js';
import { bigintToBytes, bytesToBigint, domainParameters, EacCryptoError } from './domain-parameters.js';
import type { CurveName } from './domain-parameters.js';
import { basePoint, multiply, pointFromBytes, pointToBytes, randomScalar, scalarFromBytes } from './ec-point.js';
import { authenticationToken, verifyAuthenticationToken } from './authentication-token.js';
import { kdf, KDF_COUNTER } from './kdf.js';
import type { SmCipher } from './kdf.js';
import type { SmKeys } from './secure-messaging.js';

export class PaceError extends IdpError {}

/** id-PACE = 0.4.0.127.0.7.2.2.4; .2 = ECDH-GM; last arc: 2 = AES-128, 3 = AES-192, 4 = AES-256 (TR-03110-3 §A.1.1.1). */
export const PACE_OID = {
  ECDH_GM_AES_CBC_CMAC_128: '0.4.0.127.0.7.2.2.4.2.2',
  ECDH_GM_AES_CBC_CMAC_192: '0.4.0.127.0.7.2.2.4.2.3',
  ECDH_GM_AES_CBC_CMAC_256: '0.4.0.127.0.7.2.2.4.2.4',
} as const;
export type PaceOid = (typeof PACE_OID)[keyof typeof PACE_OID];

const CIPHER_OF: Readonly<Record<PaceOid, SmCipher>> = {
  [PACE_OID.ECDH_GM_AES_CBC_CMAC_128]: 'AES-128',
  [PACE_OID.ECDH_GM_AES_CBC_CMAC_192]: 'AES-192',
  [PACE_OID.ECDH_GM_AES_CBC_CMAC_256]: 'AES-256',
};

export function isPaceOid(oid: string): oid is PaceOid {
  return Object.hasOwn(CIPHER_OF, oid);
}

/** Cipher of a supported PACE OID (PACE_UNSUPPORTED_ALGORITHM for DH, IM, CAM, 3DES …). */
export function paceCipher(oid: string): SmCipher {
  if (!isPaceOid(oid)) throw new PaceError('PACE_UNSUPPORTED_ALGORITHM', `unsupported PACE protocol ${oid}`, { detail: { oid } });
  return CIPHER_OF[oid];
}

export type PacePasswordType = 'mrz' | 'can' | 'pin' | 'puk';

/** Password reference of MSE:Set AT (tag 83, TR-03110-3 App. B): 1 MRZ, 2 CAN, 3 PIN, 4 PUK. */
export const PACE_PASSWORD_REFERENCE = { mrz: 1, can: 2, pin: 3, puk: 4 } as const satisfies Record<PacePasswordType, number>;

export interface PacePassword {
  readonly type: PacePasswordType;
  /** CAN/PIN/PUK digits, or for 'mrz' the MRZ information: document number + check digit, date of birth + check digit, date of expiry + check digit. */
  readonly value: string;
}

export interface PaceParameters {
  readonly oid: string;
  readonly curve: CurveName;
  readonly password: PacePassword;
}

/** f(π) of TR-03110-3 §A.3 / ICAO 9303-11 §4.4 (password encoding). */
export function passwordSecret(password: PacePassword): Buffer {
  if (password.value.length === 0 || !/^[\x20-\x7e]*$/.test(password.value)) {
    throw new PaceError('PACE_DATA_INVALID', 'password must be non-empty printable ASCII');
  }
  const bytes = Buffer.from(password.value, 'latin1');
  return password.type === 'mrz' ? createHash('sha1').update(bytes).digest() : bytes;
}

/** K_π = KDF(f(π), 3). */
export function passwordKey(password: PacePassword, cipher: SmCipher): Buffer {
  return kdf(passwordSecret(password), KDF_COUNTER.K_PI, cipher);
}

// ---- state ----------------------------------------------------------------------------------------

export type PaceStep =
  | 'chip-awaiting-mapping' | 'chip-awaiting-key-agreement' | 'chip-awaiting-token'
  | 'terminal-awaiting-mapping' | 'terminal-awaiting-key-agreement' | 'terminal-awaiting-token';

/** JSON-safe PACE state (hex strings). Secret: contains the nonce, private scalars and session keys. */
export interface PaceState {
  readonly v: 1;
  readonly step: PaceStep;
  readonly oid: PaceOid;
  readonly curve: CurveName;
  /** Decrypted nonce s. */
  readonly nonce: string;
  /** Own mapping scalar and public point (step 2). */
  readonly mappingKey?: string;
  readonly mappingPublicKey?: string;
  /** Ĝ, uncompressed. */
  readonly mappedGenerator?: string;
  /** Own ephemeral scalar and public point on Ĝ (step 3). */
  readonly ephemeralKey?: string;
  readonly ephemeralPublicKey?: string;
  readonly peerEphemeralPublicKey?: string;
  readonly kEnc?: string;
  readonly kMac?: string;
}

export interface PaceResult {
  /** Session keys for secure messaging (SSC starts at 0). */
  readonly keys: SmKeys;
  /** ID_PICC = Comp(chip ephemeral public key): its x-coordinate (TR-03110-3 §A.2.2; signed in TA). */
  readonly idPicc: Buffer;
  readonly chipEphemeralPublicKey: Buffer;
  readonly terminalEphemeralPublicKey: Buffer;
}

/** Fixed values for known-answer tests only (e.g. ICAO 9303-11 App. G); production code passes nothing. */
export interface PaceTestValues {
  readonly nonce?: Uint8Array;
  readonly mappingKey?: Uint8Array;
  readonly ephemeralKey?: Uint8Array;
}

const NONCE_LENGTH = 16; // ICAO 9303-11 §4.4: the nonce is one block of the cipher (AES: 16 bytes)

function fail(code: ErrorCode, message: string, detail?: Record<string, unknown>): PaceError {
  return new PaceError(code, message, detail === undefined ? {} : { detail });
}

function hexField(state: PaceState, name: keyof PaceState): Buffer {
  const v = state[name];
  if (typeof v !== 'string' || v.length === 0 || v.length % 2 !== 0 || !/^[0-9a-f]*$/.test(v)) {
    throw fail('PACE_STATE_INVALID', `PACE state lacks ${name}`);
  }
  return Buffer.from(v, 'hex');
}

function checkState(state: PaceState, step: PaceStep): void {
  if (state === null || typeof state !== 'object' || state.v !== 1) throw fail('PACE_STATE_INVALID', 'not a PACE state');
  if (state.step !== step) throw fail('PACE_STATE_INVALID', `PACE step ${step} expected, state is at ${String(state.step)}`);
  if (!isPaceOid(state.oid)) throw fail('PACE_STATE_INVALID', 'PACE state has an unsupported OID');
  domainParameters(state.curve);
}

function scalarOrRandom(curve: CurveName, fixed: Uint8Array | undefined): bigint {
  return fixed === undefined ? randomScalar(curve) : scalarFromBytes(curve, fixed);
}

function scalarHex(curve: CurveName, d: bigint): string {
  return bigintToBytes(d, domainParameters(curve).fieldSize).toString('hex');
}

/** z = E(K_π, s) / s = D(K_π, z): AES in CBC mode with IV 0 over one block (TR-03110-3 §A.3). */
function nonceCipher(encrypt: boolean, kPi: Buffer, block: Uint8Array): Buffer {
  const name = `aes-${kPi.length * 8}-cbc`;
  const c = encrypt ? createCipheriv(name, kPi, Buffer.alloc(16)) : createDecipheriv(name, kPi, Buffer.alloc(16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** Generic Mapping (TR-03110-3 §A.3, ICAO 9303-11 §4.4): H = d·P_peer, Ĝ = s·G + H. */
function mapGenerator(curve: CurveName, nonce: Buffer, mappingKey: bigint, peerMappingPoint: Uint8Array, ownMappingPoint: Buffer): Buffer {
  const peer = pointFromBytes(curve, peerMappingPoint);
  if (Buffer.compare(Buffer.from(peerMappingPoint), ownMappingPoint) === 0) {
    throw new EacCryptoError('EAC_INVALID_POINT', 'peer mapping public key equals our own');
  }
  const h = multiply(curve, peer, mappingKey);
  const s = bytesToBigint(nonce) % domainParameters(curve).n;
  if (s === 0n) throw fail('PACE_NONCE_INVALID', 'nonce reduces to zero');
  const mapped = multiply(curve, basePoint(curve), s).add(h);
  if (mapped.is0()) throw new EacCryptoError('EAC_INVALID_POINT', 'mapped generator is the point at infinity');
  return pointToBytes(curve, mapped);
}

/** Own ephemeral key pair on Ĝ. */
function ephemeralOnMapped(curve: CurveName, mappedGenerator: Buffer, fixed: Uint8Array | undefined): { d: bigint; point: Buffer } {
  const d = scalarOrRandom(curve, fixed);
  return { d, point: pointToBytes(curve, multiply(curve, pointFromBytes(curve, mappedGenerator), d)) };
}

/** K = x(d·P_peer) on the mapped generator, then K_enc, K_mac (TR-03110-3 §A.2.3). */
function agreeKeys(curve: CurveName, cipher: SmCipher, d: bigint, peerPoint: Uint8Array, ownPoint: Buffer): { kEnc: Buffer; kMac: Buffer } {
  const peer = pointFromBytes(curve, peerPoint);
  // ICAO 9303-11 §4.4 / TR-03110-2 §3.2: the ephemeral public keys of both sides must differ.
  if (Buffer.compare(Buffer.from(peerPoint), ownPoint) === 0) throw new EacCryptoError('EAC_INVALID_POINT', 'peer ephemeral public key equals our own');
  const shared = multiply(curve, peer, d);
  const k = bigintToBytes(shared.toAffine().x, domainParameters(curve).fieldSize);
  return { kEnc: kdf(k, KDF_COUNTER.K_ENC, cipher), kMac: kdf(k, KDF_COUNTER.K_MAC, cipher) };
}

function result(state: PaceState, chipPoint: Buffer, terminalPoint: Buffer): PaceResult {
  const { fieldSize } = domainParameters(state.curve);
  return {
    keys: { kEnc: hexField(state, 'kEnc'), kMac: hexField(state, 'kMac'), cipher: CIPHER_OF[state.oid] },
    idPicc: Buffer.from(chipPoint.subarray(1, 1 + fieldSize)),
    chipEphemeralPublicKey: chipPoint,
    terminalEphemeralPublicKey: terminalPoint,
  };
}

function start(params: PaceParameters): { oid: PaceOid; cipher: SmCipher; kPi: Buffer } {
  const cipher = paceCipher(params.oid);
  domainParameters(params.curve);
  return { oid: params.oid as PaceOid, cipher, kPi: passwordKey(params.password, cipher) };
}

// ---- chip (PICC) ----------------------------------------------------------------------------------

/** Chip step 1: choose s and return z = E(K_π, s) for the 80 object. */
export function chipCreateNonce(params: PaceParameters, test: PaceTestValues = {}): { state: PaceState; encryptedNonce: Buffer } {
  const { oid, kPi } = start(params);
  const nonce = test.nonce === undefined ? randomBytes(NONCE_LENGTH) : Buffer.from(test.nonce);
  if (nonce.length !== NONCE_LENGTH) throw fail('PACE_NONCE_INVALID', 'nonce must be 16 bytes');
  return {
    state: { v: 1, step: 'chip-awaiting-mapping', oid, curve: params.curve, nonce: nonce.toString('hex') },
    encryptedNonce: nonceCipher(true, kPi, nonce),
  };
}

/** Chip step 2: receive the terminal's mapping data (81), answer with its own (82) and compute Ĝ. */
export function chipMapNonce(state: PaceState, terminalMappingData: Uint8Array, test: PaceTestValues = {}): { state: PaceState; chipMappingData: Buffer } {
  checkState(state, 'chip-awaiting-mapping');
  const { curve } = state;
  const d = scalarOrRandom(curve, test.mappingKey);
  const own = pointToBytes(curve, multiply(curve, basePoint(curve), d));
  const mappedGenerator = mapGenerator(curve, hexField(state, 'nonce'), d, terminalMappingData, own);
  return {
    state: { ...state, step: 'chip-awaiting-key-agreement', mappingKey: scalarHex(curve, d), mappingPublicKey: own.toString('hex'), mappedGenerator: mappedGenerator.toString('hex') },
    chipMappingData: own,
  };
}

/** Chip step 3: receive the terminal's ephemeral key (83), answer with its own (84), derive K_enc/K_mac. */
export function chipKeyAgreement(state: PaceState, terminalEphemeralPublicKey: Uint8Array, test: PaceTestValues = {}): { state: PaceState; chipEphemeralPublicKey: Buffer } {
  checkState(state, 'chip-awaiting-key-agreement');
  const { curve } = state;
  const own = ephemeralOnMapped(curve, hexField(state, 'mappedGenerator'), test.ephemeralKey);
  const { kEnc, kMac } = agreeKeys(curve, CIPHER_OF[state.oid], own.d, terminalEphemeralPublicKey, own.point);
  return {
    state: {
      ...state, step: 'chip-awaiting-token', ephemeralKey: scalarHex(curve, own.d), ephemeralPublicKey: own.point.toString('hex'),
      peerEphemeralPublicKey: Buffer.from(terminalEphemeralPublicKey).toString('hex'), kEnc: kEnc.toString('hex'), kMac: kMac.toString('hex'),
    },
    chipEphemeralPublicKey: own.point,
  };
}

/**
 * Chip step 4: verify T_PCD (85) and return T_PICC (86) with the session keys. A wrong password on
 * the terminal side shows up here as PACE_TOKEN_INVALID (the software card counts it as a failed try).
 */
export function chipMutualAuthentication(state: PaceState, terminalToken: Uint8Array): PaceResult & { chipToken: Buffer } {
  checkState(state, 'chip-awaiting-token');
  const kMac = hexField(state, 'kMac');
  const own = hexField(state, 'ephemeralPublicKey');
  const peer = hexField(state, 'peerEphemeralPublicKey');
  // TR-03110-3 §A.2.4.2: T_PCD is the MAC over the chip's ephemeral public key.
  if (!verifyAuthenticationToken(kMac, state.oid, own, terminalToken)) throw fail('PACE_TOKEN_INVALID', 'terminal authentication token does not verify');
  return { ...result(state, own, peer), chipToken: authenticationToken(kMac, state.oid, peer) };
}

// ---- terminal (PCD) -------------------------------------------------------------------------------

/** Terminal steps 1–2: decrypt z (80) and produce the mapping data (81). */
export function terminalDecryptNonce(params: PaceParameters, encryptedNonce: Uint8Array, test: PaceTestValues = {}): { state: PaceState; terminalMappingData: Buffer } {
  const { oid, kPi } = start(params);
  if (encryptedNonce.length !== NONCE_LENGTH) throw fail('PACE_NONCE_INVALID', 'encrypted nonce must be 16 bytes', { length: encryptedNonce.length });
  const nonce = nonceCipher(false, kPi, encryptedNonce);
  const { curve } = params;
  const d = scalarOrRandom(curve, test.mappingKey);
  const own = pointToBytes(curve, multiply(curve, basePoint(curve), d));
  return {
    state: { v: 1, step: 'terminal-awaiting-mapping', oid, curve, nonce: nonce.toString('hex'), mappingKey: scalarHex(curve, d), mappingPublicKey: own.toString('hex') },
    terminalMappingData: own,
  };
}

/** Terminal step 2→3: receive the chip's mapping data (82), compute Ĝ, produce the ephemeral key (83). */
export function terminalMapNonce(state: PaceState, chipMappingData: Uint8Array, test: PaceTestValues = {}): { state: PaceState; terminalEphemeralPublicKey: Buffer } {
  checkState(state, 'terminal-awaiting-mapping');
  const { curve } = state;
  const mappedGenerator = mapGenerator(curve, hexField(state, 'nonce'), scalarFromBytes(curve, hexField(state, 'mappingKey')), chipMappingData, hexField(state, 'mappingPublicKey'));
  const own = ephemeralOnMapped(curve, mappedGenerator, test.ephemeralKey);
  return {
    state: { ...state, step: 'terminal-awaiting-key-agreement', mappedGenerator: mappedGenerator.toString('hex'), ephemeralKey: scalarHex(curve, own.d), ephemeralPublicKey: own.point.toString('hex') },
    terminalEphemeralPublicKey: own.point,
  };
}

/** Terminal step 3→4: receive the chip's ephemeral key (84), derive keys, produce T_PCD (85). */
export function terminalKeyAgreement(state: PaceState, chipEphemeralPublicKey: Uint8Array): { state: PaceState; terminalToken: Buffer } {
  checkState(state, 'terminal-awaiting-key-agreement');
  const { curve } = state;
  const own = hexField(state, 'ephemeralPublicKey');
  const { kEnc, kMac } = agreeKeys(curve, CIPHER_OF[state.oid], scalarFromBytes(curve, hexField(state, 'ephemeralKey')), chipEphemeralPublicKey, own);
  const peer = Buffer.from(chipEphemeralPublicKey);
  return {
    state: { ...state, step: 'terminal-awaiting-token', peerEphemeralPublicKey: peer.toString('hex'), kEnc: kEnc.toString('hex'), kMac: kMac.toString('hex') },
    terminalToken: authenticationToken(kMac, state.oid, peer),
  };
}

/** Terminal step 4: verify T_PICC (86); PACE_TOKEN_INVALID otherwise. Returns the session keys and ID_PICC. */
export function terminalMutualAuthentication(state: PaceState, chipToken: Uint8Array): PaceResult {
  checkState(state, 'terminal-awaiting-token');
  const own = hexField(state, 'ephemeralPublicKey');
  const peer = hexField(state, 'peerEphemeralPublicKey');
  if (!verifyAuthenticationToken(hexField(state, 'kMac'), state.oid, own, chipToken)) throw fail('PACE_TOKEN_INVALID', 'chip authentication token does not verify');
  return result(state, peer, own);
}
