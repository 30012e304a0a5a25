import assert from 'node:assert/strict';
import { chatAllows, createChat } from '../../../../../src/eid/eac/cvc/chat.js';
import type { AtRight } from '../../../../../src/eid/eac/cvc/chat.js';
import { chainFromTrustPoint, chainForCars, effectiveChatOf, trustPointChat } from '../../../../../src/eid/eac/terminal/index.js';
import { createCvca, createCvcaGeneration, createDv, createTerminal } from '../../../../../tools/test-pki/cvc-chain.js';

/** TR-03110-3 §C.4: the server's view of the effective authorization, the CVCA CHAT included. */
describe('eid/eac/terminal: certificate chain and the CVCA CHAT', () => {
  const ALL_READ = Array.from({ length: 21 }, (_, i) => `READ_DG${i + 1}` as AtRight);
  const NO_DG9 = ALL_READ.filter((r) => r !== 'READ_DG9');
  const NO_DG10 = ALL_READ.filter((r) => r !== 'READ_DG10');
  const validity = { effectiveDate: '260101', expirationDate: '291231' };
  const cvca1 = createCvca({ chr: 'TWCVCAU00001', rights: NO_DG9, ...validity });
  const { cvca: cvca2, link } = createCvcaGeneration(cvca1, { chr: 'TWCVCAU00002', rights: NO_DG10, ...validity });
  const dv1 = createDv(cvca1, { chr: 'TWDVU0000001', rights: ALL_READ, ...validity });
  const dv2 = createDv(cvca2, { chr: 'TWDVU0000002', rights: ALL_READ, ...validity });
  const term1 = createTerminal(dv1, { chr: 'TWTERMU00001', rights: ALL_READ, ...validity }).parsed;
  const term2 = createTerminal(dv2, { chr: 'TWTERMU00002', rights: ALL_READ, ...validity }).parsed;
  const user = createChat({ role: 'terminal', rights: ALL_READ });

  it('trust point CHAT: the self-signed CVCA of the chain\'s CAR from the pool', () => {
    const chain = chainFromTrustPoint(term1, [dv1.parsed, cvca1.parsed], cvca1.parsed.chr);
    assert.deepEqual(chain.map((c) => c.chr), [dv1.parsed.chr, term1.chr]);
    assert.deepEqual(trustPointChat(chain, [dv1.parsed, cvca1.parsed]), cvca1.parsed.chat);
    const effective = effectiveChatOf(user, chain, [dv1.parsed, cvca1.parsed]);
    assert.equal(chatAllows(effective, 'READ_DG9'), false);
    assert.equal(chatAllows(effective, 'READ_DG10'), true);
    assert.equal(effective.role, 'terminal');
  });

  it('no CVCA in the pool: no CVCA CHAT (the chip\'s one cannot be seen), only DV ∧ terminal ∧ user', () => {
    const chain = chainFromTrustPoint(term1, [dv1.parsed], cvca1.parsed.chr);
    assert.equal(trustPointChat(chain, [dv1.parsed]), null);
    assert.equal(chatAllows(effectiveChatOf(user, chain, [dv1.parsed]), 'READ_DG9'), true);
  });

  it('with a link certificate in the chain, its CHAT replaces the old CVCA\'s (as the chip does), the old one is not applied', () => {
    const pool = [link.parsed, dv2.parsed, cvca1.parsed, cvca2.parsed];
    const chain = chainForCars(term2, pool, [cvca1.parsed.chr]);
    assert.deepEqual(chain.map((c) => c.chr), [link.parsed.chr, dv2.parsed.chr, term2.chr]);
    assert.deepEqual(trustPointChat(chain, pool), link.parsed.chat);
    const effective = effectiveChatOf(user, chain, pool);
    assert.equal(chatAllows(effective, 'READ_DG10'), false);
    assert.equal(chatAllows(effective, 'READ_DG9'), true, 'the new CVCA has DG9; the old trust point\'s CHAT no longer counts');
  });

  it('chip already at the new CVCA: the link certificate in the pool gives its CHAT; a self-signed CVCA is never put into the chain', () => {
    // The pool lists the self-signed CVCA-2 before the link certificate of the same CHR.
    const pool = [cvca2.parsed, link.parsed, dv2.parsed];
    assert.deepEqual(chainForCars(term2, pool, [cvca2.parsed.chr]).map((c) => c.chr), [dv2.parsed.chr, term2.chr]);
    const hexOf = (c: { raw: Uint8Array }): string => Buffer.from(c.raw).toString('hex');
    assert.deepEqual(chainFromTrustPoint(term2, pool, cvca1.parsed.chr).map(hexOf), [link.parsed, dv2.parsed, term2].map(hexOf));
    const chain = chainForCars(term2, [link.parsed, dv2.parsed], [cvca2.parsed.chr]);
    assert.deepEqual(trustPointChat(chain, [link.parsed, dv2.parsed]), link.parsed.chat);
  });

  it('user selection, DV and terminal CHATs still limit the result', () => {
    const narrowUser = createChat({ role: 'terminal', rights: ['READ_DG4'] });
    const chain = chainFromTrustPoint(term1, [dv1.parsed, cvca1.parsed], cvca1.parsed.chr);
    const effective = effectiveChatOf(narrowUser, chain, [dv1.parsed, cvca1.parsed]);
    assert.deepEqual(effective.rights, narrowUser.rights);
  });
});
