/**
 * The XML layer of PAOS: a hardened parser (size and depth limits; no DTD, entity declarations or
 * processing instructions other than the XML declaration — XXE and entity expansion cannot happen),
 * element readers that enforce the schema's element order (those of src/shared/xml-dom.ts, with PAOS
 * error codes), and a small escaping writer.
 *
 * Children are matched by local name (AusweisApp's parser does the same, ElementDetector.cpp), so
 * prefix and default-namespace variations are tolerated; the envelope and the body element are
 * matched by namespace URI as well (envelope.ts, message.ts).
 *
 * @spec tr03112-7 §3 (PAOS messages), xml-1.0 §2.8 (prolog, DTD), eid-protocol §3.1
 */
import { parseXml as parseHardenedXml, type XmlElement } from '../../shared/xml.js';
import { ElementSequence, elementChildren as children, isElementNode, simpleText } from '../../shared/xml-dom.js';
import { PaosError } from './errors.js';
import { NS } from './namespaces.js';
import type { Prefix } from './namespaces.js';

export type { XmlElement };

export interface XmlLimits {
  /** Bytes of UTF-8 input (default 256 KiB: a Transmit with all DGs incl. a photo stays far below). */
  maxBytes?: number;
  /** Element nesting depth (default 24; PAOS messages nest at most ~8). */
  maxDepth?: number;
  /** Total elements (default 4096). */
  maxElements?: number;
}

export const DEFAULT_XML_LIMITS = { maxBytes: 256 * 1024, maxDepth: 24, maxElements: 4096 } as const;

/** Parses one XML document and returns its root element (the shared hardened parser, PAOS codes). */
export function parseXml(input: string | Buffer, limits: XmlLimits = {}): XmlElement {
  const doc = parseHardenedXml(input, {
    limits: {
      maxBytes: limits.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes,
      maxDepth: limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth,
      maxElements: limits.maxElements ?? DEFAULT_XML_LIMITS.maxElements,
    },
    codes: { tooLarge: 'PAOS_XML_TOO_LARGE', tooDeep: 'PAOS_XML_TOO_DEEP', forbidden: 'PAOS_XML_FORBIDDEN', malformed: 'PAOS_XML_MALFORMED' },
    error: (code, message, options) => new PaosError(code, message, options),
  });
  return doc.documentElement;
}

// ---------------------------------------------------------------- reading

export function localNameOf(el: XmlElement): string {
  return el.localName ?? el.nodeName.replace(/^.*:/, '');
}

/** Element children; non-whitespace text between them is a schema violation (element-only content). */
export function elementChildren(el: XmlElement): XmlElement[] {
  return children(el, (parent) => new PaosError('PAOS_ELEMENT_UNEXPECTED', `text content inside <${localNameOf(parent)}>`));
}

/** Text of a simple-content element (trimmed, as AusweisApp does); element children are an error. */
export function textOf(el: XmlElement): string {
  return simpleText(el, (parent, found) => new PaosError('PAOS_ELEMENT_UNEXPECTED', isElementNode(found)
    ? `<${localNameOf(parent)}> must hold text, found <${localNameOf(found)}>`
    : `unexpected node in <${localNameOf(parent)}>`)).trim();
}

/** xs:hexBinary (either case), as bytes. */
export function hexOf(el: XmlElement, options: { maxBytes?: number; minBytes?: number } = {}): Buffer {
  const text = textOf(el);
  if (text.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(text)) throw new PaosError('PAOS_VALUE_INVALID', `<${localNameOf(el)}> is not hexBinary`);
  const bytes = Buffer.from(text, 'hex');
  if (options.maxBytes !== undefined && bytes.length > options.maxBytes) throw new PaosError('PAOS_VALUE_INVALID', `<${localNameOf(el)}> longer than ${options.maxBytes} bytes`);
  if (options.minBytes !== undefined && bytes.length < options.minBytes) throw new PaosError('PAOS_VALUE_INVALID', `<${localNameOf(el)}> shorter than ${options.minBytes} bytes`);
  return bytes;
}

/** xs:nonNegativeInteger within a bound. */
export function uintOf(el: XmlElement, max = 0xffff): number {
  const text = textOf(el);
  if (!/^\+?[0-9]{1,9}$/.test(text)) throw new PaosError('PAOS_VALUE_INVALID', `<${localNameOf(el)}> is not a non-negative integer`);
  const n = Number(text);
  if (n > max) throw new PaosError('PAOS_VALUE_INVALID', `<${localNameOf(el)}> exceeds ${max}`);
  return n;
}

