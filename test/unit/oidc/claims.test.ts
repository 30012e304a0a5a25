import assert from 'node:assert/strict';
import { claimsFromResult, readClaimRequest, supportedClaims } from '../../../src/oidc/claims.js';
import { chooseAcr, EIDAS_HIGH, EIDAS_LOW, EIDAS_SUBSTANTIAL, BSI_HIGH, satisfies } from '../../../src/oidc/loa.js';
import { chooseLocale } from '../../../src/oidc/interactions/i18n.js';
import { codeForProviderError } from '../../../src/oidc/errors.js';

describe('oidc claims', () => {
  it('scopes map to attribute groups; claims parameter adds essential ones', () => {
    const r = readClaimRequest('tw', 'openid profile', JSON.stringify({ id_token: { national_id: { essential: true } } }));
    assert.ok(r.attributes.includes('ChineseName') && r.attributes.includes('DateOfBirth') && r.attributes.includes('NationalIdNumber'));
    assert.ok(r.attributes.includes('DocumentValidity'));
    assert.deepEqual([...r.essential], ['NationalIdNumber']);
  });

  it('age_over_<N> and place_verified with its value', () => {
    const r = readClaimRequest('tw', 'openid', JSON.stringify({ id_token: { age_over_65: null, place_verified: { value: '6300' } } }));
    assert.equal(r.age, 65);
    assert.equal(r.place, '6300');
    assert.ok(r.attributes.includes('AgeVerification') && r.attributes.includes('PlaceVerification'));
  });

  it('place_verified without a prefix and unknown ages are dropped', () => {
    const r = readClaimRequest('tw', 'openid eid_verification', JSON.stringify({ id_token: { age_over_7: null } }));
    assert.ok(!r.attributes.includes('PlaceVerification'));
    assert.ok(!r.attributes.includes('AgeVerification'));
  });

  it('malformed claims parameters fail with OIDC_CLAIMS_REQUEST_INVALID', () => {
    for (const bad of ['{', '[]', '"x"', JSON.stringify({ id_token: [] }), JSON.stringify({ id_token: { name: 5 } }),
      JSON.stringify({ id_token: { age_over_18: null, age_over_65: null } }), JSON.stringify({ id_token: { place_verified: { value: 'abc' } } })]) {
      assert.throws(() => readClaimRequest('tw', 'openid', bad), { code: 'OIDC_CLAIMS_REQUEST_INVALID' }, bad);
    }
  });

  it('claims come only from released attributes; dates, address and photo in OIDC form', () => {
    const result = {
      attributes: {
        ChineseName: { status: 'value' as const, text: '王小明' }, DateOfBirth: { status: 'value' as const, text: '19500102' },
        HouseholdAddress: { status: 'value' as const, text: '臺北市' }, Photo: { status: 'value' as const, base64: 'AAEC' },
        Sex: { status: 'value' as const, text: 'M' }, NationalIdNumber: { status: 'notOnChip' as const },
      },
      documentValidity: 'valid' as const,
    };
    const c = claimsFromResult('tw', result, ['ChineseName', 'DateOfBirth', 'HouseholdAddress', 'Photo', 'NationalIdNumber', 'DocumentValidity'], undefined);
    assert.deepEqual(c, { name: '王小明', birthdate: '1950-01-02', address: { formatted: '臺北市' }, picture: 'data:image/jpeg;base64,AAEC', document_validity: 'valid' });
  });

  it('claims_supported lists the age claims and no raw RestrictedID', () => {
    assert.ok(supportedClaims().includes('age_over_18'));
    assert.ok(!supportedClaims().includes('restricted_id'));
  });
});

describe('oidc level of assurance', () => {
  it('a declared minimum is enforced whatever acr_values say', () => {
    assert.equal(chooseAcr(2, [EIDAS_LOW], EIDAS_HIGH), undefined);
    assert.equal(chooseAcr(3, [EIDAS_LOW], EIDAS_HIGH), EIDAS_HIGH);
    assert.equal(chooseAcr(3, [BSI_HIGH], EIDAS_SUBSTANTIAL), BSI_HIGH);
    assert.equal(chooseAcr(3, [], undefined), EIDAS_HIGH);
    assert.equal(satisfies(undefined, EIDAS_LOW), false);
    assert.equal(satisfies('urn:unknown', undefined), true);
  });
});

describe('oidc locale and error codes', () => {
  it('ui_locales first, then Accept-Language, default zh-TW', () => {
    assert.equal(chooseLocale('en', 'zh-TW'), 'en');
    assert.equal(chooseLocale(undefined, 'en-US,en;q=0.9'), 'en');
    assert.equal(chooseLocale('fr', undefined), 'zh-TW');
  });

  it('oidc-provider errors map to specific catalog codes', () => {
    assert.equal(codeForProviderError({ error: 'invalid_grant', error_detail: 'code_verifier does not match code_challenge' }), 'OIDC_PKCE_MISMATCH');
    assert.equal(codeForProviderError({ error: 'invalid_grant', error_detail: 'authorization code already consumed' }), 'OIDC_CODE_REUSED');
    assert.equal(codeForProviderError({ error: 'invalid_request_uri' }), 'OIDC_REQUEST_URI_INVALID');
    assert.equal(codeForProviderError({ error: 'invalid_request', error_description: 'Pushed Authorization Request must be used' }), 'OIDC_PAR_REQUIRED');
    assert.equal(codeForProviderError({ error: 'invalid_redirect_uri' }), 'OIDC_REDIRECT_URI_INVALID');
  });
});
