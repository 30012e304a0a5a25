import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { aesCmac, aesEncryptBlock, cmacSubkeys } from '../../../../src/eid/eac/cmac.js';
import { fromHex, hex } from '../../../../src/shared/bytes.js';

interface Rfc4493Vectors { key: string; subkeys: { L: string; K1: string; K2: string }; examples: { title: string; message: string; tag: string }[] }
interface Sp80038bVectors { message64: string; keys: { title: string; key: string; tags: Record<string, string> }[] }

const rfc4493 = JSON.parse(readFileSync(new URL('../../../vectors/rfc4493/aes-cmac.json', import.meta.url), 'utf8')) as Rfc4493Vectors;
const sp80038b = JSON.parse(readFileSync(new URL('../../../vectors/sp800-38b/aes-cmac-192-256.json', import.meta.url), 'utf8')) as Sp80038bVectors;

describe('eid/eac/cmac (RFC 4493, SP 800-38B)', () => {
  it('RFC 4493 §4 subkey generation: L, K1, K2', () => {
    const key = fromHex(rfc4493.key);
    assert.equal(hex(aesEncryptBlock(key, Buffer.alloc(16))), rfc4493.subkeys.L);
    const { k1, k2 } = cmacSubkeys(key);
    assert.equal(hex(k1), rfc4493.subkeys.K1);
    assert.equal(hex(k2), rfc4493.subkeys.K2);
  });

  for (const example of rfc4493.examples) {
    it(`RFC 4493 §4 ${example.title}`, () => {
      assert.equal(hex(aesCmac(fromHex(rfc4493.key), fromHex(example.message))), example.tag);
    });
  }

  for (const set of sp80038b.keys) {
    for (const [length, tag] of Object.entries(set.tags)) {
      it(`SP 800-38B ${set.title}, Mlen = ${Number(length) * 8} bits`, () => {
        const message = fromHex(sp80038b.message64).subarray(0, Number(length));
        assert.equal(hex(aesCmac(fromHex(set.key), message)), tag);
      });
    }
  }

  it('does not modify its input and accepts Uint8Array views', () => {
    const backing = fromHex(`00${sp80038b.message64}`);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 1, 40);
    const before = hex(backing);
    assert.equal(hex(aesCmac(fromHex(rfc4493.key), view)), rfc4493.examples[2]?.tag);
    assert.equal(hex(backing), before);
  });

  it('rejects keys that are not 128, 192 or 256 bits', () => {
    for (const length of [0, 8, 15, 17, 31, 33]) {
      assert.throws(() => aesCmac(Buffer.alloc(length), Buffer.alloc(0)), { code: 'EAC_INVALID_KEY' });
    }
  });
});
