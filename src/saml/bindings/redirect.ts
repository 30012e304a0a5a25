/**
 * HTTP-Redirect binding: DEFLATE + base64 + URL encoding of a SAML message, and the detached URL
 * signature over `SAMLRequest|SAMLResponse=…[&RelayState=…]&SigAlg=…`.
 *
 * @spec saml-bindings §3.4.4.1 (DEFLATE encoding, signature over the URL-encoded parameters as received), §3.4.3 (RelayState ≤ 80 bytes), §3.4.5.2 (security); rfc1951; rfc4051 §2.3; xmldsig11 §6.4.3 (ECDSA signature value r ‖ s)
 */
import { createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SamlError } from '../errors.js';
import { SIG_ALG, SIG_ALGS } from '../namespaces.js';

export type RedirectMessageParam = 'SAMLRequest' | 'SAMLResponse';

export interface RedirectLimits {
  /** base64 characters of the SAML parameter (before inflating). */
  maxEncodedBytes: number;
  /** bytes after inflating: the zip-bomb cap (inflation stops at this size). */
  maxInflatedBytes: number;
}

export const DEFAULT_REDIRECT_LIMITS: RedirectLimits = { maxEncodedBytes: 64 * 1024, maxInflatedBytes: 256 * 1024 };

export interface RedirectQuery {
  param: RedirectMessageParam;
  /** The raw (still URL-encoded) values exactly as received; the signature covers these. */
  raw: { message: string; relayState?: string; sigAlg?: string; signature?: string };
  message: string;
  relayState?: string;
  sigAlg?: string;
  signature?: string;
}

const SAML_PARAMS: ReadonlySet<string> = new Set(['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature']);

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch (cause) {
    throw new SamlError('SAML_QUERY_INVALID', 'query parameter is not valid percent-encoding', { cause });
  }
}

/**
 * Splits the raw query string (everything after `?`, not re-encoded by a framework). A repeated SAML
 * parameter is refused: with two SAMLRequest values, the one verified and the one used could differ.
 */
export function parseRedirectQuery(rawQuery: string, expect: RedirectMessageParam, limits: RedirectLimits = DEFAULT_REDIRECT_LIMITS): RedirectQuery {
  if (rawQuery.length > limits.maxEncodedBytes * 2 + 8192) throw new SamlError('SAML_REQUEST_TOO_LARGE', 'query string too long');
  const raw = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = formDecode(eq < 0 ? part : part.slice(0, eq));
    if (!SAML_PARAMS.has(name)) continue;
    if (raw.has(name)) throw new SamlError('SAML_QUERY_INVALID', `${name} given more than once`);
    raw.set(name, eq < 0 ? '' : part.slice(eq + 1));
  }
  const other: RedirectMessageParam = expect === 'SAMLRequest' ? 'SAMLResponse' : 'SAMLRequest';
  if (raw.has(other)) throw new SamlError('SAML_QUERY_INVALID', `${other} not expected here`);
  const message = raw.get(expect);
  if (message === undefined || message === '') throw new SamlError('SAML_REQUEST_MISSING', `${expect} missing`);
  if (message.length > limits.maxEncodedBytes * 3) throw new SamlError('SAML_REQUEST_TOO_LARGE', `${expect} too large`);
  const q: RedirectQuery = { param: expect, raw: { message }, message: formDecode(message) };
  if (q.message.length > limits.maxEncodedBytes) throw new SamlError('SAML_REQUEST_TOO_LARGE', `${expect} larger than ${limits.maxEncodedBytes} bytes`);
  for (const [name, key] of [['RelayState', 'relayState'], ['SigAlg', 'sigAlg'], ['Signature', 'signature']] as const) {
    const value = raw.get(name);
    if (value === undefined) continue;
    q.raw[key] = value;
    q[key] = formDecode(value);
  }
  // saml-bindings §3.4.3: "RelayState data MUST NOT exceed 80 bytes in length".
  if (q.relayState !== undefined && Buffer.byteLength(q.relayState, 'utf8') > 80) throw new SamlError('SAML_QUERY_INVALID', 'RelayState longer than 80 bytes');
  return q;
}

