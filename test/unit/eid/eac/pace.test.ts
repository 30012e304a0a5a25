import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SW } from '../../../../src/eid/card/status-words.js';
import { decodeCommandApdu, encodeCommandApdu } from '../../../../src/eid/card/apdu.js';
import { authenticationToken, ecPublicKeyDataObject } from '../../../../src/eid/eac/authentication-token.js';
import type { CurveName } from '../../../../src/eid/eac/domain-parameters.js';
import { decodeDynamicAuthenticationData, decodeSingle, encodeDynamicAuthenticationData, PACE_TAG } from '../../../../src/eid/eac/dynamic-authentication-data.js';
import { basePoint, multiply, pointFromBytes, pointToBytes } from '../../../../src/eid/eac/ec-point.js';
import {
  chipCreateNonce, chipKeyAgreement, chipMapNonce, chipMutualAuthentication, PACE_OID, paceCipher, passwordKey,
  terminalDecryptNonce, terminalKeyAgreement, terminalMapNonce, terminalMutualAuthentication,
} from '../../../../src/eid/eac/pace.js';
import type { PaceOid, PacePassword, PaceState } from '../../../../src/eid/eac/pace.js';
import { SecureMessaging } from '../../../../src/eid/eac/secure-messaging.js';
import { fromHex, hex } from '../../../../src/shared/bytes.js';

type Vectors = Record<string, string>;
const g1 = JSON.parse(readFileSync(new URL('../../../vectors/icao9303-11/pace-ecdh-gm-brainpoolp256r1.json', import.meta.url), 'utf8')) as Vectors & { mrz: Record<string, string> };
const v = (name: string): Buffer => fromHex(g1[name] ?? assert.fail(`vector ${name} missing`));

const mrz = g1.mrz;
const MRZ_PASSWORD: PacePassword = {
  type: 'mrz',
  value: `${mrz.documentNumber}${mrz.documentNumberCheck}${mrz.dateOfBirth}${mrz.dateOfBirthCheck}${mrz.dateOfExpiry}${mrz.dateOfExpiryCheck}`,
};
const G1_PARAMS = { oid: PACE_OID.ECDH_GM_AES_CBC_CMAC_128, curve: 'brainpoolP256r1' as const, password: MRZ_PASSWORD };

/** Runs the full protocol over the 7C encodings, as the APDU layer would carry it. */
function runPace(oid: PaceOid, curve: CurveName, chipPassword: PacePassword, terminalPassword: PacePassword) {
  const c1 = chipCreateNonce({ oid, curve, password: chipPassword });
  const r1 = encodeDynamicAuthenticationData([{ tag: PACE_TAG.ENCRYPTED_NONCE, value: c1.encryptedNonce }]);
  const t1 = terminalDecryptNonce({ oid, curve, password: terminalPassword }, decodeSingle(r1, PACE_TAG.ENCRYPTED_NONCE));
  const cmd2 = encodeDynamicAuthenticationData([{ tag: PACE_TAG.MAPPING_DATA_TERMINAL, value: t1.terminalMappingData }]);
  const c2 = chipMapNonce(c1.state, decodeSingle(cmd2, PACE_TAG.MAPPING_DATA_TERMINAL));
  const r2 = encodeDynamicAuthenticationData([{ tag: PACE_TAG.MAPPING_DATA_CHIP, value: c2.chipMappingData }]);
  const t2 = terminalMapNonce(t1.state, decodeSingle(r2, PACE_TAG.MAPPING_DATA_CHIP));
  const cmd3 = encodeDynamicAuthenticationData([{ tag: PACE_TAG.EPHEMERAL_PK_TERMINAL, value: t2.terminalEphemeralPublicKey }]);
  const c3 = chipKeyAgreement(c2.state, decodeSingle(cmd3, PACE_TAG.EPHEMERAL_PK_TERMINAL));
  const r3 = encodeDynamicAuthenticationData([{ tag: PACE_TAG.EPHEMERAL_PK_CHIP, value: c3.chipEphemeralPublicKey }]);
  const t3 = terminalKeyAgreement(t2.state, decodeSingle(r3, PACE_TAG.EPHEMERAL_PK_CHIP));
  return { c1, t1, c2, t2, c3, t3 };
}

