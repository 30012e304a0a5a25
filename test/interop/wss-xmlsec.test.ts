/**
 * Independent checks of our WS-Security signatures (src/soap/wss/ws-security.ts) with xmlsec1 (XML
 * Security Library: libxml2's exclusive c14n + OpenSSL): xmlsec1 verifies what we sign, and we
 * verify what xmlsec1 signs, over envelope shapes that exercise exclusive c14n (prefixes, default
 * namespaces and undeclarations, attribute order, escaping, comments, CDATA, whitespace, non-ASCII,
 * InclusiveNamespaces PrefixList). xmlsec1 must be installed (.ci/run): a missing tool fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOAP11_NS } from '../../src/soap/profiles.js';
import { DS_NS, issuerSerialOf, signEnvelope, verifyEnvelope, WSSE_NS, WSU_NS } from '../../src/soap/wss/ws-security.js';
import { esc } from '../../src/soap/xml/dom.js';
import { parseXml } from '../../src/soap/xml/parse.js';
import { rsaCert } from '../unit/soap/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'neid-wss-interop-'));
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ID_ATTRS = ['--id-attr:Id', `${WSU_NS}:Timestamp`, '--id-attr:Id', `${SOAP11_NS}:Body`];

function xmlsec1(args: string[]): { rc: number; out: string } {
  const r = spawnSync('xmlsec1', args, { encoding: 'utf8' });
  if (r.error !== undefined) throw new Error('xmlsec1 is not installed (see .ci/run)', { cause: r.error });
  return { rc: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

let n = 0;
function file(content: string): string {
  const path = join(dir, `m${n++}.xml`);
  writeFileSync(path, content);
  return path;
}

/** Operation elements (the one child of the Body) in the shapes exclusive c14n has rules for. */
const OPERATIONS: Record<string, string> = {
  'prefixed': '<eid:useIDRequest xmlns:eid="http://bsi.bund.de/eID/"><eid:A>x</eid:A></eid:useIDRequest>',
  'default namespace and an undeclaration': '<useIDRequest xmlns="urn:x"><A>y</A><B xmlns=""><C>z</C></B><D/></useIDRequest>',
  'attribute order (no namespace first, then by namespace URI, then local name)':
    '<e:Op xmlns:e="urn:e" xmlns:b="urn:ab" xmlns:a="urn:a" z="1" b:c="2" a:bc="3" a="4" a:a="5" xml:lang="zh-TW"/>',
  'namespace declarations in prefix order (mixed case)': '<Z:Op xmlns:Z="urn:z" xmlns:a="urn:a" xmlns:S="urn:s" xmlns:ns2="urn:n" a:x="1" S:y="2" ns2:w="3"/>',
  'attribute escaping': '<e:Op xmlns:e="urn:e" v="&quot;&lt;&amp;&gt;&apos;&#9;&#10;&#13;" w="a\tb\nc"/>',
  'text escaping and non-ASCII': '<e:Op xmlns:e="urn:e">a &amp; b &lt; c &gt; d "\'" &#13; 王小明 😀 &#x10FFFD;</e:Op>',
  'comments and CDATA': '<e:Op xmlns:e="urn:e"><!-- a comment --><e:X><![CDATA[<raw> & ]]]]><![CDATA[>]]></e:X><!--x--></e:Op>',
  'unused and repeated namespace declarations': `<e:Op xmlns:e="urn:e" xmlns:unused="urn:u" xmlns:soap="${SOAP11_NS}"><e:X xmlns:e="urn:e"/><soap:Y/></e:Op>`,
  'whitespace and line ends between elements': '<e:Op xmlns:e="urn:e">\n  <e:X>1</e:X>\r\n\t<e:Y/>\r</e:Op>',
  'prefix rebound deeper': '<p:Op xmlns:p="urn:1"><p:X xmlns:p="urn:2"><p:Y/></p:X><p:Z/></p:Op>',
  'empty elements': '<e:Op xmlns:e="urn:e"><e:X></e:X><e:Y/><e:Z> </e:Z></e:Op>',
};

