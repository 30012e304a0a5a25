/**
 * Reading XML by namespace + local name (never by prefix), as the reference advises for peers that
 * choose their own prefixes. Only element children count; whitespace text between them is ignored,
 * any other text or a comment where elements are expected is a schema violation. The readers are
 * those of src/shared/xml-dom.ts, with SOAP's error (SOAP_SCHEMA_VIOLATION).
 *
 * @spec xml-names §6 (namespace scoping), tr03130-1 §3 (element names)
 */
import { ElementSequence, elementChildren as children, hasName, simpleText, isElementNode } from '../../shared/xml-dom.js';
import { SoapError } from './parse.js';

export { hasName as is };

/** Element children; non-whitespace text between elements is a schema violation. */
export function elementChildren(el: Element): Element[] {
  return children(el, (parent) => violation(`unexpected text inside ${parent.localName}`));
}

/** Text content of a leaf element (no element children allowed). */
export function leafText(el: Element): string {
  return simpleText(el, (parent, found) => violation(isElementNode(found) ? `${parent.localName} must not contain elements` : `unexpected content in ${parent.localName}`));
}

/**
 * Walks a sequence of children in schema order: `required(name)`/`optional(name)` consume the next
 * child when it has that name (in `ns`), `end()` fails if anything is left. Unknown optional elements
 * named in `skip` are tolerated (other schema versions).
 */
export class Sequence extends ElementSequence {
  constructor(parent: Element, ns: string) {
    const name = parent.localName ?? '';
    super(elementChildren(parent), {
      matches: (el, local) => hasName(el, ns, local),
      missing: (local) => violation(`${name}: ${local} missing or out of order`),
      unexpected: (next) => violation(`${name}: unexpected element ${next.localName ?? '?'}`),
    });
  }
}

export function violation(message: string): SoapError {
  return new SoapError('SOAP_SCHEMA_VIOLATION', message);
}

/** Escapes text for element content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}
