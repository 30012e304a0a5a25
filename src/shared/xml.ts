/**
 * The one hardened XML parser of the IdP (PAOS, SOAP eID-Interface, SAML, metadata, TC Tokens):
 * size, depth and element-count limits; no DTD and no entity declarations (XXE and entity
 * expansion are refused before the parser sees the text); no processing instructions besides the
 * XML declaration; anything the parser would "recover" from is an error.
 *
 * @xmldom/xmldom 0.8 is the one XML library version in the tree: xml-crypto and xml-encryption
 * depend on it, and two parsers reading the same bytes differently is how signature wrapping starts.
 * Each protocol front passes its own error codes, so callers keep their specific codes.
 *
 * @spec xml-1.0 §2.8 (document type declaration), §4.1 (entity references); xml-names §5 (prefix declaration)
 */
import { DOMParser } from '@xmldom/xmldom';
import type { ErrorCode } from '../errors/catalog.js';
import { IdpError } from '../errors/idp-error.js';

export type XmlDocument = Document;
export type XmlElement = Element;
export type XmlNode = Node;

export interface XmlLimits {
  /** UTF-8 bytes of the whole document. */
  maxBytes: number;
  /** Element nesting depth. */
  maxDepth: number;
  /** Total number of elements. */
  maxElements: number;
}

export interface XmlErrorCodes {
  tooLarge: ErrorCode;
  tooDeep?: ErrorCode;
  forbidden: ErrorCode;
  malformed: ErrorCode;
}

export type XmlErrorFactory = (code: ErrorCode, message: string, options?: { cause?: unknown }) => IdpError;

export interface ParseXmlOptions {
  limits: XmlLimits;
  codes: XmlErrorCodes;
  /** Builds the thrown error (lets a front keep its own IdpError subclass). */
  error?: XmlErrorFactory;
}

const ELEMENT_NODE = 1;
const PROCESSING_INSTRUCTION_NODE = 7;
const DOCUMENT_TYPE_NODE = 10;

// XML 1.0 §2.8: a DTD starts with "<!DOCTYPE"; "<!ENTITY" and the other declarations only occur inside one.
const DTD_MARKERS = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

export function parseXml(input: string | Uint8Array, options: ParseXmlOptions): XmlDocument {
  const { limits, codes } = options;
  const fail = options.error ?? ((code, message, opts) => new IdpError(code, message, opts));
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > limits.maxBytes) throw fail(codes.tooLarge, `XML of ${size} bytes exceeds ${limits.maxBytes}`);
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch (cause) {
      throw fail(codes.malformed, 'XML is not UTF-8', { cause });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (DTD_MARKERS.test(text)) throw fail(codes.forbidden, 'DTDs and entity declarations are not accepted');

  let problem: string | undefined;
  const parser = new DOMParser({
    errorHandler: {
      warning: (message: string) => {
        problem ??= message;
      },
      error: (message: string) => {
        problem ??= message;
      },
      fatalError: (message: string) => {
        problem ??= message;
        throw new Error(message);
      },
    },
  });
  let doc: XmlDocument;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (cause) {
    throw fail(codes.malformed, `XML not well-formed${problem ? `: ${problem.slice(0, 200)}` : ''}`, { cause });
  }
  // xmldom recovers from many errors; a recovered document is not the document the peer sent.
  if (problem !== undefined) throw fail(codes.malformed, `XML not well-formed: ${problem.slice(0, 200)}`);
  if (!doc.documentElement) throw fail(codes.malformed, 'XML has no root element');
  checkTree(doc, limits, codes, fail);
  return doc;
}

/** xml-names §5: a prefix must be declared; xmldom 0.8 silently leaves such names without a namespace. */
function checkPrefixes(el: XmlElement, codes: XmlErrorCodes, fail: XmlErrorFactory): void {
  if (el.prefix && !el.namespaceURI) throw fail(codes.malformed, `undeclared namespace prefix ${el.prefix.slice(0, 40)}`);
  for (let i = 0; i < el.attributes.length; i += 1) {
    const attr = el.attributes.item(i);
    if (attr?.prefix && attr.prefix !== 'xmlns' && attr.prefix !== 'xml' && !attr.namespaceURI) {
      throw fail(codes.malformed, `undeclared namespace prefix ${attr.prefix.slice(0, 40)}`);
    }
  }
}

/** Iterative walk (no recursion on attacker-controlled depth): limits, DOCTYPE and PI nodes. */
function checkTree(doc: XmlDocument, limits: XmlLimits, codes: XmlErrorCodes, fail: XmlErrorFactory): void {
  let elements = 0;
  const stack: { node: XmlNode; depth: number }[] = [{ node: doc, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node, depth } = item;
    if (node.nodeType === DOCUMENT_TYPE_NODE) throw fail(codes.forbidden, 'DTDs are not accepted');
    if (node.nodeType === PROCESSING_INSTRUCTION_NODE && (node as ProcessingInstruction).target.toLowerCase() !== 'xml') {
      throw fail(codes.forbidden, 'processing instructions are not accepted');
    }
    if (node.nodeType === ELEMENT_NODE) {
      elements += 1;
      if (elements > limits.maxElements) throw fail(codes.tooLarge, `more than ${limits.maxElements} elements`);
      if (depth > limits.maxDepth) throw fail(codes.tooDeep ?? codes.tooLarge, `elements nested deeper than ${limits.maxDepth}`);
      checkPrefixes(node as XmlElement, codes, fail);
    }
    for (let child = node.firstChild; child !== null; child = child.nextSibling) stack.push({ node: child, depth: depth + 1 });
  }
}
