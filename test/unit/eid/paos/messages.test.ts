import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  buildEac1Input, buildEac1Output, buildEac2Input, buildEac2Output, buildEacAdditionalInput, buildEnvelope, buildInitializeFramework,
  buildInitializeFrameworkResponse, buildStartPaos, buildStartPaosResponse, buildTransmit, buildTransmitResponse, clientMessageKind,
  buildDidAuthenticateErrorResponse, EID_CARD_APPLICATION, OK, parseEac1Input, parseEac1Output, parseEac2Input, parseEac2Output,
  parseEacAdditionalInput, parseEnvelope, parseInitializeFrameworkResponse, parseStartPaos, parseStartPaosResponse, parseTransmit,
  parseTransmitResponse, resultForError, RESULT_MINOR, serverMessageKind,
} from '../../../../src/eid/paos/index.js';
import { elementChildren, localNameOf, parseXml, serialize } from '../../../../src/eid/paos/xml.js';
import type { XmlElement, XmlOut } from '../../../../src/eid/paos/xml.js';

const handle = { cardApplication: EID_CARD_APPLICATION, slotHandle: Buffer.from([0]) };
const b = (hex: string) => Buffer.from(hex, 'hex');

/** Round trip through a full envelope; returns the parsed body element. */
function body(sender: 'client' | 'server', out: XmlOut): XmlElement {
  return parseEnvelope(buildEnvelope(sender, { messageId: 'urn:uuid:1', relatesTo: 'urn:uuid:0' }, out)).body;
}

/** Local names of the children of the element at `path` (local names). */
function order(el: XmlElement, ...path: string[]): string[] {
  let cur = el;
  for (const p of path) cur = elementChildren(cur).find((c) => localNameOf(c) === p)!;
  return elementChildren(cur).map(localNameOf);
}

describe('eid/paos: envelope', () => {
  it('parses the AusweisApp 1.26.2 StartPAOS (PAOS header, MessageID, no RelatesTo)', () => {
    const env = parseEnvelope(readFileSync('test/fixtures/paos/ausweisapp-1.26.2-StartPAOS.xml'));
    assert.equal(env.paosHeader, true);
    assert.equal(env.messageId, 'urn:uuid:f47dbffe-71bb-f8c7-2cd3-f8b6c0856a17');
    assert.equal(env.relatesTo, undefined);
    assert.equal(clientMessageKind(env.body), 'StartPAOS');
    const m = parseStartPaos(env.body);
    assert.equal(m.sessionIdentifier, '3627ca92d58c0f3be2627368f842a682');
    assert.deepEqual(m.connectionHandles, [{ cardApplication: EID_CARD_APPLICATION, slotHandle: b('00') }]);
    assert.deepEqual(m.userAgent, { name: 'AusweisApp2', versionMajor: 1, versionMinor: 26, versionSubminor: 2 });
    assert.deepEqual(m.supportedApiVersions, [{ major: 1, minor: 1, subminor: 5 }]);
  });

  it('writes the client header blocks in AusweisApp order and the server header with RelatesTo before MessageID', () => {
    const client = parseXml(buildEnvelope('client', { messageId: 'urn:uuid:2', relatesTo: 'urn:uuid:1' }, buildStartPaosResponse(OK)));
    assert.deepEqual(order(client, 'Header'), ['PAOS', 'ReplyTo', 'RelatesTo', 'MessageID']);
    assert.deepEqual(order(client, 'Header', 'PAOS'), ['Version', 'EndpointReference']);
    const server = parseXml(buildEnvelope('server', { messageId: 'urn:uuid:3', relatesTo: 'urn:uuid:2' }, buildStartPaosResponse(OK)));
    assert.deepEqual(order(server, 'Header'), ['RelatesTo', 'MessageID']);
  });

  it('tolerates other prefixes, a default namespace and the legacy sb:Correlation header', () => {
    const xml = '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header><sb:Correlation xmlns:sb="http://urn:liberty:sb:2003-08" messageID="Id520" refToMessageID="r-1"/></S:Header>'
      + '<S:Body><StartPAOSResponse xmlns="urn:iso:std:iso-iec:24727:tech:schema"><Result xmlns="urn:oasis:names:tc:dss:1.0:core:schema"><ResultMajor>http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok</ResultMajor></Result></StartPAOSResponse></S:Body></S:Envelope>';
    const env = parseEnvelope(xml);
    assert.equal(env.messageId, 'Id520');
    assert.equal(env.relatesTo, 'r-1');
    assert.equal(serverMessageKind(env.body), 'StartPAOSResponse');
    assert.deepEqual(parseStartPaosResponse(env.body), { major: 'ok' });
  });

  it('rejects malformed envelopes with specific codes', () => {
    const soap = 'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"';
    const cases: [string, string][] = [
      ['<a/>', 'PAOS_ENVELOPE_INVALID'],
      [`<s:Envelope ${soap}/>`, 'PAOS_ENVELOPE_INVALID'],
      [`<s:Envelope ${soap}><s:Body/></s:Envelope>`, 'PAOS_ENVELOPE_INVALID'],
      [`<s:Envelope ${soap}><s:Body><a/><b/></s:Body></s:Envelope>`, 'PAOS_ENVELOPE_INVALID'],
      [`<s:Envelope ${soap}><s:Body><a/></s:Body><s:Body/></s:Envelope>`, 'PAOS_ENVELOPE_INVALID'],
      [`<s:Envelope ${soap}><s:Header><x:H xmlns:x="urn:x" s:mustUnderstand="1"/></s:Header><s:Body><a/></s:Body></s:Envelope>`, 'PAOS_ENVELOPE_INVALID'],
      ['<!DOCTYPE a SYSTEM "http://evil/x.dtd"><a/>', 'PAOS_XML_FORBIDDEN'],
      ['<a><?php x?></a>', 'PAOS_XML_FORBIDDEN'],
      ['<a>&ext;</a>', 'PAOS_XML_MALFORMED'],
      ['<a>', 'PAOS_XML_MALFORMED'],
      ['', 'PAOS_XML_MALFORMED'],
    ];
    for (const [xml, code] of cases) assert.throws(() => parseEnvelope(xml), { code }, xml);
    assert.throws(() => parseEnvelope(Buffer.from([0x3c, 0x61, 0xff, 0x2f, 0x3e])), { code: 'PAOS_XML_MALFORMED' });
    assert.throws(() => parseEnvelope('<a/>', { maxBytes: 3 }), { code: 'PAOS_XML_TOO_LARGE' });
    assert.throws(() => parseEnvelope('<a><a><a/></a></a>', { maxDepth: 2 }), { code: 'PAOS_XML_TOO_DEEP' });
    assert.throws(() => parseEnvelope(`<a>${'<b/>'.repeat(20)}</a>`, { maxElements: 10 }), { code: 'PAOS_XML_TOO_LARGE' });
  });

  it('escapes text and attributes and refuses characters XML cannot carry', () => {
    assert.equal(serialize({ name: 'iso:A', attrs: { x: '"<&>' }, children: ['<&>'] }), '<iso:A x="&quot;&lt;&amp;&gt;">&lt;&amp;&gt;</iso:A>');
    assert.throws(() => serialize({ name: 'iso:A', children: ['\u0001'] }), { code: 'PAOS_VALUE_INVALID' });
  });
});

