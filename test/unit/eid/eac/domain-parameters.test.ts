import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  bigintToBytes, decodePoint, domainParameters, domainParametersByOid, domainParametersByStandardizedId, domainParametersOfKey,
  ecdhSharedX, ecdsaSignPlain, ecdsaVerifyPlain, encodePoint, generateEcKeyPair, isOnCurve, pointOfPublicKey, privateKeyFromScalar,
  publicKeyFromPoint, scalarOfPrivateKey,
} from '../../../../src/eid/eac/domain-parameters.js';
import type { CurveName } from '../../../../src/eid/eac/domain-parameters.js';

/** XORs one byte in place (tests tamper with encodings). */
function flipBits(bytes: Buffer, index: number, mask: number): void {
  bytes.writeUInt8(bytes.readUInt8(index < 0 ? bytes.length + index : index) ^ mask, index < 0 ? bytes.length + index : index);
}

const CURVES: readonly CurveName[] = ['brainpoolP256r1', 'brainpoolP384r1', 'P-384'];

describe('eid/eac/domain-parameters (TR-03110-3 §A.1.1.1, TR-03111)', () => {
  it('looks up by TR-03110-3 Table 4 standardized id and by OID', () => {
    assert.equal(domainParametersByStandardizedId(13).name, 'brainpoolP256r1');
    assert.equal(domainParametersByStandardizedId(15).name, 'P-384');
    assert.equal(domainParametersByStandardizedId(16).name, 'brainpoolP384r1');
    assert.equal(domainParametersByOid('1.3.36.3.3.2.8.1.1.7').standardizedId, 13);
    assert.equal(domainParametersByOid('1.3.36.3.3.2.8.1.1.11').standardizedId, 16);
    assert.equal(domainParametersByOid('1.3.132.0.34').standardizedId, 15);
  });

  it('rejects unsupported ids, OIDs and key curves', () => {
    assert.throws(() => domainParametersByStandardizedId(12), { code: 'EAC_UNSUPPORTED_DOMAIN_PARAMETERS' }); // NIST P-256
    assert.throws(() => domainParametersByStandardizedId(0), { code: 'EAC_UNSUPPORTED_DOMAIN_PARAMETERS' }); // MODP
    assert.throws(() => domainParametersByOid('1.2.840.10045.3.1.7'), { code: 'EAC_UNSUPPORTED_DOMAIN_PARAMETERS' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    assert.throws(() => domainParametersOfKey(p256.publicKey), { code: 'EAC_UNSUPPORTED_DOMAIN_PARAMETERS' });
    const ed = generateKeyPairSync('ed25519');
    assert.throws(() => domainParametersOfKey(ed.publicKey), { code: 'EAC_INVALID_KEY' });
  });

  for (const curve of CURVES) {
    describe(curve, () => {
      const dp = domainParameters(curve);

      it('has constants that agree with OpenSSL: 1·G = G, (n-1)·G = -G, generated points satisfy the equation', () => {
        assert.equal(dp.h, 1n);
        assert.ok(isOnCurve(dp, dp.gx, dp.gy));
        const g = pointOfPublicKey(privateKeyFromScalar(curve, Uint8Array.of(1)));
        assert.deepEqual(g, encodePoint(curve, { x: dp.gx, y: dp.gy }));
        const minusG = pointOfPublicKey(privateKeyFromScalar(curve, bigintToBytes(dp.n - 1n, dp.fieldSize)));
        assert.deepEqual(minusG, encodePoint(curve, { x: dp.gx, y: dp.p - dp.gy }));
        const { publicPoint } = generateEcKeyPair(curve);
        assert.equal(publicPoint.length, 1 + 2 * dp.fieldSize);
        const q = decodePoint(curve, publicPoint);
        assert.ok(isOnCurve(dp, q.x, q.y));
      });

      it('round-trips point → KeyObject → point and scalar → KeyObject → scalar', () => {
        const pair = generateEcKeyPair(curve);
        assert.deepEqual(pointOfPublicKey(publicKeyFromPoint(curve, pair.publicPoint)), pair.publicPoint);
        const d = scalarOfPrivateKey(pair.privateKey);
        assert.equal(d.length, dp.fieldSize);
        assert.deepEqual(pointOfPublicKey(privateKeyFromScalar(curve, d)), pair.publicPoint);
      });

      it('rejects infinity, compressed, off-curve, out-of-field and wrong-length points (invalid-curve defence)', () => {
        const { publicPoint } = generateEcKeyPair(curve);
        const offCurve = Buffer.from(publicPoint);
        flipBits(offCurve, -1, 0x01);
        const xTooBig = Buffer.concat([Buffer.of(4), bigintToBytes(dp.p, dp.fieldSize), publicPoint.subarray(1 + dp.fieldSize)]);
        const compressed = Buffer.concat([Buffer.of(2 + (publicPoint[publicPoint.length - 1]! & 1)), publicPoint.subarray(1, 1 + dp.fieldSize)]);
        const bad = [Buffer.of(0x00), Buffer.alloc(0), compressed, offCurve, xTooBig, publicPoint.subarray(0, publicPoint.length - 1),
          Buffer.concat([publicPoint, Buffer.of(0)]), Buffer.concat([Buffer.of(0x06), publicPoint.subarray(1)]), Buffer.alloc(1 + 2 * dp.fieldSize)];
        for (const point of bad) {
          assert.throws(() => publicKeyFromPoint(curve, point), { code: 'EAC_INVALID_POINT' }, point.toString('hex'));
        }
      });

      it('computes the same fixed-length ECDH x-coordinate on both sides and rejects an invalid peer point', () => {
        const a = generateEcKeyPair(curve);
        const b = generateEcKeyPair(curve);
        const kab = ecdhSharedX(curve, a.privateKey, b.publicPoint);
        assert.equal(kab.length, dp.fieldSize);
        assert.deepEqual(kab, ecdhSharedX(curve, b.privateKey, a.publicPoint));
        const offCurve = Buffer.from(b.publicPoint);
        flipBits(offCurve, 5, 0x80);
        assert.throws(() => ecdhSharedX(curve, a.privateKey, offCurve), { code: 'EAC_INVALID_POINT' });
        assert.throws(() => ecdhSharedX(curve, a.publicKey, b.publicPoint), { code: 'EAC_INVALID_KEY' });
      });

      it('ECDH with scalar 1 yields the peer x-coordinate (ECDH is d·Q, not hashed)', () => {
        const b = generateEcKeyPair(curve);
        const one = privateKeyFromScalar(curve, Uint8Array.of(1));
        assert.deepEqual(ecdhSharedX(curve, one, b.publicPoint), b.publicPoint.subarray(1, 1 + dp.fieldSize));
      });

      it('signs in TR-03111 plain format r||s and verifies; tampering or a wrong length fails', () => {
        const pair = generateEcKeyPair(curve);
        const data = Buffer.from('TA signature input');
        const sig = ecdsaSignPlain(pair.privateKey, data, 'sha256');
        assert.equal(sig.length, 2 * dp.fieldSize);
        assert.equal(ecdsaVerifyPlain(pair.publicKey, data, sig, 'sha256'), true);
        assert.equal(ecdsaVerifyPlain(publicKeyFromPoint(curve, pair.publicPoint), data, sig, 'sha256'), true);
        assert.equal(ecdsaVerifyPlain(pair.publicKey, Buffer.from('other'), sig, 'sha256'), false);
        assert.equal(ecdsaVerifyPlain(pair.publicKey, data, sig, 'sha384'), false);
        const flipped = Buffer.from(sig);
        flipBits(flipped, 3, 1);
        assert.equal(ecdsaVerifyPlain(pair.publicKey, data, flipped, 'sha256'), false);
        assert.equal(ecdsaVerifyPlain(pair.publicKey, data, sig.subarray(1), 'sha256'), false);
      });

      it('rejects private scalars 0, n and over-long inputs', () => {
        assert.throws(() => privateKeyFromScalar(curve, Buffer.alloc(dp.fieldSize)), { code: 'EAC_INVALID_SCALAR' });
        assert.throws(() => privateKeyFromScalar(curve, bigintToBytes(dp.n, dp.fieldSize)), { code: 'EAC_INVALID_SCALAR' });
        assert.throws(() => privateKeyFromScalar(curve, Buffer.concat([Buffer.of(0), bigintToBytes(1n, dp.fieldSize)])), { code: 'EAC_INVALID_SCALAR' });
      });
    });
  }
});
