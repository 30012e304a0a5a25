/**
 * WS-Security signing and verification (src/soap/wss/ws-security.ts) on their own: round trips,
 * interop both ways with xml-crypto's SignedXml (what node-soap eServices sign and verify with; it
 * was our own implementation before), and the refusals of every part of the accepted shape. The
 * pipeline-level negatives (stripped, wrong key, tampered, wrapped, replayed, stale) are in
 * eid-interface.test.ts; xmlsec1 in test/interop/wss-xmlsec.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createSign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';
import { SOAP11_NS } from '../../../src/soap/profiles.js';
import { issuerSerialOf, signEnvelope, verifyEnvelope, WSSE_NS, WSU_NS } from '../../../src/soap/wss/ws-security.js';
import { esc } from '../../../src/soap/xml/dom.js';
import { parseXml } from '../../../src/soap/xml/parse.js';
import { rsaCert, type Pem } from './fixtures.js';

const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const signer = () => rsaCert('client');
const verifies = (xml: string, cert = signer().cert) => verifyEnvelope(xml, parseXml(xml), cert);
const refuses = (xml: string, code = 'WSS_SIGNATURE_INVALID', cert = signer().cert) => assert.throws(() => verifies(xml, cert), { code });

/** Operation shapes that xml-crypto's canonicalizer orders as xml-exc-c14n does (see the interop test for the others). */
const OPERATIONS = [
  '<eid:useIDRequest xmlns:eid="http://bsi.bund.de/eID/"><eid:UseOperations><eid:GivenNames>REQUIRED</eid:GivenNames></eid:UseOperations></eid:useIDRequest>',
  '<useIDRequest xmlns="urn:x"><A a="1" b="&quot;&lt;&amp;">y &amp; &lt; &gt;</A><B xmlns=""><C>王小明</C></B><!-- c --><D><![CDATA[<raw>]]></D></useIDRequest>',
  '<e:Op xmlns:e="urn:e" xmlns:unused="urn:u">\n  <e:X xmlns:e="urn:e">1</e:X>\r\n  <p:Y xmlns:p="urn:p" p:z="2"/>\n</e:Op>',
];

/** xml-crypto SignedXml signing the same policy shape (what the previous signEnvelope did). */
function xmlCryptoSign(operationXml: string, cred: Pem): string {
  const now = new Date();
  const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
  const unsigned =
    `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}">` +
    `<soap:Header><wsse:Security soap:mustUnderstand="1"><wsu:Timestamp wsu:Id="TS-x1">` +
    `<wsu:Created>${iso(now)}</wsu:Created><wsu:Expires>${iso(new Date(now.getTime() + 300_000))}</wsu:Expires>` +
    `</wsu:Timestamp></wsse:Security></soap:Header><soap:Body wsu:Id="Body-x2">${operationXml}</soap:Body></soap:Envelope>`;
  const { issuer, serial } = issuerSerialOf(cred.cert);
  const sig = new SignedXml({
    privateKey: createPrivateKey(cred.key), signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC, idMode: 'wssecurity',
    getKeyInfoContent: () => `<wsse:SecurityTokenReference xmlns:wsse="${WSSE_NS}"><ds:X509Data><ds:X509IssuerSerial>` +
      `<ds:X509IssuerName>${esc(issuer)}</ds:X509IssuerName><ds:X509SerialNumber>${serial}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference>`,
  });
  sig.addReference({ xpath: `//*[local-name(.)='Timestamp' and namespace-uri(.)='${WSU_NS}']`, transforms: [EXC], digestAlgorithm: SHA256 });
  sig.addReference({ xpath: `//*[local-name(.)='Body' and namespace-uri(.)='${SOAP11_NS}']`, transforms: [EXC], digestAlgorithm: SHA256 });
  sig.computeSignature(unsigned, { prefix: 'ds', location: { reference: `//*[local-name(.)='Security' and namespace-uri(.)='${WSSE_NS}']`, action: 'append' } });
  return sig.getSignedXml();
}

