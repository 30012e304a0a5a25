/**
 * Reading XML by namespace + local name (never by prefix), as the reference advises for peers that
 * choose their own prefixes. Only element children count; whitespace text between them is ignored,
 * any other text or a comment where elements are expected is a schema violation.
 *
 * @spec xml-names §6 (namespace scoping), tr03130-1 §3 (element names)
 */
import { SoapError } from './parse.js';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const COMMENT_NODE = 8;

export function isElement(node: Node | null | undefined): node is Element {
  return node !== null && node !== undefined && node.nodeType === ELEMENT_NODE;
}

export function is(el: Element, ns: string, local: string): boolean {
  return el.namespaceURI === ns && el.localName === local;
}

/** Element children; non-whitespace text between elements is a schema violation. */
export function elementChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n)) out.push(n);
    else if ((n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) && (n.nodeValue ?? '').trim() !== '') {
      throw violation(`unexpected text inside ${el.localName}`);
    }
  }
  return out;
}

/** Text content of a leaf element (no element children allowed). */
export function leafText(el: Element): string {
  let text = '';
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n)) throw violation(`${el.localName} must not contain elements`);
    if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) text += n.nodeValue ?? '';
    else if (n.nodeType !== COMMENT_NODE) throw violation(`unexpected content in ${el.localName}`);
  }
  return text;
}

/**
 * Walks a sequence of children in schema order: `take(name)` consumes the next child when it has that
 * name (in `ns`), `end()` fails if anything is left. Unknown optional elements named in `skip` are
 * tolerated (other schema versions).
 */
export class Sequence {
  readonly #children: Element[];
  readonly #ns: string;
  readonly #parent: string;
  #i = 0;

  constructor(parent: Element, ns: string) {
    this.#children = elementChildren(parent);
    this.#ns = ns;
    this.#parent = parent.localName ?? '';
  }

  optional(local: string): Element | undefined {
    const next = this.#children[this.#i];
    if (next && is(next, this.#ns, local)) {
      this.#i += 1;
      return next;
    }
    return undefined;
  }

  required(local: string): Element {
    const el = this.optional(local);
    if (!el) throw violation(`${this.#parent}: ${local} missing or out of order`);
    return el;
  }

  /** Skips any of the given optional elements (tolerated, not interpreted). */
  skip(...locals: string[]): void {
    for (;;) {
      const next = this.#children[this.#i];
      if (next && next.namespaceURI === this.#ns && locals.includes(next.localName ?? '')) this.#i += 1;
      else return;
    }
  }

  /** All remaining children (for sequences whose members are checked by the caller). */
  rest(): Element[] {
    const out = this.#children.slice(this.#i);
    this.#i = this.#children.length;
    return out;
  }

  end(): void {
    const next = this.#children[this.#i];
    if (next) throw violation(`${this.#parent}: unexpected element ${next.localName ?? '?'}`);
  }
}

export function violation(message: string): SoapError {
  return new SoapError('SOAP_SCHEMA_VIOLATION', message);
}

/** Escapes text for element content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}
