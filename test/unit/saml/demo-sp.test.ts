import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { demoSamlSpRouter } from '../../../src/saml/demo/demo-sp-router.js';
import { samlWorld, type SamlWorld } from '../../support/saml.js';
import { cookieOf, eidSessionIdOf } from '../../support/saml-requests.js';

describe('demo SAML SP page (/demo-saml)', function () {
  this.timeout(60_000);
  let w: SamlWorld;
  before(async () => {
    const holder: { keys?: SamlWorld['keys'] } = {};
    w = await samlWorld({
      mount: (app) => app.use('/demo-saml', demoSamlSpRouter({
        baseUrl: 'http://localhost:3100/demo-saml', idpSsoUrl: 'http://idp.test/saml/sso',
        idpSigningCertificates: () => holder.keys?.published('saml-signing').map((k) => k.certificatePem) ?? [],
        idpEncryptionCertificate: () => holder.keys?.current('saml-encryption').certificatePem ?? '',
        signingKeyPem: readFileSync('test/fixtures/demo-eservices/demo-saml-signing.key.pem', 'utf8'),
        encryptionKeyPem: readFileSync('test/fixtures/demo-eservices/demo-saml-encryption.key.pem', 'utf8'),
        attributes: [{ name: 'ChineseName', required: true }, { name: 'AgeVerification', required: true, value: '18' }],
      })),
    });
    holder.keys = w.keys;
  });

  const path = (url: string) => url.slice(new URL(url).origin.length);

  it('logs in and shows the decrypted attributes; a response in another browser is refused', async () => {
    const login = await request(w.app).get('/demo-saml/login');
    assert.equal(login.status, 303);
    const spCookie = cookieOf(login);
    const start = await request(w.app).get(path(login.headers.location ?? ''));
    assert.equal(start.status, 200, start.text.slice(0, 300));
    const id = eidSessionIdOf(start);
    await w.sessions.storeResult(id, { attributes: { ChineseName: { status: 'value', text: '陳美玲' } }, ageVerification: true, documentValidity: 'valid' });
    const done = await request(w.app).get(`/saml/continue?session=${id}`).set('Cookie', cookieOf(start));
    assert.equal(done.status, 303);
    const acs = path(done.headers.location ?? '').replace('/demo-saml/acs', '/demo-saml/acs');
    const elsewhere = await request(w.app).get(acs);
    assert.equal(elsewhere.status, 400);
    const shown = await request(w.app).get(acs).set('Cookie', spCookie);
    assert.equal(shown.status, 200, shown.text.slice(0, 300));
    assert.match(shown.text, /Logged in/);
    assert.match(shown.text, /<th>ChineseName<\/th><td>陳美玲<\/td>/);
    assert.match(shown.text, /<th>DocumentValidity<\/th>/);
  });
});
