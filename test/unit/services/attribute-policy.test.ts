import assert from 'node:assert/strict';
import { AT_RIGHTS, createChat, encodeChat } from '../../../src/eid/eac/cvc/chat.js';
import { attributesForChat, chatForAttributes, decideRequestedAttributes, terminalChatOf } from '../../../src/services/attribute-policy.js';
import { registryAttributes } from '../../../src/services/attribute-catalog.js';
import { sample } from './samples.js';

describe('SPEC §4.1 approved attributes ⇄ terminal CHAT (tr03110-4 §2.2.3.2)', () => {
  it('maps DG attributes to read bits 7+n and the special functions to their rights', () => {
    const chat = chatForAttributes('tw', ['ChineseName', 'Sex', 'CAN', 'RestrictedID', 'AgeVerification', 'PlaceVerification', 'DocumentValidity']);
    assert.equal(chat.role, 'terminal');
    assert.equal(chat.terminalType, 'at');
    // DG4 → bit 11, DG11 → bit 18, DG21 → bit 28; RI bit 2, age bit 0, community-ID (place) bit 1; DocumentValidity none.
    assert.equal(chat.rights, (1n << 11n) | (1n << 18n) | (1n << 28n) | 0b111n);
  });

  it('encodes the demo-saml terminal CHAT to the exact bytes', () => {
    // ChineseName DG4 (11), NationalIdNumber DG6 (13), DateOfBirth DG8 (15), HouseholdAddress DG17 (24), Sex DG11 (18), RI (2), age (0)
    const expected = (1n << 11n) | (1n << 13n) | (1n << 15n) | (1n << 24n) | (1n << 18n) | (1n << 2n) | 1n;
    const chat = terminalChatOf(sample('demo-saml') as never);
    assert.equal(chat.rights, expected);
    assert.equal(encodeChat(chat).toString('hex'), `7f4c12060904007f000703010202530500${expected.toString(16).padStart(8, '0')}`);
  });

  it('reverse: the CHAT gives back the approved attributes (profile order) and flags other rights', () => {
    const approved = ['Photo', 'ChineseName', 'RestrictedID'];
    const { attributes, otherBits } = attributesForChat('tw', chatForAttributes('tw', approved));
    assert.deepEqual(attributes, ['ChineseName', 'Photo', 'RestrictedID']);
    assert.deepEqual(otherBits, []);
    const withExtras = createChat({ role: 'terminal', rights: ['READ_DG4', 'PIN_MANAGEMENT', 'WRITE_DG17', 'READ_DG22'] });
    const reverse = attributesForChat('tw', withExtras);
    assert.deepEqual(reverse.attributes, ['ChineseName']);
    assert.deepEqual(reverse.otherBits, [AT_RIGHTS.PIN_MANAGEMENT, AT_RIGHTS.READ_DG22, AT_RIGHTS.WRITE_DG17]);
  });

  it('round-trips every attribute of both profiles', () => {
    for (const profile of ['tw', 'de'] as const) {
      const ids = registryAttributes(profile).filter((a) => a.kind !== 'document-validity').map((a) => a.id);
      assert.deepEqual(attributesForChat(profile, chatForAttributes(profile, ids)).attributes, ids, profile);
      for (const id of ids) assert.deepEqual(attributesForChat(profile, chatForAttributes(profile, [id])).attributes, [id], `${profile} ${id}`);
    }
  });

  it('the same DG means different attributes per profile', () => {
    const chat = chatForAttributes('de', ['GivenNames']);
    assert.deepEqual(attributesForChat('tw', chat).attributes, ['ChineseName']);
  });

  it('unknown attributes are refused', () => {
    assert.throws(() => chatForAttributes('tw', ['GivenNames']), { code: 'REGISTRY_SERVICE_INVALID' });
  });

  it('requested ∩ approved', () => {
    const service = sample('demo-oidc') as never;
    const decision = decideRequestedAttributes(service, ['ChineseName', 'Sex', 'AgeVerification', 'Foo', 'ChineseName', 'DocumentValidity']);
    assert.deepEqual(decision, { granted: ['ChineseName', 'AgeVerification', 'DocumentValidity'], notApproved: ['Sex'], unknown: ['Foo'] });
    assert.deepEqual(decideRequestedAttributes(service, []), { granted: [], notApproved: [], unknown: [] });
  });
});
