/**
 * The eID-Interface pipeline without transport: every operation, every result minor, malformed SOAP
 * of every kind, WS-Security failures (stripped, wrong key, tampered, wrapped, replayed, stale), and
 * xmllint validation of the responses against the published XSDs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import { IdpError } from '../../../src/errors/idp-error.js';
import { fixedClock } from '../../../src/shared/clock.js';
import { getResultRequestXml, getServerInfoRequestXml, useIdRequestXml } from '../../../src/soap/client.js';
import { handleEidInterfaceRequest, type SoapOutcome } from '../../../src/soap/eid-interface.js';
import { signEnvelope, verifyEnvelope } from '../../../src/soap/wss/ws-security.js';
import { parseXml } from '../../../src/soap/xml/parse.js';
import { deps, rsaCert, service, xmllint } from './fixtures.js';

const MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor/';
const client = () => rsaCert('client');
const serialize = (el: Element) => new XMLSerializer().serializeToString(el);

/** Signs with the client key, runs the pipeline, verifies the server signature; returns the operation element. */
async function call(d: ReturnType<typeof deps>, svc: ReturnType<typeof service>, operationXml: string): Promise<{ outcome: SoapOutcome; op: Element; xml: string }> {
  const outcome = await handleEidInterfaceRequest(signEnvelope(operationXml, client()), svc, client().cert, d);
  assert.equal(outcome.kind, 'reply');
  const xml = (outcome as { xml: string }).xml;
  const op = verifyEnvelope(xml, parseXml(xml), rsaCert('server').cert).operation;
  return { outcome, op, xml: serialize(op) };
}

function text(el: Element, local: string): string | undefined {
  const found = el.getElementsByTagNameNS('*', local);
  return found.length > 0 ? (found.item(0)?.textContent ?? undefined) : undefined;
}
const minor = (el: Element) => text(el, 'ResultMinor');
const major = (el: Element) => text(el, 'ResultMajor');