/** base64 → raw DEFLATE → UTF-8, stopping at maxInflatedBytes (zip bombs end here, not in memory). */
export function inflateMessage(base64: string, limits: RedirectLimits = DEFAULT_REDIRECT_LIMITS): Buffer {
  const compact = base64.replace(/[\r\n ]/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) throw new SamlError('SAML_REQUEST_ENCODING', 'not base64');
  const deflated = Buffer.from(compact, 'base64');
  try {
    return inflateRawSync(deflated, { maxOutputLength: limits.maxInflatedBytes });
  } catch (cause) {
    if (cause instanceof RangeError || (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new SamlError('SAML_REQUEST_TOO_LARGE', `inflated message larger than ${limits.maxInflatedBytes} bytes`, { cause });
    }
    throw new SamlError('SAML_REQUEST_ENCODING', 'not a raw DEFLATE stream', { cause });
  }
}

/** The octet string the URL signature covers, built from the raw values (saml-bindings §3.4.4.1). */
export function signedOctets(q: Pick<RedirectQuery, 'param' | 'raw'>): Buffer {
  let s = `${q.param}=${q.raw.message}`;
  if (q.raw.relayState !== undefined) s += `&RelayState=${q.raw.relayState}`;
  s += `&SigAlg=${q.raw.sigAlg ?? ''}`;
  return Buffer.from(s, 'utf8');
}

function keyTypeOf(key: KeyObject): 'rsa' | 'ec' | 'other' {
  const t = key.asymmetricKeyType;
  return t === 'rsa' ? 'rsa' : t === 'ec' ? 'ec' : 'other';
}

/**
 * Verifies the URL signature with one of the SP's signing certificates. Codes: SAML_SIGNATURE_MISSING,
 * SAML_SIGALG_UNSUPPORTED (not RSA/ECDSA with SHA-256 or stronger), SAML_SIGALG_MISMATCH (no
 * registered key of the SigAlg's key type), SAML_SIGNATURE_INVALID.
 */
export function verifyRedirectSignature(q: RedirectQuery, certificatesPem: readonly string[]): void {
  if (q.signature === undefined || q.sigAlg === undefined || q.signature === '') throw new SamlError('SAML_SIGNATURE_MISSING', 'Signature or SigAlg missing');
  const alg = SIG_ALGS[q.sigAlg];
  if (!alg) throw new SamlError('SAML_SIGALG_UNSUPPORTED', 'SigAlg not accepted', { detail: { sigAlg: q.sigAlg.slice(0, 100) } });
  const compact = q.signature.replace(/[\r\n ]/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new SamlError('SAML_SIGNATURE_INVALID', 'Signature is not base64');
  const signature = Buffer.from(compact, 'base64');
  const keys = certificatesPem.map((pem) => createPublicKey(pem)).filter((k) => keyTypeOf(k) === alg.key);
  if (keys.length === 0) throw new SamlError('SAML_SIGALG_MISMATCH', `SigAlg needs an ${alg.key.toUpperCase()} key; the eService has none registered`);
  const data = signedOctets(q);
  for (const key of keys) {
    const ok = alg.key === 'ec'
      ? nodeVerify(alg.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
      : nodeVerify(alg.hash, data, key, signature);
    if (ok) return;
  }
  throw new SamlError('SAML_SIGNATURE_INVALID', 'URL signature does not verify');
}

/** The DEFLATE + base64 of a message (saml-bindings §3.4.4.1). */
export function deflateMessage(xml: string): string {
  return deflateRawSync(Buffer.from(xml, 'utf8'), { level: 9 }).toString('base64');
}

/** Builds `location?SAMLResponse=…&RelayState=…&SigAlg=…&Signature=…` signed with `key`. */
export function buildSignedRedirectUrl(location: string, param: RedirectMessageParam, xml: string, key: KeyObject, relayState?: string): string {
  const sigAlg = keyTypeOf(key) === 'ec' ? SIG_ALG.ecdsaSha256 : SIG_ALG.rsaSha256;
  const raw = {
    message: encodeURIComponent(deflateMessage(xml)),
    ...(relayState !== undefined ? { relayState: encodeURIComponent(relayState) } : {}),
    sigAlg: encodeURIComponent(sigAlg),
  };
  const octets = signedOctets({ param, raw });
  const signature = keyTypeOf(key) === 'ec' ? nodeSign('sha256', octets, { key, dsaEncoding: 'ieee-p1363' }) : nodeSign('sha256', octets, key);
  const query = `${octets.toString('utf8')}&Signature=${encodeURIComponent(signature.toString('base64'))}`;
  return `${location}${location.includes('?') ? '&' : '?'}${query}`;
}
