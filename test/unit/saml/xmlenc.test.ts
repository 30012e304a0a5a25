import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { decryptElement, encryptElement } from '../../../src/saml/xmlenc.js';
import { parseSamlXml } from '../../../src/saml/xml.js';

describe('xmlenc-core1 hybrid encryption (AES-GCM + RSA-OAEP)', function () {
  this.timeout(60_000);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const other = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const wrap = (data: string) => parseSamlXml(`<c xmlns="urn:test">${data}</c>`).documentElement as Element;
  const plaintext = '<a xmlns="urn:x">secret ü</a>';

  for (const keyTransport of ['rsa-oaep-mgf1p', 'rsa-oaep-sha256'] as const) {
    it(`round trip with ${keyTransport}`, () => {
      const data = encryptElement(plaintext, { recipient: publicKey, keyTransport });
      assert.equal(decryptElement(wrap(data), [other.privateKey, privateKey]).toString('utf8'), plaintext);
    });
  }

  it('SAML_DECRYPTION_FAILED: wrong key', () => {
    assert.throws(() => decryptElement(wrap(encryptElement(plaintext, { recipient: publicKey })), [other.privateKey]), { code: 'SAML_DECRYPTION_FAILED' });
  });

  it('SAML_DECRYPTION_FAILED: ciphertext modified (GCM tag)', () => {
    const data = encryptElement(plaintext, { recipient: publicKey });
    const values = [...data.matchAll(/<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/g)];
    const content = values[1]?.[1] ?? '';
    const bytes = Buffer.from(content, 'base64');
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    assert.throws(() => decryptElement(wrap(data.replace(content, bytes.toString('base64'))), [privateKey]), { code: 'SAML_DECRYPTION_FAILED' });
  });

  const mutations: [string, (d: string) => string][] = [
    ['RSA PKCS#1 v1.5 key transport', (d) => d.replace('http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p', 'http://www.w3.org/2001/04/xmlenc#rsa-1_5')],
    ['AES-CBC content encryption', (d) => d.replace('http://www.w3.org/2009/xmlenc11#aes256-gcm', 'http://www.w3.org/2001/04/xmlenc#aes256-cbc')],
    ['no EncryptedKey (static key)', (d) => d.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '')],
    ['CipherReference instead of CipherValue', (d) => d.replace(/<xenc:CipherData><xenc:CipherValue>[^<]+<\/xenc:CipherValue><\/xenc:CipherData><\/xenc:EncryptedData>$/, '<xenc:CipherData><xenc:CipherReference URI="http://evil.example/"/></xenc:CipherData></xenc:EncryptedData>')],
    ['CipherValue not base64', (d) => d.replace(/(<\/xenc:EncryptedKey><\/ds:KeyInfo><xenc:CipherData><xenc:CipherValue>)[^<]+/, '$1!!!')],
    ['OAEP digest SHA-512 with mgf1p', (d) => d.replace('xmldsig#sha1', 'xmlenc#sha512')],
  ];
  for (const [title, mutate] of mutations) {
    it(`SAML_ENCRYPTED_DATA_INVALID: ${title}`, () => {
      const data = mutate(encryptElement(plaintext, { recipient: publicKey }));
      assert.throws(() => decryptElement(wrap(data), [privateKey]), { code: 'SAML_ENCRYPTED_DATA_INVALID' });
    });
  }
  it('SAML_ENCRYPTED_DATA_INVALID: two EncryptedData in one container', () => {
    const data = encryptElement(plaintext, { recipient: publicKey });
    assert.throws(() => decryptElement(wrap(data + data), [privateKey]), { code: 'SAML_ENCRYPTED_DATA_INVALID' });
  });
});
