import assert from 'node:assert/strict';
import { parseXml, type ParseXmlOptions } from '../../../src/shared/xml.js';

const options: ParseXmlOptions = {
  limits: { maxBytes: 4096, maxDepth: 8, maxElements: 50 },
  codes: { tooLarge: 'HTTP_BODY_TOO_LARGE', tooDeep: 'HTTP_BODY_TOO_LARGE', forbidden: 'HTTP_UNSUPPORTED_MEDIA_TYPE', malformed: 'HTTP_BAD_REQUEST' },
};

describe('shared/xml: hardened parser', () => {
  it('parses well-formed XML with namespaces, BOM and Buffer input', () => {
    const doc = parseXml(Buffer.from('\ufeff<?xml version="1.0"?><a:x xmlns:a="urn:a"><a:y>1</a:y></a:x>'), options);
    assert.equal(doc.documentElement.localName, 'x');
    assert.equal(doc.documentElement.namespaceURI, 'urn:a');
  });

  it('refuses DTDs, entity declarations (XXE, billion laughs) and processing instructions', () => {
    for (const xml of [
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
      '<! doctype x><x/>',
      '<x><?php echo 1 ?></x>',
    ]) assert.throws(() => parseXml(xml, options), { code: 'HTTP_UNSUPPORTED_MEDIA_TYPE' }, xml);
  });

  it('refuses malformed input instead of recovering', () => {
    for (const xml of ['', 'not xml', '<x>', '<x></y>', '<x a="1" a="2"/>', '<x>&undefined;</x>', '<a:x/>', '<x b:c="1"/>']) {
      assert.throws(() => parseXml(xml, options), { code: 'HTTP_BAD_REQUEST' }, JSON.stringify(xml));
    }
    assert.throws(() => parseXml(Buffer.from([0x3c, 0x78, 0xff, 0x3e]), options), { code: 'HTTP_BAD_REQUEST' });
  });

  it('enforces size, depth and element limits', () => {
    assert.throws(() => parseXml(`<x>${'a'.repeat(5000)}</x>`, options), { code: 'HTTP_BODY_TOO_LARGE' });
    assert.throws(() => parseXml(`${'<x>'.repeat(10)}${'</x>'.repeat(10)}`, options), { code: 'HTTP_BODY_TOO_LARGE' });
    assert.throws(() => parseXml(`<x>${'<y/>'.repeat(60)}</x>`, options), { code: 'HTTP_BODY_TOO_LARGE' });
  });
});
