/**
 * Reading a document from the one hardened parser (src/shared/xml.ts) element by element: the
 * element children of element-only content, the text of simple content, names by namespace + local
 * name, and a reader of xs:sequence content in schema order. The front that reads decides what
 * matches a name (PAOS: the local name, as AusweisApp does; SOAP: namespace + local name) and which
 * error each violation is, so every front keeps its own error codes.
 *
 * @spec xml-names §6 (namespace scoping); xml-1.0 §3.2.1 (element content)
 */

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const COMMENT_NODE = 8;

export function isElementNode(node: Node | null | undefined): node is Element {
  return node !== null && node !== undefined && node.nodeType === ELEMENT_NODE;
}

/** Namespace URI and local name, never the prefix (peers choose their own prefixes). */
export function hasName(el: Element, ns: string, local: string): boolean {
  return el.namespaceURI === ns && el.localName === local;
}

/**
 * Element children of element-only content; non-whitespace text between them is `fail(el)` (without
 * `fail`, text is passed over: for documents already checked, e.g. a signature-verified reply).
 */
export function elementChildren(el: Element, fail?: (parent: Element) => Error): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (isElementNode(n)) out.push(n);
    else if (fail !== undefined && (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) && (n.nodeValue ?? '').trim() !== '') throw fail(el);
  }
  return out;
}

/** Text of simple content (text and CDATA, comments skipped, untrimmed); an element or any other node in it is `fail(el, node)`. */
export function simpleText(el: Element, fail: (parent: Element, found: Node) => Error): string {
  let text = '';
  for (let n = el.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) text += n.nodeValue ?? '';
    else if (n.nodeType !== COMMENT_NODE) throw fail(el, n);
  }
  return text;
}

/** What a front's sequence reader counts as a name, and the errors it raises. */
export interface SequenceRules {
  /** Whether `el` is the element the schema calls `name`. */
  matches(el: Element, name: string): boolean;
  /** `name` is required, but the next child is `found` (undefined: none is left). */
  missing(name: string, found: Element | undefined): Error;
  /** `el` is left over at the end (unexpected or out of order). */
  unexpected(el: Element): Error;
}

/**
 * Walks children in schema order (xs:sequence): `optional(name)` consumes the next child when it is
 * `name`, `required(name)` fails when it is not, `end()` fails if anything is left.
 */
export class ElementSequence {
  readonly #children: readonly Element[];
  readonly #rules: SequenceRules;
  #at = 0;

  constructor(children: readonly Element[], rules: SequenceRules) {
    this.#children = children;
    this.#rules = rules;
  }

  optional(name: string): Element | undefined {
    const next = this.#children[this.#at];
    if (next !== undefined && this.#rules.matches(next, name)) {
      this.#at += 1;
      return next;
    }
    return undefined;
  }

  required(name: string): Element {
    const el = this.optional(name);
    if (el === undefined) throw this.#rules.missing(name, this.#children[this.#at]);
    return el;
  }

  /** Skips any of the given optional elements (tolerated, not interpreted). */
  skip(...names: string[]): void {
    for (;;) {
      const next = this.#children[this.#at];
      if (next === undefined || !names.some((name) => this.#rules.matches(next, name))) return;
      this.#at += 1;
    }
  }

  /** All remaining children (extension points such as `xs:any`, or members the caller checks). */
  rest(): Element[] {
    const out = this.#children.slice(this.#at);
    this.#at = this.#children.length;
    return out;
  }

  end(): void {
    const left = this.#children[this.#at];
    if (left !== undefined) throw this.#rules.unexpected(left);
  }
}
