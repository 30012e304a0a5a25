/**
 * The audit records of the eID-Interface pipeline (src/audit): one per request, written before the
 * answer, with the operation, the outcome, the session reference and the eService's address.
 */
import assert from 'node:assert/strict';
import { AUDIT_STREAM, AuditLog, sessionRef } from '../../../src/audit/audit-log.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';
import { getResultRequestXml, getServerInfoRequestXml, useIdRequestXml } from '../../../src/soap/client.js';
import { handleEidInterfaceRequest } from '../../../src/soap/eid-interface.js';
import { signEnvelope, verifyEnvelope } from '../../../src/soap/wss/ws-security.js';
import { parseXml } from '../../../src/soap/xml/parse.js';
import { deps, rsaCert, service } from './fixtures.js';

const client = () => rsaCert('client');
const PEER = { clientAddress: '198.51.100.17' };
const LOA = 'http://bsi.bund.de/eID/LoA/hoch';

function world() {
  const auditStore = createMemoryStore();
  const d = deps({ audit: new AuditLog({ store: auditStore }) });
  const svc = service('tw');
  const run = (xml: string) => handleEidInterfaceRequest(xml, svc, client().cert, d, PEER);
  const entries = async () => (await auditStore.readStream(AUDIT_STREAM)).map((e) => { const { at: _at, ...rest } = e.fields; return rest; });
  return { d, svc, run, entries };
}

const base = { front: 'soap', service: 'svc-tw', client: PEER.clientAddress };

describe('SOAP eID-Interface: audit records', () => {
  it('refused before dispatch: malformed XML, no signature, a replayed signature → access.refused with the code', async () => {
    const w = world();
    await w.run('<not-xml');
    await w.run(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Body>${getServerInfoRequestXml('tw')}</soap:Body></soap:Envelope>`);
    const signed = signEnvelope(getServerInfoRequestXml('tw'), client());
    await w.run(signed);
    await w.run(signed);
    assert.deepEqual(await w.entries(), [
      { event: 'access.refused', outcome: 'SOAP_XML_MALFORMED', ...base },
      { event: 'access.refused', outcome: 'WSS_SIGNATURE_MISSING', ...base },
      { event: 'service.request', operation: 'getServerInfo', outcome: 'success', ...base },
      { event: 'access.refused', outcome: 'WSS_SIGNATURE_INVALID', ...base },
    ]);
  });

  it('useID → login.request; getResult before the end → service.request; the delivering getResult → login.finished with the LoA; refused useID → its code', async () => {
    const w = world();
    const out = await w.run(signEnvelope(useIdRequestXml('tw', { operations: { ChineseName: 'REQUIRED' }, levelOfAssurance: LOA }), client()));
    assert.equal(out.kind, 'reply');
    const op = verifyEnvelope((out as { xml: string }).xml, parseXml((out as { xml: string }).xml), rsaCert('server').cert).operation;
    const id = op.getElementsByTagNameNS('*', 'ID').item(0)?.textContent ?? '';
    assert.match(id, /^[0-9a-f]{64}$/);
    await w.run(signEnvelope(getResultRequestXml('tw', id, 1), client()));
    await w.d.sessions.storeResult(id, { attributes: { ChineseName: { status: 'value', text: '陳𠀋安' } }, documentValidity: 'valid', levelOfAssurance: LOA });
    await w.run(signEnvelope(getResultRequestXml('tw', id, 2), client()));
    // Not approved for this eService: refused, no session.
    await w.run(signEnvelope(useIdRequestXml('tw', { operations: { SpouseName: 'REQUIRED' } }), client()));
    const session = sessionRef(id);
    assert.deepEqual(await w.entries(), [
      { event: 'login.request', operation: 'useID', outcome: 'success', session, ...base },
      { event: 'service.request', operation: 'getResult', outcome: 'EID_RESULT_PENDING', session, ...base },
      { event: 'login.finished', operation: 'getResult', outcome: 'success', loa: LOA, session, ...base },
      { event: 'login.request', operation: 'useID', outcome: 'EID_MISSING_TERMINAL_RIGHTS', ...base },
    ]);
    assert.ok(!JSON.stringify(await w.entries()).includes('陳𠀋安'));
  });

  it('a getResult for a session of no one → service.request EID_SESSION_NOT_FOUND (the id only as its reference)', async () => {
    const w = world();
    const id = 'ab'.repeat(32);
    await w.run(signEnvelope(getResultRequestXml('tw', id, 1), client()));
    assert.deepEqual(await w.entries(), [{ event: 'service.request', operation: 'getResult', outcome: 'EID_SESSION_NOT_FOUND', session: sessionRef(id), ...base }]);
  });
});
