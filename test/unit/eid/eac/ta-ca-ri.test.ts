import assert from 'node:assert/strict';
import { generateEcKeyPair, ecdhSharedX, domainParameters } from '../../../../src/eid/eac/domain-parameters.js';
import { compressEphemeralPublicKey, generateTaEphemeralKey, keyObjectSigner, signTa, taSignatureInput, verifyTaSignature, taHashOfKeyOid } from '../../../../src/eid/eac/ta.js';
import { chipAuthenticationToken, deriveSessionKeys, verifyChipAuthentication } from '../../../../src/eid/eac/ca.js';
import type { CaParameters } from '../../../../src/eid/eac/ca.js';
import { parseRiResponse, riCommands, sectorPublicKeyHash, checkSectorKeysCertified } from '../../../../src/eid/eac/ri.js';
import type { SecurityInfo } from '../../../../src/eid/eac/security-infos.js';
import { SW } from '../../../../src/eid/card/status-words.js';

const SHA256_OID = '0.4.0.127.0.7.2.2.2.2.3';
const CA_OID = '0.4.0.127.0.7.2.2.3.2.2';
const RI_OID = '0.4.0.127.0.7.2.2.5.2.3';

describe('tr03110-2 §3.4 TA v2 (terminal side)', () => {
  it('signs ID_PICC ‖ r_PICC ‖ Comp(ePK_PCD) ‖ aux data; the chip-side check verifies it and rejects tampering', async () => {
    const terminal = generateEcKeyPair('brainpoolP256r1');
    const eph = generateTaEphemeralKey('brainpoolP256r1');
    const comp = compressEphemeralPublicKey('brainpoolP256r1', eph.publicPoint);
    assert.deepEqual(comp, eph.publicPoint.subarray(1, 33));
    const input = { idPicc: Buffer.alloc(32, 7), challenge: Buffer.alloc(8, 1), ephemeralPublicKeyComp: comp, auxiliaryData: Buffer.from('6700', 'hex') };
    assert.deepEqual(taSignatureInput(input), Buffer.concat([input.idPicc, input.challenge, comp, input.auxiliaryData]));
    const sig = await signTa(keyObjectSigner(terminal.privateKey), SHA256_OID, input);
    assert.equal(sig.length, 64);
    assert.equal(verifyTaSignature(terminal.publicKey, SHA256_OID, input, sig), true);
    assert.equal(verifyTaSignature(terminal.publicKey, SHA256_OID, { ...input, auxiliaryData: undefined }, sig), false);
    assert.equal(verifyTaSignature(terminal.publicKey, SHA256_OID, { ...input, challenge: Buffer.alloc(8, 2) }, sig), false);
  });

  it('rejects a bad challenge length and unknown algorithms', () => {
    assert.throws(() => taSignatureInput({ idPicc: Buffer.alloc(32), challenge: Buffer.alloc(7), ephemeralPublicKeyComp: Buffer.alloc(32) }), { code: 'TA_CHALLENGE_INVALID' });
    assert.throws(() => taSignatureInput({ idPicc: Buffer.alloc(0), challenge: Buffer.alloc(8), ephemeralPublicKeyComp: Buffer.alloc(32) }), { code: 'TA_ID_PICC_INVALID' });
    assert.throws(() => taHashOfKeyOid('0.4.0.127.0.7.2.2.2.1.2'), { code: 'TA_UNSUPPORTED_ALGORITHM' });
  });
});

