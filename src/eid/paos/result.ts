/**
 * dss:Result of the eCard API: ResultMajor (ok / error / warning), ResultMinor, ResultMessage.
 *
 * - Our own errors become a ResultMinor only through the error catalog (ecardMinor column).
 * - An error result received from the eID client becomes a PaosError that keeps the URI it carried
 *   (PAOS_CLIENT_CANCELLED for sal#cancellationByUser, else PAOS_CLIENT_ERROR; detail.minor).
 *
 * @spec tr03112-1 §4.1 (Result, ResultMajor, ResultMinor), tr03112-7 §3 (PAOS results); eid-protocol §3.2
 */
import { catalogEntry, ECARD_MINOR_PREFIX } from '../../errors/catalog.js';
import type { ErrorCode } from '../../errors/catalog.js';
import { PaosError } from './errors.js';
import { NS } from './namespaces.js';
import { el, leaf, localNameOf, Sequence, textOf } from './xml.js';
import type { XmlElement, XmlOut } from './xml.js';

export const RESULT_MAJOR = {
  ok: 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok',
  error: 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error',
  warning: 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#warning',
} as const;

/**
 * An eCard-API ResultMinor URI (TR-03112-1 §4.1.2: prefix, module path, `#` code). Only such a URI
 * from the eID client is passed on to the eService (getResult ResultMessage); anything else the
 * client sends there is dropped, so no free text of the client reaches the eService.
 */
export const ECARD_RESULT_MINOR_PATTERN = /^http:\/\/www\.bsi\.bund\.de\/ecard\/api\/1\.1\/resultminor\/[A-Za-z/]+#[A-Za-z]+$/;

/** ResultMinor values the conversation reacts to (TR-03112-1 §4.1.2). */
export const RESULT_MINOR = {
  cancellationByUser: `${ECARD_MINOR_PREFIX}/sal#cancellationByUser`,
  internalError: `${ECARD_MINOR_PREFIX}/al/common#internalError`,
  communicationError: `${ECARD_MINOR_PREFIX}/al/common#communicationError`,
  trustedChannelEstablishmentFailed: `${ECARD_MINOR_PREFIX}/dp#trustedChannelEstablishmentFailed`,
} as const;

/**
 * tr03124-1 §2.5.4: the eID client names its reason at the RefreshAddress by the short name only
 * (`ResultMinor=trustedChannelEstablishmentFailed|communicationError|cancellationByUser|serverError|clientError`);
 * each belongs to its own tr03112 group, so the full URI is looked up, not guessed from one prefix.
 */
export function refreshResultMinorUri(short: string): string {
  if (short.startsWith('http')) return short;
  switch (short) {
    case 'cancellationByUser': return RESULT_MINOR.cancellationByUser;
    case 'trustedChannelEstablishmentFailed': return RESULT_MINOR.trustedChannelEstablishmentFailed;
    default: return `${ECARD_MINOR_PREFIX}/al/common#${short}`;
  }
}

export type ResultMajor = keyof typeof RESULT_MAJOR;

export interface PaosResult {
  major: ResultMajor;
  minor?: string | undefined;
  message?: string | undefined;
}

export const OK: PaosResult = { major: 'ok' };

const MAX_URI = 1024;
const MAX_MESSAGE = 4096;

/** The result for one of our error codes: ResultMinor from the catalog (internalError when it has none). */
export function resultForError(code: ErrorCode, message?: string): PaosResult {
  const minor = catalogEntry(code).ecardMinor ?? '/al/common#internalError';
  return { major: 'error', minor: `${ECARD_MINOR_PREFIX}${minor}`, ...(message === undefined ? {} : { message }) };
}

export function buildResult(result: PaosResult): XmlOut {
  return el('dss:Result', [
    leaf('dss:ResultMajor', RESULT_MAJOR[result.major]),
    result.minor === undefined ? undefined : leaf('dss:ResultMinor', result.minor),
    result.message === undefined ? undefined : leaf('dss:ResultMessage', result.message, { 'xml:lang': 'en' }),
  ]);
}

export function parseResult(element: XmlElement): PaosResult {
  if (localNameOf(element) !== 'Result' || (element.namespaceURI !== null && element.namespaceURI !== NS.dss)) {
    throw new PaosError('PAOS_ELEMENT_MISSING', `expected dss:Result, found <${element.nodeName}>`);
  }
  const seq = new Sequence(element);
  const majorText = textOf(seq.required('ResultMajor'));
  const major = (Object.keys(RESULT_MAJOR) as ResultMajor[]).find((k) => RESULT_MAJOR[k] === majorText);
  if (major === undefined) throw new PaosError('PAOS_VALUE_INVALID', 'unknown ResultMajor', { detail: { major: majorText.slice(0, MAX_URI) } });
  const minorEl = seq.optional('ResultMinor');
  const messageEl = seq.optional('ResultMessage');
  seq.end();
  const out: PaosResult = { major };
  if (minorEl !== undefined) {
    const minor = textOf(minorEl);
    if (minor.length > MAX_URI || !/^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/.test(minor)) throw new PaosError('PAOS_VALUE_INVALID', 'ResultMinor is not a URI');
    out.minor = minor;
  }
  if (messageEl !== undefined) out.message = textOf(messageEl).slice(0, MAX_MESSAGE);
  return out;
}

/** Throws the client's error result as a PaosError keeping the received URIs; returns on ok/warning. */
export function throwIfError(result: PaosResult, context: string): void {
  if (result.major !== 'error') return;
  const code = result.minor === RESULT_MINOR.cancellationByUser ? 'PAOS_CLIENT_CANCELLED' : 'PAOS_CLIENT_ERROR';
  throw new PaosError(code, `eID client reported an error in ${context}${result.minor === undefined ? '' : `: ${result.minor}`}`, {
    detail: { major: RESULT_MAJOR.error, minor: result.minor ?? null, message: result.message ?? null },
  });
}