describe('eid/eac/pace (TR-03110-2 §3.2, TR-03110-3 §A.3, ICAO 9303-11 §4.4)', () => {
  describe('ICAO Doc 9303-11 Appendix G.1 worked example (ECDH GM, brainpoolP256r1, AES-128, MRZ)', () => {
    it('K_π and the encrypted nonce (chip step 1 reproduces 7C 12 80 10 …)', () => {
      assert.equal(hex(passwordKey(MRZ_PASSWORD, 'AES-128')), hex(v('kPi')));
      const c1 = chipCreateNonce(G1_PARAMS, { nonce: v('nonce') });
      assert.equal(hex(c1.encryptedNonce), hex(v('encryptedNonce')));
      assert.equal(hex(encodeDynamicAuthenticationData([{ tag: 0x80, value: c1.encryptedNonce }])), hex(v('step1Response')));
    });

    it('terminal role reproduces every command and verifies the chip token', () => {
      const t1 = terminalDecryptNonce(G1_PARAMS, decodeSingle(v('step1Response'), 0x80), { mappingKey: v('terminalMappingPrivateKey') });
      assert.equal(t1.state.nonce, hex(v('nonce')));
      assert.equal(hex(encodeDynamicAuthenticationData([{ tag: 0x81, value: t1.terminalMappingData }])), hex(v('step2Command')));

      const chipMapping = decodeSingle(v('step2Response'), 0x82);
      const t2 = terminalMapNonce(t1.state, chipMapping, { ephemeralKey: v('terminalEphemeralPrivateKey') });
      // H = ỹ·X̃ (intermediate of the example), Ĝ = s·G + H
      const h = multiply('brainpoolP256r1', pointFromBytes('brainpoolP256r1', chipMapping), BigInt(`0x${hex(v('terminalMappingPrivateKey'))}`));
      assert.equal(hex(pointToBytes('brainpoolP256r1', h)), hex(v('sharedSecretH')));
      assert.equal(t2.state.mappedGenerator, hex(v('mappedGenerator')));
      assert.equal(hex(encodeDynamicAuthenticationData([{ tag: 0x83, value: t2.terminalEphemeralPublicKey }])), hex(v('step3Command')));

      const t3 = terminalKeyAgreement(t2.state, decodeSingle(v('step3Response'), 0x84));
      assert.equal(t3.state.kEnc, hex(v('kEnc')));
      assert.equal(t3.state.kMac, hex(v('kMac')));
      assert.equal(hex(encodeDynamicAuthenticationData([{ tag: 0x85, value: t3.terminalToken }])), hex(v('step4Command')));

      const result = terminalMutualAuthentication(t3.state, decodeDynamicAuthenticationData(v('step4Response'), [0x86], [0x87, 0x88]).get(0x86) ?? Buffer.alloc(0));
      assert.equal(hex(result.keys.kEnc), hex(v('kEnc')));
      assert.equal(hex(result.keys.kMac), hex(v('kMac')));
      assert.equal(result.keys.cipher, 'AES-128');
      assert.equal(hex(result.idPicc), hex(decodeSingle(v('step3Response'), 0x84).subarray(1, 33)));
    });

    it('chip role reproduces every response and verifies the terminal token', () => {
      const c1 = chipCreateNonce(G1_PARAMS, { nonce: v('nonce') });
      const c2 = chipMapNonce(c1.state, decodeSingle(v('step2Command'), 0x81), { mappingKey: v('chipMappingPrivateKey') });
      assert.equal(hex(encodeDynamicAuthenticationData([{ tag: 0x82, value: c2.chipMappingData }])), hex(v('step2Response')));
      assert.equal(c2.state.mappedGenerator, hex(v('mappedGenerator')));
      const c3 = chipKeyAgreement(c2.state, decodeSingle(v('step3Command'), 0x83), { ephemeralKey: v('chipEphemeralPrivateKey') });
      assert.equal(hex(encodeDynamicAuthenticationData([{ tag: 0x84, value: c3.chipEphemeralPublicKey }])), hex(v('step3Response')));
      const c4 = chipMutualAuthentication(c3.state, decodeSingle(v('step4Command'), 0x85));
      assert.equal(hex(encodeDynamicAuthenticationData([{ tag: 0x86, value: c4.chipToken }])), hex(v('step4Response')));
      assert.equal(hex(c4.keys.kMac), hex(v('kMac')));
    });

    it('authentication token is the CMAC over 7F49 { 06 OID, 86 point }', () => {
      const chipPoint = decodeSingle(v('step3Response'), 0x84);
      const pkdo = ecPublicKeyDataObject(PACE_OID.ECDH_GM_AES_CBC_CMAC_128, chipPoint);
      assert.equal(hex(pkdo.subarray(0, 17)), '7f494f060a04007f000702020402028641');
      assert.equal(hex(authenticationToken(v('kMac'), PACE_OID.ECDH_GM_AES_CBC_CMAC_128, chipPoint)), hex(decodeSingle(v('step4Command'), 0x85)));
    });
  });

  describe('round trip chip ↔ terminal', () => {
    const combos: [PaceOid, CurveName][] = [
      [PACE_OID.ECDH_GM_AES_CBC_CMAC_128, 'brainpoolP256r1'],
      [PACE_OID.ECDH_GM_AES_CBC_CMAC_192, 'brainpoolP384r1'],
      [PACE_OID.ECDH_GM_AES_CBC_CMAC_256, 'brainpoolP384r1'],
      [PACE_OID.ECDH_GM_AES_CBC_CMAC_256, 'P-384'],
      [PACE_OID.ECDH_GM_AES_CBC_CMAC_128, 'P-384'],
    ];
    for (const [oid, curve] of combos) {
      it(`${paceCipher(oid)} on ${curve} with a PIN: both sides agree, tokens verify, SM works with the keys`, () => {
        const pin: PacePassword = { type: 'pin', value: '123456' };
        const { c3, t3 } = runPace(oid, curve, pin, pin);
        const cmd4 = encodeDynamicAuthenticationData([{ tag: PACE_TAG.TOKEN_TERMINAL, value: t3.terminalToken }]);
        const chip = chipMutualAuthentication(c3.state, decodeSingle(cmd4, PACE_TAG.TOKEN_TERMINAL));
        const r4 = encodeDynamicAuthenticationData([
          { tag: PACE_TAG.TOKEN_CHIP, value: chip.chipToken }, { tag: PACE_TAG.CAR_CURRENT, value: Buffer.from('DECVCAeID00103') },
        ]);
        const objects = decodeDynamicAuthenticationData(r4, [PACE_TAG.TOKEN_CHIP], [PACE_TAG.CAR_CURRENT, PACE_TAG.CAR_PREVIOUS]);
        const terminal = terminalMutualAuthentication(t3.state, objects.get(PACE_TAG.TOKEN_CHIP) ?? Buffer.alloc(0));
        assert.deepEqual(terminal.keys, chip.keys);
        assert.equal(terminal.keys.kEnc.length, { 'AES-128': 16, 'AES-192': 24, 'AES-256': 32 }[paceCipher(oid)]);
        assert.deepEqual(terminal.idPicc, chip.idPicc);
        assert.deepEqual(terminal.chipEphemeralPublicKey, chip.chipEphemeralPublicKey);
        // The derived keys drive secure messaging on both sides.
        const smT = new SecureMessaging(terminal.keys, 'terminal');
        const smC = new SecureMessaging(chip.keys, 'chip');
        const select = { cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: fromHex('e80704007f00070302'), le: null };
        assert.deepEqual(smC.unwrapCommand(decodeCommandApdu(encodeCommandApdu(smT.wrapCommand(select)))), select);
        assert.equal(smT.unwrapResponse(smC.wrapResponse({ data: Buffer.alloc(0), sw: SW.SUCCESS })).sw, SW.SUCCESS);
      });
    }

    it('states survive JSON serialisation between steps (the Redis hop)', () => {
      const can: PacePassword = { type: 'can', value: '500540' };
      const oid = PACE_OID.ECDH_GM_AES_CBC_CMAC_128;
      const roundTrip = (s: PaceState): PaceState => JSON.parse(JSON.stringify(s)) as PaceState;
      const c1 = chipCreateNonce({ oid, curve: 'brainpoolP256r1', password: can });
      const t1 = terminalDecryptNonce({ oid, curve: 'brainpoolP256r1', password: can }, c1.encryptedNonce);
      const c2 = chipMapNonce(roundTrip(c1.state), t1.terminalMappingData);
      const t2 = terminalMapNonce(roundTrip(t1.state), c2.chipMappingData);
      const c3 = chipKeyAgreement(roundTrip(c2.state), t2.terminalEphemeralPublicKey);
      const t3 = terminalKeyAgreement(roundTrip(t2.state), c3.chipEphemeralPublicKey);
      const chip = chipMutualAuthentication(roundTrip(c3.state), t3.terminalToken);
      assert.deepEqual(terminalMutualAuthentication(roundTrip(t3.state), chip.chipToken).keys, chip.keys);
    });
  });

  describe('negative cases', () => {
    const oid = PACE_OID.ECDH_GM_AES_CBC_CMAC_128;
    const curve = 'brainpoolP256r1' as const;

    it('wrong password on the terminal → the chip rejects T_PCD with PACE_TOKEN_INVALID', () => {
      const { c3, t3 } = runPace(oid, curve, { type: 'pin', value: '123456' }, { type: 'pin', value: '123457' });
      assert.throws(() => chipMutualAuthentication(c3.state, t3.terminalToken), { code: 'PACE_TOKEN_INVALID' });
    });

    it('a forged chip token → the terminal rejects it with PACE_TOKEN_INVALID', () => {
      const pin: PacePassword = { type: 'pin', value: '123456' };
      const { c3, t3 } = runPace(oid, curve, pin, pin);
      const chip = chipMutualAuthentication(c3.state, t3.terminalToken);
      const forged = Buffer.from(chip.chipToken);
      forged.writeUInt8(forged.readUInt8(0) ^ 1, 0);
      assert.throws(() => terminalMutualAuthentication(t3.state, forged), { code: 'PACE_TOKEN_INVALID' });
      assert.throws(() => terminalMutualAuthentication(t3.state, chip.chipToken.subarray(0, 7)), { code: 'PACE_TOKEN_INVALID' });
    });

    it('invalid mapping points are rejected before any scalar multiplication (invalid-curve defence)', () => {
      const c1 = chipCreateNonce({ oid, curve, password: { type: 'can', value: '123456' } });
      const t1 = terminalDecryptNonce({ oid, curve, password: { type: 'can', value: '123456' } }, c1.encryptedNonce);
      const offCurve = Buffer.from(t1.terminalMappingData);
      offCurve.writeUInt8(offCurve.readUInt8(64) ^ 1, 64);
      for (const bad of [offCurve, Buffer.of(0x00), t1.terminalMappingData.subarray(0, 33), Buffer.alloc(65)]) {
        assert.throws(() => chipMapNonce(c1.state, bad), { code: 'EAC_INVALID_POINT' });
      }
      const c2 = chipMapNonce(c1.state, t1.terminalMappingData);
      assert.throws(() => terminalMapNonce(t1.state, offCurve), { code: 'EAC_INVALID_POINT' });
      // Reflecting the terminal's own mapping key back is refused.
      assert.throws(() => terminalMapNonce(t1.state, t1.terminalMappingData), { code: 'EAC_INVALID_POINT' });
      const t2 = terminalMapNonce(t1.state, c2.chipMappingData);
      const badEphemeral = Buffer.from(t2.terminalEphemeralPublicKey);
      badEphemeral.writeUInt8(badEphemeral.readUInt8(10) ^ 0x40, 10);
      assert.throws(() => chipKeyAgreement(c2.state, badEphemeral), { code: 'EAC_INVALID_POINT' });
    });

    it('a reflected ephemeral key is refused (PK_PCD ≠ PK_PICC)', () => {
      const pin: PacePassword = { type: 'pin', value: '123456' };
      const { t2 } = runPace(oid, curve, pin, pin);
      assert.throws(() => terminalKeyAgreement(t2.state, t2.terminalEphemeralPublicKey), { code: 'EAC_INVALID_POINT' });
    });

    it('steps out of order or with a foreign state → PACE_STATE_INVALID', () => {
      const pin: PacePassword = { type: 'pin', value: '123456' };
      const { c1, t1, c2 } = runPace(oid, curve, pin, pin);
      assert.throws(() => chipKeyAgreement(c1.state, t1.terminalMappingData), { code: 'PACE_STATE_INVALID' });
      assert.throws(() => chipMapNonce(t1.state, t1.terminalMappingData), { code: 'PACE_STATE_INVALID' });
      assert.throws(() => terminalMapNonce(c2.state, c2.chipMappingData), { code: 'PACE_STATE_INVALID' });
      const { kEnc: _kEnc, ...stripped } = { ...c2.state, step: 'chip-awaiting-token' as const };
      assert.throws(() => chipMutualAuthentication(stripped, Buffer.alloc(8)), { code: 'PACE_STATE_INVALID' });
      assert.throws(() => chipMapNonce({ ...c1.state, v: 2 } as unknown as PaceState, t1.terminalMappingData), { code: 'PACE_STATE_INVALID' });
    });

    it('unsupported protocols and malformed nonces are refused', () => {
      const pin: PacePassword = { type: 'pin', value: '123456' };
      for (const bad of ['0.4.0.127.0.7.2.2.4.1.2' /* DH-GM */, '0.4.0.127.0.7.2.2.4.4.2' /* ECDH-IM */, '0.4.0.127.0.7.2.2.4.6.2' /* CAM */, '0.4.0.127.0.7.2.2.4.2.1' /* 3DES */]) {
        assert.throws(() => chipCreateNonce({ oid: bad, curve, password: pin }), { code: 'PACE_UNSUPPORTED_ALGORITHM' });
      }
      assert.throws(() => terminalDecryptNonce({ oid, curve, password: pin }, Buffer.alloc(15)), { code: 'PACE_NONCE_INVALID' });
      assert.throws(() => terminalDecryptNonce({ oid, curve, password: pin }, Buffer.alloc(32)), { code: 'PACE_NONCE_INVALID' });
      assert.throws(() => chipCreateNonce({ oid, curve, password: { type: 'pin', value: '' } }), { code: 'PACE_DATA_INVALID' });
      assert.throws(() => chipCreateNonce({ oid, curve, password: pin }, { nonce: Buffer.alloc(8) }), { code: 'PACE_NONCE_INVALID' });
    });

    it('7C decoding: wrong tag, missing/duplicate/unexpected objects, trailing bytes → PACE_DATA_INVALID', () => {
      const ok = encodeDynamicAuthenticationData([{ tag: 0x82, value: Buffer.alloc(3) }]);
      assert.deepEqual(decodeSingle(ok, 0x82), Buffer.alloc(3));
      assert.equal(hex(encodeDynamicAuthenticationData([])), '7c00');
      assert.equal(decodeDynamicAuthenticationData(fromHex('7c00'), []).size, 0);
      const bad = [
        fromHex('7d03820100'), // wrong template tag
        fromHex('7c03840100'), // unexpected object
        fromHex('7c00'), // missing 82
        fromHex('7c068201008201ff'), // duplicate
        fromHex('7c0382010000'), // trailing byte
        fromHex('7c048201'), // truncated
        fromHex('7c05a203820100'), // constructed/nested
      ];
      for (const b of bad) assert.throws(() => decodeSingle(b, 0x82), { code: 'PACE_DATA_INVALID' }, hex(b));
    });

    it('the mapped generator equals s·G + H computed independently', () => {
      const pin: PacePassword = { type: 'puk', value: '1234567890' };
      const { c2, t2 } = runPace(oid, curve, pin, pin);
      assert.equal(c2.state.mappedGenerator, t2.state.mappedGenerator);
      const s = BigInt(`0x${c2.state.nonce}`);
      const h = multiply(curve, pointFromBytes(curve, fromHex(t2.state.mappingPublicKey ?? '')), BigInt(`0x${c2.state.mappingKey ?? ''}`));
      assert.equal(hex(pointToBytes(curve, multiply(curve, basePoint(curve), s).add(h))), c2.state.mappedGenerator);
    });
  });
});
