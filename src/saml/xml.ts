/**
 * SAML's use of the one hardened XML parser (src/shared/xml.ts) plus the few DOM helpers the SAML
 * code needs: namespace-exact child lookup (never by prefix, never by XPath over the whole document,
 * so a wrapped or duplicated element is found as what it is) and escaping for the XML we write.
 *
 * @spec xml-1.0 §2.4 (character data), §3.3.3 (attribute-value normalisation); saml-core §1.3.3 (schema organization)
 */
import type { ErrorCode } from '../errors/catalog.js';
import { parseXml, type XmlDocument, type XmlElement, type XmlLimits } from '../shared/xml.js';
import { SamlError } from './errors.js';

export const SAML_XML_LIMITS: XmlLimits = { maxBytes: 256 * 1024, maxDepth: 32, maxElements: 4000 };

export function parseSamlXml(input: string | Uint8Array, limits: XmlLimits = SAML_XML_LIMITS): XmlDocument {
  return parseXml(input, {
    limits,
    codes: { tooLarge: 'SAML_XML_TOO_LARGE', forbidden: 'SAML_XML_FORBIDDEN', malformed: 'SAML_XML_MALFORMED' },
    error: (code, message, options) => new SamlError(code, message, options),
  });
}

const ELEMENT_NODE = 1;

export function childElements(parent: XmlElement | XmlDocument): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) out.push(n as XmlElement);
  return out;
}

export function isElement(el: XmlElement, ns: string, localName: string): boolean {
  return el.namespaceURI === ns && el.localName === localName;
}

/** Children with this name; `code` when more than `max` occur. */
export function children(parent: XmlElement, ns: string, localName: string): XmlElement[] {
  return childElements(parent).filter((c) => isElement(c, ns, localName));
}

/** The single child with this name, or undefined; two of them is `code` (no "first wins"). */
export function optionalChild(parent: XmlElement, ns: string, localName: string, code: ErrorCode): XmlElement | undefined {
  const found = children(parent, ns, localName);
  if (found.length > 1) throw new SamlError(code, `more than one ${localName}`);
  return found[0];
}

export function requiredChild(parent: XmlElement, ns: string, localName: string, code: ErrorCode): XmlElement {
  const el = optionalChild(parent, ns, localName, code);
  if (!el) throw new SamlError(code, `${parent.localName} lacks ${localName}`);
  return el;
}

/** Text content of an element that must have only text (no child elements). */
export function textOf(el: XmlElement, code: ErrorCode): string {
  if (childElements(el).length > 0) throw new SamlError(code, `${el.localName} must contain text only`);
  return (el.textContent ?? '').trim();
}

export function attr(el: XmlElement, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name) ?? '' : undefined;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' };

/** Escapes for both text and attribute values (attribute whitespace kept as character references). */
export function esc(value: string): string {
  // xml-1.0 §2.2: characters outside Char are not representable at all.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(value)) throw new SamlError('INTERNAL', 'value contains characters XML cannot carry');
  return value.replace(/[&<>"'\r\n\t]/g, (c) => ESCAPES[c] ?? c);
}

/** Text escaping: newlines stay literal in element content. */
export function escText(value: string): string {
  return esc(value).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');
}
