/**
 * Independent checks of our SAML XML with xmlsec1 (Aleksey Sanin's XML Security Library, libxml2 +
 * OpenSSL) and xmllint against the OASIS SAML 2.0 schemas. The tools must be installed (.ci/run):
 * a missing tool fails these tests.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { buildAuthnRequest, buildRequestExtension, signedRedirectRequestUrl } from '../../src/saml/demo/sp-client.js';
import { NS } from '../../src/saml/namespaces.js';
import { samlWorld, type SamlWorld } from '../support/saml.js';
import { authnRequest, cookieOf, eidSessionIdOf } from '../support/saml-requests.js';

const dir = mkdtempSync(join(tmpdir(), 'neid-saml-interop-'));
const SCHEMAS = resolve('test/fixtures/saml-schemas');

function run(cmd: string, args: string[]): { rc: number; out: string } {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XML_CATALOG_FILES: join(SCHEMAS, 'catalog.xml') } });
    return { rc: 0, out };
  } catch (err) {
    const e = err as { status?: number; code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${cmd} is not installed (see .ci/run)`, { cause: err });
    return { rc: e.status ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function xmllint(schema: string, xmlPath: string): { rc: number; out: string } {
  return run('xmllint', ['--nonet', '--noout', '--schema', join(SCHEMAS, schema), xmlPath]);
}

async function postResponse(w: SamlWorld): Promise<string> {
  const { xml } = authnRequest(w, { spec: { protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST' } });
  const url = signedRedirectRequestUrl(w.endpoints.ssoUrl, xml, w.sp.signingKey);
  const start = await request(w.app).get(url.slice(new URL(url).origin.length));
  assert.equal(start.status, 200, start.text.slice(0, 300));
  const id = eidSessionIdOf(start);
  await w.sessions.storeResult(id, { attributes: { ChineseName: { status: 'value', text: '王小明' }, DateOfBirth: { status: 'value', text: '19800101' }, HouseholdAddress: { status: 'notOnChip' } }, ageVerification: true, documentValidity: 'valid' });
  const res = await request(w.app).get(`/saml/continue?session=${id}`).set('Cookie', cookieOf(start));
  const m = /name="SAMLResponse" value="([^"]+)"/.exec(res.text);
  assert.ok(m?.[1], `POST form expected, got HTTP ${res.status}`);
  return Buffer.from(m[1], 'base64').toString('utf8');
}

describe('interop: xmlsec1 and xmllint on our SAML XML', function () {
  this.timeout(120_000);
  let w: SamlWorld;
  let signCert: string;
  before(async () => {
    w = await samlWorld();
    signCert = file('idp-sign.crt', w.keys.current('saml-signing').certificatePem);
  });

  it('xmlsec1 verifies the signed IdP metadata; a tampered copy fails', async () => {
    const md = (await request(w.app).get('/saml/metadata')).text;
    const path = file('metadata.xml', md);
    const ok = run('xmlsec1', ['--verify', '--pubkey-cert-pem', signCert, '--id-attr:ID', `${NS.md}:EntityDescriptor`, path]);
    assert.equal(ok.rc, 0, ok.out);
    const bad = file('metadata-bad.xml', md.replace('WantAuthnRequestsSigned="true"', 'WantAuthnRequestsSigned="false"'));
    assert.notEqual(run('xmlsec1', ['--verify', '--pubkey-cert-pem', signCert, '--id-attr:ID', `${NS.md}:EntityDescriptor`, bad]).rc, 0);
  });

  it('xmlsec1 verifies the POST Response signature and decrypts the EncryptedAssertion with the SP key', async () => {
    const xml = await postResponse(w);
    const path = file('response.xml', xml);
    const verified = run('xmlsec1', ['--verify', '--pubkey-cert-pem', signCert, '--id-attr:ID', `${NS.samlp}:Response`, path]);
    assert.equal(verified.rc, 0, verified.out);
    const key = file('sp-enc.key', readFileSync('test/fixtures/demo-eservices/demo-saml-encryption.key.pem', 'utf8'));
    const decrypted = run('xmlsec1', ['--decrypt', '--privkey-pem', key, path]);
    assert.equal(decrypted.rc, 0, decrypted.out);
    assert.match(decrypted.out, /<saml:Assertion /);
    assert.match(decrypted.out, /王小明|&#x738B;&#x5C0F;&#x660E;/);
    assert.match(decrypted.out, /AttributeNotOnChip="true"/);
    const wrongKey = file('wrong.key', readFileSync('test/fixtures/demo-eservices/demo-saml-signing.key.pem', 'utf8'));
    assert.notEqual(run('xmlsec1', ['--decrypt', '--privkey-pem', wrongKey, path]).rc, 0);
  });

  it('a request extension encrypted by xmlsec1 --encrypt (AES-256-GCM, RSA-OAEP) is accepted', async () => {
    const plaintext = file('ext.xml', `<?xml version="1.0" encoding="UTF-8"?>\n${buildRequestExtension([{ name: 'ChineseName', required: true }, { name: 'AgeVerification', required: true, value: '18' }])}`);
    const template = file('ext-tmpl.xml', `<?xml version="1.0"?>
<xenc:EncryptedData xmlns:xenc="${NS.xenc}" xmlns:ds="${NS.ds}" Type="http://www.w3.org/2001/04/xmlenc#Element">
  <xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>
  <ds:KeyInfo><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>
    <xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>
  <xenc:CipherData><xenc:CipherValue/></xenc:CipherData>
</xenc:EncryptedData>`);
    const idpEnc = file('idp-enc.crt', w.keys.current('saml-encryption').certificatePem);
    const enc = run('xmlsec1', ['--encrypt', '--pubkey-cert-pem', idpEnc, '--session-key', 'aes-256', '--xml-data', plaintext, '--node-name', `${NS.eid}:AuthnRequestExtension`, template]);
    assert.equal(enc.rc, 0, enc.out);
    const encryptedData = /<xenc:EncryptedData[\s\S]*<\/xenc:EncryptedData>/.exec(enc.out)?.[0];
    assert.ok(encryptedData, enc.out.slice(0, 300));
    const { xml } = buildAuthnRequest({ issuer: w.sp.entityId, destination: w.endpoints.ssoUrl, acsUrl: w.sp.acsUrl, extensionsXml: `<eid:EncryptedAuthnRequestExtension xmlns:eid="${NS.eid}">${encryptedData}</eid:EncryptedAuthnRequestExtension>` });
    const url = signedRedirectRequestUrl(w.endpoints.ssoUrl, xml, w.sp.signingKey);
    const res = await request(w.app).get(url.slice(new URL(url).origin.length));
    assert.equal(res.status, 200, res.text.slice(0, 400));
    const session = await w.sessions.get(eidSessionIdOf(res));
    assert.deepEqual(session?.request.required, ['ChineseName', 'AgeVerification']);
    assert.deepEqual(session?.request.ageVerification, { age: 18 });
  });

  it('xmllint: AuthnRequest, Response and metadata are valid against the OASIS SAML 2.0 schemas', async () => {
    const req = file('authn-request.xml', authnRequest(w).xml);
    const a = xmllint('saml-schema-protocol-2.0.xsd', req);
    assert.equal(a.rc, 0, a.out);
    const resp = file('response-schema.xml', await postResponse(w));
    const b = xmllint('saml-schema-protocol-2.0.xsd', resp);
    assert.equal(b.rc, 0, b.out);
    const md = file('metadata-schema.xml', (await request(w.app).get('/saml/metadata')).text);
    const c = xmllint('saml-schema-metadata-2.0.xsd', md);
    assert.equal(c.rc, 0, c.out);
    // The check can fail: a Response without Status is refused by the schema.
    const broken = file('response-broken.xml', readFileSync(resp, 'utf8').replace(/<samlp:Status>[\s\S]*?<\/samlp:Status>/, ''));
    assert.notEqual(xmllint('saml-schema-protocol-2.0.xsd', broken).rc, 0);
  });
});
