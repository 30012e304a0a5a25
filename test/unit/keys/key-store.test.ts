import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activateNextKey, generateKey, KeyStore, stageNextKey } from '../../../src/keys/key-store.js';
import { buildIdpMetadata } from '../../../src/saml/metadata/idp-metadata.js';
import { verifyEnveloped } from '../../../src/saml/xmldsig.js';

describe('key store (SPEC §5.2: separate signing/encryption keys, current + next)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'neid-keys-'));

  it('generates separate RSA-3072 signing and encryption keys on first use (development)', () => {
    const store = new KeyStore({ dir, generate: true });
    const sign = store.current('saml-signing');
    const enc = store.current('saml-encryption');
    assert.notEqual(sign.fingerprint, enc.fingerprint);
    assert.equal(sign.privateKey.asymmetricKeyDetails?.modulusLength, 3072);
    assert.ok(sign.certificate.checkPrivateKey(sign.privateKey));
    assert.equal(store.published('saml-signing').length, 1);
  });

  it('KEYS_INVALID: production (generate off) without keys', () => {
    assert.throws(() => new KeyStore({ dir: mkdtempSync(join(tmpdir(), 'neid-nokeys-')), generate: false }), { code: 'KEYS_INVALID' });
  });

  it('KEYS_INVALID: a certificate that does not match its key', () => {
    const other = mkdtempSync(join(tmpdir(), 'neid-badkeys-'));
    new KeyStore({ dir: other, generate: true });
    copyFileSync(join(dir, 'saml-signing', 'current.crt.pem'), join(other, 'saml-signing', 'current.crt.pem'));
    assert.throws(() => new KeyStore({ dir: other, generate: false }), { code: 'KEYS_INVALID' });
  });

  it('KEYS_INVALID: RSA keys below 3000 bits (tr03116-4)', () => {
    const small = mkdtempSync(join(tmpdir(), 'neid-smallkeys-'));
    generateKey(small, 'saml-signing', 'current', { rsaBits: 2048 });
    generateKey(small, 'saml-encryption', 'current');
    assert.throws(() => new KeyStore({ dir: small, generate: false }), { code: 'KEYS_INVALID' });
  });

  it('rotate --stage publishes the next key in signed metadata; --activate switches without dropping decryption of the old key', () => {
    const before = new KeyStore({ dir, generate: false });
    const oldSign = before.current('saml-signing').fingerprint;
    const oldEnc = before.current('saml-encryption').fingerprint;
    stageNextKey(dir, 'saml-signing');
    stageNextKey(dir, 'saml-encryption');
    assert.throws(() => stageNextKey(dir, 'saml-signing'), { code: 'KEYS_ROTATION_INVALID' });
    const staged = new KeyStore({ dir, generate: false });
    assert.equal(staged.current('saml-signing').fingerprint, oldSign, 'signing still uses the current key');
    const md = buildIdpMetadata({ entityId: 'https://idp.example/saml/metadata', ssoUrl: 'https://idp.example/saml/sso', keys: staged, now: new Date(), validityMs: 86_400_000 });
    for (const k of [...staged.published('saml-signing'), ...staged.published('saml-encryption')]) assert.ok(md.includes(k.certificateBase64), `${k.purpose}/${k.slot} published`);
    assert.equal((md.match(/<md:KeyDescriptor use="signing">/g) ?? []).length, 2);
    assert.equal((md.match(/<md:KeyDescriptor use="encryption">/g) ?? []).length, 2);
    verifyEnveloped(md, [staged.current('saml-signing').certificatePem]);

    activateNextKey(dir, 'saml-signing');
    activateNextKey(dir, 'saml-encryption');
    assert.throws(() => activateNextKey(dir, 'saml-signing'), { code: 'KEYS_ROTATION_INVALID' });
    const after = new KeyStore({ dir, generate: false });
    assert.notEqual(after.current('saml-signing').fingerprint, oldSign);
    assert.equal(after.get('saml-signing', 'previous')?.fingerprint, oldSign);
    assert.equal(after.published('saml-signing').length, 1, 'the previous signing key is no longer published');
    assert.ok(after.decryptionKeys('saml-encryption').some((k) => k.fingerprint === oldEnc), 'the previous encryption key still decrypts');
  });
});
