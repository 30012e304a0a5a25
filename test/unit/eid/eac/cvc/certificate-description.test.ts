import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkDescriptionHash, descriptionHash, encodeCertificateDescription, parseCertificateDescription } from '../../../../../src/eid/eac/cvc/certificate-description.js';
import type { CertificateDescription } from '../../../../../src/eid/eac/cvc/certificate-description.js';
import { createCvcPublicKey } from '../../../../../src/eid/eac/cvc/public-key.js';
import { TA_ECDSA_OIDS } from '../../../../../src/eid/eac/cvc/oids.js';
import { fromHex, hex } from '../../../../../src/shared/bytes.js';

const ascii = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const len = (h: string): string => { const n = h.length / 2; return (n < 128 ? '' : '81') + n.toString(16).padStart(2, '0'); };
const tlv = (tag: string, h: string): string => `${tag}${len(h)}${h}`;

const DESCRIPTION: CertificateDescription = {
  format: 'plain',
  issuerName: 'Test-DV',
  issuerUrl: 'https://dv.example',
  subjectName: 'Stadt Köln',
  subjectUrl: 'https://idp.example',
  termsOfUsage: 'Name, Anschrift',
  redirectUrl: 'https://idp.example/done',
  commCertificates: [Buffer.alloc(32, 0xbb), Buffer.alloc(32, 0xaa)],
};

// Debian OpenPACE cvc-create --out-desc output (IMPLICIT tags), produced by running the tool.
const CVC_CREATE_DESC = '304b060a04007f000703010301018106497373756572821268747470733a2f2f64762e6578616d706c65830454657374841368747470733a2f2f6578616d706c652e6f726785065465726d730a';

const G = '048bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997';