describe('SOAP eID-Interface (de)', () => {
  const svc = service('de');

  it('getServerInfo: version and DocumentVerificationRights of the terminal certificate; valid per the TR-03130 XSD', async () => {
    const d = deps();
    const { op, xml } = await call(d, svc, getServerInfoRequestXml('de'));
    assert.equal(op.localName, 'getServerInfoResponse');
    assert.equal(text(op, 'Major'), '2');
    assert.equal(text(op, 'Minor'), '4');
    const rights = op.getElementsByTagNameNS('http://bsi.bund.de/eID/', 'DocumentVerificationRights').item(0) as Element;
    assert.equal(text(rights, 'GivenNames'), 'ALLOWED');
    assert.equal(text(rights, 'ArtisticName'), 'PROHIBITED', 'not in the terminal CHAT');
    assert.equal(text(rights, 'AgeVerification'), 'ALLOWED');
    xmllint('de', xml);
  });

  it('getServerInfoRequest sent unqualified (TR-03130 Example 7) is accepted', async () => {
    const { op } = await call(deps(), svc, '<getServerInfoRequest/>');
    assert.equal(op.localName, 'getServerInfoResponse');
  });

  it('useID: Session ≥ 32 hex, eCardServerAddress, PSK, Result ok; valid per the XSD', async () => {
    const d = deps();
    const { op, xml } = await call(d, svc, useIdRequestXml('de', { operations: { GivenNames: 'REQUIRED', FamilyNames: 'REQUIRED', PlaceOfBirth: 'ALLOWED', AgeVerification: 'REQUIRED' }, age: 18, transactionInfo: 'Kontoeröffnung' }));
    assert.equal(major(op), 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok');
    const id = text(op, 'ID') as string;
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(text(op, 'eCardServerAddress'), 'https://eid.example.test:3443/paos');
    assert.match(text(op, 'Key') as string, /^[0-9A-F]{64}$/);
    xmllint('de', xml);
    const session = await d.sessions.require(id);
    assert.deepEqual(session.request.required, ['GivenNames', 'FamilyNames', 'AgeVerification']);
    assert.deepEqual(session.request.optional, ['PlaceOfBirth']);
    assert.deepEqual(session.request.ageVerification, { age: 18 });
    assert.equal(session.request.transactionInfo, 'Kontoeröffnung');
  });

  it('useID with an eService PSK echoes it; Session/ID = PSK/ID', async () => {
    const d = deps();
    const pskId = 'ABCDEF01'.repeat(4);
    const keyHex = randomBytes(32).toString('hex').toUpperCase();
    const { op } = await call(d, svc, useIdRequestXml('de', { operations: { GivenNames: 'REQUIRED' }, psk: { id: pskId, keyHex } }));
    assert.equal(text(op, 'Key'), keyHex);
    const ids = op.getElementsByTagNameNS('http://bsi.bund.de/eID/', 'ID');
    assert.equal(ids.item(0)?.textContent, pskId);
    assert.equal(ids.item(1)?.textContent, pskId);
  });

  for (const [title, input, expected] of [
    ['AgeVerification without AgeVerificationRequest → missingArgument', { operations: { AgeVerification: 'REQUIRED' } }, 'useID#missingArgument'],
    ['PlaceVerification without PlaceVerificationRequest → missingArgument', { operations: { PlaceVerification: 'ALLOWED' } }, 'useID#missingArgument'],
    ['an attribute outside the terminal CHAT → missingTerminalRights', { operations: { ArtisticName: 'REQUIRED' } }, 'useID#missingTerminalRights'],
    ['an operation this server does not offer as REQUIRED → missingTerminalRights', { operations: { PSC: 'REQUIRED' } }, 'useID#missingTerminalRights'],
    ['a PSK with a short key → invalidPSK', { operations: { GivenNames: 'REQUIRED' }, psk: { id: 'ab'.repeat(16), keyHex: 'AB'.repeat(8) } }, 'useID#invalidPSK'],
    ['a PSK whose ID is not hex → invalidPSK', { operations: { GivenNames: 'REQUIRED' }, psk: { id: 'not-hex-but-long-enough-0123456789', keyHex: 'AB'.repeat(32) } }, 'useID#invalidPSK'],
    ['a malformed CommunityID → schemaViolation', { operations: { PlaceVerification: 'REQUIRED' }, communityId: '12' }, 'common#schemaViolation'],
    ['a LevelOfAssuranceRequest that is not a LevelOfAssuranceType URI → schemaViolation', { operations: { GivenNames: 'REQUIRED' }, levelOfAssurance: 'urn:example:loa:gold' }, 'common#schemaViolation'],
  ] as const) {
    it(`useID: ${title}`, async () => {
      const { op, xml } = await call(deps(), svc, useIdRequestXml('de', input as Parameters<typeof useIdRequestXml>[1]));
      assert.equal(major(op), 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error');
      assert.equal(minor(op), MINOR + expected);
      xmllint('de', xml);
    });
  }

  it('useID: the eService cap → tooManyOpenSessions', async () => {
    const d = deps();
    const capped = service('de', { maxConcurrentSessions: 1 });
    const request = useIdRequestXml('de', { operations: { GivenNames: 'REQUIRED' } });
    assert.equal(major((await call(d, capped, request)).op), 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok');
    assert.equal(minor((await call(d, capped, request)).op), `${MINOR}useID#tooManyOpenSessions`);
  });

  it('useID: UseOperations values other than REQUIRED/ALLOWED/PROHIBITED, unknown or duplicate elements → schemaViolation', async () => {
    const ns = 'http://bsi.bund.de/eID/';
    for (const ops of ['<eid:GivenNames>YES</eid:GivenNames>', '<eid:Shoesize>REQUIRED</eid:Shoesize>', '<eid:GivenNames>ALLOWED</eid:GivenNames><eid:GivenNames>ALLOWED</eid:GivenNames>']) {
      const { op } = await call(deps(), svc, `<eid:useIDRequest xmlns:eid="${ns}"><eid:UseOperations>${ops}</eid:UseOperations></eid:useIDRequest>`);
      assert.equal(minor(op), `${MINOR}common#schemaViolation`, ops);
    }
    const { op } = await call(deps(), svc, `<eid:useIDRequest xmlns:eid="${ns}"><eid:AgeVerificationRequest><eid:Age>1</eid:Age></eid:AgeVerificationRequest></eid:useIDRequest>`);
    assert.equal(minor(op), `${MINOR}common#schemaViolation`, 'UseOperations missing');
  });

  it('useID: other namespace prefixes and empty elements (PROHIBITED) are accepted', async () => {
    const d = deps();
    const xml = '<x:useIDRequest xmlns:x="http://bsi.bund.de/eID/"><x:UseOperations><x:GivenNames>REQUIRED</x:GivenNames><x:CommunityID/></x:UseOperations></x:useIDRequest>';
    const { op } = await call(d, svc, xml);
    assert.equal(major(op), 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok');
  });

  async function openSession(d: ReturnType<typeof deps>, s = svc): Promise<string> {
    const { op } = await call(d, s, useIdRequestXml('de', {
      operations: { GivenNames: 'REQUIRED', FamilyNames: 'REQUIRED', DateOfBirth: 'REQUIRED', PlaceOfResidence: 'ALLOWED', PlaceOfBirth: 'ALLOWED', CommunityID: 'ALLOWED', RestrictedID: 'REQUIRED', AgeVerification: 'REQUIRED' },
      age: 18,
    }));
    return text(op, 'ID') as string;
  }

  it('getResult: noResultYet until done, then PersonalData in v2.4 order, verifications, OperationsAllowedByUser; valid per XSD; then the session is gone', async () => {
    const d = deps();
    const id = await openSession(d);
    const pending = await call(d, svc, getResultRequestXml('de', id, 1));
    assert.equal(minor(pending.op), `${MINOR}getResult#noResultYet`);
    xmllint('de', pending.xml);
    await d.sessions.storeResult(id, {
      attributes: {
        GivenNames: { status: 'value', text: 'ERIKA' }, FamilyNames: { status: 'value', text: 'MUSTERMANN' }, DateOfBirth: { status: 'value', text: '19640812' },
        PlaceOfResidence: { status: 'value', place: { kind: 'structured', street: 'HEIDESTRASSE 17', city: 'KÖLN', country: 'D', zipCode: '51147' } },
        PlaceOfBirth: { status: 'prohibited' }, CommunityID: { status: 'notOnChip' },
      },
      restrictedId: { id: 'ab'.repeat(32) }, ageVerification: true, documentValidity: 'valid',
    });
    const done = await call(d, svc, getResultRequestXml('de', id, 2));
    xmllint('de', done.xml);
    assert.equal(major(done.op), 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok');
    const personal = done.op.getElementsByTagNameNS('http://bsi.bund.de/eID/', 'PersonalData').item(0) as Element;
    const order = Array.from({ length: personal.childNodes.length }, (_, i) => (personal.childNodes.item(i) as Element).localName);
    assert.deepEqual(order, ['GivenNames', 'FamilyNames', 'DateOfBirth', 'PlaceOfResidence', 'RestrictedID']);
    assert.equal(text(personal, 'DateString'), '19640812');
    assert.equal(text(personal, 'DateValue'), '1964-08-12');
    assert.equal(text(personal, 'City'), 'KÖLN');
    assert.equal(text(done.op, 'FulfilsRequest'), 'true');
    const allowed = done.op.getElementsByTagNameNS('http://bsi.bund.de/eID/', 'OperationsAllowedByUser').item(0) as Element;
    assert.equal(text(allowed, 'GivenNames'), 'ALLOWED');
    assert.equal(text(allowed, 'PlaceOfBirth'), 'PROHIBITED');
    assert.equal(text(allowed, 'CommunityID'), 'NOTONCHIP');
    assert.equal(text(allowed, 'ArtisticName'), 'PROHIBITED', 'not requested');
    assert.equal(text(allowed, 'RestrictedID'), 'ALLOWED');
    assert.equal(await d.sessions.get(id), null, 'personal data deleted on delivery');
    const after = await call(d, svc, getResultRequestXml('de', id, 3));
    assert.equal(minor(after.op), `${MINOR}getResult#invalidSession`);
  });

  it('getResult: a replayed or skipped RequestCounter → invalidCounter and the session ends', async () => {
    for (const [first, second] of [[1, 1], [1, 3], [2, 3]]) {
      const d = deps();
      const id = await openSession(d);
      const r1 = await call(d, svc, getResultRequestXml('de', id, first as number));
      if (first === 1) {
        assert.equal(minor(r1.op), `${MINOR}getResult#noResultYet`);
        const r2 = await call(d, svc, getResultRequestXml('de', id, second as number));
        assert.equal(minor(r2.op), `${MINOR}getResult#invalidCounter`, `${first},${second}`);
      } else {
        assert.equal(minor(r1.op), `${MINOR}getResult#invalidCounter`, 'first call must send 1');
      }
      assert.equal(await d.sessions.get(id), null);
    }
  });

  it('getResult: unknown session and another eService\'s session → invalidSession (and the other session survives)', async () => {
    const d = deps();
    assert.equal(minor((await call(d, svc, getResultRequestXml('de', 'ab'.repeat(32), 1))).op), `${MINOR}getResult#invalidSession`);
    const id = await openSession(d);
    const other = service('de', { id: 'svc-other' } as never);
    assert.equal(minor((await call(d, other, getResultRequestXml('de', id, 1))).op), `${MINOR}getResult#invalidSession`);
    assert.ok(await d.sessions.get(id));
  });

  for (const [code, expected] of [
    ['EID_DOCUMENT_INVALID', 'getResult#invalidDocument'],
    ['EID_DOCUMENT_DENIED', 'getResult#deniedDocument'],
    ['INTERNAL', 'common#internalError'],
  ] as const) {
    it(`getResult: an error result ${code} → ${expected}, session deleted`, async () => {
      const d = deps();
      const id = await openSession(d);
      await d.sessions.storeResult(id, { attributes: {}, error: { code } });
      const { op, xml } = await call(d, svc, getResultRequestXml('de', id, 1));
      assert.equal(minor(op), MINOR + expected);
      assert.equal(op.getElementsByTagNameNS('http://bsi.bund.de/eID/', 'PersonalData').length, 0);
      xmllint('de', xml);
      assert.equal(await d.sessions.get(id), null);
    });
  }

  it('getResult: missing Session, non-int counter, short Session/ID → schemaViolation', async () => {
    const ns = 'http://bsi.bund.de/eID/';
    for (const body of [
      `<eid:getResultRequest xmlns:eid="${ns}"><eid:RequestCounter>1</eid:RequestCounter></eid:getResultRequest>`,
      `<eid:getResultRequest xmlns:eid="${ns}"><eid:Session><eid:ID>${'ab'.repeat(32)}</eid:ID></eid:Session><eid:RequestCounter>one</eid:RequestCounter></eid:getResultRequest>`,
      `<eid:getResultRequest xmlns:eid="${ns}"><eid:Session><eid:ID>abcd</eid:ID></eid:Session><eid:RequestCounter>1</eid:RequestCounter></eid:getResultRequest>`,
      `<eid:getResultRequest xmlns:eid="${ns}"><eid:Session><eid:ID>${'ab'.repeat(32)}</eid:ID></eid:Session><eid:RequestCounter>1</eid:RequestCounter><eid:Extra/></eid:getResultRequest>`,
    ]) {
      assert.equal(minor((await call(deps(), svc, body)).op), `${MINOR}common#schemaViolation`, body);
    }
  });
});

describe('SOAP eID-Interface (tw)', () => {
  const svc = service('tw');

  it('useID → getResult with tw PersonalData (values, PROHIBITED, NOTONCHIP, photo, RestrictedID); valid per the tw XSD', async () => {
    const d = deps();
    const use = await call(d, svc, useIdRequestXml('tw', { operations: { ChineseName: 'REQUIRED', NationalIdNumber: 'REQUIRED', DateOfBirth: 'REQUIRED', RomanizedName: 'ALLOWED', Photo: 'ALLOWED', HouseholdAddress: 'ALLOWED', RestrictedID: 'REQUIRED', PlaceVerification: 'ALLOWED' }, communityId: '63000' }));
    xmllint('tw', use.xml);
    assert.equal(use.op.namespaceURI, 'urn:neid:tw:eid:1.0');
    const id = text(use.op, 'ID') as string;
    await d.sessions.storeResult(id, {
      attributes: {
        ChineseName: { status: 'value', text: '王小明𠀀' }, NationalIdNumber: { status: 'value', text: 'A123456789' }, DateOfBirth: { status: 'value', text: '19900101' },
        RomanizedName: { status: 'prohibited' }, Photo: { status: 'value', base64: Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64') }, HouseholdAddress: { status: 'notOnChip' },
      },
      restrictedId: { id: 'cd'.repeat(32) }, placeVerification: false, documentValidity: 'valid',
    });
    const res = await call(d, svc, getResultRequestXml('tw', id, 1));
    xmllint('tw', res.xml);
    assert.equal(text(res.op, 'ChineseName'), '王小明𠀀');
    assert.equal(text(res.op, 'Photo'), '/9j/2Q==');
    assert.equal(text(res.op, 'FulfilsRequest'), 'false');
    const allowed = res.op.getElementsByTagNameNS('urn:neid:tw:eid:1.0', 'OperationsAllowedByUser').item(0) as Element;
    assert.equal(text(allowed, 'RomanizedName'), 'PROHIBITED');
    assert.equal(text(allowed, 'HouseholdAddress'), 'NOTONCHIP');
    assert.equal(text(allowed, 'Photo'), 'ALLOWED');
    assert.equal(text(allowed, 'Sex'), 'PROHIBITED');
  });

  it('getServerInfo (tw) validates; de-namespace requests are not tw operations', async () => {
    const { xml } = await call(deps(), svc, getServerInfoRequestXml('tw'));
    xmllint('tw', xml);
    const outcome = await handleEidInterfaceRequest(signEnvelope(getResultRequestXml('de', 'ab'.repeat(32), 1), client()), svc, client().cert, deps());
    assert.equal(outcome.kind === 'reply' && outcome.code, 'SOAP_OPERATION_UNKNOWN');
  });

  it('tw place verification with a malformed area code → schemaViolation', async () => {
    const { op } = await call(deps(), svc, useIdRequestXml('tw', { operations: { PlaceVerification: 'REQUIRED' }, communityId: '12345' }));
    assert.equal(minor(op), `${MINOR}common#schemaViolation`);
  });
});

describe('SOAP eID-Interface: malformed input and WS-Security', () => {
  const svc = service('de');
  const run = (xml: string, d = deps()) => handleEidInterfaceRequest(xml, svc, client().cert, d);
  const signed = () => signEnvelope(getServerInfoRequestXml('de'), client());

  async function faultCode(xml: string): Promise<string | undefined> {
    const outcome = await run(xml);
    assert.equal(outcome.kind, 'reply');
    const reply = outcome as Extract<SoapOutcome, { kind: 'reply' }>;
    // Even refusals are signed by the server.
    const op = verifyEnvelope(reply.xml, parseXml(reply.xml), rsaCert('server').cert).operation;
    assert.equal(op.localName, 'Fault');
    assert.equal(minor(op), `${MINOR}common#schemaViolation`);
    return reply.code;
  }

  it('not XML / truncated → SOAP_XML_MALFORMED', async () => {
    assert.equal(await faultCode('this is not xml'), 'SOAP_XML_MALFORMED');
    assert.equal(await faultCode(signed().slice(0, 200)), 'SOAP_XML_MALFORMED');
    assert.equal(await faultCode(''), 'SOAP_XML_MALFORMED');
  });

  it('DTD, external entity (XXE) and entity expansion → SOAP_XML_DTD_FORBIDDEN', async () => {
    assert.equal(await faultCode('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'), 'SOAP_XML_DTD_FORBIDDEN');
    assert.equal(await faultCode('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'), 'SOAP_XML_DTD_FORBIDDEN');
    const env = signed();
    assert.equal(await faultCode(env.replace('<soap:Envelope', '<!DOCTYPE soap:Envelope SYSTEM "http://attacker.invalid/x.dtd"><soap:Envelope')), 'SOAP_XML_DTD_FORBIDDEN');
  });

  it('oversize and too deep → SOAP_TOO_LARGE', async () => {
    assert.equal(await faultCode(`<x>${'a'.repeat(300 * 1024)}</x>`), 'SOAP_TOO_LARGE');
    assert.equal(await faultCode(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`), 'SOAP_TOO_LARGE');
  });

  it('wrong envelope (SOAP 1.2 namespace, no Body, two Bodies) → no answer when unsigned, schema faults when structural', async () => {
    const soap12 = signed().replaceAll('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope');
    assert.equal(await faultCode(soap12), 'SOAP_ENVELOPE_INVALID');
    assert.equal(await faultCode('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/></soap:Envelope>'), 'SOAP_ENVELOPE_INVALID');
  });

  it('unsigned request (no Header, no Security, no Signature) → dropped, no answer', async () => {
    const body = `<soap:Body>${getServerInfoRequestXml('de')}</soap:Body>`;
    for (const xml of [
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">${body}</soap:Envelope>`,
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/>${body}</soap:Envelope>`,
      signed().replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ''),
    ]) {
      assert.deepEqual(await run(xml), { kind: 'drop', code: 'WSS_SIGNATURE_MISSING' });
    }
  });

  it('signed with another certificate → dropped (unknown certificate)', async () => {
    const xml = signEnvelope(getServerInfoRequestXml('de'), rsaCert('intruder'));
    assert.deepEqual(await run(xml), { kind: 'drop', code: 'WSS_CERTIFICATE_UNKNOWN' });
  });

  async function internalError(xml: string, d = deps()): Promise<void> {
    const outcome = await run(xml, d);
    assert.equal(outcome.kind === 'reply' && outcome.code, 'WSS_SIGNATURE_INVALID');
    const reply = outcome as Extract<SoapOutcome, { kind: 'reply' }>;
    const op = verifyEnvelope(reply.xml, parseXml(reply.xml), rsaCert('server').cert).operation;
    assert.equal(minor(op), `${MINOR}common#internalError`);
    assert.equal(text(op, 'ResultMessage'), undefined, 'nothing but internalError');
  }

  it('wrong key behind the registered IssuerSerial → only common#internalError', async () => {
    await internalError(signEnvelope(getServerInfoRequestXml('de'), { key: rsaCert('intruder').key, cert: client().cert }));
  });

  it('Body changed after signing → only common#internalError', async () => {
    const xml = signEnvelope(useIdRequestXml('de', { operations: { GivenNames: 'REQUIRED' } }), client());
    await internalError(xml.replace('<eid:GivenNames>REQUIRED</eid:GivenNames>', '<eid:GivenNames>REQUIRED</eid:GivenNames><eid:FamilyNames>REQUIRED</eid:FamilyNames>'));
  });

  it('signature wrapping: signed Body moved into the Header, a forged Body in its place → only common#internalError', async () => {
    const xml = signEnvelope(getServerInfoRequestXml('de'), client());
    const body = /<soap:Body[\s\S]*<\/soap:Body>/.exec(xml)?.[0] as string;
    const forged = useIdRequestXml('de', { operations: { GivenNames: 'REQUIRED' } });
    // Variant 1: original Body kept under a wrapper in the Header, forged Body without id.
    const v1 = xml.replace(body, `<soap:Body>${forged}</soap:Body>`).replace('</wsse:Security>', `</wsse:Security><w:Wrapper xmlns:w="urn:x">${body}</w:Wrapper>`);
    await internalError(v1);
    // Variant 2: forged Body carries the same wsu:Id (duplicate ids).
    const id = /wsu:Id="(Body-[0-9a-f]+)"/.exec(xml)?.[1] as string;
    const v2 = xml.replace(body, `<soap:Body wsu:Id="${id}">${forged}</soap:Body>`).replace('</wsse:Security>', `</wsse:Security><w:Wrapper xmlns:w="urn:x">${body}</w:Wrapper>`);
    await internalError(v2);
  });

  it('weak algorithms, a third reference or a missing Timestamp reference → only common#internalError', async () => {
    const xml = signed();
    await internalError(xml.replace('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'));
    await internalError(xml.replace(/<ds:Reference URI="#TS-[\s\S]*?<\/ds:Reference>/, ''));
  });

  it('replayed request → only common#internalError', async () => {
    const d = deps();
    const xml = signed();
    assert.equal((await run(xml, d)).kind, 'reply');
    await internalError(xml, d);
  });

  it('replay cache unreachable → not processed, answered and coded as STORE_UNAVAILABLE (not as a bad signature)', async () => {
    const d = deps();
    const down = Object.create(d.replayStore ?? null) as NonNullable<typeof d.replayStore>;
    down.setIfAbsent = async () => { throw new IdpError('STORE_UNAVAILABLE', 'connection lost'); };
    const outcome = await run(signed(), { ...d, replayStore: down });
    assert.equal(outcome.kind === 'reply' && outcome.code, 'STORE_UNAVAILABLE');
    const reply = outcome as Extract<SoapOutcome, { kind: 'reply' }>;
    const op = verifyEnvelope(reply.xml, parseXml(reply.xml), rsaCert('server').cert).operation;
    assert.equal(op.localName, 'getServerInfoResponse', 'the operation\'s own response, with an error result');
    assert.equal(text(op, 'ResultMajor'), 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error');
  });

  it('stale or future Timestamp → only common#internalError', async () => {
    await internalError(signEnvelope(getServerInfoRequestXml('de'), client(), fixedClock(new Date(Date.now() - 3_600_000))));
    await internalError(signEnvelope(getServerInfoRequestXml('de'), client(), fixedClock(new Date(Date.now() + 3_600_000))));
  });

  it('the response signature covers Body and Timestamp (tampered response fails client verification)', async () => {
    const outcome = await run(signed());
    const xml = (outcome as { xml: string }).xml.replace('<eid:Major>2</eid:Major>', '<eid:Major>3</eid:Major>');
    assert.throws(() => verifyEnvelope(xml, parseXml(xml), rsaCert('server').cert), { code: 'WSS_SIGNATURE_INVALID' });
  });
});
