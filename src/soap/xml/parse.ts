/**
 * Hardened XML parsing for the SOAP eID-Interface: size and nesting limits, no DTD, no entity
 * declarations (XXE and entity expansion are refused before the parser sees the text), no
 * processing instructions besides the XML declaration, any parser warning is an error. The parsing
 * itself is the shared one of src/shared/xml.ts; this file only binds the SOAP codes.
 *
 * @spec xml-1.0 §2.8 (document type declaration), §4.1 (entity references); owasp-xxe (disallow DTDs)
 */
import { IdpError } from '../../errors/idp-error.js';
import { parseXml as parseHardenedXml, type XmlDocument } from '../../shared/xml.js';

export class SoapError extends IdpError {}

export interface XmlLimits {
  /** UTF-8 bytes of the whole document. */
  maxChars: number;
  /** Element nesting depth. */
  maxDepth: number;
  /** Total number of elements. */
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxChars: 256 * 1024, maxDepth: 32, maxElements: 4000 };

/** The shared hardened parser (src/shared/xml.ts) with the eID-Interface's own error codes. */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlDocument {
  return parseHardenedXml(text, {
    limits: { maxBytes: limits.maxChars, maxDepth: limits.maxDepth, maxElements: limits.maxElements },
    codes: { tooLarge: 'SOAP_TOO_LARGE', forbidden: 'SOAP_XML_DTD_FORBIDDEN', malformed: 'SOAP_XML_MALFORMED' },
    error: (code, message, options) => new SoapError(code, message, options),
  });
}
