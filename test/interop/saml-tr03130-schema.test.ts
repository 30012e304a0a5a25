/**
 * xmllint validates our `de` SAML XML against the OASIS SAML 2.0 schemas plus the TR-03130 schema
 * (src/soap/schema/de, see test/support/tr03130-schema.ts for how the two are combined):
 * - the AuthnRequest carrying eid:EncryptedAuthnRequestExtension (saml:EncryptedElementType with
 *   xenc:EncryptedData/EncryptedKey, OASIS xenc schema);
 * - the decrypted eid:AuthnRequestExtension exactly as the IdP decrypts it (Version, RequestedAttributes,
 *   eid:RequiredAttribute as xs:boolean, AgeVerificationRequestType / PlaceVerificationRequestType);
 * - the signed Response with EncryptedAssertion, and the decrypted assertion with its eid-typed parts:
 *   DocumentValidityResultType, AgeVerificationResultType, PlaceVerificationResultType,
 *   RestrictedIDType, eid:AttributeNotOnChip.
 * Plain personal-data values (xs:string) are checked as xs:string only. Each check is shown able to
 * fail with a tampered copy. xmllint missing → the tests fail.
 *
 * @spec tr03130-1 §4.3 (AuthnRequestExtension), §4.9 (Response attribute types); saml-core §2.7.3.1, §3.2.1
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildRequestExtension, signedRedirectRequestUrl, type RequestedAttributeSpec } from '../../src/saml/demo/sp-client.js';
import { NS } from '../../src/saml/namespaces.js';
import { decryptElement } from '../../src/saml/xmlenc.js';
import { children, parseSamlXml } from '../../src/saml/xml.js';
import { samlWorld, type SamlWorld } from '../support/saml.js';
import { deSamlDefinition, DE_APPROVED } from '../support/saml-de.js';
import { authnRequest, cookieOf, eidSessionIdOf, responseOf } from '../support/saml-requests.js';
import { validateTr03130 } from '../support/tr03130-schema.js';

const ATTRIBUTES: RequestedAttributeSpec[] = [
  { name: 'GivenNames', required: true },
  { name: 'FamilyNames', required: true },
  { name: 'PlaceOfResidence', required: false },
  { name: 'ResidencePermitII', required: false },
  { name: 'RestrictedID', required: true },
  { name: 'AgeVerification', required: true, value: '18' },
  { name: 'PlaceVerification', required: true, value: '0276050315' },
];

function valid(xml: string, name: string): void {
  const r = validateTr03130(xml, name);
  assert.equal(r.rc, 0, r.out);
  assert.match(r.out, /validates$/m);
  // The full OASIS assertion schema is in effect, not TR-03130's lax stand-in for saml:Attribute.
  assert.match(r.out, /Skipping import of schema located at '[^']*saml-assertion-2\.0-subset\.xsd'/);
}

function invalid(xml: string, name: string, why: RegExp): void {
  const r = validateTr03130(xml, name);
  assert.notEqual(r.rc, 0, `${name} should be schema-invalid`);
  assert.match(r.out, why);
}

function replaceOnce(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  assert.notEqual(out, xml, `tamper pattern ${String(from)} not found`);
  return out;
}

describe('interop: xmllint with the TR-03130 schema on our de SAML XML', function () {
  this.timeout(120_000);
  let w: SamlWorld;
  before(async () => {
    w = await samlWorld({ definition: deSamlDefinition({
      approvedAttributes: [...DE_APPROVED, 'RestrictedID', 'PlaceVerification'],
      riSector: { id: 'de.demo.registration', publicKey: '.dev/pki/sectors/de.demo.registration.pub.pem' },
    }) });
  });

  it('the AuthnRequest with eid:EncryptedAuthnRequestExtension is valid; one without EncryptedData is not', () => {
    const { xml } = authnRequest(w, { attributes: ATTRIBUTES });
    valid(xml, 'authnrequest-de.xml');
    const stripped = replaceOnce(xml, /(<eid:EncryptedAuthnRequestExtension[^>]*>)[\s\S]*(<\/eid:EncryptedAuthnRequestExtension>)/, '$1$2');
    invalid(stripped, 'authnrequest-de-empty-ext.xml', /EncryptedAuthnRequestExtension/);
  });

  it('the AuthnRequestExtension the IdP decrypts is valid; wrong Version, RequiredAttribute or Age are not', () => {
    const { xml } = authnRequest(w, { attributes: ATTRIBUTES });
    const doc = parseSamlXml(xml);
    const ext = children(children(doc.documentElement!, NS.samlp, 'Extensions')[0]!, NS.eid, 'EncryptedAuthnRequestExtension')[0]!;
    const plain = decryptElement(ext, [w.keys.current('saml-encryption').privateKey]).toString('utf8');
    assert.equal(plain, buildRequestExtension(ATTRIBUTES));
    valid(plain, 'extension-de.xml');
    invalid(replaceOnce(plain, ' Version="2"', ''), 'extension-no-version.xml', /Version/);
    invalid(replaceOnce(plain, 'eid:RequiredAttribute="true"', 'eid:RequiredAttribute="yes"'), 'extension-bad-required.xml', /RequiredAttribute.*xs:boolean/);
    invalid(replaceOnce(plain, '<eid:Age>18</eid:Age>', '<eid:Age>-1</eid:Age>'), 'extension-bad-age.xml', /Age/);
    invalid(replaceOnce(plain, /<eid:CommunityID>/, '<eid:Community>').replace('</eid:CommunityID>', '</eid:Community>'), 'extension-bad-place.xml', /Community/);
  });

  it('the Response and its decrypted assertion (eid-typed values, AttributeNotOnChip) are valid; tampered ones are not', async () => {
    const { xml } = authnRequest(w, { attributes: ATTRIBUTES, spec: { protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST' } });
    const url = signedRedirectRequestUrl(w.endpoints.ssoUrl, xml, w.sp.signingKey);
    const start = await request(w.app).get(url.slice(new URL(url).origin.length));
    assert.equal(start.status, 200, start.text.slice(0, 300));
    const id = eidSessionIdOf(start);
    await w.sessions.storeResult(id, {
      attributes: {
        GivenNames: { status: 'value', text: 'ERIKA' },
        FamilyNames: { status: 'value', text: 'MUSTERMANN' },
        PlaceOfResidence: { status: 'value', place: { kind: 'structured', street: 'HEIDESTRASSE 17', city: 'KÖLN', country: 'D', zipCode: '51147' } },
        ResidencePermitII: { status: 'notOnChip' },
      },
      restrictedId: { id: 'a1'.repeat(32) },
      ageVerification: true,
      placeVerification: true,
      documentValidity: 'valid',
    });
    const res = await request(w.app).get(`/saml/continue?session=${id}`).set('Cookie', cookieOf(start));
    const m = /name="SAMLResponse" value="([^"]+)"/.exec(res.text);
    assert.ok(m?.[1], `POST form expected, got HTTP ${res.status}: ${res.text.slice(0, 200)}`);
    valid(Buffer.from(m[1], 'base64').toString('utf8'), 'response-de.xml');

    const r = responseOf(w, res);
    assert.deepEqual(Object.keys(r.attributes).sort(), ['AgeVerification', 'DocumentValidity', 'FamilyNames', 'GivenNames', 'PlaceOfResidence', 'PlaceVerification', 'ResidencePermitII', 'RestrictedID']);
    const a = r.assertionXml ?? '';
    for (const t of ['DocumentValidityResultType', 'AgeVerificationResultType', 'PlaceVerificationResultType', 'RestrictedIDType']) assert.ok(a.includes(`xsi:type="eid:${t}"`), t);
    assert.ok(a.includes('eid:AttributeNotOnChip="true"'));
    valid(a, 'assertion-de-full.xml');
    invalid(replaceOnce(a, 'eid:AttributeNotOnChip="true"', 'eid:AttributeNotOnChip="yes"'), 'assertion-bad-notonchip.xml', /AttributeNotOnChip.*xs:boolean/);
    invalid(replaceOnce(a, /(xsi:type="eid:AgeVerificationResultType">[\s\S]*?<eid:FulfilsRequest>)true/, '$1maybe'), 'assertion-bad-age.xml', /FulfilsRequest.*xs:boolean/);
    invalid(replaceOnce(a, /(xsi:type="eid:DocumentValidityResultType") Version="1"/, '$1'), 'assertion-bad-validity.xml', /Version/);
    invalid(replaceOnce(a, /<eid:ID>[0-9a-f]+<\/eid:ID>/, '<eid:ID>not-hex</eid:ID>'), 'assertion-bad-rid.xml', /\}ID'.*xs:hexBinary/);
    invalid(replaceOnce(a, /<eid:ReferenceDate>[^<]+</, '<eid:ReferenceDate>yesterday<'), 'assertion-bad-date.xml', /ReferenceDate.*xs:date/);
  });
});
