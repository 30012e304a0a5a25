import assert from 'node:assert/strict';
import { encodeTlv } from '../../../../src/eid/card/tlv.js';
import { generateEcKeyPair } from '../../../../src/eid/eac/domain-parameters.js';
import {
  curveOfDomainParameters, decodeSecurityInfos, encodeSecurityInfos, explicitEcParameters, selectChipAuthentication,
} from '../../../../src/eid/eac/security-infos.js';
import type { ChipAuthenticationPublicKeyInfo, SecurityInfo } from '../../../../src/eid/eac/security-infos.js';

// Expected bytes are assembled with the card layer's independent BER-TLV encoder, never with the code under test.
const h = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');
const t = (tag: number, ...parts: Buffer[]): Buffer => encodeTlv(tag, parts);
const SEQ = 0x30;

// RFC 5639 §3.4 brainpoolP256r1
const BP256 = {
  p: 'a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377',
  a: '7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9',
  b: '26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6',
  g: '048bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997',
  n: 'a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7',
};
const explicitBp256 = t(SEQ,
  h('020101'),
  t(SEQ, h('06072a8648ce3d0101'), t(0x02, h(`00${BP256.p}`))),
  t(SEQ, t(0x04, h(BP256.a)), t(0x04, h(BP256.b))),
  t(0x04, h(BP256.g)),
  t(0x02, h(`00${BP256.n}`)),
  h('020101'));

// The TR-03110-3 worked example EF.CardAccess (one PACEInfo: ECDH-GM-AES-128, v2, brainpoolP256r1).
const PACE_INFO = h('3012 060a 04007f00070202040202 020102 02010d');
const TA_INFO = h('300d 060804007f00070202020201 02');
const CA_INFO = h('3012 060a04007f00070202030202 020102 020129');
const CA_DP_INFO = h('301c 060904007f000702020302 300c 060704007f00070102 02010d 020129');
const RI_INFO_1 = h('3017 060a04007f0007020205020330 09 020101 020101 010100');
const RI_INFO_2 = h('3017 060a04007f0007020205020330 09 020101 020102 0101ff');
const RI_DP_INFO = h('3019 060904007f000702020502 300c 060704007f00070102 02010d');
const CARD_INFO_LOCATOR = t(SEQ, h('060804007f0007020206'), t(0x16, Buffer.from('http://bsi.bund.de/cif/npa.xml', 'latin1')));
const CA_PK_INFO = t(SEQ,
  h('060904007f000702020102'),
  t(SEQ, t(SEQ, h('060904007f000702020102'), explicitBp256), t(0x03, h(`00${BP256.g}`))),
  h('020129'));
const PT_INFO = h('3010 060804007f0007020208 3104 3002 0500'); // PrivilegedTerminalInfo: not interpreted, kept raw

const ALL = [PACE_INFO, TA_INFO, CA_INFO, CA_DP_INFO, RI_INFO_1, RI_INFO_2, RI_DP_INFO, CARD_INFO_LOCATOR, CA_PK_INFO, PT_INFO];
const setOf = (parts: Buffer[]): Buffer => t(0x31, ...[...parts].sort(Buffer.compare));

