import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { parseSpMetadata } from '../../../src/saml/metadata/sp-metadata.js';
import { SpResolver } from '../../../src/saml/metadata/sp-resolver.js';
import { signEnveloped } from '../../../src/saml/xmldsig.js';
import { ServiceRegistry } from '../../../src/services/registry.js';
import { createStore } from '../../../src/session/store/index.js';
import { demoSamlDefinition, FIXTURES } from '../../support/saml.js';

const signPem = readFileSync(`${FIXTURES}/demo-saml-signing.crt.pem`, 'utf8');
const encPem = readFileSync(`${FIXTURES}/demo-saml-encryption.crt.pem`, 'utf8');
const b64 = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
const ENTITY = 'http://localhost:3100/demo-saml/metadata';

function metadata(o: { entityId?: string; validUntil?: string; acs?: string } = {}): string {
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_md1" entityID="${o.entityId ?? ENTITY}"${o.validUntil ? ` validUntil="${o.validUntil}"` : ''}>`
    + '<md:SPSSODescriptor AuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    + `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(signPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
    + `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(encPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo><md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"/></md:KeyDescriptor>`
    + `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${o.acs ?? 'https://sp.example/acs-post'}" index="7"/>`
    + '</md:SPSSODescriptor></md:EntityDescriptor>';
}

const metadataSigner = { key: createPrivateKey(readFileSync(`${FIXTURES}/demo-saml-signing.key.pem`)), cert: signPem };
const signed = (xml: string) => signEnveloped(xml, { privateKey: metadataSigner.key, certificateBase64: b64(metadataSigner.cert) });

describe('saml-metadata §2.4.4 SP metadata import', () => {
  it('reads signing/encryption certificates, ACS endpoints and the declared key transport', () => {
    const md = parseSpMetadata(metadata(), new Date());
    assert.equal(md.entityId, ENTITY);
    assert.equal(md.signingCertificates.length, 1);
    assert.equal(md.encryptionCertificates.length, 1);
    assert.deepEqual(md.acs, [{ url: 'https://sp.example/acs-post', binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', index: 7 }]);
    assert.equal(md.keyTransport, 'rsa-oaep-sha256');
  });
  const bad: [string, string][] = [
    ['expired validUntil', metadata({ validUntil: '2001-01-01T00:00:00Z' })],
    ['not an EntityDescriptor', '<x xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>'],
    ['no SPSSODescriptor', '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>'],
    ['garbled certificate', metadata().replace(b64(signPem).slice(0, 40), 'AAAA')],
  ];
  for (const [title, xml] of bad) it(`SAML_METADATA_INVALID: ${title}`, () => assert.throws(() => parseSpMetadata(xml, new Date()), { code: 'SAML_METADATA_INVALID' }));
  it('SAML_XML_FORBIDDEN: DTD in metadata', () => assert.throws(() => parseSpMetadata(`<!DOCTYPE x [<!ENTITY e "x">]>${metadata()}`, new Date()), { code: 'SAML_XML_FORBIDDEN' }));

  describe('metadata from a URL (signature against the configured certificate, refresh)', () => {
    async function resolver(body: () => string) {
      const store = createStore({});
      const registry = new ServiceRegistry(store);
      const def = demoSamlDefinition() as { protocols: { saml: Record<string, unknown> } };
      def.protocols.saml.metadata = { url: 'https://sp.example/metadata.xml', refreshSeconds: 300, signingCertificate: signPem };
      await registry.applyDeclared(def as never, { by: 'test' });
      let calls = 0;
      const r = new SpResolver({ registry, fetch: async () => { calls += 1; return { ok: true, status: 200, text: async () => body() }; } });
      return { r, calls: () => calls };
    }
    it('a signed document is merged into the registry settings and cached', async () => {
      const { r, calls } = await resolver(() => signed(metadata()));
      const sp = await r.resolve(ENTITY);
      assert.ok(sp?.acs.some((a) => a.url === 'https://sp.example/acs-post' && a.index === 7));
      assert.equal(sp?.keyTransport, 'rsa-oaep-sha256');
      await r.resolve(ENTITY);
      assert.equal(calls(), 1);
    });
    const refused: [string, () => string][] = [
      ['unsigned', () => metadata()],
      ['modified after signing (ACS swapped)', () => signed(metadata()).replace('https://sp.example/acs-post', 'https://evil.example/acs')],
      ['XSW: signed original wrapped inside an evil EntityDescriptor', () => {
        const original = signed(metadata());
        const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(original)?.[0] ?? '';
        return metadata({ acs: 'https://evil.example/acs' }).replace('ID="_md1"', 'ID="_evil"').replace(/(<md:EntityDescriptor[^>]*>)/, `$1${sig}`)
          .replace('</md:EntityDescriptor>', `<md:Extensions>${original}</md:Extensions></md:EntityDescriptor>`);
      }],
      ['signed by another key', () => signEnveloped(metadata(), { privateKey: createPrivateKey(readFileSync(`${FIXTURES}/demo-saml-encryption.key.pem`)), certificateBase64: b64(encPem) })],
    ];
    for (const [title, body] of refused) {
      it(`SAML_METADATA_SIGNATURE_INVALID: ${title}`, async () => {
        const { r } = await resolver(body);
        await assert.rejects(r.resolve(ENTITY), { code: 'SAML_METADATA_SIGNATURE_INVALID' });
      });
    }
  });
});