describe('tr03110-4 §2.2.6 CertificateDescription (certificate-description.ts)', () => {
  it('encodes with EXPLICIT tags to the exact DER bytes (SET OF sorted)', () => {
    const body = [
      tlv('06', '04007f00070301030101'),
      tlv('a1', tlv('0c', ascii('Test-DV'))),
      tlv('a2', tlv('13', ascii('https://dv.example'))),
      tlv('a3', tlv('0c', ascii('Stadt Köln'))),
      tlv('a4', tlv('13', ascii('https://idp.example'))),
      tlv('a5', tlv('0c', ascii('Name, Anschrift'))),
      tlv('a6', tlv('13', ascii('https://idp.example/done'))),
      tlv('a7', tlv('31', tlv('04', 'aa'.repeat(32)) + tlv('04', 'bb'.repeat(32)))),
    ].join('');
    assert.equal(hex(encodeCertificateDescription(DESCRIPTION)), `30${len(body)}${body}`);
  });

  it('parses what it encodes', () => {
    const bytes = encodeCertificateDescription(DESCRIPTION);
    const d = parseCertificateDescription(bytes);
    assert.equal(d.tagging, 'explicit');
    assert.deepEqual({ ...d, raw: undefined, tagging: undefined }, {
      ...DESCRIPTION, commCertificates: [Buffer.alloc(32, 0xaa), Buffer.alloc(32, 0xbb)], raw: undefined, tagging: undefined,
    });
    assert.deepEqual(d.raw, bytes);
  });

  it('html (IA5String) and pdf (OCTET STRING) terms of usage; optional fields absent', () => {
    const html = parseCertificateDescription(encodeCertificateDescription({ format: 'html', issuerName: 'I', subjectName: 'S', termsOfUsage: '<p>x</p>' }));
    assert.equal(html.termsOfUsage, '<p>x</p>');
    assert.equal(html.subjectUrl, undefined);
    assert.equal(html.commCertificates, undefined);
    const pdfBytes = encodeCertificateDescription({ format: 'pdf', issuerName: 'I', subjectName: 'S', termsOfUsage: Buffer.from('%PDF-1.4') });
    assert.equal(hex(pdfBytes).slice(4, 28), '060a04007f00070301030103');
    assert.deepEqual(parseCertificateDescription(pdfBytes).termsOfUsage, Buffer.from('%PDF-1.4'));
  });

  it('rejects the IMPLICIT form of cvc-create by default, reads it on request', () => {
    assert.throws(() => parseCertificateDescription(fromHex(CVC_CREATE_DESC)), { code: 'CVC_DESCRIPTION_IMPLICIT_TAGS' });
    const d = parseCertificateDescription(fromHex(CVC_CREATE_DESC), { acceptImplicitTags: true });
    assert.equal(d.tagging, 'implicit');
    assert.equal(d.issuerName, 'Issuer');
    assert.equal(d.issuerUrl, 'https://dv.example');
    assert.equal(d.subjectName, 'Test');
    assert.equal(d.subjectUrl, 'https://example.org');
    assert.equal(d.termsOfUsage, 'Terms\n');
  });

  it('refuses to encode non-PrintableString URLs and non-ASCII HTML', () => {
    assert.throws(() => encodeCertificateDescription({ ...DESCRIPTION, subjectUrl: 'https://x.example/a_b' }), { code: 'CVC_DESCRIPTION_INVALID' });
    assert.throws(() => encodeCertificateDescription({ format: 'html', issuerName: 'I', subjectName: 'S', termsOfUsage: 'Köln' }), { code: 'CVC_DESCRIPTION_INVALID' });
  });

  describe('malformed descriptions', () => {
    const good = hex(encodeCertificateDescription({ format: 'plain', issuerName: 'I', subjectName: 'S', termsOfUsage: 'T' }));
    const oid = tlv('06', '04007f00070301030101');
    const f1 = tlv('a1', tlv('0c', '49'));
    const f3 = tlv('a3', tlv('0c', '53'));
    const f5 = tlv('a5', tlv('0c', '54'));
    const seq = (...parts: string[]): Buffer => fromHex(tlv('30', parts.join('')));
    const cases: [string, Buffer][] = [
      ['trailing bytes', fromHex(`${good}00`)],
      ['truncated', fromHex(good.slice(0, -2))],
      ['not a SEQUENCE', fromHex(`31${good.slice(2)}`)],
      ['unknown descriptionType', seq(tlv('06', '04007f00070301030109'), f1, f3, f5)],
      ['subjectName missing', seq(oid, f1, f5)],
      ['fields out of order', seq(oid, f3, f1, f5)],
      ['field repeated', seq(oid, f1, f1, f3, f5)],
      ['issuerName not UTF8String', seq(oid, tlv('a1', tlv('13', '49')), f3, f5)],
      ['two elements inside [1]', seq(oid, tlv('a1', tlv('0c', '49') + tlv('0c', '49')), f3, f5)],
      ['mixed tagging', seq(oid, tlv('81', '49'), f3, f5)],
      ['non-DER length', fromHex(`3081${good.slice(2)}`)],
      ['universal element after the OID', seq(oid, f1, f3, f5, tlv('04', '00'))],
    ];
    for (const [name, bytes] of cases) it(name, () => assert.throws(() => parseCertificateDescription(bytes), { code: 'CVC_DESCRIPTION_INVALID' }));
  });

  it('hash check with the terminal key algorithm (id-description)', () => {
    const bytes = encodeCertificateDescription(DESCRIPTION);
    const publicKey = createCvcPublicKey(TA_ECDSA_OIDS.SHA_256, 'brainpoolP256r1', fromHex(G), false);
    const hash = createHash('sha256').update(bytes).digest();
    assert.deepEqual(descriptionHash({ publicKey }, bytes), hash);
    const cert = { chr: 'DETESTAT00001', publicKey, extensions: [{ type: 'description' as const, hash }] };
    checkDescriptionHash(cert, bytes);
    assert.throws(() => checkDescriptionHash(cert, Buffer.concat([bytes, Buffer.from([0])])), { code: 'CVC_DESCRIPTION_HASH_MISMATCH' });
    assert.throws(() => checkDescriptionHash({ ...cert, extensions: [] }, bytes), { code: 'CVC_DESCRIPTION_MISSING' });
    const p384 = { ...cert, publicKey: { ...publicKey, oid: TA_ECDSA_OIDS.SHA_384 } };
    assert.equal(descriptionHash(p384, bytes).length, 48);
    assert.throws(() => checkDescriptionHash(p384, bytes), { code: 'CVC_DESCRIPTION_HASH_MISMATCH' });
  });
});