describe('tr03110-3 §A.1.1 SecurityInfos', () => {
  it('decodes the worked-example EF.CardAccess (PACEInfo) and re-encodes the exact bytes', () => {
    const bytes = h('3114 3012 060a04007f00070202040202 020102 02010d');
    const infos = decodeSecurityInfos(bytes);
    assert.deepEqual(infos, [{ type: 'PACEInfo', protocol: '0.4.0.127.0.7.2.2.4.2.2', version: 2, parameterId: 13 }]);
    assert.deepEqual(encodeSecurityInfos(infos), bytes);
  });

  it('decodes every supported info of an EF.CardSecurity layout (simulator §4.6) field by field', () => {
    const infos = decodeSecurityInfos(setOf(ALL));
    const byType = (type: SecurityInfo['type']): SecurityInfo[] => infos.filter((i) => i.type === type);
    assert.deepEqual(byType('TerminalAuthenticationInfo'), [{ type: 'TerminalAuthenticationInfo', protocol: '0.4.0.127.0.7.2.2.2', version: 2, efCvca: null }]);
    assert.deepEqual(byType('ChipAuthenticationInfo'), [{ type: 'ChipAuthenticationInfo', protocol: '0.4.0.127.0.7.2.2.3.2.2', version: 2, keyId: 0x29 }]);
    assert.deepEqual(byType('ChipAuthenticationDomainParameterInfo'), [{
      type: 'ChipAuthenticationDomainParameterInfo', protocol: '0.4.0.127.0.7.2.2.3.2',
      domainParameter: { algorithm: '0.4.0.127.0.7.1.2', parameters: { kind: 'standardized', id: 13 } }, keyId: 0x29,
    }]);
    assert.deepEqual(byType('RestrictedIdentificationInfo'), [
      { type: 'RestrictedIdentificationInfo', protocol: '0.4.0.127.0.7.2.2.5.2.3', params: { version: 1, keyId: 1, authorizedOnly: false }, maxKeyLen: null },
      { type: 'RestrictedIdentificationInfo', protocol: '0.4.0.127.0.7.2.2.5.2.3', params: { version: 1, keyId: 2, authorizedOnly: true }, maxKeyLen: null },
    ]);
    assert.deepEqual(byType('RestrictedIdentificationDomainParameterInfo'), [{
      type: 'RestrictedIdentificationDomainParameterInfo', protocol: '0.4.0.127.0.7.2.2.5.2',
      domainParameter: { algorithm: '0.4.0.127.0.7.1.2', parameters: { kind: 'standardized', id: 13 } },
    }]);
    assert.deepEqual(byType('CardInfoLocator'), [{ type: 'CardInfoLocator', protocol: '0.4.0.127.0.7.2.2.6', url: 'http://bsi.bund.de/cif/npa.xml', efCardInfo: null }]);
    assert.deepEqual(byType('Unknown'), [{ type: 'Unknown', protocol: '0.4.0.127.0.7.2.2.8', raw: PT_INFO }]);
    const [pk] = byType('ChipAuthenticationPublicKeyInfo') as ChipAuthenticationPublicKeyInfo[];
    assert.ok(pk);
    assert.equal(pk.keyId, 0x29);
    assert.equal(pk.algorithm.algorithm, '0.4.0.127.0.7.2.2.1.2');
    assert.deepEqual(pk.publicKey, h(BP256.g));
    assert.ok(pk.algorithm.parameters?.kind === 'explicit');
    assert.equal(pk.algorithm.parameters.ec.p, BigInt(`0x${BP256.p}`));
    assert.equal(pk.algorithm.parameters.ec.n, BigInt(`0x${BP256.n}`));
    assert.equal(pk.algorithm.parameters.ec.h, 1n);
    assert.equal(curveOfDomainParameters(pk.algorithm.parameters).name, 'brainpoolP256r1');
  });

  it('re-encodes to the exact DER (sorted SET OF) whatever the input order', () => {
    const expected = setOf(ALL);
    assert.deepEqual(encodeSecurityInfos(decodeSecurityInfos(expected)), expected);
    const shuffled = decodeSecurityInfos(expected).reverse();
    assert.deepEqual(encodeSecurityInfos(shuffled), expected);
  });

  it('encodes explicit ECParameters from the curve table to the RFC 5639 bytes', () => {
    const infos: SecurityInfo[] = [{
      type: 'ChipAuthenticationPublicKeyInfo', protocol: '0.4.0.127.0.7.2.2.1.2',
      algorithm: { algorithm: '0.4.0.127.0.7.2.2.1.2', parameters: { kind: 'explicit', ec: explicitEcParameters('brainpoolP256r1') } },
      publicKey: h(BP256.g), keyId: 0x29,
    }];
    assert.deepEqual(encodeSecurityInfos(infos), t(0x31, CA_PK_INFO));
  });

  it('decodes a named-curve SubjectPublicKeyInfo and TA / CardInfoLocator FileIDs', () => {
    const namedPk = t(SEQ, h('060904007f000702020102'),
      t(SEQ, t(SEQ, h('060904007f000702020102'), h('06092b2403030208010107')), t(0x03, h(`00${BP256.g}`))));
    const taV1 = h('3016 060804007f0007020202 020101 3007 0402011c 04011c');
    const bytes = setOf([namedPk, taV1]);
    const infos = decodeSecurityInfos(bytes);
    const pk = infos.find((i) => i.type === 'ChipAuthenticationPublicKeyInfo');
    assert.deepEqual(pk?.type === 'ChipAuthenticationPublicKeyInfo' && pk.algorithm.parameters, { kind: 'namedCurve', oid: '1.3.36.3.3.2.8.1.1.7' });
    assert.equal(pk?.type === 'ChipAuthenticationPublicKeyInfo' && pk.keyId, null);
    const ta = infos.find((i) => i.type === 'TerminalAuthenticationInfo');
    assert.deepEqual(ta, { type: 'TerminalAuthenticationInfo', protocol: '0.4.0.127.0.7.2.2.2', version: 1, efCvca: { fid: h('011c'), sfid: h('1c') } });
    assert.deepEqual(encodeSecurityInfos(infos), bytes);
  });

  it('accepts zero padding after the SET only when asked (transparent file read in full)', () => {
    const padded = Buffer.concat([h('3114 3012 060a04007f00070202040202 020102 02010d'), Buffer.alloc(40)]);
    assert.throws(() => decodeSecurityInfos(padded), { code: 'SECINFO_TRAILING_BYTES' });
    assert.equal(decodeSecurityInfos(padded, { allowZeroPadding: true }).length, 1);
    const junk = Buffer.concat([padded, h('01')]);
    assert.throws(() => decodeSecurityInfos(junk, { allowZeroPadding: true }), { code: 'SECINFO_TRAILING_BYTES' });
  });

  describe('malformed input', () => {
    const cases: [string, string, string][] = [
      ['empty input', '', 'SECINFO_MALFORMED'],
      ['truncated', '3114 3012 060a04007f00070202040202 020102 0201', 'SECINFO_MALFORMED'],
      ['trailing bytes', '3114 3012 060a04007f00070202040202 020102 02010d 00', 'SECINFO_TRAILING_BYTES'],
      ['SEQUENCE instead of SET', '3014 3012 060a04007f00070202040202 020102 02010d', 'SECINFO_NOT_A_SET'],
      ['empty SET', '3100', 'SECINFO_EMPTY'],
      ['non-minimal length', '318114 3012 060a04007f00070202040202 020102 02010d', 'SECINFO_MALFORMED'],
      ['indefinite length', '3180 3012 060a04007f00070202040202 020102 02010d 0000', 'SECINFO_MALFORMED'],
      ['inner element longer than its parent', '311b 3019 060904007f000702020502 300c 060704007f0007010202 02010d', 'SECINFO_MALFORMED'],
      ['constructed OCTET STRING', '3106 3004 2402 0400', 'SECINFO_MALFORMED'],
      ['element not a SEQUENCE', '3103 020100', 'SECINFO_INVALID_INFO'],
      ['SecurityInfo with one element', '3104 3002 0500', 'SECINFO_INVALID_INFO'],
      ['SecurityInfo with four elements', '3117 3015 060a04007f00070202040202 020102 02010d 020100', 'SECINFO_INVALID_INFO'],
      ['protocol not an OID', '3108 3006 0401aa 020102', 'SECINFO_INVALID_INFO'],
      ['OID with non-minimal subidentifier', '3109 3007 0602802a 020102', 'SECINFO_INVALID_INFO'],
      ['PACEInfo version as OCTET STRING', '3114 3012 060a04007f00070202040202 040102 02010d', 'SECINFO_INVALID_INFO'],
      ['PACEInfo version non-minimal INTEGER', '3115 3013 060a04007f00070202040202 02020002 02010d', 'SECINFO_INVALID_INFO'],
      ['negative keyId', '3114 3012 060a04007f00070202030202 020102 0201ff', 'SECINFO_INVALID_INFO'],
      ['RI authorizedOnly BOOLEAN not DER', '3119 3017 060a04007f0007020205020330 09 020101 020101 010101', 'SECINFO_INVALID_INFO'],
      ['RI ProtocolParams missing authorizedOnly', '3116 3014 060a04007f0007020205020330 06 020101 020101', 'SECINFO_INVALID_INFO'],
      ['FileID fid of 3 bytes', '3116 3014 060804007f0007020202 020101 3005 0403011c1c', 'SECINFO_INVALID_INFO'],
      ['CardInfoLocator url not IA5', '310f 300d 060804007f0007020206 0c0161', 'SECINFO_INVALID_INFO'],
      ['domain parameter AlgorithmIdentifier empty', '3112 3010 060904007f000702020302 3000 020129', 'SECINFO_INVALID_DOMAIN_PARAMETERS'],
    ];
    for (const [name, hexText, code] of cases) {
      it(`${name} → ${code}`, () => {
        assert.throws(() => decodeSecurityInfos(h(hexText)), { code });
      });
    }

    it('explicit ECParameters with version 2 → SECINFO_INVALID_DOMAIN_PARAMETERS', () => {
      const bad = Buffer.from(setOf([CA_PK_INFO]));
      const at = bad.indexOf(h('020101 302c'));
      bad[at + 2] = 0x02;
      assert.throws(() => decodeSecurityInfos(bad), { code: 'SECINFO_INVALID_DOMAIN_PARAMETERS' });
    });

    it('explicit ECParameters with a binary field → SECINFO_INVALID_DOMAIN_PARAMETERS', () => {
      const bad = Buffer.from(setOf([CA_PK_INFO]));
      const at = bad.indexOf(h('2a8648ce3d0101'));
      bad[at + 6] = 0x02; // characteristic-two-field
      assert.throws(() => decodeSecurityInfos(bad), { code: 'SECINFO_INVALID_DOMAIN_PARAMETERS' });
    });
  });
});

