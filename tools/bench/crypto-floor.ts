/**
 * The crypto floor of one SOAP-profile login: the asymmetric operations the server cannot avoid,
 * each timed alone with prepared key objects (OpenSSL through node:crypto, as the server uses it),
 * in CPU time of this process. Parsing, DER/XML handling, hashing of content, symmetric crypto and
 * I/O are deliberately left out: the floor is what a perfect implementation would still spend.
 *
 * Per login the server does (counts in FLOOR_OPERATIONS):
 * - TA: 1 ECDSA signature with the terminal key, plus 1 verification of it (the server checks its
 *   own signature against the terminal certificate before sending it, TA_TERMINAL_KEY_MISMATCH).
 * - CA: 1 ephemeral EC key generation (EAC1) and 1 ECDH with the chip's static CA key (EAC2).
 * - PA: 2 ECDSA verifications: the CMS signature of EF.CardSecurity (DS key) and the DS certificate
 *   (CSCA key). The CSCA CRL's signature is verified once per CRL and CSCA (src/pki/crl.ts
 *   VerifiedCrlCache, until its nextUpdate), not per login, so it is not part of the floor.
 * - TLS-2 (RSA_PSK): 1 RSA-3072 private-key operation decrypting the premaster secret (one full
 *   handshake per login; the other PAOS connections resume).
 * - SOAP: 2 XML signature verifications (useID, getResult requests) and 2 XML signatures (their
 *   responses), RSA PKCS#1 v1.5 SHA-256 (rsa-sha256).
 * - SOAP mutual TLS (TLS 1.3, one connection per call, 2 per login): per handshake 1 RSA-PSS
 *   signature (server CertificateVerify), 1 RSA-PSS verification (client CertificateVerify) and an
 *   X25519 key generation + agreement.
 *
 * @spec tr03110-2 §3.4 (TA), §3.3 (CA v2), tr03110-3 §A.1.2 + icao9303-11 §5 (PA), rfc4279 §4 (RSA_PSK), rfc8446 §4.4.3, tr03130-1 §3.5.2
 */
