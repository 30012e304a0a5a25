/**
 * The strict DER reader (src/pki/der.ts parseDer): each X.690 rule it enforces, the node shape, and a
 * differential test against asn1js (the BER parser it replaced, with the DER re-checks it had) on
 * generated DER and on mutations of it.
 */
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import { parseDer, TagClass } from '../../../src/pki/der.js';
import type { DerNode, Fail } from '../../../src/pki/der.js';

class DerFailure extends Error {}
const fail: Fail = (reason: string): never => { throw new DerFailure(reason); };
const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const refused = (h: string | Buffer, options = {}) => assert.throws(() => parseDer(typeof h === 'string' ? hex(h) : h, fail, options), DerFailure);

/** The previous reader: asn1js fromBER, then the DER checks on every node. */
function asn1jsParseDer(bytes: Uint8Array): DerNode {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (input.byteLength === 0) fail('empty input');
  const result = asn1js.fromBER(input, { parseEmbedded: false, maxDepth: 32 } as never);
  if (result.offset === -1) fail('not decodable');
  if (result.offset !== input.byteLength) fail('trailing');
  const toNode = (block: asn1js.AsnType): DerNode => {
    const b = block as asn1js.BaseBlock;
    const { idBlock, lenBlock } = b;
    if (lenBlock.isIndefiniteForm) fail('indefinite length');
    if (lenBlock.longFormUsed && (lenBlock.length < 0x80 || lenBlock.blockLength - 1 !== Math.max(1, Math.ceil(Math.log2(lenBlock.length + 1) / 8)))) fail('non-minimal length');
    const raw = Buffer.from(b.valueBeforeDecodeView);
    const content = raw.subarray(idBlock.blockLength + lenBlock.blockLength);
    if (content.byteLength !== lenBlock.length) fail('length mismatch');
    const cls = idBlock.tagClass as TagClass;
    if (cls === TagClass.UNIVERSAL && idBlock.isConstructed !== (idBlock.tagNumber === 16 || idBlock.tagNumber === 17)) fail('form');
    const inner = idBlock.isConstructed ? ((b.valueBlock as unknown as { value?: asn1js.AsnType[] }).value ?? []) : [];
    return { cls, tag: idBlock.tagNumber, constructed: idBlock.isConstructed, raw, content, children: inner.map(toNode) };
  };
  return toNode(result.result);
}

type Shape = { cls: number; tag: number; constructed: boolean; raw: string; content: string; children: Shape[] };
const shape = (n: DerNode): Shape => ({ cls: n.cls, tag: n.tag, constructed: n.constructed, raw: n.raw.toString('hex'), content: n.content.toString('hex'), children: n.children.map(shape) });

/** Deterministic pseudo-random numbers (xorshift32), so a failure reproduces. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
}

function tlv(identifier: Buffer, content: Buffer): Buffer {
  const n = content.byteLength;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([identifier, len, content]);
}

/** A random DER element: universal SEQUENCE/SET/primitives, context and application tags (also high tag numbers). */
function randomDer(r: (n: number) => number, depth = 0): Buffer {
  const constructed = depth < 4 && r(3) !== 0;
  const kind = r(4);
  let identifier: Buffer;
  if (kind === 0) identifier = Buffer.from([constructed ? [0x30, 0x31][r(2)]! : [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x17, 0x18][r(11)]!]);
  else if (kind === 1 || kind === 2) identifier = Buffer.from([(kind === 1 ? 0x80 : 0x40) | (constructed ? 0x20 : 0) | r(31)]);
  else identifier = Buffer.from([0x40 | (constructed ? 0x20 : 0) | 0x1f, ...(r(2) === 0 ? [0x1f + r(0x60)] : [0x81 + r(0x7e), r(0x80)])]);
  if (!constructed) {
    const content = Buffer.from(Array.from({ length: [0, 1, 5, 130, 300][r(5)]! }, () => r(256)));
    // A BIT STRING's first octet counts its unused bits (X.690 §8.6.2); an OID is one-octet arcs here.
    if (identifier[0] === 0x03) return tlv(identifier, Buffer.concat([Buffer.from([0]), content]));
    if (identifier[0] === 0x06) return tlv(identifier, Buffer.concat([Buffer.from([0x2b]), content.map((b) => b & 0x7f)]));
    return tlv(identifier, content);
  }
  return tlv(identifier, Buffer.concat(Array.from({ length: r(4) }, () => randomDer(r, depth + 1))));
}

function mutate(r: (n: number) => number, der: Buffer): Buffer {
  const b = Buffer.from(der);
  switch (r(4)) {
    case 0: { const i = r(b.length); b[i] = b[i]! ^ (1 << r(8)); return b; }
    case 1: return b.subarray(0, r(b.length));
    case 2: { const i = r(b.length + 1); return Buffer.concat([b.subarray(0, i), Buffer.from([r(256)]), b.subarray(i)]); }
    default: { const i = r(b.length); b[i] = [0x00, 0x80, 0x81, 0x82, 0x1f, 0xff, 0x24, 0x10][r(8)]!; return b; }
  }
}