describe('eid/paos: messages (build ⇄ parse, element order)', () => {
  const certs = [b('7f2101aa'), b('7f2101bb')];

  it('StartPAOS', () => {
    const m = { sessionIdentifier: 'ab'.repeat(32), connectionHandles: [handle], userAgent: { name: 'x', versionMajor: 1, versionMinor: 2, versionSubminor: 3 }, supportedApiVersions: [{ major: 1, minor: 1, subminor: 5 }], supportedDidProtocols: [] };
    const el = body('client', buildStartPaos(m));
    assert.deepEqual(elementChildren(el).map(localNameOf), ['SessionIdentifier', 'ConnectionHandle', 'UserAgent', 'SupportedAPIVersions']);
    assert.deepEqual(order(el, 'ConnectionHandle'), ['CardApplication', 'SlotHandle']);
    assert.deepEqual(parseStartPaos(el), m);
  });

  it('InitializeFramework and its response (error result tolerated by the parser)', () => {
    assert.equal(serverMessageKind(body('server', buildInitializeFramework())), 'InitializeFramework');
    const el = body('client', buildInitializeFrameworkResponse({ result: OK, version: { major: 1, minor: 1, subMinor: 5 } }));
    assert.deepEqual(elementChildren(el).map(localNameOf), ['Result', 'Version']);
    assert.deepEqual(parseInitializeFrameworkResponse(el), { result: { major: 'ok' }, version: { major: 1, minor: 1, subMinor: 5 } });
  });

  it('DIDAuthenticate EAC1InputType: Certificate*, CertificateDescription, RequiredCHAT, OptionalCHAT, AuthenticatedAuxiliaryData, TransactionInfo, AcceptedEIDType*', () => {
    const m = { connectionHandle: handle, didName: 'PIN', certificates: certs, certificateDescription: b('3000'), requiredChat: b('7f4c01'), optionalChat: b('7f4c02'), authenticatedAuxiliaryData: b('6700'), transactionInfo: 'order 42', acceptedEidTypes: ['CardCertified' as const] };
    const el = body('server', buildEac1Input(m));
    assert.equal(serverMessageKind(el), 'EAC1InputType');
    assert.deepEqual(elementChildren(el).map(localNameOf), ['ConnectionHandle', 'DIDName', 'AuthenticationProtocolData']);
    assert.deepEqual(order(el, 'AuthenticationProtocolData'), ['Certificate', 'Certificate', 'CertificateDescription', 'RequiredCHAT', 'OptionalCHAT', 'AuthenticatedAuxiliaryData', 'TransactionInfo', 'AcceptedEIDType']);
    assert.deepEqual(parseEac1Input(el), m);
  });

  it('DIDAuthenticateResponse EAC1OutputType: CertificateHolderAuthorizationTemplate, CertificationAuthorityReference*, EFCardAccess, IDPICC, Challenge', () => {
    const m = { result: OK, chat: b('7f4c03'), cars: ['TWCVCAT00001'], efCardAccess: b('3100'), idPicc: b('01020304'), challenge: b('0102030405060708') };
    const el = body('client', buildEac1Output(m));
    assert.deepEqual(order(el, 'AuthenticationProtocolData'), ['CertificateHolderAuthorizationTemplate', 'CertificationAuthorityReference', 'EFCardAccess', 'IDPICC', 'Challenge']);
    assert.deepEqual(parseEac1Output(el), m);
    const { challenge: _c, ...noChallenge } = m;
    assert.deepEqual(parseEac1Output(body('client', buildEac1Output(noChallenge))), noChallenge);
  });

  it('EAC1OutputType errors: missing, out-of-order, bad hex, bad CAR, wrong type; client error results keep their URI', () => {
    const good = serialize(buildEac1Output({ result: OK, cars: ['TWCVCAT00001'], efCardAccess: b('3100'), idPicc: b('01'), challenge: b('0102030405060708') }));
    const env = (x: string) => parseEnvelope(buildEnvelope('client', {}, { name: 'iso:X', children: [] }).replace('<iso:X/>', x)).body;
    assert.throws(() => parseEac1Output(env(good.replace(/<iso:IDPICC>01<\/iso:IDPICC>/, ''))), { code: 'PAOS_ELEMENT_MISSING' });
    assert.throws(() => parseEac1Output(env(good.replace('<iso:IDPICC>01</iso:IDPICC>', '<iso:IDPICC>0G</iso:IDPICC>'))), { code: 'PAOS_VALUE_INVALID' });
    assert.throws(() => parseEac1Output(env(good.replace('<iso:IDPICC>01</iso:IDPICC>', '<iso:IDPICC>011</iso:IDPICC>'))), { code: 'PAOS_VALUE_INVALID' });
    assert.throws(() => parseEac1Output(env(good.replace('TWCVCAT00001', 'X'))), { code: 'PAOS_VALUE_INVALID' });
    assert.throws(() => parseEac1Output(env(good.replace('<iso:EFCardAccess>3100</iso:EFCardAccess><iso:IDPICC>01</iso:IDPICC>', '<iso:IDPICC>01</iso:IDPICC><iso:EFCardAccess>3100</iso:EFCardAccess>'))), { code: 'PAOS_ELEMENT_MISSING' });
    assert.throws(() => parseEac1Output(env(good.replace('</iso:Challenge>', '</iso:Challenge><iso:Extra/>'))), { code: 'PAOS_ELEMENT_UNEXPECTED' });
    assert.throws(() => parseEac1Output(env(good.replace('iso:EAC1OutputType', 'iso:EAC2OutputType'))), { code: 'PAOS_MESSAGE_UNEXPECTED' });
    assert.throws(() => parseEac1Output(env(good.replace('iso:EAC1OutputType', 'iso:PinCompareOutputType'))), { code: 'PAOS_VALUE_INVALID' });
    assert.throws(() => parseEac1Output(body('client', buildDidAuthenticateErrorResponse({ major: 'error', minor: RESULT_MINOR.cancellationByUser }, 'EAC1OutputType'))), (e: { code?: string; detail?: { minor?: string } }) => e.code === 'PAOS_CLIENT_CANCELLED' && e.detail?.minor === RESULT_MINOR.cancellationByUser);
    const pin = resultForError('PACE_PASSWORD_WRONG');
    assert.throws(() => parseEac1Output(body('client', buildDidAuthenticateErrorResponse(pin, 'EAC1OutputType'))), (e: { code?: string; detail?: { minor?: string } }) => e.code === 'PAOS_CLIENT_ERROR' && e.detail?.minor === 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/ifdl/common#invalidPIN');
  });

  it('DIDAuthenticate EAC2InputType: Certificate*, EphemeralPublicKey, Signature?', () => {
    const m = { connectionHandle: handle, didName: 'PIN', certificates: certs, ephemeralPublicKey: b('04aabb'), signature: b('ccdd') };
    const el = body('server', buildEac2Input(m));
    assert.equal(serverMessageKind(el), 'EAC2InputType');
    assert.deepEqual(order(el, 'AuthenticationProtocolData'), ['Certificate', 'Certificate', 'EphemeralPublicKey', 'Signature']);
    assert.deepEqual(parseEac2Input(el), m);
    const { signature: _s, ...unsigned } = m;
    assert.deepEqual(parseEac2Input(body('server', buildEac2Input(unsigned))), unsigned);
  });

  it('DIDAuthenticateResponse EAC2OutputType: EFCardSecurity?, AuthenticationToken?, Nonce?, Challenge?', () => {
    const m = { result: OK, efCardSecurity: b('3082'), authenticationToken: b('11'), nonce: b('22') };
    const el = body('client', buildEac2Output(m));
    assert.deepEqual(order(el, 'AuthenticationProtocolData'), ['EFCardSecurity', 'AuthenticationToken', 'Nonce']);
    assert.deepEqual(parseEac2Output(el), m);
    assert.deepEqual(parseEac2Output(body('client', buildEac2Output({ result: OK, challenge: b('0102030405060708') }))), { result: OK, challenge: b('0102030405060708') });
  });

  it('DIDAuthenticate EACAdditionalInputType: Signature', () => {
    const m = { connectionHandle: handle, didName: 'PIN', signature: b('abcdef') };
    const el = body('server', buildEacAdditionalInput(m));
    assert.equal(serverMessageKind(el), 'EACAdditionalInputType');
    assert.deepEqual(order(el, 'AuthenticationProtocolData'), ['Signature']);
    assert.deepEqual(parseEacAdditionalInput(el), m);
    assert.throws(() => parseEac2Input(el), { code: 'PAOS_MESSAGE_UNEXPECTED' });
  });

  it('Transmit with several InputAPDUInfo and AcceptableStatusCode; TransmitResponse', () => {
    const m = { slotHandle: b('00'), apdus: [{ apdu: b('0ca4040c00'), acceptableStatusCodes: ['9000'] }, { apdu: b('0cb0810000'), acceptableStatusCodes: ['9000', '6282', '6A82'] }, { apdu: b('00200000'), acceptableStatusCodes: [] }] };
    const el = body('server', buildTransmit(m));
    assert.deepEqual(elementChildren(el).map(localNameOf), ['SlotHandle', 'InputAPDUInfo', 'InputAPDUInfo', 'InputAPDUInfo']);
    assert.deepEqual(order(el, 'InputAPDUInfo'), ['InputAPDU', 'AcceptableStatusCode']);
    assert.deepEqual(parseTransmit(el), { ...m, apdus: m.apdus.map((a) => ({ ...a, acceptableStatusCodes: a.acceptableStatusCodes.map((s) => s.toUpperCase()) })) });
    const r = { result: OK, outputApdus: [b('9000'), b('abcd9000')] };
    assert.deepEqual(parseTransmitResponse(body('client', buildTransmitResponse(r))), r);
    assert.throws(() => parseTransmitResponse(body('client', buildTransmitResponse({ result: OK, outputApdus: [] }))), { code: 'PAOS_ELEMENT_MISSING' });
    assert.throws(() => parseTransmitResponse(body('client', buildTransmitResponse({ result: { major: 'error', minor: RESULT_MINOR.cancellationByUser }, outputApdus: [] }))), { code: 'PAOS_CLIENT_CANCELLED' });
    assert.throws(() => parseTransmit(body('server', buildTransmit({ slotHandle: b('00'), apdus: [{ apdu: b('00'), acceptableStatusCodes: [] }] }))), { code: 'PAOS_VALUE_INVALID' });
  });

  it('StartPAOSResponse carries our errors through the catalog', () => {
    const el = body('server', buildStartPaosResponse(resultForError('PAOS_RELATES_TO_MISMATCH', 'PAOS_RELATES_TO_MISMATCH')));
    assert.deepEqual(parseStartPaosResponse(el), { major: 'error', minor: 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/al/common#unknownAPIFunction', message: 'PAOS_RELATES_TO_MISMATCH' });
  });

  it('unknown messages by name or namespace', () => {
    assert.throws(() => clientMessageKind(body('client', { name: 'iso:Disconnect', children: [] })), { code: 'PAOS_MESSAGE_UNKNOWN' });
    assert.throws(() => clientMessageKind(body('client', { name: 'ecard:StartPAOS', children: [] })), { code: 'PAOS_MESSAGE_UNKNOWN' });
    assert.throws(() => serverMessageKind(body('server', { name: 'iso:DIDList', children: [] })), { code: 'PAOS_MESSAGE_UNKNOWN' });
  });
});
