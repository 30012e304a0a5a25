import assert from 'node:assert/strict';
import { encodeTlv } from '../../../../../src/eid/card/tlv.js';
import { generateEcKeyPair, privateKeyFromScalar, publicKeyFromPoint } from '../../../../../src/eid/eac/domain-parameters.js';
import { createChat, encodeChat } from '../../../../../src/eid/eac/cvc/chat.js';
import {
  encodeCvCertificateBody, isSelfSigned, parseCvCertificate, parseCvCertificateParts, psoVerifyCertificateData, signCvCertificate,
  verifyCvCertificateSignature,
} from '../../../../../src/eid/eac/cvc/cv-certificate.js';
import type { CvCertificateBody } from '../../../../../src/eid/eac/cvc/cv-certificate.js';
import { createCvcPublicKey, cvcPublicKeyFromKeyObject, encodePublicKey, keyObjectOf } from '../../../../../src/eid/eac/cvc/public-key.js';
import { TA_ECDSA_OIDS } from '../../../../../src/eid/eac/cvc/oids.js';
import { fromHex, hex } from '../../../../../src/shared/bytes.js';

// brainpoolP256r1 base point G (RFC 5639 §3.4): the public key of the scalar 1, so the bytes are fixed.
const G = '048bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997';
const P = 'a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377';
const A = '7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9';
const B = '26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6';
const N = 'a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7';
const SHA256 = TA_ECDSA_OIDS.SHA_256;

function dvBody(overrides: Partial<CvCertificateBody> = {}): CvCertificateBody {
  return {
    profileId: 0,
    car: 'DETESTeID00004',
    publicKey: createCvcPublicKey(SHA256, 'brainpoolP256r1', fromHex(G), false),
    chr: 'DEDVTEST00001',
    chat: createChat({ role: 'dv-official', rights: ['AGE_VERIFICATION', 'READ_DG4'] }),
    effectiveDate: '250101',
    expirationDate: '250401',
    extensions: [],
    ...overrides,
  };
}

/** Body data objects in Table C.1 order, as hex, for building malformed variants. */
function parts(): Record<'cpi' | 'car' | 'pk' | 'chr' | 'chat' | 'ced' | 'cxd', string> {
  return {
    cpi: '5f290100',
    car: '420e4445544553546549443030303034',
    pk: `7f494f060a04007f000702020202038641${G}`,
    chr: '5f200d44454456544553543030303031',
    chat: hex(encodeChat(createChat({ role: 'dv-official', rights: ['AGE_VERIFICATION', 'READ_DG4'] }))),
    ced: '5f2506020500010001',
    cxd: '5f2406020500040001',
  };
}

function cert(bodyHex: string, signature: Buffer = Buffer.alloc(64, 1)): Buffer {
  return encodeTlv(0x7f21, [encodeTlv(0x7f4e, fromHex(bodyHex)), encodeTlv(0x5f37, signature)]);
}

