/**
 * The mutual-TLS listener: a registered client certificate gets signed answers; an unregistered one,
 * no certificate, or an unsigned request get no answer; WSDL and XSD are published.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { pino } from 'pino';
import { parse } from 'yaml';
import { ServiceRegistry } from '../../../src/services/registry.js';
import { createMemoryStore } from '../../../src/session/store/memory.js';
import { callEidInterface, getServerInfoRequestXml, postXml } from '../../../src/soap/client.js';
import { listenSoapInterface, type SoapListener } from '../../../src/soap/listener.js';
import { deps, rsaCert } from './fixtures.js';

describe('SOAP listener (mutual TLS)', function () {
  this.timeout(20_000);
  let listener: SoapListener;
  let url: string;
  const tlsServer = rsaCert('tls-server');

  before(async () => {
    const store = createMemoryStore();
    const registry = new ServiceRegistry(store);
    const definition = parse(readFileSync('config/services/demo-soap.yaml', 'utf8')) as Record<string, unknown>;
    definition.protocols = { soap: { clientCertificate: rsaCert('client').cert } };
    await registry.create(definition as never, { by: 'test', declarative: true });
    listener = await listenSoapInterface({
      ...deps(), host: '127.0.0.1', port: 0, key: tlsServer.key, cert: tlsServer.cert,
      clientCa: [rsaCert('client').cert, rsaCert('intruder').cert], registry, logger: pino({ level: 'silent' }),
    });
    url = `https://127.0.0.1:${listener.port}/eID`;
  });
  after(async () => {
    await listener.close();
  });

  const tls = (label: string) => ({ key: rsaCert(label).key, cert: rsaCert(label).cert, ca: tlsServer.cert, servername: 'localhost' });

  it('a registered client certificate: signed request → verified, signed getServerInfoResponse', async () => {
    const reply = await callEidInterface({ url, tls: tls('client'), wss: rsaCert('client'), serverWssCert: rsaCert('server').cert }, getServerInfoRequestXml('tw'));
    assert.equal(reply.status, 200);
    assert.equal(reply.operation.localName, 'getServerInfoResponse');
    assert.equal(reply.operation.namespaceURI, 'urn:neid:tw:eid:1.0');
  });

  it('an unsigned request on a registered connection → connection closed, no answer', async () => {
    await assert.rejects(postXml({ url, tls: tls('client') }, `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${getServerInfoRequestXml('tw')}</soap:Body></soap:Envelope>`), /socket hang up|ECONNRESET/);
  });

  it('a trusted but unregistered client certificate → connection closed, no answer', async () => {
    await assert.rejects(callEidInterface({ url, tls: tls('intruder'), wss: rsaCert('intruder'), serverWssCert: rsaCert('server').cert }, getServerInfoRequestXml('tw')), /socket hang up|ECONNRESET/);
  });

  it('no client certificate → the TLS handshake is refused', async () => {
    await assert.rejects(new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', ca: tlsServer.cert, servername: 'localhost', agent: false }, resolve);
      req.on('error', reject);
      req.end('<x/>');
    }));
  });

  it('publishes the WSDL and XSD of the profile (?wsdl, ?xsd, /schema/<profile>/…)', async () => {
    const get = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`https://127.0.0.1:${listener.port}${path}`, { ...tls('client'), agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    const wsdl = await get('/eID?wsdl');
    assert.equal(wsdl.status, 200);
    assert.match(wsdl.body, /targetNamespace="urn:neid:tw:eid:1.0"/);
    assert.match((await get('/eID?xsd&profile=de')).body, /targetNamespace="http:\/\/bsi.bund.de\/eID\/"/);
    assert.equal((await get('/schema/de/external/oasis-dss-core-result-subset.xsd')).status, 200);
    assert.equal((await get('/schema/de/../../listener.ts')).status, 404);
  });
});