/** Attribute by local name (any namespace or none). */
export function attributeOf(el: XmlElement, localName: string, namespace?: string): string | null {
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (a === null) continue;
    const name = a.localName ?? a.nodeName.replace(/^.*:/, '');
    if (name === localName && (namespace === undefined || a.namespaceURI === namespace)) return a.value;
  }
  return null;
}

/** Local part of xsi:type (prefix resolved when declared; unprefixed values accepted as fixtures show). */
export function xsiTypeOf(el: XmlElement): { local: string; namespace: string | null } | null {
  const value = attributeOf(el, 'type', NS.xsi);
  if (value === null) return null;
  const trimmed = value.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0) return { local: trimmed, namespace: null };
  const prefix = trimmed.slice(0, colon);
  return { local: trimmed.slice(colon + 1), namespace: el.lookupNamespaceURI(prefix) };
}

/**
 * Reads the children of a complex element in schema order (xs:sequence), by local name: each call
 * consumes the next children with the given local name; anything out of order or left over is an error.
 */
export class Sequence extends ElementSequence {
  readonly #owner: string;

  constructor(el: XmlElement) {
    const owner = localNameOf(el);
    super(elementChildren(el), {
      matches: (child, name) => localNameOf(child) === name,
      missing: (name, found) => new PaosError('PAOS_ELEMENT_MISSING', `<${owner}> lacks <${name}>${found === undefined ? '' : ` (found <${localNameOf(found)}>)`}`, { detail: { element: name, parent: owner } }),
      unexpected: (left) => new PaosError('PAOS_ELEMENT_UNEXPECTED', `<${owner}> has unexpected or out-of-order <${localNameOf(left)}>`, { detail: { element: localNameOf(left), parent: owner } }),
    });
    this.#owner = owner;
  }

  many(name: string, min = 0, max = Number.POSITIVE_INFINITY): XmlElement[] {
    const out: XmlElement[] = [];
    for (let el = this.optional(name); el !== undefined; el = this.optional(name)) {
      out.push(el);
      if (out.length > max) throw new PaosError('PAOS_ELEMENT_UNEXPECTED', `<${this.#owner}> has more than ${max} <${name}>`);
    }
    if (out.length < min) throw new PaosError('PAOS_ELEMENT_MISSING', `<${this.#owner}> needs at least ${min} <${name}>`, { detail: { element: name, parent: this.#owner } });
    return out;
  }
}

// ---------------------------------------------------------------- writing

/** A node to serialise: a qualified element `prefix:Local`, attributes, children (elements or text). */
export interface XmlOut {
  name: `${Prefix}:${string}`;
  attrs?: Readonly<Record<string, string>>;
  children?: readonly (XmlOut | string)[];
}

export function el(name: XmlOut['name'], children: readonly (XmlOut | string | undefined)[] = [], attrs?: Record<string, string>): XmlOut {
  const kept = children.filter((c): c is XmlOut | string => c !== undefined);
  return attrs === undefined ? { name, children: kept } : { name, attrs, children: kept };
}

/** Simple-content element with text. */
export function leaf(name: XmlOut['name'], text: string, attrs?: Record<string, string>): XmlOut {
  return el(name, [text], attrs);
}

/** Simple-content element holding xs:hexBinary (canonical upper case). */
export function hexLeaf(name: XmlOut['name'], bytes: Uint8Array): XmlOut {
  return leaf(name, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase());
}

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

// xml-1.0 §2.2 Char: control characters other than tab, LF and CR cannot appear in a document.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

export function serialize(node: XmlOut | string): string {
  if (typeof node === 'string') {
    if (NOT_XML_CHAR.test(node)) throw new PaosError('PAOS_VALUE_INVALID', 'text contains a character XML cannot carry');
    return escapeText(node);
  }
  const attrs = Object.entries(node.attrs ?? {}).map(([k, v]) => {
    if (NOT_XML_CHAR.test(v)) throw new PaosError('PAOS_VALUE_INVALID', `attribute ${k} contains a character XML cannot carry`);
    return ` ${k}="${escapeAttribute(v)}"`;
  }).join('');
  const children = node.children ?? [];
  if (children.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${children.map(serialize).join('')}</${node.name}>`;
}
