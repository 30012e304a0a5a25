/**
 * XML namespaces of the PAOS channel and the prefixes we write (AusweisApp PaosCreator uses the
 * same). Parsers never rely on a prefix: they compare namespace URIs and local names.
 *
 * @spec tr03112-7 §3 (PAOS binding), eid-protocol §3.1 (envelope and headers)
 */
export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  paos: 'urn:liberty:paos:2006-08',
  wsa: 'http://www.w3.org/2005/03/addressing',
  iso: 'urn:iso:std:iso-iec:24727:tech:schema',
  ecard: 'http://www.bsi.bund.de/ecard/api/1.1',
  dss: 'urn:oasis:names:tc:dss:1.0:core:schema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  /** Legacy correlation header seen in older servers and fixtures. */
  sb: 'urn:liberty:sb:2003-08',
} as const;

export type Prefix = keyof typeof NS;

/** PAOS version URI (TR-03112-7 §3.2, also the HTTP `PAOS: ver=…` header and the TC Token Binding). */
export const PAOS_VERSION = 'urn:liberty:paos:2006-08';
/** Media type of PAOS messages over HTTP (TR-03112-7 §3.2). */
export const PAOS_MEDIA_TYPE = 'application/vnd.paos+xml';
/** PAOS service the client offers (TR-03112-7 §3.3.2). */
export const PAOS_SERVICE_TYPE = 'http://www.bsi.bund.de/ecard/api/1.1/PAOS/GetNextCommand';