describe('tr03110-2 §3.3 CA v2 (terminal side)', () => {
  const chip = generateEcKeyPair('brainpoolP256r1');
  const infos: SecurityInfo[] = [
    { type: 'ChipAuthenticationInfo', protocol: CA_OID, version: 2, keyId: 41 },
    { type: 'ChipAuthenticationPublicKeyInfo', protocol: '0.4.0.127.0.7.2.2.1.2', algorithm: { algorithm: '0.4.0.127.0.7.2.2.1.2', parameters: { kind: 'standardized', id: 13 } }, publicKey: chip.publicPoint, keyId: 41 },
  ];
  const parameters: CaParameters = { protocolOid: CA_OID, keyId: 41, curve: 'brainpoolP256r1' };

  function chipAnswer(ephemeralPoint: Buffer, nonce: Buffer): Buffer {
    // What the chip computes: K = x(SK_PICC · ePK_PCD), keys with r_PICC, token over ePK_PCD.
    const k = ecdhSharedX('brainpoolP256r1', chip.privateKey, ephemeralPoint);
    return chipAuthenticationToken(deriveSessionKeys(k, nonce, 'AES-128').kMac, CA_OID, ephemeralPoint);
  }

  it('derives the same SM keys as the chip and accepts its token', () => {
    const eph = generateTaEphemeralKey('brainpoolP256r1');
    const nonce = Buffer.alloc(8, 9);
    const res = verifyChipAuthentication({ verifiedSecurityInfos: infos, parameters, ephemeralKey: eph, nonce, token: chipAnswer(eph.publicPoint, nonce) });
    assert.equal(res.smKeys.cipher, 'AES-128');
    assert.equal(res.smKeys.kEnc.length, 16);
    assert.equal(res.keyId, 41);
    assert.deepEqual(res.chipPublicPoint, chip.publicPoint);
  });

  it('rejects a token made with another chip key (CA_TOKEN_INVALID), wrong nonce/token sizes, missing keys', () => {
    const eph = generateTaEphemeralKey('brainpoolP256r1');
    const nonce = Buffer.alloc(8, 9);
    const token = chipAnswer(eph.publicPoint, nonce);
    const other = generateEcKeyPair('brainpoolP256r1');
    const forged: SecurityInfo[] = [infos[0]!, { ...(infos[1] as Extract<SecurityInfo, { type: 'ChipAuthenticationPublicKeyInfo' }>), publicKey: other.publicPoint }];
    assert.throws(() => verifyChipAuthentication({ verifiedSecurityInfos: forged, parameters, ephemeralKey: eph, nonce, token }), { code: 'CA_TOKEN_INVALID' });
    assert.throws(() => verifyChipAuthentication({ verifiedSecurityInfos: infos, parameters, ephemeralKey: eph, nonce: Buffer.alloc(8, 8), token }), { code: 'CA_TOKEN_INVALID' });
    assert.throws(() => verifyChipAuthentication({ verifiedSecurityInfos: infos, parameters, ephemeralKey: eph, nonce: Buffer.alloc(7), token }), { code: 'CA_NONCE_INVALID' });
    assert.throws(() => verifyChipAuthentication({ verifiedSecurityInfos: infos, parameters, ephemeralKey: eph, nonce, token: token.subarray(0, 7) }), { code: 'CA_TOKEN_INVALID' });
    assert.throws(() => verifyChipAuthentication({ verifiedSecurityInfos: [infos[0]!], parameters, ephemeralKey: eph, nonce, token }), { code: 'CA_KEY_NOT_FOUND' });
    const p384 = generateTaEphemeralKey('brainpoolP384r1');
    assert.throws(() => verifyChipAuthentication({ verifiedSecurityInfos: infos, parameters, ephemeralKey: p384, nonce, token }), { code: 'CA_KEY_NOT_FOUND' });
  });
});

describe('tr03110-2 §3.5 RI (terminal side)', () => {
  const sector1 = { curve: 'brainpoolP256r1' as const, point: generateEcKeyPair('brainpoolP256r1').publicPoint };
  const sector2 = { curve: 'brainpoolP256r1' as const, point: generateEcKeyPair('brainpoolP256r1').publicPoint };

  it('builds MSE:Set AT + one GA with A0/A2 public key data objects', () => {
    const [mse, ga] = riCommands(RI_OID, 1, [sector1, sector2]);
    assert.equal(mse!.p1, 0x41);
    assert.equal(ga!.data.subarray(0, 1).toString('hex'), '7c');
    assert.ok(ga!.data.includes(Buffer.concat([Buffer.from('86' + '41', 'hex'), sector2.point])));
    assert.throws(() => riCommands(RI_OID, 1, []), { code: 'RI_SECTOR_KEY_NOT_CERTIFIED' });
    assert.throws(() => riCommands('0.4.0.127.0.7.2.2.5.1.3', 1, [sector1]), { code: 'RI_NOT_SUPPORTED' });
  });

  it('checks sector keys against the id-sector hashes', () => {
    const h1 = sectorPublicKeyHash(RI_OID, sector1, 'sha256');
    const h2 = sectorPublicKeyHash(RI_OID, sector2, 'sha256');
    checkSectorKeysCertified(RI_OID, [sector1, sector2], [h1, h2], 'sha256');
    assert.throws(() => checkSectorKeysCertified(RI_OID, [sector2, sector1], [h1, h2], 'sha256'), { code: 'RI_SECTOR_KEY_NOT_CERTIFIED' });
  });

  it('parses 81/83 identifiers of the hash length; rejects wrong sizes and missing objects', () => {
    const id1 = 'aa'.repeat(32), id2 = 'bb'.repeat(32);
    const ok = parseRiResponse({ data: Buffer.from(`7c448120${id1}8320${id2}`, 'hex'), sw: SW.SUCCESS }, RI_OID, 2);
    assert.deepEqual(ok.map((b) => b.toString('hex')), [id1, id2]);
    assert.throws(() => parseRiResponse({ data: Buffer.from(`7c238120${id1}`, 'hex'), sw: SW.SUCCESS }, RI_OID, 1), { code: 'RI_RESPONSE_INVALID' });
    assert.throws(() => parseRiResponse({ data: Buffer.from(`7c22811f${id1.slice(2)}`.replace('7c22', '7c21'), 'hex'), sw: SW.SUCCESS }, RI_OID, 1), { code: 'RI_RESPONSE_INVALID' });
    assert.throws(() => parseRiResponse({ data: Buffer.from(`7c228120${id1}`, 'hex'), sw: SW.SUCCESS }, RI_OID, 2), { code: 'RI_RESPONSE_INVALID' });
    assert.throws(() => parseRiResponse({ data: Buffer.alloc(0), sw: SW.SECURITY_STATUS_NOT_SATISFIED }, RI_OID, 1), { code: 'CARD_STATUS_ERROR' });
    assert.equal(domainParameters('brainpoolP256r1').fieldSize, 32);
  });
});
