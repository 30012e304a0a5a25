/**
 * WS-Security X.509 signatures of the eID-Interface (WSDL policy #SigOnly): an enveloped-in-header
 * ds:Signature over the Body and the wsu:Timestamp, exclusive c14n, RSA-SHA256 with SHA-256 digests
 * (Basic256Sha256), the key named by X509IssuerSerial (IncludeToken/Never). Both sides use this
 * file: the server verifies requests and signs responses, the client helper does the reverse.
 *
 * Signature wrapping: nothing from the original document is read after verification. The Body and
 * the Timestamp are re-parsed from the canonical XML xml-crypto returns for the references the
 * verified signature covers (getSignedReferences, as xml-crypto advises), and the two references
 * must point at the envelope's Body and the Security header's Timestamp with unique ids.
 *
 * @spec wss-soap-message-security-1.1 §4 (Id), §8 (signatures), §10 (Timestamp); wss-x509-token-profile-1.1 §3.2 (IssuerSerial); ws-securitypolicy-1.2 §6.1 (Basic256Sha256); xmldsig-core §4; xml-exc-c14n; tr03130-1 §3.5.2
 */
import { createHash, createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { systemClock, type Clock } from '../../shared/clock.js';
import { envelopeParts, operationOf } from '../envelope.js';
import { SOAP11_NS } from '../profiles.js';
import { elementChildren, esc, is, leafText } from '../xml/dom.js';
import { parseXml, SoapError } from '../xml/parse.js';

export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export interface WssCredentials {
  /** PEM or KeyObject of the RSA private key. */
  key: string | KeyObject;
  /** PEM certificate of that key (its issuer and serial go into the KeyInfo). */
  cert: string;
}

export interface WssVerifyOptions {
  clock?: Clock;
  /** Oldest acceptable wsu:Created (default 5 minutes). */
  maxAgeMs?: number;
  /** Tolerated clock difference (default 60 s). */
  skewMs?: number;
}

export interface VerifiedMessage {
  /** The operation element, parsed from the signed canonical Body. */
  operation: Element;
  /** Hex SHA-256 of the SignatureValue, for a replay cache. */
  signatureDigest: string;
  created: Date;
}

// ---------------------------------------------------------------- signing

/** A complete signed SOAP 1.1 envelope around one operation element. */
export function signEnvelope(operationXml: string, signer: WssCredentials, clock: Clock = systemClock, ttlMs = 300_000): string {
  const now = clock.now();
  const suffix = randomBytes(8).toString('hex');
  const unsigned =
    `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}">` +
    `<soap:Header><wsse:Security soap:mustUnderstand="1"><wsu:Timestamp wsu:Id="TS-${suffix}">` +
    `<wsu:Created>${isoSeconds(now)}</wsu:Created><wsu:Expires>${isoSeconds(new Date(now.getTime() + ttlMs))}</wsu:Expires>` +
    `</wsu:Timestamp></wsse:Security></soap:Header>` +
    `<soap:Body wsu:Id="Body-${suffix}">${operationXml}</soap:Body></soap:Envelope>`;
  const issuerSerial = issuerSerialOf(signer.cert);
  const sig = new SignedXml({
    privateKey: typeof signer.key === 'string' ? privateKeyOf(signer.key) : signer.key,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    idMode: 'wssecurity',
    // wss-x509-token-profile §3.2: the key by issuer and serial, the certificate itself is not sent (IncludeToken/Never).
    getKeyInfoContent: () =>
      `<wsse:SecurityTokenReference xmlns:wsse="${WSSE_NS}"><ds:X509Data><ds:X509IssuerSerial>` +
      `<ds:X509IssuerName>${esc(issuerSerial.issuer)}</ds:X509IssuerName><ds:X509SerialNumber>${issuerSerial.serial}</ds:X509SerialNumber>` +
      '</ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference>',
  });
  sig.addReference({ xpath: `//*[local-name(.)='Timestamp' and namespace-uri(.)='${WSU_NS}']`, transforms: [EXC_C14N], digestAlgorithm: SHA256 });
  sig.addReference({ xpath: `//*[local-name(.)='Body' and namespace-uri(.)='${SOAP11_NS}']`, transforms: [EXC_C14N], digestAlgorithm: SHA256 });
  sig.computeSignature(unsigned, { prefix: 'ds', location: { reference: `//*[local-name(.)='Security' and namespace-uri(.)='${WSSE_NS}']`, action: 'append' } });
  return sig.getSignedXml();
}

function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

// ---------------------------------------------------------------- verification

/**
 * Verifies the signature of a parsed envelope with the registered certificate. Throws
 * WSS_SIGNATURE_MISSING (unsigned: no answer), WSS_CERTIFICATE_UNKNOWN (another key: no answer),
 * WSS_SIGNATURE_INVALID (answered with common#internalError only).
 */
export function verifyEnvelope(xml: string, doc: Document, certPem: string, options: WssVerifyOptions = {}): VerifiedMessage {
  const parts = envelopeParts(doc);
  if (!parts.header) throw new SoapError('WSS_SIGNATURE_MISSING', 'no SOAP Header, so no WS-Security signature');
  const securities = elementChildren(parts.header).filter((e) => is(e, WSSE_NS, 'Security'));
  if (securities.length === 0) throw new SoapError('WSS_SIGNATURE_MISSING', 'no wsse:Security header');
  if (securities.length > 1) throw invalid('more than one wsse:Security header');
  const security = securities[0] as Element;
  const secChildren = elementChildren(security);
  const signatures = secChildren.filter((e) => is(e, DS_NS, 'Signature'));
  if (signatures.length === 0) throw new SoapError('WSS_SIGNATURE_MISSING', 'wsse:Security holds no ds:Signature');
  if (signatures.length > 1 || doc.getElementsByTagNameNS(DS_NS, 'Signature').length !== 1) throw invalid('exactly one ds:Signature expected');
  const signature = signatures[0] as Element;
  const timestamps = secChildren.filter((e) => is(e, WSU_NS, 'Timestamp'));
  if (timestamps.length !== 1) throw invalid('wsse:Security must hold exactly one wsu:Timestamp');
  const timestamp = timestamps[0] as Element;

  checkKeyReference(signature, certPem);
  checkSignedInfo(signature, doc, parts.body, timestamp);

  let sig: SignedXml;
  let valid: boolean;
  try {
    sig = new SignedXml({ publicCert: publicKeyOf(certPem), idMode: 'wssecurity', getCertFromKeyInfo: () => null });
    sig.loadSignature(signature);
    valid = sig.checkSignature(xml);
  } catch (cause) {
    throw invalid('signature verification failed', cause);
  }
  if (!valid) throw invalid('signature value or digests do not verify');

  // Only what the verified signature covers is read from here on.
  let body: Element | undefined;
  let signedTimestamp: Element | undefined;
  for (const canonical of sig.getSignedReferences()) {
    const root = parseXml(canonical).documentElement;
    if (root && is(root, SOAP11_NS, 'Body') && !body) body = root;
    else if (root && is(root, WSU_NS, 'Timestamp') && !signedTimestamp) signedTimestamp = root;
    else throw invalid('signed reference is neither the Body nor the Timestamp');
  }
  if (!body || !signedTimestamp) throw invalid('signature must cover the Body and the Timestamp');
  const created = checkTimestamp(signedTimestamp, options);
  const value = elementChildren(signature).find((e) => is(e, DS_NS, 'SignatureValue'));
  const signatureDigest = createHash('sha256').update(value ? leafText(value).replace(/\s+/g, '') : '').digest('hex');
  return { operation: operationOf(body), signatureDigest, created };
}

function invalid(message: string, cause?: unknown): SoapError {
  return new SoapError('WSS_SIGNATURE_INVALID', message, cause === undefined ? {} : { cause });
}

function child(el: Element | undefined, ns: string, local: string): Element | undefined {
  return el === undefined ? undefined : elementChildren(el).find((e) => is(e, ns, local));
}

/** wss-x509-token-profile §3.2: KeyInfo/SecurityTokenReference/X509Data/X509IssuerSerial must name the registered certificate. */
function checkKeyReference(signature: Element, certPem: string): void {
  const serialEl = child(child(child(child(child(signature, DS_NS, 'KeyInfo'), WSSE_NS, 'SecurityTokenReference'), DS_NS, 'X509Data'), DS_NS, 'X509IssuerSerial'), DS_NS, 'X509SerialNumber');
  const issuerEl = serialEl?.parentNode ? child(serialEl.parentNode as Element, DS_NS, 'X509IssuerName') : undefined;
  if (!serialEl || !issuerEl) throw new SoapError('WSS_CERTIFICATE_UNKNOWN', 'no X509IssuerSerial key reference');
  const expected = issuerSerialOf(certPem);
  const serial = leafText(serialEl).trim();
  if (!/^[0-9]{1,60}$/.test(serial) || BigInt(serial) !== BigInt(expected.serial) || !sameDn(leafText(issuerEl), expected.issuer)) {
    throw new SoapError('WSS_CERTIFICATE_UNKNOWN', 'the signature names a certificate other than the registered one');
  }
}

/** Basic256Sha256 with exclusive c14n, exactly the Body and the Timestamp, each id unique in the document. */
function checkSignedInfo(signature: Element, doc: Document, body: Element, timestamp: Element): void {
  const signedInfo = child(signature, DS_NS, 'SignedInfo');
  if (!signedInfo) throw invalid('no SignedInfo');
  const algorithm = (el: Element | undefined) => el?.getAttribute('Algorithm') ?? '';
  if (algorithm(child(signedInfo, DS_NS, 'CanonicalizationMethod')) !== EXC_C14N) throw invalid('CanonicalizationMethod must be exclusive c14n');
  if (algorithm(child(signedInfo, DS_NS, 'SignatureMethod')) !== RSA_SHA256) throw invalid('SignatureMethod must be rsa-sha256 (Basic256Sha256)');
  const references = elementChildren(signedInfo).filter((e) => is(e, DS_NS, 'Reference'));
  if (references.length !== 2) throw invalid('exactly two references (Body, Timestamp) expected');
  const targets = new Set<Element>();
  for (const ref of references) {
    const uri = ref.getAttribute('URI') ?? '';
    if (!/^#[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(uri)) throw invalid('reference URI must be a same-document #id');
    const transforms = child(ref, DS_NS, 'Transforms');
    const list = transforms ? elementChildren(transforms).map((t) => algorithm(t)) : [];
    if (list.length !== 1 || list[0] !== EXC_C14N) throw invalid('reference transform must be exclusive c14n only');
    if (algorithm(child(ref, DS_NS, 'DigestMethod')) !== SHA256) throw invalid('DigestMethod must be sha256');
    const matches = elementsWithId(doc, uri.slice(1));
    if (matches.length !== 1) throw invalid(`id ${uri} must name exactly one element`);
    targets.add(matches[0] as Element);
  }
  if (!targets.has(body) || !targets.has(timestamp)) throw invalid('references must be the envelope Body and the Security Timestamp');
}

/** Every element carrying the id in any attribute named Id / ID / id (what xml-crypto would resolve). */
function elementsWithId(doc: Document, id: string): Element[] {
  const out: Element[] = [];
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const el = all.item(i) as Element;
    for (let a = 0; a < el.attributes.length; a++) {
      const attr = el.attributes.item(a);
      if (attr && (attr.localName === 'Id' || attr.localName === 'ID' || attr.localName === 'id') && attr.value === id) {
        out.push(el);
        break;
      }
    }
  }
  return out;
}

function checkTimestamp(ts: Element, options: WssVerifyOptions): Date {
  const now = (options.clock ?? systemClock).now().getTime();
  const skew = options.skewMs ?? 60_000;
  const maxAge = options.maxAgeMs ?? 300_000;
  const createdEl = child(ts, WSU_NS, 'Created');
  if (!createdEl) throw invalid('Timestamp without Created');
  const created = parseDateTime(leafText(createdEl));
  if (created > now + skew) throw invalid('Timestamp Created lies in the future');
  if (created < now - maxAge - skew) throw invalid('Timestamp too old');
  const expiresEl = child(ts, WSU_NS, 'Expires');
  if (expiresEl) {
    const expires = parseDateTime(leafText(expiresEl));
    if (expires < created || expires < now - skew) throw invalid('Timestamp expired');
  }
  return new Date(created);
}

function parseDateTime(text: string): number {
  const t = text.trim();
  // wss-soap-message-security §10: xsd:dateTime in UTC.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(t)) throw invalid('Timestamp value must be an xsd:dateTime in UTC');
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw invalid('Timestamp value is not a date');
  return ms;
}

// ---------------------------------------------------------------- parsed credentials
// The same few PEM credentials (the server's signer, the registered eService certificates) sign and
// verify every message; importing an RSA key or decoding a certificate costs about as much as the
// RSA operation itself. Parsed once per PEM text (the key of the map is the whole PEM, so a changed
// credential is parsed anew); bounded, the map is emptied when full.
const PARSED_LIMIT = 256;
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();
const issuerSerials = new Map<string, { issuer: string; serial: string }>();

function parsedOnce<T>(map: Map<string, T>, pem: string, parse: (pem: string) => T): T {
  let value = map.get(pem);
  if (value === undefined) {
    value = parse(pem);
    if (map.size >= PARSED_LIMIT) map.clear();
    map.set(pem, value);
  }
  return value;
}

function privateKeyOf(pem: string): KeyObject {
  return parsedOnce(privateKeys, pem, (p) => createPrivateKey(p));
}

/** The public key of a PEM certificate (what xml-crypto would extract from publicCert on every check). */
function publicKeyOf(certPem: string): KeyObject {
  return parsedOnce(publicKeys, certPem, (p) => new X509Certificate(p).publicKey);
}

// ---------------------------------------------------------------- issuer and serial

/** Issuer as an RFC 4514 string (most specific RDN first) and the serial in decimal (xmldsig X509SerialNumber is an integer). */
export function issuerSerialOf(certPem: string): { issuer: string; serial: string } {
  return { ...parsedOnce(issuerSerials, certPem, readIssuerSerial) };
}

function readIssuerSerial(certPem: string): { issuer: string; serial: string } {
  const cert = new X509Certificate(certPem);
  const rdns = cert.issuer.split('\n').filter((l) => l !== '').reverse();
  const issuer = rdns.map((rdn) => rdn.replace(/^([^=]+)=(.*)$/, (_m, k: string, v: string) => `${k}=${escapeDnValue(v)}`)).join(',');
  return { issuer, serial: BigInt(`0x${cert.serialNumber}`).toString(10) };
}

function escapeDnValue(v: string): string {
  return v.replace(/[,+"\\<>;]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`).replace(/ $/, '\\ ');
}

/** Compares two distinguished names as sets of type=value pairs (order, spacing and type case tolerated). */
function sameDn(a: string, b: string): boolean {
  const norm = (dn: string) => splitDn(dn).map(([k, v]) => `${(DN_TYPES[k.trim().toUpperCase()] ?? k.trim().toUpperCase())}=${v.trim().replace(/\s+/g, ' ').toLowerCase()}`).sort();
  const x = norm(a);
  const y = norm(b);
  return x.length > 0 && x.length === y.length && x.every((v, i) => v === y[i]);
}

const DN_TYPES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.5': 'SERIALNUMBER',
  'OID.2.5.4.3': 'CN', 'OID.2.5.4.6': 'C', 'OID.2.5.4.10': 'O', 'OID.2.5.4.11': 'OU', S: 'ST', E: 'EMAILADDRESS', '1.2.840.113549.1.9.1': 'EMAILADDRESS',
};

/** RFC 4514 split on unescaped ',', ';' and '+', then on the first '='; backslash escapes removed. */
function splitDn(dn: string): [string, string][] {
  const out: [string, string][] = [];
  let cur = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i] as string;
    if (c === '\\' && i + 1 < dn.length) {
      cur += c + (dn[i + 1] as string);
      i += 1;
    } else if (c === ',' || c === ';' || c === '+') {
      out.push(pair(cur));
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(pair(cur));
  return out;
}

function pair(rdn: string): [string, string] {
  const eq = rdn.indexOf('=');
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
  return eq < 0 ? [rdn, ''] : [rdn.slice(0, eq), unescape(rdn.slice(eq + 1))];
}
