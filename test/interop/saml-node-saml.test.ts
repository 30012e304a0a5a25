/**
 * @node-saml/node-saml 5.1 (an independent SP implementation) against our IdP: it sends signed
 * HTTP-Redirect AuthnRequests (with our encrypted extension added through samlAuthnRequestExtensions),
 * and consumes our Responses — POST: full validatePostResponseAsync (signature, decryption,
 * InResponseTo, audience, time); Redirect: its URL-signature check and its decryption.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { SAML } from '@node-saml/node-saml';
import { decryptXml } from '@node-saml/node-saml/lib/xml.js';
import request from 'supertest';
import { buildRequestExtension, encryptRequestExtension } from '../../src/saml/demo/sp-client.js';
import { samlWorld, type SamlWorld } from '../support/saml.js';
import { cookieOf, eidSessionIdOf, redirectPath } from '../support/saml-requests.js';

const RESULT = {
  attributes: { ChineseName: { status: 'value' as const, text: '王小明' }, DateOfBirth: { status: 'value' as const, text: '19800101' } },
  ageVerification: true, documentValidity: 'valid' as const,
};

function nodeSamlSp(w: SamlWorld, binding: 'post' | 'redirect'): SAML {
  const extension = encryptRequestExtension(
    buildRequestExtension([{ name: 'ChineseName', required: true }, { name: 'DateOfBirth', required: true }, { name: 'AgeVerification', required: true, value: '18' }]),
    w.keys.current('saml-encryption').certificatePem,
  );
  return new SAML({
    entryPoint: w.endpoints.ssoUrl,
    callbackUrl: w.sp.acsUrl,
    issuer: w.sp.entityId,
    audience: w.sp.entityId,
    idpCert: w.keys.published('saml-signing').map((k) => k.certificatePem),
    privateKey: readFileSync('test/fixtures/demo-eservices/demo-saml-signing.key.pem', 'utf8'),
    decryptionPvk: readFileSync('test/fixtures/demo-eservices/demo-saml-encryption.key.pem', 'utf8'),
    signatureAlgorithm: 'sha256',
    identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    disableRequestedAuthnContext: true,
    wantAuthnResponseSigned: binding === 'post',
    wantAssertionsSigned: false,
    validateInResponseTo: 'always' as never,
    samlAuthnRequestExtensions: { '#raw': extension },
  });
}

async function login(w: SamlWorld, sp: SAML) {
  const url = await sp.getAuthorizeUrlAsync('relay-42', undefined, {});
  const start = await request(w.app).get(url.slice(new URL(url).origin.length));
  assert.equal(start.status, 200, start.text.slice(0, 400));
  const id = eidSessionIdOf(start);
  await w.sessions.storeResult(id, RESULT);
  return request(w.app).get(`/saml/continue?session=${id}`).set('Cookie', cookieOf(start));
}

describe('interop: @node-saml/node-saml as SP', function () {
  this.timeout(60_000);
  let w: SamlWorld;
  before(async () => {
    w = await samlWorld();
  });

  it('signed Redirect AuthnRequest with our extension → POST Response validated and decrypted by node-saml', async () => {
    const sp = nodeSamlSp(w, 'post');
    const res = await login(w, sp);
    const form = /name="SAMLResponse" value="([^"]+)"/.exec(res.text)?.[1];
    const relay = /name="RelayState" value="([^"]*)"/.exec(res.text)?.[1];
    assert.ok(form, `POST form expected (HTTP ${res.status})`);
    assert.equal(relay, 'relay-42');
    const { profile, loggedOut } = await sp.validatePostResponseAsync({ SAMLResponse: form, RelayState: relay ?? '' });
    assert.equal(loggedOut, false);
    assert.ok(profile);
    assert.equal(profile.nameIDFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient');
    assert.equal(profile.ChineseName, '王小明');
    assert.equal(profile.DateOfBirth, '19800101');
  });

  it('node-saml refuses our POST Response when it is tampered with', async () => {
    const sp = nodeSamlSp(w, 'post');
    const res = await login(w, sp);
    const form = /name="SAMLResponse" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
    const xml = Buffer.from(form, 'base64').toString('utf8').replace('Destination="', 'Destination="x');
    await assert.rejects(sp.validatePostResponseAsync({ SAMLResponse: Buffer.from(xml).toString('base64') }));
  });

  it('Redirect Response: node-saml verifies the URL signature and decrypts the assertion', async () => {
    // node-saml always asks for ProtocolBinding HTTP-POST, so this request comes from our SP client
    // (no ProtocolBinding: the IdP answers over Redirect, tr03130-1 §4); node-saml consumes the answer.
    const sp = nodeSamlSp(w, 'redirect');
    const { path } = redirectPath(w, { relayState: 'relay-42' });
    const start = await request(w.app).get(path);
    await w.sessions.storeResult(eidSessionIdOf(start), RESULT);
    const res = await request(w.app).get(`/saml/continue?session=${eidSessionIdOf(start)}`).set('Cookie', cookieOf(start));
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const location = res.headers.location ?? '';
    const query = location.slice(location.indexOf('?') + 1);
    const container = Object.fromEntries(new URLSearchParams(query));
    // hasValidSignatureForRedirect is node-saml's Redirect-binding check (protected in its typings).
    const check = (sp as unknown as { hasValidSignatureForRedirect(c: Record<string, string>, q: string): Promise<boolean | void> }).hasValidSignatureForRedirect.bind(sp);
    await check(container, query);
    await assert.rejects(check({ ...container, RelayState: 'forged' }, query.replace('relay-42', 'forged')));
    const xml = inflateRawSync(Buffer.from(container.SAMLResponse ?? '', 'base64')).toString('utf8');
    const encrypted = /<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/.exec(xml)?.[0] ?? '';
    const assertion = await decryptXml(encrypted, readFileSync('test/fixtures/demo-eservices/demo-saml-encryption.key.pem', 'utf8'));
    assert.match(assertion, /<saml:Attribute Name="ChineseName"><saml:AttributeValue xsi:type="xs:string">王小明</);
    assert.match(assertion, /AuthnContextClassRef>urn:oasis:names:tc:SAML:2\.0:ac:classes:SmartcardPKI</);
  });
});
