import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { kdf, KDF_COUNTER, keyLength } from '../../../../src/eid/eac/kdf.js';
import { fromHex, hex } from '../../../../src/shared/bytes.js';

describe('eid/eac/kdf (TR-03110-3 §A.2.3)', () => {
  // ICAO Doc 9303-11 Appendix G.1 (PACE GM ECDH worked example, AES-128); see test/vectors/icao9303-11/PROVENANCE.md.
  it('ICAO 9303-11 App. G.1: K_π from the MRZ password (counter 3, SHA-1)', () => {
    const pi = createHash('sha1').update('T2200012936408125' + '1010318').digest();
    assert.equal(hex(pi), '7e2d2a41c74ea0b38cd36f863939bfa8e9032aad');
    assert.equal(hex(kdf(pi, KDF_COUNTER.K_PI, 'AES-128')), '89ded1b26624ec1e634c1989302849dd');
  });

  it('ICAO 9303-11 App. G.1: K_enc and K_mac from the shared secret (counters 1 and 2)', () => {
    const k = fromHex('28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925');
    assert.equal(hex(kdf(k, KDF_COUNTER.K_ENC, 'AES-128')), 'f5f0e35c0d7161ee6724ee513a0d9a7f');
    assert.equal(hex(kdf(k, KDF_COUNTER.K_MAC, 'AES-128')), 'fe251c7858b356b24514b3bd5f4297d1');
  });

  it('uses SHA-256 truncated to 24 / 32 bytes for AES-192 / AES-256', () => {
    const k = Buffer.from('shared secret');
    const full = createHash('sha256').update(k).update(fromHex('00000002')).digest();
    assert.deepEqual(kdf(k, 2, 'AES-192'), full.subarray(0, 24));
    assert.deepEqual(kdf(k, 2, 'AES-256'), full);
    assert.equal(keyLength('AES-192'), 24);
  });

  it('inserts the CA nonce r_PICC between secret and counter', () => {
    const k = Buffer.from('secret');
    const r = fromHex('0102030405060708');
    const expected = createHash('sha1').update(k).update(r).update(fromHex('00000001')).digest().subarray(0, 16);
    assert.deepEqual(kdf(k, 1, 'AES-128', r), expected);
    assert.notDeepEqual(kdf(k, 1, 'AES-128', r), kdf(k, 1, 'AES-128'));
  });
});