describe('tr03110-3 §A.1.1.2 selectChipAuthentication', () => {
  it('selects the CA v2 key by keyId and returns a usable, validated public key', () => {
    const sel = selectChipAuthentication(decodeSecurityInfos(setOf(ALL)));
    assert.equal(sel.curve, 'brainpoolP256r1');
    assert.equal(sel.info.keyId, 0x29);
    assert.deepEqual(sel.publicPoint, h(BP256.g));
    assert.equal(sel.publicKey.asymmetricKeyDetails?.namedCurve, 'brainpoolP256r1');
    assert.equal(selectChipAuthentication(decodeSecurityInfos(setOf(ALL)), 0x29).info.keyId, 0x29);
  });

  it('takes the curve from ChipAuthenticationDomainParameterInfo when the key has none', () => {
    const key = generateEcKeyPair('brainpoolP256r1');
    const infos: SecurityInfo[] = [
      { type: 'ChipAuthenticationInfo', protocol: '0.4.0.127.0.7.2.2.3.2.2', version: 2, keyId: 7 },
      { type: 'ChipAuthenticationDomainParameterInfo', protocol: '0.4.0.127.0.7.2.2.3.2', domainParameter: { algorithm: '0.4.0.127.0.7.1.2', parameters: { kind: 'standardized', id: 13 } }, keyId: 7 },
      { type: 'ChipAuthenticationPublicKeyInfo', protocol: '0.4.0.127.0.7.2.2.1.2', algorithm: { algorithm: '0.4.0.127.0.7.2.2.1.2', parameters: null }, publicKey: key.publicPoint, keyId: 7 },
    ];
    const sel = selectChipAuthentication(decodeSecurityInfos(encodeSecurityInfos(infos)));
    assert.deepEqual(sel.publicPoint, key.publicPoint);
  });

  it('rejects missing, ambiguous and unusable CA keys with specific codes', () => {
    const all = decodeSecurityInfos(setOf(ALL));
    assert.throws(() => selectChipAuthentication(all, 0x2a), { code: 'SECINFO_CA_NOT_FOUND' });
    assert.throws(() => selectChipAuthentication(all.filter((i) => i.type !== 'ChipAuthenticationPublicKeyInfo')), { code: 'SECINFO_CA_NOT_FOUND' });
    const v1 = all.map((i) => (i.type === 'ChipAuthenticationInfo' ? { ...i, version: 1 } : i));
    assert.throws(() => selectChipAuthentication(v1), { code: 'SECINFO_CA_NOT_FOUND' });
    const two = [...all, { type: 'ChipAuthenticationInfo', protocol: '0.4.0.127.0.7.2.2.3.2.2', version: 2, keyId: 0x2a } as const];
    assert.throws(() => selectChipAuthentication(two), { code: 'SECINFO_CA_KEY_AMBIGUOUS' });
    const offCurve = all.map((i) => (i.type === 'ChipAuthenticationPublicKeyInfo' ? { ...i, publicKey: Buffer.concat([h(BP256.g).subarray(0, 64), h('00')]) } : i));
    assert.throws(() => selectChipAuthentication(offCurve), { code: 'EAC_INVALID_POINT' });
    const otherCurve = all.map((i) => (i.type === 'ChipAuthenticationPublicKeyInfo' && i.algorithm.parameters?.kind === 'explicit'
      ? { ...i, algorithm: { ...i.algorithm, parameters: { kind: 'explicit' as const, ec: { ...i.algorithm.parameters.ec, b: 5n } } } } : i));
    assert.throws(() => selectChipAuthentication(otherCurve), { code: 'EAC_UNSUPPORTED_DOMAIN_PARAMETERS' });
  });
});
