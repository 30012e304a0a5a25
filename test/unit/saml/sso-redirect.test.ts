import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import request from 'supertest';
import { STATUS_PREFIX } from '../../../src/saml/namespaces.js';
import { signEnveloped } from '../../../src/saml/xmldsig.js';
import { samlWorld, type SamlWorld } from '../../support/saml.js';
import { authnRequest, cookieOf, eidSessionIdOf, pageCode, redirectPath, responseOf, statusCode } from '../../support/saml-requests.js';

const TW_RESULT = {
  attributes: {
    ChineseName: { status: 'value' as const, text: '王小明' },
    DateOfBirth: { status: 'value' as const, text: '19800101' },
    HouseholdAddress: { status: 'notOnChip' as const },
  },
  ageVerification: true,
  documentValidity: 'valid' as const,
};

async function startLogin(w: SamlWorld, relayState = 'rs-1') {
  const { id, path } = redirectPath(w, { relayState });
  const res = await request(w.app).get(path);
  assert.equal(res.status, 200, res.text.slice(0, 400));
  return { requestId: id, eidSessionId: eidSessionIdOf(res), cookie: cookieOf(res) };
}

describe('saml-profiles §4.1 SSO over HTTP-Redirect (tr03130-1 §4)', function () {
  this.timeout(60_000);
  let w: SamlWorld;
  before(async () => {
    w = await samlWorld();
  });

  it('login: signed request with encrypted extension → eID session → encrypted assertion over Redirect', async () => {
    const { requestId, eidSessionId, cookie } = await startLogin(w);
    const session = await w.sessions.get(eidSessionId);
    assert.ok(session);
    assert.equal(session.request.front, 'saml');
    assert.deepEqual(session.request.required, ['ChineseName', 'DateOfBirth', 'AgeVerification']);
    // HouseholdAddress: RequiredAttribute=false and optional in the registry → deselectable.
    assert.deepEqual(session.request.optional, ['HouseholdAddress']);
    assert.deepEqual(session.request.ageVerification, { age: 18 });
    await w.sessions.storeResult(eidSessionId, TW_RESULT);

    const res = await request(w.app).get(`/saml/continue?session=${eidSessionId}`).set('Cookie', cookie);
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const r = responseOf(w, res, requestId);
    assert.equal(r.status, `${STATUS_PREFIX}Success`);
    assert.equal(r.relayState, 'rs-1');
    assert.deepEqual(r.attributes.ChineseName?.values, ['王小明']);
    assert.deepEqual(r.attributes.DateOfBirth?.values, ['19800101']);
    assert.equal(r.attributes.HouseholdAddress?.notOnChip, true);
    assert.deepEqual(r.attributes.AgeVerification?.values, ['Request=18;Result=true']);
    assert.match(r.attributes.DocumentValidity?.values[0] ?? '', /ReferenceDate=\d{4}-\d{2}-\d{2};Status=valid/);
    assert.equal(r.subjectConfirmation?.recipient, w.sp.acsUrl);
    assert.equal(r.subjectConfirmation?.inResponseTo, requestId);
    assert.ok(r.subjectConfirmation?.address, 'client Address');
    const ttl = Date.parse(r.subjectConfirmation?.notOnOrAfter ?? '') - Date.now();
    assert.ok(ttl > 0 && ttl <= 5 * 60_000, `NotOnOrAfter within 5 minutes (${ttl})`);
    assert.equal(r.oneTimeUse, true);
    assert.equal(r.audience, w.sp.entityId);
    assert.equal(r.authnContextClassRef, 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI');
    assert.match(r.assertionXml ?? '', /Format="urn:oasis:names:tc:SAML:2\.0:nameid-format:transient"/);
    // The eID result was delivered once and deleted (SPEC §7).
    assert.equal(await w.sessions.get(eidSessionId), null);
    const again = await request(w.app).get(`/saml/continue?session=${eidSessionId}`).set('Cookie', cookie);
    assert.equal(pageCode(again), 'AUTHTX_NOT_FOUND');
  });

  it('switches to HTTP-POST (signed Response) when the redirect URL would exceed redirectMaxBytes', async () => {
    const small = await samlWorld({ settings: { redirectMaxBytes: 1000 } });
    const { requestId, eidSessionId, cookie } = await startLogin(small);
    await small.sessions.storeResult(eidSessionId, TW_RESULT);
    const res = await request(small.app).get(`/saml/continue?session=${eidSessionId}`).set('Cookie', cookie);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-security-policy'] ?? '', /script-src 'nonce-/);
    const r = responseOf(small, res, requestId);
    assert.equal(r.status, `${STATUS_PREFIX}Success`);
    assert.deepEqual(r.attributes.ChineseName?.values, ['王小明']);
  });

  it('AUTHTX_BROWSER_MISMATCH: the continue URL from another browser (stolen RefreshAddress) is refused', async () => {
    const { eidSessionId, cookie } = await startLogin(w);
    await w.sessions.storeResult(eidSessionId, TW_RESULT);
    const thief = await request(w.app).get(`/saml/continue?session=${eidSessionId}`).set('Cookie', cookie.replace(/=([^;]+)/, '=AAAA'));
    assert.equal(thief.status, 400);
    assert.equal(pageCode(thief), 'AUTHTX_BROWSER_MISMATCH');
    const none = await request(w.app).get(`/saml/continue?session=${eidSessionId}`);
    assert.equal(pageCode(none), 'AUTHTX_BROWSER_MISMATCH');
    // The rightful browser can still finish.
    const ok = await request(w.app).get(`/saml/continue?session=${eidSessionId}`).set('Cookie', cookie);
    assert.equal(ok.status, 303);
  });

  it('an eID failure becomes Responder/AuthnFailed at the ACS', async () => {
    const { requestId, eidSessionId, cookie } = await startLogin(w);
    await w.sessions.storeResult(eidSessionId, { error: { code: 'PAOS_CLIENT_ERROR' }, attributes: {} });
    const res = await request(w.app).get(`/saml/continue?session=${eidSessionId}`).set('Cookie', cookie);
    const r = responseOf(w, res, requestId);
    assert.equal(r.status, `${STATUS_PREFIX}Responder`);
    assert.equal(r.assertionXml, undefined);
  });

  describe('refused before the requester is authenticated: HTTP 400 page, no Response', () => {
    const pageCases: [string, (w: SamlWorld) => string, string][] = [
      ['stripped signature', (w) => redirectPath(w).path.replace(/&Signature=[^&]+/, ''), 'SAML_SIGNATURE_MISSING'],
      ['stripped SigAlg and signature', (w) => redirectPath(w).path.replace(/&SigAlg=[^&]+&Signature=[^&]+/, ''), 'SAML_SIGNATURE_MISSING'],
      ['signature by an unregistered key', (w) => redirectPath(w, { signingKey: w.sp.encryptionKey }).path, 'SAML_SIGNATURE_INVALID'],
      ['tampered RelayState', (w) => redirectPath(w, { relayState: 'a' }).path.replace('RelayState=a', 'RelayState=b'), 'SAML_SIGNATURE_INVALID'],
      ['SigAlg ECDSA over an RSA key', (w) => redirectPath(w).path.replace(/SigAlg=[^&]+/, `SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256')}`), 'SAML_SIGALG_MISMATCH'],
      ['SigAlg RSA-SHA1', (w) => redirectPath(w).path.replace(/SigAlg=[^&]+/, `SigAlg=${encodeURIComponent('http://www.w3.org/2000/09/xmldsig#rsa-sha1')}`), 'SAML_SIGALG_UNSUPPORTED'],
      ['SigAlg RSA-SHA512 over a SHA-256 signature', (w) => redirectPath(w).path.replace(/SigAlg=[^&]+/, `SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha512')}`), 'SAML_SIGNATURE_INVALID'],
      ['second SAMLRequest parameter (HPP wrapping)', (w) => {
        const evil = redirectPath(w, { spec: { acsUrl: 'https://evil.example/acs' } }).path;
        const good = redirectPath(w).path;
        return `${good}&${/SAMLRequest=[^&]+/.exec(evil)?.[0] ?? ''}`;
      }, 'SAML_QUERY_INVALID'],
      ['unknown Issuer', (w) => redirectPath(w, { spec: { issuer: 'https://unknown.example/sp' } }).path, 'SAML_ISSUER_UNKNOWN'],
      ['ACS not in the metadata', (w) => redirectPath(w, { spec: { acsUrl: 'https://evil.example/acs' } }).path, 'SAML_ACS_NOT_REGISTERED'],
      ['ACS differing only by a trailing slash', (w) => redirectPath(w, { spec: { acsUrl: `${w.sp.acsUrl}/` } }).path, 'SAML_ACS_NOT_REGISTERED'],
      ['embedded XML signature inside a Redirect request (wrapping)', (w) => redirectPath(w, { spec: { extraXml: '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>' } }).path, 'SAML_REQUEST_MALFORMED'],
      ['no SAMLRequest', () => '/saml/sso?RelayState=x', 'SAML_REQUEST_MISSING'],
      ['not DEFLATE', () => `/saml/sso?SAMLRequest=${encodeURIComponent(Buffer.from('<x/>').toString('base64'))}`, 'SAML_REQUEST_ENCODING'],
      ['RelayState over 80 bytes', (w) => redirectPath(w, { relayState: 'r'.repeat(81) }).path, 'SAML_QUERY_INVALID'],
    ];
    for (const [title, build, code] of pageCases) {
      it(`${code}: ${title}`, async () => {
        const res = await request(w.app).get(build(w));
        assert.equal(res.status, 400, res.text.slice(0, 200));
        assert.equal(pageCode(res), code);
        assert.equal(res.headers.location, undefined);
      });
    }

    const raw = (xml: string) => `/saml/sso?SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`;
    it('SAML_XML_FORBIDDEN: XXE (external entity)', async () => {
      const res = await request(w.app).get(raw('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:AuthnRequest>'));
      assert.equal(pageCode(res), 'SAML_XML_FORBIDDEN');
    });
    it('SAML_XML_FORBIDDEN: entity expansion (billion laughs)', async () => {
      const lol = '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
      const res = await request(w.app).get(raw(`${lol}<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&c;</samlp:AuthnRequest>`));
      assert.equal(pageCode(res), 'SAML_XML_FORBIDDEN');
    });
    it('SAML_REQUEST_TOO_LARGE: zip bomb (inflates past the cap)', async () => {
      // 4 MiB of spaces deflate to ~4 KiB: within a URL, far past the 256 KiB inflate cap.
      const bomb = deflateRawSync(Buffer.alloc(4 * 1024 * 1024, 0x20)).toString('base64');
      const res = await request(w.app).get(`/saml/sso?SAMLRequest=${encodeURIComponent(bomb)}`);
      assert.equal(pageCode(res), 'SAML_REQUEST_TOO_LARGE');
    });
    it('SAML_REQUEST_TOO_LARGE: oversize encoded parameter (POST binding; Node caps URLs at 16 KiB anyway)', async () => {
      const res = await request(w.app).post('/saml/sso').type('form').send({ SAMLRequest: 'A'.repeat(70 * 1024) });
      assert.equal(pageCode(res), 'SAML_REQUEST_TOO_LARGE');
    });
  });

  describe('refused after authentication: SAML status at the verified ACS', () => {
    const statusCases: [string, (w: SamlWorld) => Promise<string> | string, string, string][] = [
      ['stale IssueInstant', (w) => redirectPath(w, { spec: { issueInstant: new Date(Date.now() - 10 * 60_000) } }).path, 'SAML_ISSUE_INSTANT_INVALID', 'RequestDenied'],
      ['IssueInstant in the future', (w) => redirectPath(w, { spec: { issueInstant: new Date(Date.now() + 5 * 60_000) } }).path, 'SAML_ISSUE_INSTANT_INVALID', 'RequestDenied'],
      ['Destination of another IdP', (w) => redirectPath(w, { spec: { destination: 'https://other-idp.example/sso' } }).path, 'SAML_DESTINATION_MISMATCH', 'RequestDenied'],
      ['unapproved attribute (Photo)', (w) => redirectPath(w, { attributes: [{ name: 'ChineseName' }, { name: 'Photo', required: false }] }).path, 'SAML_ATTRIBUTE_NOT_APPROVED', 'RequestDenied'],
      ['attribute of another profile (GivenNames in tw)', (w) => redirectPath(w, { attributes: [{ name: 'GivenNames' }] }).path, 'SAML_ATTRIBUTE_UNKNOWN', 'RequestUnsupported'],
      ['no encrypted extension', (w) => redirectPath(w, { noExtension: true }).path, 'SAML_EXTENSION_MISSING', 'RequestUnsupported'],
      ['extension encrypted to another key', (w) => redirectPath(w, { extensionCertPem: w.sp.encryptionCertPem }).path, 'SAML_EXTENSION_DECRYPT_FAILED', 'RequestUnsupported'],
      ['AgeVerification without Age', (w) => redirectPath(w, { attributes: [{ name: 'AgeVerification' }] }).path, 'SAML_EXTENSION_MALFORMED', 'RequestUnsupported'],
      ['ProtocolBinding artifact', (w) => redirectPath(w, { spec: { protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact' } }).path, 'SAML_BINDING_UNSUPPORTED', 'UnsupportedBinding'],
    ];
    for (const [title, build, code, second] of statusCases) {
      it(`${code}: ${title}`, async () => {
        const res = await request(w.app).get(await build(w));
        assert.equal(res.status, 303, res.text.slice(0, 300));
        const r = responseOf(w, res);
        assert.equal(statusCode(r), code);
        assert.equal(r.secondStatus, `${STATUS_PREFIX}${second}`);
        assert.equal(r.assertionXml, undefined);
      });
    }

    it('SAML_REQUEST_REPLAYED: the same signed request twice', async () => {
      const { path } = redirectPath(w);
      assert.equal((await request(w.app).get(path)).status, 200);
      const res = await request(w.app).get(path);
      const r = responseOf(w, res);
      assert.equal(statusCode(r), 'SAML_REQUEST_REPLAYED');
      assert.equal(r.secondStatus, `${STATUS_PREFIX}RequestDenied`);
    });

    it('SAML_SERVICE_INACTIVE: a suspended eService', async () => {
      const suspended = await samlWorld({ definition: { ...(await import('../../support/saml.js')).demoSamlDefinition(), state: 'suspended' } });
      const res = await request(suspended.app).get(redirectPath(suspended).path);
      assert.equal(statusCode(responseOf(suspended, res)), 'SAML_SERVICE_INACTIVE');
    });
  });

  describe('HTTP-POST binding AuthnRequests (enveloped signature; wrapping)', () => {
    const post = (xml: string) => request(w.app).post('/saml/sso').type('form').send({ SAMLRequest: Buffer.from(xml).toString('base64') });
    const signed = (xml: string) => signEnveloped(xml, { privateKey: w.sp.signingKey, certificateBase64: Buffer.from(w.sp.signingCertPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64'), afterChild: { ns: 'urn:oasis:names:tc:SAML:2.0:assertion', localName: 'Issuer' } });

    it('a signed POST request is accepted', async () => {
      const res = await post(signed(authnRequest(w).xml));
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.ok(eidSessionIdOf(res));
    });
    it('SAML_SIGNATURE_MISSING: unsigned POST request', async () => {
      assert.equal(pageCode(await post(authnRequest(w).xml)), 'SAML_SIGNATURE_MISSING');
    });
    it('SAML_SIGNATURE_INVALID: content changed after signing', async () => {
      const xml = signed(authnRequest(w).xml).replace(w.sp.acsUrl, 'https://evil.example/acs');
      assert.equal(pageCode(await post(xml)), 'SAML_SIGNATURE_INVALID');
    });
    it('SAML_SIGNATURE_INVALID: XSW — evil root carrying the signature of a wrapped original', async () => {
      const original = signed(authnRequest(w).xml);
      const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(original)?.[0] ?? '';
      const evil = authnRequest(w, { spec: { id: '_evil', acsUrl: w.sp.acsUrl } }).xml
        .replace('</saml:Issuer>', `</saml:Issuer>${sig}`)
        .replace('</samlp:AuthnRequest>', `<samlp:Extensions>${original.replace(/<\?xml[^>]*>/, '')}</samlp:Extensions></samlp:AuthnRequest>`);
      const code = pageCode(await post(evil));
      assert.ok(code === 'SAML_SIGNATURE_INVALID' || code === 'SAML_REQUEST_MALFORMED', String(code));
    });
    it('SAML_SIGNATURE_INVALID: XSW — signed original with a duplicated ID beside it', async () => {
      const original = signed(authnRequest(w).xml);
      const id = /ID="([^"]+)"/.exec(original)?.[1] ?? '';
      const evil = original.replace('</samlp:AuthnRequest>', `<saml:Subject xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}"/></samlp:AuthnRequest>`);
      assert.equal(pageCode(await post(evil)), 'SAML_SIGNATURE_INVALID');
    });
  });
});