describe('tr03110-3 §C.1 CV certificate (cv-certificate.ts)', () => {
  it('encodes a DV body to the exact Table C.1 bytes', () => {
    const p = parts();
    const expected = `7f4e81${(0x9d).toString(16)}${p.cpi}${p.car}${p.pk}${p.chr}${p.chat}${p.ced}${p.cxd}`;
    assert.equal(p.chat, '7f4c12060904007f00070301020253058000000801');
    assert.equal(hex(encodeCvCertificateBody(dvBody())), expected);
  });

  it('encodes a CVCA public key with the full domain parameters in order 81..87', () => {
    const key = createCvcPublicKey(SHA256, 'brainpoolP256r1', fromHex(G), true);
    assert.equal(hex(encodePublicKey(key)),
      `7f4982011d060a04007f00070202020203` + `8120${P}` + `8220${A}` + `8320${B}` + `8441${G}` + `8520${N}` + `8641${G}` + '870101');
  });

  it('signs and verifies a self-signed CVCA; parse round-trips the body bytes', () => {
    const kp = generateEcKeyPair('brainpoolP256r1');
    const body = dvBody({
      car: 'DETESTCVCA00001', chr: 'DETESTCVCA00001', publicKey: cvcPublicKeyFromKeyObject(SHA256, kp.publicKey, true),
      chat: createChat({ role: 'cvca', rights: ['AGE_VERIFICATION', 'READ_DG1'] }),
      extensions: [{ type: 'description', hash: Buffer.alloc(32, 7) }],
    });
    const raw = signCvCertificate(body, kp.privateKey, SHA256);
    const c = parseCvCertificate(raw);
    assert.equal(isSelfSigned(c), true);
    assert.equal(c.publicKey.curve, 'brainpoolP256r1');
    assert.equal(c.chat.role, 'cvca');
    assert.deepEqual(c.extensions, [{ type: 'description', hash: Buffer.alloc(32, 7) }]);
    assert.equal(c.signature.length, 64);
    assert.deepEqual(c.bodyRaw, encodeCvCertificateBody(body));
    assert.deepEqual(c.raw, raw);
    assert.equal(verifyCvCertificateSignature(c, keyObjectOf(c.publicKey), c.publicKey.oid), true);
    // a different key does not verify
    const other = generateEcKeyPair('brainpoolP256r1');
    assert.equal(verifyCvCertificateSignature(c, other.publicKey, SHA256), false);
    // one flipped body bit does not verify
    const tampered = Buffer.from(raw);
    tampered[20] = (tampered[20] as number) ^ 0x01;
    assert.equal(verifyCvCertificateSignature(parseCvCertificate(tampered), kp.publicKey, SHA256), false);
  });

  it('P-384 / SHA-384 and brainpoolP384r1 / SHA-512 keys sign with 96-byte signatures', () => {
    for (const [curve, oid] of [['P-384', TA_ECDSA_OIDS.SHA_384], ['brainpoolP384r1', TA_ECDSA_OIDS.SHA_512]] as const) {
      const kp = generateEcKeyPair(curve);
      const body = dvBody({ car: 'DETESTCVCA00001', chr: 'DETESTCVCA00001', publicKey: cvcPublicKeyFromKeyObject(oid, kp.publicKey, true), chat: createChat({ role: 'cvca' }) });
      const c = parseCvCertificate(signCvCertificate(body, kp.privateKey, oid));
      assert.equal(c.publicKey.curve, curve);
      assert.equal(c.signature.length, 96);
      assert.equal(verifyCvCertificateSignature(c, keyObjectOf(c.publicKey), oid), true);
    }
  });

  it('PSO:Verify Certificate data (7F4E || 5F37) parses to the same certificate', () => {
    const d = privateKeyFromScalar('brainpoolP256r1', Buffer.from([1]));
    const raw = signCvCertificate(dvBody(), d, SHA256);
    const c = parseCvCertificate(raw);
    const data = psoVerifyCertificateData(c);
    assert.deepEqual(data, raw.subarray(4));
    const again = parseCvCertificateParts(data);
    assert.deepEqual(again.raw, raw);
    assert.equal(verifyCvCertificateSignature(again, publicKeyFromPoint('brainpoolP256r1', fromHex(G)), SHA256), true);
    assert.throws(() => parseCvCertificateParts(Buffer.concat([data, Buffer.from([0x5f, 0x37, 0x00])])), { code: 'CVC_WRONG_TAG' });
  });

  it('signing raw body bytes checks them first', () => {
    const d = privateKeyFromScalar('brainpoolP256r1', Buffer.from([1]));
    assert.throws(() => signCvCertificate(fromHex('7f4e00'), d, SHA256), { code: 'CVC_MISSING_ELEMENT' });
    assert.throws(() => signCvCertificate(dvBody(), d, TA_ECDSA_OIDS.SHA_256.replace(/3$/, '9')), { code: 'CVC_UNSUPPORTED_ALGORITHM' });
  });

  describe('malformed certificates', () => {
    const p = parts();
    const ok = [p.cpi, p.car, p.pk, p.chr, p.chat, p.ced, p.cxd];
    const cases: [string, Buffer, string][] = [
      ['wrong tag order (CAR after public key)', cert([p.cpi, p.pk, p.car, p.chr, p.chat, p.ced, p.cxd].join('')), 'CVC_WRONG_TAG'],
      ['wrong tag order (dates swapped)', cert([p.cpi, p.car, p.pk, p.chr, p.chat, p.cxd, p.ced].join('')), 'CVC_WRONG_TAG'],
      ['missing CAR', cert([p.cpi, p.pk, p.chr, p.chat, p.ced, p.cxd].join('')), 'CVC_MISSING_ELEMENT'],
      ['missing CHAT', cert([p.cpi, p.car, p.pk, p.chr, p.ced, p.cxd].join('')), 'CVC_MISSING_ELEMENT'],
      ['missing profile identifier', cert([p.car, p.pk, p.chr, p.chat, p.ced, p.cxd].join('')), 'CVC_MISSING_ELEMENT'],
      ['repeated CHR', cert([...ok, p.chr].join('')), 'CVC_WRONG_TAG'],
      ['unknown data object after the dates', cert([...ok, '5f4c00'].join('')), 'CVC_WRONG_TAG'],
      ['profile identifier 01', cert(['5f290101', ...ok.slice(1)].join('')), 'CVC_PROFILE_UNSUPPORTED'],
      ['bad date digit 0x0A', cert([...ok.slice(0, 5), '5f250602050001000a', p.cxd].join('')), 'CVC_DATE_INVALID'],
      ['ASCII date digits', cert([...ok.slice(0, 5), '5f2506323530313031', p.cxd].join('')), 'CVC_DATE_INVALID'],
      ['date of 5 bytes', cert([...ok.slice(0, 5), '5f25050205000100', p.cxd].join('')), 'CVC_DATE_INVALID'],
      ['30 February', cert([...ok.slice(0, 5), '5f2506020500020300', p.cxd].join('')), 'CVC_DATE_INVALID'],
      ['expires before effective', cert([...ok.slice(0, 5), '5f2506020500040002', '5f2406020500040001'].join('')), 'CVC_DATE_INVALID'],
      ['CHR with a control character', cert([p.cpi, p.car, p.pk, '5f200e444544560a544553543030303031', p.chat, p.ced, p.cxd].join('')), 'CVC_REFERENCE_INVALID'],
      ['CAR too long', cert([p.cpi, `4211${Buffer.from('DETESTeID00004XYZ').toString('hex')}`, ...ok.slice(2)].join('')), 'CVC_REFERENCE_INVALID'],
      ['empty extensions 65', cert([...ok, '6500'].join('')), 'CVC_EXTENSION_INVALID'],
      ['extension without OID', cert([...ok, '650473028000'].join('')), 'CVC_EXTENSION_INVALID'],
      ['id-description without hash', cert([...ok, '650d730b060904007f000703010301'].join('')), 'CVC_EXTENSION_INVALID'],
      ['RSA key', cert([p.cpi, p.car, '7f4911060a04007f000702020201028203010001', ...ok.slice(3)].join('')), 'CVC_UNSUPPORTED_ALGORITHM'],
      ['key without point', cert([p.cpi, p.car, '7f490c060a04007f00070202020203', ...ok.slice(3)].join('')), 'CVC_PUBLIC_KEY_INVALID'],
      ['key with only some domain parameters', cert([p.cpi, p.car, `7f4971060a04007f000702020202038120${P}8641${G}`, ...ok.slice(3)].join('')), 'CVC_PUBLIC_KEY_INVALID'],
      ['key data objects out of order', cert([p.cpi, p.car, `7f4952060a04007f000702020202038641${G}820100`, ...ok.slice(3)].join('')), 'CVC_PUBLIC_KEY_INVALID'],
      ['unknown explicit curve', cert([p.cpi, p.car, `7f4982011d060a04007f000702020202038120${P}8220${A}8320${B.replace(/b6$/, 'b7')}8441${G}8520${N}8641${G}870101`, ...ok.slice(3)].join('')), 'CVC_UNSUPPORTED_DOMAIN_PARAMETERS'],
      ['point not on the curve', cert([p.cpi, p.car, `7f4982011d060a04007f000702020202038120${P}8220${A}8320${B}8441${G}8520${N}8641${G.replace(/97$/, '98')}870101`, ...ok.slice(3)].join('')), 'CVC_PUBLIC_KEY_INVALID'],
      ['odd-length (truncated) signature', cert(ok.join(''), Buffer.alloc(63, 1)), 'CVC_SIGNATURE_MALFORMED'],
      ['empty signature', cert(ok.join(''), Buffer.alloc(0)), 'CVC_SIGNATURE_MALFORMED'],
    ];
    for (const [name, bytes, code] of cases) it(name, () => assert.throws(() => parseCvCertificate(bytes), { code }));

    const good = cert(ok.join(''));
    it('the base of these cases parses', () => assert.equal(parseCvCertificate(good).chr, 'DEDVTEST00001'));
    it('trailing bytes after 7F21', () => assert.throws(() => parseCvCertificate(Buffer.concat([good, Buffer.from([0])])), { code: 'CVC_TRAILING_DATA' }));
    it('truncated certificate', () => assert.throws(() => parseCvCertificate(good.subarray(0, good.length - 1)), (e: unknown) => (e as { code: string; detail: { tlvCode: string } }).code === 'CVC_MALFORMED' && (e as { detail: { tlvCode: string } }).detail.tlvCode === 'TLV_TRUNCATED'));
    it('wrong outer tag', () => assert.throws(() => parseCvCertificate(Buffer.concat([Buffer.from([0x7f, 0x4e]), good.subarray(2)])), { code: 'CVC_WRONG_TAG' }));
    it('signature missing', () => assert.throws(() => parseCvCertificate(encodeTlv(0x7f21, [encodeTlv(0x7f4e, fromHex(ok.join('')))])), { code: 'CVC_MISSING_ELEMENT' }));
    it('signature before body', () => assert.throws(() => parseCvCertificate(encodeTlv(0x7f21, [encodeTlv(0x5f37, Buffer.alloc(64)), encodeTlv(0x7f4e, fromHex(ok.join('')))])), { code: 'CVC_WRONG_TAG' }));
    it('signature one byte pair short for the issuer curve (verify)', () => {
      const c = parseCvCertificate(cert(ok.join(''), Buffer.alloc(62, 1)));
      assert.throws(() => verifyCvCertificateSignature(c, publicKeyFromPoint('brainpoolP256r1', fromHex(G)), SHA256), { code: 'CVC_SIGNATURE_MALFORMED' });
    });
  });
});