describe('interop: xmlsec1 and our WS-Security signatures', function () {
  this.timeout(60_000);
  const signer = rsaCert('client');
  const certFile = join(dir, 'signer.crt');
  const keyFile = join(dir, 'signer.key');
  before(() => {
    writeFileSync(certFile, signer.cert);
    writeFileSync(keyFile, signer.key);
  });

  for (const [name, operation] of Object.entries(OPERATIONS)) {
    it(`xmlsec1 verifies our signature: ${name}; a changed Body fails`, () => {
      const xml = signEnvelope(operation, signer);
      const ok = xmlsec1(['--verify', '--pubkey-cert-pem', certFile, ...ID_ATTRS, file(xml)]);
      assert.equal(ok.rc, 0, ok.out);
      assert.match(ok.out, /SignedInfo References \(ok\/all\): 2\/2/);
      const tampered = xml.replace('</soap:Body>', '<x:More xmlns:x="urn:x"/></soap:Body>');
      assert.notEqual(xmlsec1(['--verify', '--pubkey-cert-pem', certFile, ...ID_ATTRS, file(tampered)]).rc, 0);
    });
  }

  /** A template xmlsec1 fills in (DigestValues, SignatureValue), in a peer's own prefixes. */
  function template(operation: string, o: { env?: string; signedInfoPrefixes?: string; tsPrefixes?: string; bodyPrefixes?: string; pretty?: boolean } = {}): string {
    const s = o.env ?? 'S';
    const nl = o.pretty === true ? '\n  ' : '';
    const now = Date.now();
    const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
    const inclusive = (list: string | undefined) => list === undefined ? '' : `<ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="${list}"/>`;
    const transform = (list: string | undefined) => `<ds:Transforms><ds:Transform Algorithm="${EXC}">${inclusive(list)}</ds:Transform></ds:Transforms>`;
    const ref = (id: string, list: string | undefined) =>
      `<ds:Reference URI="#${id}">${nl}${transform(list)}<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>${nl}`;
    const { issuer, serial } = issuerSerialOf(signer.cert);
    return `<${s}:Envelope xmlns:${s}="${SOAP11_NS}">${nl}<${s}:Header>${nl}` +
      `<wsse:Security xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}" ${s}:mustUnderstand="1">${nl}` +
      `<wsu:Timestamp wsu:Id="TS-a1">${nl}<wsu:Created>${iso(now)}</wsu:Created><wsu:Expires>${iso(now + 300_000)}</wsu:Expires></wsu:Timestamp>${nl}` +
      `<ds:Signature xmlns:ds="${DS_NS}">${nl}<ds:SignedInfo>${nl}<ds:CanonicalizationMethod Algorithm="${EXC}">${inclusive(o.signedInfoPrefixes)}</ds:CanonicalizationMethod>${nl}` +
      `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>${nl}${ref('TS-a1', o.tsPrefixes)}${ref('id-b2', o.bodyPrefixes)}</ds:SignedInfo>${nl}` +
      `<ds:SignatureValue/>${nl}<ds:KeyInfo><wsse:SecurityTokenReference><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>${esc(issuer)}</ds:X509IssuerName>` +
      `<ds:X509SerialNumber>${serial}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>${nl}` +
      `</wsse:Security>${nl}</${s}:Header>${nl}<${s}:Body xmlns:wsu="${WSU_NS}" wsu:Id="id-b2">${operation}</${s}:Body>${nl}</${s}:Envelope>`;
  }

  function xmlsecSigned(tpl: string): string {
    const out = join(dir, `signed${n++}.xml`);
    const r = xmlsec1(['--sign', '--privkey-pem', keyFile, ...ID_ATTRS, '--output', out, file(tpl)]);
    assert.equal(r.rc, 0, r.out);
    return readFileSync(out, 'utf8');
  }

  const verifies = (xml: string) => verifyEnvelope(xml, parseXml(xml), signer.cert);

  for (const [name, operation] of Object.entries(OPERATIONS)) {
    it(`we verify xmlsec1's signature: ${name}; a changed Body fails`, () => {
      const xml = xmlsecSigned(template(operation));
      assert.ok(verifies(xml).operation);
      const tampered = xml.replace(/<\/S:Body>/, '<x:More xmlns:x="urn:x"/></S:Body>');
      assert.throws(() => verifies(tampered), { code: 'WSS_SIGNATURE_INVALID' });
    });
  }

  it("we verify xmlsec1's signature with InclusiveNamespaces PrefixList (SignedInfo, Timestamp, Body), WSS4J style", () => {
    for (const o of [
      { signedInfoPrefixes: 'S' },
      { tsPrefixes: 'wsse S', bodyPrefixes: 'S' },
      { env: 'soapenv', signedInfoPrefixes: 'soapenv wsse', tsPrefixes: 'wsse soapenv', bodyPrefixes: 'wsu' },
      { env: 'SOAP-ENV', bodyPrefixes: 'eid unused', pretty: true },
    ]) {
      const xml = xmlsecSigned(template(OPERATIONS['prefixed'] as string, o));
      assert.ok(verifies(xml).operation, JSON.stringify(o));
      assert.throws(() => verifies(xml.replace('<eid:A>x</eid:A>', '<eid:A>y</eid:A>')), { code: 'WSS_SIGNATURE_INVALID' });
    }
  });

  it("we verify xmlsec1's signature in a pretty-printed envelope (whitespace around every header element)", () => {
    const xml = xmlsecSigned(template(OPERATIONS['default namespace and an undeclaration'] as string, { env: 'soapenv', pretty: true }));
    assert.equal(verifies(xml).operation.localName, 'useIDRequest');
  });
});