/** xml-crypto SignedXml verifying (what the previous verifyEnvelope called). */
function xmlCryptoVerifies(xml: string, cert: string): boolean {
  const doc = parseXml(xml);
  const sig = new SignedXml({ publicCert: cert, idMode: 'wssecurity', getCertFromKeyInfo: () => null });
  sig.loadSignature(doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature').item(0) as Element);
  try {
    return sig.checkSignature(xml);
  } catch {
    return false;
  }
}

/** Re-signs the SignedInfo after an edit, so a test reaches the check behind the signature value. */
function resign(xml: string, edit: (signedInfo: string) => string, cred: Pem = signer()): string {
  const m = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(xml);
  assert.ok(m);
  const signedInfo = edit(m[0]);
  // Exclusive c14n of this SignedInfo: the ds declaration on it, empty elements written out.
  const canonical = signedInfo
    .replace('<ds:SignedInfo>', '<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">')
    .replace(/<(ds:[A-Za-z]+)([^<>]*?)\/>/g, '<$1$2></$1>');
  const value = createSign('RSA-SHA256').update(canonical).sign(createPrivateKey(cred.key), 'base64');
  return xml.replace(m[0], signedInfo).replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, `<ds:SignatureValue>${value}</ds:SignatureValue>`);
}

describe('WS-Security (wss/ws-security)', () => {
  it('signEnvelope → verifyEnvelope: the operation from the signed Body, replay digest of the SignatureValue, Created', () => {
    for (const op of OPERATIONS) {
      const xml = signEnvelope(op, signer());
      const v = verifies(xml);
      assert.equal(v.operation.localName, parseXml(op).documentElement?.localName);
      const value = /<ds:SignatureValue>([^<]*)</.exec(xml)?.[1] ?? '';
      assert.equal(v.signatureDigest, createHash('sha256').update(value).digest('hex'));
      assert.ok(Math.abs(v.created.getTime() - Date.now()) < 2000);
    }
  });

  it('the resign helper reproduces the canonical SignedInfo (so the tests below reach the checks behind the signature)', () => {
    assert.ok(verifies(resign(signEnvelope(OPERATIONS[0] as string, signer()), (s) => s)).operation);
  });

  it('xml-crypto SignedXml verifies what we sign, and we verify what SignedXml signs', () => {
    for (const op of OPERATIONS) {
      assert.equal(xmlCryptoVerifies(signEnvelope(op, signer()), signer().cert), true, op);
      assert.ok(verifies(xmlCryptoSign(op, signer())).operation, op);
    }
  });

  it('a changed Body, Timestamp, DigestValue or SignatureValue is refused (and SignedXml agrees)', () => {
    const xml = signEnvelope(OPERATIONS[0] as string, signer());
    const digest = /<ds:DigestValue>([^<]*)</.exec(xml)?.[1] as string;
    const value = /<ds:SignatureValue>([^<]*)</.exec(xml)?.[1] as string;
    const flip = (b64: string) => Buffer.from(Buffer.from(b64, 'base64').map((b, i) => (i === 5 ? b ^ 1 : b))).toString('base64');
    for (const bad of [
      xml.replace('REQUIRED', 'ALLOWED'),
      xml.replace(/<wsu:Expires>/, '<wsu:Expires xmlns:x="urn:x" x:y="1">'),
      xml.replace(digest, flip(digest)),
      xml.replace(value, flip(value)),
      xml.replace('<eid:UseOperations>', '<eid:UseOperations xmlns:eid2="urn:other">').replace('</eid:useIDRequest>', '<eid2:x xmlns:eid2="urn:other"/></eid:useIDRequest>'),
    ]) {
      refuses(bad);
      assert.equal(xmlCryptoVerifies(bad, signer().cert), false);
    }
  });

  it('an issuer name with RFC 4514 special characters is written escaped once and matches on verification', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-wss-dn-'));
    // openssl -subj: "\," is a literal comma; "\+" a literal plus.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2',
      '-subj', '/C=TW/O=Bank\\, Ltd\\+Co/CN=a;b'], { stdio: 'ignore' });
    const cred = { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
    const rfc2253 = execFileSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-noout', '-issuer', '-nameopt', 'RFC2253']).toString().trim().replace(/^issuer=/, '');
    assert.equal(issuerSerialOf(cred.cert).issuer, rfc2253, 'the same string openssl prints in RFC 2253 form');
    assert.match(rfc2253, /O=Bank\\, Ltd\\\+Co/);
    assert.equal(verifyEnvelope('', parseXml(signEnvelope(OPERATIONS[0] as string, cred)), cred.cert).operation.localName, 'useIDRequest');
  });

  it('the key must be the registered one: another signer key → invalid, another IssuerSerial → unknown certificate', () => {
    refuses(signEnvelope(OPERATIONS[0] as string, { key: rsaCert('intruder').key, cert: signer().cert }));
    refuses(signEnvelope(OPERATIONS[0] as string, rsaCert('intruder')), 'WSS_CERTIFICATE_UNKNOWN');
  });

  it('a registered certificate without an RSA key is refused, even with a valid ECDSA value (rsa-sha256 only)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-wss-ec-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=ec'], { stdio: 'ignore' });
    const ecCert = readFileSync(join(dir, 'c.pem'), 'utf8');
    // Signed with the EC key itself: node:crypto would verify the ECDSA value under 'sha256' if the key type were not checked.
    refuses(signEnvelope(OPERATIONS[0] as string, { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: ecCert }), 'WSS_SIGNATURE_INVALID', ecCert);
  });

  describe('refusals of the signed shape (each re-signed, so only the shape check can refuse it)', () => {
    const xml = () => signEnvelope(OPERATIONS[0] as string, signer());
    const tsRef = (s: string) => /<ds:Reference URI="#TS-[\s\S]*?<\/ds:Reference>/.exec(s)?.[0] as string;
    const bodyRef = (s: string) => /<ds:Reference URI="#Body-[\s\S]*?<\/ds:Reference>/.exec(s)?.[0] as string;

    it('SignatureMethod other than rsa-sha256, CanonicalizationMethod other than exc-c14n', () => {
      refuses(resign(xml(), (s) => s.replace(RSA_SHA256, 'http://www.w3.org/2000/09/xmldsig#rsa-sha1')));
      refuses(resign(xml(), (s) => s.replace(`<ds:CanonicalizationMethod Algorithm="${EXC}"/>`, '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>')));
    });

    it('a third reference, a missing reference, both references to the Body, an extra SignedInfo child', () => {
      refuses(resign(xml(), (s) => s.replace('</ds:SignedInfo>', `${bodyRef(s)}</ds:SignedInfo>`)));
      refuses(resign(xml(), (s) => s.replace(tsRef(s), '')));
      refuses(resign(xml(), (s) => s.replace(tsRef(s), bodyRef(s))));
      refuses(resign(xml(), (s) => s.replace('</ds:SignedInfo>', '<ds:Object/></ds:SignedInfo>')));
    });

    it('a transform besides exc-c14n (enveloped-signature, XPath), content in the Transform other than InclusiveNamespaces', () => {
      const enveloped = '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>';
      refuses(resign(xml(), (s) => s.replace(bodyRef(s), bodyRef(s).replace('<ds:Transforms>', `<ds:Transforms>${enveloped}`))));
      refuses(resign(xml(), (s) => s.replace(bodyRef(s), bodyRef(s).replace(`<ds:Transform Algorithm="${EXC}"/>`, `<ds:Transform Algorithm="${EXC}"><ds:XPath>1</ds:XPath></ds:Transform>`))));
      refuses(resign(xml(), (s) => s.replace(bodyRef(s), bodyRef(s).replace('<ds:Transforms>', '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"/>'))));
    });

    it('a DigestMethod other than sha256, a DigestValue that is not a SHA-256 value, two DigestValues', () => {
      refuses(resign(xml(), (s) => s.replace(bodyRef(s), bodyRef(s).replace(SHA256, 'http://www.w3.org/2000/09/xmldsig#sha1'))));
      refuses(resign(xml(), (s) => s.replace(/<ds:DigestValue>[^<]*<\/ds:DigestValue>/, '<ds:DigestValue>AAAA</ds:DigestValue>')));
      refuses(resign(xml(), (s) => s.replace(/(<ds:DigestValue>[^<]*<\/ds:DigestValue>)/, '$1$1')));
    });

    it('an id that names two elements (the Body id also as ID on a Header element)', () => {
      const signed = xml();
      const id = /wsu:Id="(Body-[0-9a-f]+)"/.exec(signed)?.[1] as string;
      refuses(signed.replace('</wsse:Security>', `</wsse:Security><x:H xmlns:x="urn:x" ID="${id}"/>`));
    });

    it('two SignedInfo or two SignatureValue elements', () => {
      const signed = xml();
      const signedInfo = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(signed)?.[0] as string;
      refuses(signed.replace(signedInfo, signedInfo + signedInfo));
      const value = /<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/.exec(signed)?.[0] as string;
      refuses(signed.replace(value, value + value));
    });
  });
});