import { constants, createPublicKey, diffieHellman, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { domainParameters } from '../../src/eid/eac/domain-parameters.js';
import type { CurveName } from '../../src/eid/eac/domain-parameters.js';

export interface FloorKeys {
  curve: CurveName;
  terminalKey: KeyObject;
  documentSignerKey: KeyObject;
  cscaKey: KeyObject;
  /** RSA-3072 key of the TLS-2 endpoint. */
  tls2Key: KeyObject;
  /** RSA key of the SOAP TLS endpoint, of the WS-Security signer, and of the eService (client). */
  soapTlsKey: KeyObject;
  soapSignerKey: KeyObject;
  clientKey: KeyObject;
}

export interface FloorLine {
  name: string;
  perLogin: number;
  /** CPU ms per single operation. */
  msPerOp: number;
}

export interface Floor {
  lines: FloorLine[];
  /** CPU ms per login: Σ perLogin × msPerOp. */
  msPerLogin: number;
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** CPU ms per call, over `iterations` calls after one warm-up call. */
function time(iterations: number, op: () => unknown): number {
  op();
  const start = cpuMs();
  for (let i = 0; i < iterations; i += 1) op();
  return (cpuMs() - start) / iterations;
}

export function measureFloor(keys: FloorKeys, iterations: number): Floor {
  const dp = domainParameters(keys.curve);
  const hash = dp.fieldSize <= 32 ? 'sha256' : 'sha384';
  const ec = () => generateKeyPairSync('ec', { namedCurve: dp.opensslName });
  // Inputs of the real sizes: TA signs ID_PICC ‖ r_PICC ‖ Comp(ePK_PCD) ‖ aux (~100 bytes); the rest sign digests of larger DER.
  const taInput = randomBytes(100);
  const tbs = randomBytes(600);
  const taSignature = sign(hash, taInput, { key: keys.terminalKey, dsaEncoding: 'ieee-p1363' });
  const terminalPublic = createPublicKey(keys.terminalKey);
  const chipStatic = ec();
  const ephemeral = ec();
  const dsPublic = createPublicKey(keys.documentSignerKey);
  const cscaPublic = createPublicKey(keys.cscaKey);
  const dsSig = sign(hash, tbs, keys.documentSignerKey);
  const cscaSig = sign(hash, tbs, keys.cscaKey);
  const tls2Public = createPublicKey(keys.tls2Key);
  // RFC 4279 §4: the client encrypts a 48-byte premaster secret under the server's RSA key.
  const premaster = publicEncrypt({ key: tls2Public, padding: constants.RSA_PKCS1_PADDING }, randomBytes(48));
  const xml = randomBytes(2000);
  const clientPublic = createPublicKey(keys.clientKey);
  const requestSig = sign('sha256', xml, keys.clientKey);
  const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  const clientPss = sign('sha256', tbs, { key: keys.clientKey, ...pss });
  const x25519Peer = generateKeyPairSync('x25519');

  const rsaDecrypt = premasterDecryptor(keys.tls2Key, premaster);
  const lines: FloorLine[] = [
    { name: 'TA signature (ECDSA, terminal key)', perLogin: 1, msPerOp: time(iterations, () => sign(hash, taInput, { key: keys.terminalKey, dsaEncoding: 'ieee-p1363' })) },
    { name: 'TA own-signature check (ECDSA verify)', perLogin: 1, msPerOp: time(iterations, () => verify(hash, taInput, { key: terminalPublic, dsaEncoding: 'ieee-p1363' }, taSignature)) },
    { name: 'CA ephemeral key generation', perLogin: 1, msPerOp: time(iterations, ec) },
    { name: 'CA key agreement (ECDH)', perLogin: 1, msPerOp: time(iterations, () => diffieHellman({ privateKey: ephemeral.privateKey, publicKey: chipStatic.publicKey })) },
    { name: 'PA CMS signature (ECDSA verify, DS)', perLogin: 1, msPerOp: time(iterations, () => verify(hash, tbs, dsPublic, dsSig)) },
    { name: 'PA DS certificate (ECDSA verify, CSCA)', perLogin: 1, msPerOp: time(iterations, () => verify(hash, tbs, cscaPublic, cscaSig)) },
    { name: 'TLS-PSK premaster (RSA-3072 decrypt)', perLogin: 1, msPerOp: time(iterations, rsaDecrypt) },
    { name: 'XML signature verify (requests)', perLogin: 2, msPerOp: time(iterations, () => verify('sha256', xml, clientPublic, requestSig)) },
    { name: 'XML signature sign (responses)', perLogin: 2, msPerOp: time(iterations, () => sign('sha256', xml, keys.soapSignerKey)) },
    { name: 'mTLS CertificateVerify sign (RSA-PSS)', perLogin: 2, msPerOp: time(iterations, () => sign('sha256', tbs, { key: keys.soapTlsKey, ...pss })) },
    { name: 'mTLS client CertificateVerify verify', perLogin: 2, msPerOp: time(iterations, () => verify('sha256', tbs, { key: clientPublic, ...pss }, clientPss)) },
    { name: 'mTLS X25519 keygen + agreement', perLogin: 2, msPerOp: time(iterations, () => diffieHellman({ privateKey: generateKeyPairSync('x25519').privateKey, publicKey: x25519Peer.publicKey })) },
  ];
  return { lines, msPerLogin: lines.reduce((sum, l) => sum + l.perLogin * l.msPerOp, 0) };
}

/**
 * The RSA private-key operation of the RSA_PSK key exchange. Node refuses PKCS#1 v1.5 decryption
 * where OpenSSL lacks implicit rejection (CVE-2023-46809); the raw private operation (no padding)
 * costs the same modular exponentiation, so it stands in then.
 */
function premasterDecryptor(key: KeyObject, premaster: Buffer): () => Buffer {
  try {
    privateDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, premaster);
    return () => privateDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, premaster);
  } catch {
    return () => privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, premaster);
  }
}
