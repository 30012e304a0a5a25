/**
 * SOAP 1.1 envelope structure: Envelope → Header? → Body, exactly one operation element in the Body.
 * Used on the verified (signed) copies of Body and Timestamp only, see wss/verify.ts.
 *
 * @spec soap-1.1 §4 (envelope, header, body); tr03130-1 §3 (document/literal)
 */
import { SOAP11_NS } from './profiles.js';
import { SoapError } from './xml/parse.js';
import { elementChildren, is } from './xml/dom.js';

export interface EnvelopeParts {
  envelope: Element;
  header: Element | undefined;
  body: Element;
}

export function envelopeParts(doc: Document): EnvelopeParts {
  const envelope = doc.documentElement;
  if (!envelope || !is(envelope, SOAP11_NS, 'Envelope')) throw new SoapError('SOAP_ENVELOPE_INVALID', 'root is not a SOAP 1.1 Envelope');
  const children = elementChildren(envelope);
  let i = 0;
  let header: Element | undefined;
  if (children[i] && is(children[i] as Element, SOAP11_NS, 'Header')) header = children[i++];
  const body = children[i++];
  if (!body || !is(body, SOAP11_NS, 'Body')) throw new SoapError('SOAP_ENVELOPE_INVALID', 'Envelope must hold Header? then Body');
  if (children.length !== i) throw new SoapError('SOAP_ENVELOPE_INVALID', 'nothing may follow the Body');
  return { envelope, header, body };
}

/** The one operation element of a Body. */
export function operationOf(body: Element): Element {
  const children = elementChildren(body);
  if (children.length !== 1) throw new SoapError('SOAP_ENVELOPE_INVALID', `Body must hold exactly one element, found ${children.length}`);
  return children[0] as Element;
}