describe('pki/der parseDer', () => {
  it('reads a nested structure: classes, tags (high tag numbers too), raw and content views, children', () => {
    const der = hex('30 0e 02 01 05 a0 03 04 01 aa 7f 21 03 5f 20 00');
    const n = parseDer(der, fail);
    assert.equal(n.cls, TagClass.UNIVERSAL);
    assert.equal(n.tag, 16);
    assert.deepEqual(n.children.map((c) => [c.cls, c.tag, c.constructed]), [[TagClass.UNIVERSAL, 2, false], [TagClass.CONTEXT, 0, true], [TagClass.APPLICATION, 33, true]]);
    assert.equal(n.children[1]!.children[0]!.content.toString('hex'), 'aa');
    assert.equal(n.children[2]!.children[0]!.tag, 0x20);
    assert.equal(n.children[2]!.raw.toString('hex'), '7f21035f2000');
    assert.deepEqual(n.raw, der);
    // The nodes do not change when the caller reuses its buffer.
    der.fill(0);
    assert.equal(n.children[0]!.content[0], 5);
  });

  it('long-form lengths in the fewest octets are read', () => {
    const content = Buffer.alloc(300, 7);
    assert.equal(parseDer(Buffer.concat([hex('04 82 01 2c'), content]), fail).content.byteLength, 300);
    assert.equal(parseDer(Buffer.concat([hex('04 81 80'), Buffer.alloc(128)]), fail).content.byteLength, 128);
  });

  it('refuses: empty, truncated identifier/length/content, indefinite and non-minimal lengths, oversized length fields', () => {
    refused('');
    refused('7f');
    refused('7f 81');
    refused('04');
    refused('04 82 01');
    refused('04 03 aa');
    refused('30 80 04 00 00 00');
    refused('04 81 05 aabbccddee');
    refused(Buffer.concat([hex('04 82 00 80'), Buffer.alloc(128)]));
    refused('04 85 00 00 00 00 01 aa');
  });

  it('refuses non-minimal tag numbers, end-of-contents octets, constructed strings and primitive SEQUENCE/SET', () => {
    refused('9f 80 21 00');
    refused('9f 1e 00');
    refused('30 02 00 00');
    refused('24 03 04 01 aa');
    refused('23 03 03 01 00');
    refused('10 00');
    refused('11 00');
  });

  it('refuses value encodings X.690 forbids in any context: BIT STRING unused bits, a truncated OBJECT IDENTIFIER, unassigned universal tags', () => {
    assert.equal(parseDer(hex('03 02 07 80'), fail).content.toString('hex'), '0780');
    refused('03 00');
    refused('03 01 01');
    refused('03 02 08 00');
    assert.equal(parseDer(hex('06 03 2b 81 00'), fail).tag, 6);
    refused('06 02 2b 81');
    refused('1f 1f 00');
  });

  it('refuses a child that overruns its parent, trailing bytes (own callback), nesting beyond maxDepth', () => {
    refused('30 03 04 02 aa bb');
    refused('04 01 aa bb');
    let trailing = '';
    assert.throws(() => parseDer(hex('04 01 aa bb'), fail, { trailing: (r) => { trailing = r; throw new DerFailure(r); } }), DerFailure);
    assert.match(trailing, /1 trailing/);
    const nested = (levels: number): Buffer => (levels === 0 ? hex('05 00') : tlv(hex('30'), nested(levels - 1)));
    assert.equal(parseDer(nested(5), fail, { maxDepth: 5 }).children.length, 1);
    refused(nested(6), { maxDepth: 5 });
  });

  it('agrees with asn1js + the DER re-checks on generated DER, and on mutations only where X.690 makes it stricter', () => {
    const r = rng(20261202);
    let accepted = 0;
    let stricter = 0;
    let timeValues = 0;
    for (let i = 0; i < 3000; i++) {
      const original = randomDer(r);
      const input = i % 3 === 0 ? original : mutate(r, original);
      let ours: Shape | DerFailure;
      let theirs: Shape | DerFailure | Error;
      try { ours = shape(parseDer(input, fail)); } catch (e) { assert.ok(e instanceof DerFailure, String(e)); ours = e; }
      try { theirs = shape(asn1jsParseDer(input)); } catch (e) { theirs = e as Error; }
      if (i % 3 === 0) assert.ok(!(ours instanceof Error), `generated DER refused: ${input.toString('hex')}`);
      if (!(ours instanceof Error) && !(theirs instanceof Error)) {
        assert.deepEqual(ours, theirs, input.toString('hex'));
        accepted++;
      } else if (!(ours instanceof Error)) {
        // asn1js decodes UTCTime/GeneralizedTime while parsing (and throws); our time reader (cms.ts parseTime) checks them when read.
        assert.match((theirs as Error).message, /Wrong input string for conversion/, `accepted what asn1js refused: ${input.toString('hex')}`);
        timeValues++;
      } else if (!(theirs instanceof Error)) {
        // Only the X.690 rules asn1js does not check: end-of-contents octets, tag numbers < 31 in the high form.
        assert.match(ours.message, /end-of-contents|non-minimal tag number|unassigned universal tag|BIT STRING/, input.toString('hex'));
        stricter++;
      }
    }
    assert.ok(accepted > 1000, `${accepted} accepted`);
    // The seed reaches both kinds of difference (deterministic, see rng).
    assert.ok(stricter > 0 && timeValues > 0, `${stricter} stricter, ${timeValues} time values`);
  });
});
