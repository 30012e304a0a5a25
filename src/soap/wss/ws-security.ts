/**
 * WS-Security X.509 signatures of the eID-Interface (WSDL policy #SigOnly): an enveloped-in-header
 * ds:Signature over the Body and the wsu:Timestamp, exclusive c14n, RSA-SHA256 with SHA-256 digests
 * (Basic256Sha256), the key named by X509IssuerSerial (IncludeToken/Never). Both sides use this
 * file: the server verifies requests and signs responses, the client helper does the reverse.
 *
 * XML Signature processing (xmldsig-core §3.1 signing, §3.2 core validation) is done here for exactly
 * the one shape the policy allows (two same-document references, each with the one exc-c14n
 * transform, rsa-sha256); the canonicalization itself is xml-crypto's ExclusiveCanonicalization,
 * called with the options xml-crypto's SignedXml passes it. SignedXml itself is not used: per
 * message it re-parsed the whole envelope and located every node by XPath over the whole document,
 * several times the cost of the RSA operation (tools/bench/login.ts measures it).
 *
 * Signature wrapping: nothing from the original document is read after verification. The
 * references are read from the canonical SignedInfo the signature value covers (parsed again, as
 * xml-crypto does), each must name by a unique id the envelope's Body or the Security header's
 * Timestamp, and the Body and the Timestamp are re-parsed from the canonical XML whose digests
 * the signed references carry.
 *
 * @spec wss-soap-message-security-1.1 §4 (Id), §8 (signatures), §10 (Timestamp); wss-x509-token-profile-1.1 §3.2 (IssuerSerial); ws-securitypolicy-1.2 §6.1 (Basic256Sha256); xmldsig-core §3.1, §3.2, §4; xml-exc-c14n; tr03130-1 §3.5.2
 */
import { createHash, createPrivateKey, randomBytes, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { systemClock, type Clock } from '../../shared/clock.js';
import { envelopeParts, operationOf } from '../envelope.js';
import { SOAP11_NS } from '../profiles.js';
import { elementChildren, esc, is, leafText } from '../xml/dom.js';
import { parseXml, SoapError, type XmlLimits } from '../xml/parse.js';

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

// ---------------------------------------------------------------- exclusive canonicalization

/**
 * xml-crypto's exclusive canonicalizer with the document order of xml-c14n §2.2 (Document Order):
 * namespace nodes by prefix and attributes by namespace URI then local name (no namespace first),
 * each in code point order, as xmlsec1/libxml2, WSS4J and .NET sort. xml-crypto orders prefixes with
 * localeCompare ("ds" before "S") and attributes by namespace URI + local name concatenated, so a
 * peer's correct signature over such an element failed (test/interop/wss-xmlsec.test.ts signs and verifies both shapes).
 */
class Xmlc14nOrderCanonicalization extends ExclusiveCanonicalization {
  override nsCompare(a: { prefix: string }, b: { prefix: string }): -1 | 0 | 1 {
    return codePointCompare(a.prefix, b.prefix);
  }

  override attrCompare(a: Attr, b: Attr): -1 | 0 | 1 {
    return codePointCompare(a.namespaceURI ?? '', b.namespaceURI ?? '') || codePointCompare(a.localName, b.localName);
  }
}

/** Unicode code point order (what UTF-8 byte comparison gives; UTF-16 units differ above U+FFFF). */
function codePointCompare(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return (x[i] as number) < (y[i] as number) ? -1 : 1;
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

const excC14n = new Xmlc14nOrderCanonicalization();
/** SignedXml.defaultNsForPrefix: what xml-crypto assumes for a `ds:` prefix without a declaration. */
const DEFAULT_NS_FOR_PREFIX = { ds: DS_NS };

/**
 * xml-exc-c14n (without comments) of one element and its subtree, as xml-crypto's SignedXml applies
 * it to a same-document reference (`prefixList` from the Transform's InclusiveNamespaces) or to the
 * SignedInfo (no `prefixList`: ExclusiveCanonicalization reads CanonicalizationMethod's own).
 * Ancestor namespace declarations matter only for the InclusiveNamespaces prefixes; the
 * canonicalizer writes those onto the element, so it then works on a copy (as SignedXml does).
 */
function canonicalize(el: Element, prefixList: readonly string[] = []): string {
  const inclusive = prefixList.length > 0 ? [...prefixList] : canonicalizationMethodPrefixList(el);
  const ancestorNamespaces = inclusive.length > 0 ? ancestorNamespacesOf(el) : [];
  const target = inclusive.length > 0 ? (el.cloneNode(true) as Element) : el;
  return excC14n.process(target, { inclusiveNamespacesPrefixList: inclusive, ancestorNamespaces, defaultNsForPrefix: DEFAULT_NS_FOR_PREFIX });
}

/** ExclusiveCanonicalization.process's own lookup: CanonicalizationMethod/InclusiveNamespaces/@PrefixList among the children. */
function canonicalizationMethodPrefixList(el: Element): string[] {
  const method = childrenNamed(el, 'CanonicalizationMethod')[0];
  const inclusive = method === undefined ? undefined : childrenNamed(method, 'InclusiveNamespaces')[0];
  return inclusive === undefined ? [] : (inclusive.getAttribute('PrefixList') ?? '').split(' ');
}

function childrenNamed(el: Element, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === localName) out.push(n as Element);
  return out;
}

/**
 * xml-crypto's findAncestorNsForElement: the namespace declarations in scope from the ancestors
 * (innermost first wins), minus undeclarations, minus prefixes the element declares or uses itself.
 */
function ancestorNamespacesOf(el: Element): { prefix: string; namespaceURI: string }[] {
  const found: { prefix: string; namespaceURI: string }[] = [];
  for (let p = el.parentNode; p !== null && p.nodeType === 1; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs.item(i);
      if (attr !== null && /^xmlns:?/.test(attr.nodeName) && !found.some((f) => f.prefix === attr.nodeName.replace(/^xmlns:?/, ''))) {
        found.push({ prefix: attr.nodeName.replace(/^xmlns:?/, ''), namespaceURI: attr.nodeValue ?? '' });
      }
    }
  }
  const own = new Set<string>([el.prefix ?? '']);
  for (let i = 0; i < el.attributes.length; i++) {
    const name = el.attributes.item(i)?.nodeName ?? '';
    if (name === 'xmlns' || name.startsWith('xmlns:')) own.add(name.replace(/^xmlns:?/, ''));
  }
  return found.filter((ns) => ns.namespaceURI !== '' && !own.has(ns.prefix));
}

