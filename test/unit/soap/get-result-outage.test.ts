/**
 * getResult when the session store fails while the result is taken (SPEC §8; TR-03130-1 §3.2.2: the
 * eService polls while it gets noResultYet and stops at any other answer). The RequestCounter is
 * already stored then, so the answer is noResultYet and the next RequestCounter gets the data once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ServiceRecord } from '../../../src/services/model.js';
import { EidSessions, TAKE_CLAIM_TTL_MS } from '../../../src/session/eid-session.js';
import { SealedBox } from '../../../src/session/sealed-box.js';
import { unavailable } from '../../../src/session/store/errors.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';
import type { Store } from '../../../src/session/store/store.js';
import { getResultRequestXml } from '../../../src/soap/client.js';
import { getResult } from '../../../src/soap/get-result.js';
import { soapProfile } from '../../../src/soap/profiles.js';
import { parseXml } from '../../../src/soap/xml/parse.js';

const MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor/';

describe('soap getResult: a store outage while the result is taken', () => {
  it('answers noResultYet (the result is kept), and the next RequestCounter gets the PersonalData exactly once', async () => {
    let now = Date.now();
    const inner = createMemoryStore({ now: () => now });
    let failNextResultRead = false;
    // The read of the result runs but its reply is lost (Redis paused past the command timeout).
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const run = () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (failNextResultRead && (prop === 'get' || prop === 'getAndDelete') && typeof args[0] === 'string' && args[0].startsWith('eid:res:')) {
            failNextResultRead = false;
            await run();
            throw unavailable(String(prop), 'timeout');
          }
          return run();
        };
      },
    }) as Store;
    const sessions = new EidSessions({ store, box: new SealedBox(randomBytes(32)), timeouts: {
      lifetimeMs: 60_000, tcTokenTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, paosStepTimeoutMs: 30_000, resultTimeoutMs: 30_000, tlsSessionTtlMs: 30_000,
    } });
    const service = { id: 'svc-tw', profile: 'tw' } as ServiceRecord;
    const profile = soapProfile('tw');
    const { id } = await sessions.open(service.id, { profile: 'tw', front: 'soap', required: ['ChineseName'], optional: [] }, { maxOpenSessions: 5 });
    await sessions.storeResult(id, { attributes: { ChineseName: { status: 'value', text: '王小明' } }, documentValidity: 'valid' });
    const call = async (counter: number) => {
      const facts = {};
      const xml = await getResult(parseXml(getResultRequestXml('tw', id, counter)).documentElement as unknown as Element, { sessions, service, profile, facts });
      return { xml, facts, minor: /<dss:ResultMinor>([^<]*)</.exec(xml)?.[1] };
    };

    failNextResultRead = true;
    const first = await call(1);
    assert.equal(first.minor, `${MINOR}getResult#noResultYet`, first.xml);
    assert.match(first.xml, /session store unavailable/);
    assert.doesNotMatch(first.xml, /王小明/);
    assert.deepEqual(first.facts, { eidSessionId: id, outcome: 'STORE_UNAVAILABLE' }, 'audited as a store failure, the login not finished');

    const replies = [];
    for (let counter = 2; counter < 6; counter++) {
      const r = await call(counter);
      replies.push(r);
      if (r.minor !== `${MINOR}getResult#noResultYet`) break;
      // The eService polls; meanwhile the delivery claim of the failed attempt expires.
      now += TAKE_CLAIM_TTL_MS / 2;
    }
    const delivered = replies.filter((r) => r.xml.includes('<eid:PersonalData>'));
    assert.equal(delivered.length, 1, 'delivered once');
    assert.match(delivered[0]?.xml ?? '', /王小明/);
    await assert.rejects(call(replies.length + 2), { code: 'EID_SESSION_NOT_FOUND' }, 'then the session is gone (invalidSession)');
  });
});