function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

// ---------------------------------------------------------------- signing

/** Our own envelopes: parsed with the hardened parser, with room for large getResult responses (photo). */
const OWN_XML_LIMITS: XmlLimits = { maxChars: 16 * 1024 * 1024, maxDepth: 64, maxElements: 100_000 };

/** A complete signed SOAP 1.1 envelope around one operation element. */
export function signEnvelope(operationXml: string, signer: WssCredentials, clock: Clock = systemClock, ttlMs = 300_000): string {
  const now = clock.now();
  const suffix = randomBytes(8).toString('hex');
  const tsId = `TS-${suffix}`;
  const bodyId = `Body-${suffix}`;
  // The Signature goes between `head` and `tail`: the last child of wsse:Security, after the Timestamp.
  const head =
    `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}">` +
    `<soap:Header><wsse:Security soap:mustUnderstand="1"><wsu:Timestamp wsu:Id="${tsId}">` +
    `<wsu:Created>${isoSeconds(now)}</wsu:Created><wsu:Expires>${isoSeconds(new Date(now.getTime() + ttlMs))}</wsu:Expires>` +
    '</wsu:Timestamp>';
  const tail = `</wsse:Security></soap:Header><soap:Body wsu:Id="${bodyId}">${operationXml}</soap:Body></soap:Envelope>`;
  // xmldsig-core §3.1.1: digests over the exc-c14n of the elements as the receiver will parse them.
  const parts = envelopeParts(parseXml(head + tail, OWN_XML_LIMITS));
  const timestamp = elementChildren(elementChildren(parts.header as Element)[0] as Element)[0] as Element;
  const reference = (id: string, el: Element) =>
    `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="${EXC_C14N}"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${sha256Base64(canonicalize(el))}</ds:DigestValue></ds:Reference>`;
  const signedInfo =
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"/><ds:SignatureMethod Algorithm="${RSA_SHA256}"/>` +
    `${reference(tsId, timestamp)}${reference(bodyId, parts.body)}</ds:SignedInfo>`;
  // xmldsig-core §3.1.2: the signature value over the canonical SignedInfo. Exclusive c14n renders only
  // the namespaces SignedInfo uses (ds), so its canonical form does not depend on where it is placed.
  const signedInfoEl = parseXml(`<ds:Signature xmlns:ds="${DS_NS}">${signedInfo}</ds:Signature>`, OWN_XML_LIMITS).documentElement as Element;
  const canonicalSignedInfo = canonicalize(elementChildren(signedInfoEl)[0] as Element);
  const key = typeof signer.key === 'string' ? privateKeyOf(signer.key) : signer.key;
  const signatureValue = sign('sha256', Buffer.from(canonicalSignedInfo, 'utf8'), key).toString('base64');
  const issuerSerial = issuerSerialOf(signer.cert);
  // wss-x509-token-profile §3.2: the key by issuer and serial, the certificate itself is not sent (IncludeToken/Never).
  const keyInfo =
    `<ds:KeyInfo><wsse:SecurityTokenReference xmlns:wsse="${WSSE_NS}"><ds:X509Data><ds:X509IssuerSerial>` +
    `<ds:X509IssuerName>${esc(issuerSerial.issuer)}</ds:X509IssuerName><ds:X509SerialNumber>${issuerSerial.serial}</ds:X509SerialNumber>` +
    '</ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference></ds:KeyInfo>';
  return `${head}<ds:Signature xmlns:ds="${DS_NS}">${signedInfo}<ds:SignatureValue>${signatureValue}</ds:SignatureValue>${keyInfo}</ds:Signature>${tail}`;
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
export function verifyEnvelope(_xml: string, doc: Document, certPem: string, options: WssVerifyOptions = {}): VerifiedMessage {
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
  const publicKey = publicKeyOf(certPem);
  if (publicKey.asymmetricKeyType !== 'rsa') throw invalid('the registered certificate has no RSA key (rsa-sha256)');

  const signedInfos = elementChildren(signature).filter((e) => is(e, DS_NS, 'SignedInfo'));
  if (signedInfos.length !== 1) throw invalid('exactly one SignedInfo expected');
  const signedInfoEl = signedInfos[0] as Element;
  if ((child(signedInfoEl, DS_NS, 'CanonicalizationMethod')?.getAttribute('Algorithm') ?? '') !== EXC_C14N) throw invalid('CanonicalizationMethod must be exclusive c14n');
  const values = elementChildren(signature).filter((e) => is(e, DS_NS, 'SignatureValue'));
  if (values.length !== 1) throw invalid('exactly one SignatureValue expected');
  const signatureValue = leafText(values[0] as Element).replace(/\s+/g, '');

  let canonicalSignedInfo: string;
  let signedInfo: Element;
  try {
    canonicalSignedInfo = canonicalize(signedInfoEl);
    // From here on the references are read from the canonical SignedInfo the signature value covers.
    signedInfo = parseXml(canonicalSignedInfo).documentElement as Element;
  } catch (cause) {
    throw invalid('SignedInfo cannot be canonicalized', cause);
  }
  const references = checkSignedInfo(signedInfo, doc, parts.body, timestamp);

  // xmldsig-core §3.2.1: reference validation (digest of the transformed target).
  const canonicalTargets: string[] = [];
  for (const ref of references) {
    let canonical: string;
    try {
      canonical = canonicalize(ref.target, ref.prefixList);
    } catch (cause) {
      throw invalid('reference target cannot be canonicalized', cause);
    }
    if (!createHash('sha256').update(canonical, 'utf8').digest().equals(Buffer.from(ref.digestValue, 'base64'))) throw invalid('signature value or digests do not verify');
    canonicalTargets.push(canonical);
  }
  // xmldsig-core §3.2.2: signature validation over the canonical SignedInfo.
  let valid: boolean;
  try {
    valid = verify('sha256', Buffer.from(canonicalSignedInfo, 'utf8'), publicKey, Buffer.from(signatureValue, 'base64'));
  } catch (cause) {
    throw invalid('signature verification failed', cause);
  }
  if (!valid) throw invalid('signature value or digests do not verify');

  // Only what the verified signature covers is read from here on.
  let body: Element | undefined;
  let signedTimestamp: Element | undefined;
  for (const canonical of canonicalTargets) {
    const root = parseXml(canonical).documentElement;
    if (root && is(root, SOAP11_NS, 'Body') && !body) body = root;
    else if (root && is(root, WSU_NS, 'Timestamp') && !signedTimestamp) signedTimestamp = root;
    else throw invalid('signed reference is neither the Body nor the Timestamp');
  }
  if (!body || !signedTimestamp) throw invalid('signature must cover the Body and the Timestamp');
  const created = checkTimestamp(signedTimestamp, options);
  const signatureDigest = createHash('sha256').update(signatureValue).digest('hex');
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

interface SignedReference {
  target: Element;
  /** InclusiveNamespaces PrefixList of the exc-c14n transform (empty when absent). */
  prefixList: string[];
  digestValue: string;
}

/**
 * Basic256Sha256 with exclusive c14n, exactly the Body and the Timestamp, each id unique in the
 * document; read from the canonical SignedInfo. The one transform may carry an
 * ec:InclusiveNamespaces PrefixList (xml-exc-c14n §3, as WSS4J sends it), nothing else.
 */
function checkSignedInfo(signedInfo: Element, doc: Document, body: Element, timestamp: Element): SignedReference[] {
  if (!is(signedInfo, DS_NS, 'SignedInfo')) throw invalid('no SignedInfo');
  const algorithm = (el: Element | undefined) => el?.getAttribute('Algorithm') ?? '';
  const children = elementChildren(signedInfo);
  if (algorithm(child(signedInfo, DS_NS, 'CanonicalizationMethod')) !== EXC_C14N) throw invalid('CanonicalizationMethod must be exclusive c14n');
  if (algorithm(child(signedInfo, DS_NS, 'SignatureMethod')) !== RSA_SHA256) throw invalid('SignatureMethod must be rsa-sha256 (Basic256Sha256)');
  if (children.filter((e) => is(e, DS_NS, 'CanonicalizationMethod') || is(e, DS_NS, 'SignatureMethod')).length !== 2) throw invalid('one CanonicalizationMethod and one SignatureMethod expected');
  const references = children.filter((e) => is(e, DS_NS, 'Reference'));
  if (references.length !== 2 || children.length !== 4) throw invalid('exactly two references (Body, Timestamp) expected');
  const ids = idIndex(doc);
  const out: SignedReference[] = [];
  const targets = new Set<Element>();
  for (const ref of references) {
    const uri = ref.getAttribute('URI') ?? '';
    if (!/^#[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(uri)) throw invalid('reference URI must be a same-document #id');
    const transforms = elementChildren(ref).filter((e) => is(e, DS_NS, 'Transforms'));
    const list = transforms.length === 1 ? elementChildren(transforms[0] as Element) : [];
    const transform = list[0];
    if (list.length !== 1 || !is(transform as Element, DS_NS, 'Transform') || algorithm(transform) !== EXC_C14N) throw invalid('reference transform must be exclusive c14n only');
    const prefixList = inclusivePrefixList(transform as Element);
    const digestMethods = elementChildren(ref).filter((e) => is(e, DS_NS, 'DigestMethod'));
    if (digestMethods.length !== 1 || algorithm(digestMethods[0]) !== SHA256) throw invalid('DigestMethod must be sha256');
    const digestValues = elementChildren(ref).filter((e) => is(e, DS_NS, 'DigestValue'));
    if (digestValues.length !== 1) throw invalid('exactly one DigestValue expected');
    const digestValue = leafText(digestValues[0] as Element).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]{43}=$/.test(digestValue)) throw invalid('DigestValue must be a base64 SHA-256 value');
    const matches = ids.get(uri.slice(1)) ?? [];
    if (matches.length !== 1) throw invalid(`id ${uri} must name exactly one element`);
    const target = matches[0] as Element;
    if (targets.has(target)) throw invalid('two references to one element');
    targets.add(target);
    out.push({ target, prefixList, digestValue });
  }
  if (!targets.has(body) || !targets.has(timestamp)) throw invalid('references must be the envelope Body and the Security Timestamp');
  return out;
}

/** xml-exc-c14n §3: the optional InclusiveNamespaces PrefixList ("#default" names the default namespace). */
function inclusivePrefixList(transform: Element): string[] {
  const children = elementChildren(transform);
  if (children.length === 0) return [];
  const only = children[0] as Element;
  if (children.length !== 1 || !is(only, EXC_C14N, 'InclusiveNamespaces') || elementChildren(only).length !== 0) throw invalid('unexpected content in the exc-c14n Transform');
  return (only.getAttribute('PrefixList') ?? '').split(' ').filter((p) => p.length > 0);
}

/** Every element by the value of any attribute named Id / ID / id (what xml-crypto would resolve). */
function idIndex(doc: Document): Map<string, Element[]> {
  const out = new Map<string, Element[]>();
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const el = all.item(i) as Element;
    const seen = new Set<string>();
    for (let a = 0; a < el.attributes.length; a++) {
      const attr = el.attributes.item(a);
      if (attr && (attr.localName === 'Id' || attr.localName === 'ID' || attr.localName === 'id') && !seen.has(attr.value)) {
        seen.add(attr.value);
        const list = out.get(attr.value);
        if (list === undefined) out.set(attr.value, [el]);
        else list.push(el);
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
  // rfc4514 §2: most significant RDN last. Node prints one RDN per line with the values already
  // escaped as RFC 2253/4514 require (OpenSSL ASN1_STRFLGS_ESC_2253), so they are joined as they are.
  const issuer = cert.issuer.split('\n').filter((l) => l !== '').reverse().join(',');
  return { issuer, serial: BigInt(`0x${cert.serialNumber}`).toString(10) };
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
