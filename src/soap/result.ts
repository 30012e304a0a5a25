/**
 * dss:Result of the eID-Interface: ResultMajor ok/error (TR-03112-1 §4.1.2, no other values) and the
 * eID-Server ResultMinor of the error catalog (TR-03130-1 §3.4). A message is shown only for codes
 * the catalog marks as exposed; everything else reads "internal error".
 *
 * @spec tr03130-1 §3.4; tr03112-1 §4.1.2; oasis-dss-core §2.6 (Result)
 */
import { catalogEntry, EID_MINOR_PREFIX, type ErrorCode } from '../errors/catalog.js';
import { DSS_NS } from './profiles.js';
import { esc } from './xml/dom.js';

export const RESULT_MAJOR_OK = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok';
export const RESULT_MAJOR_ERROR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error';

/** The eID-Server ResultMinor URI of a catalog code (common#internalError when it has none). */
export function resultMinorOf(code: ErrorCode): string {
  return `${EID_MINOR_PREFIX}${catalogEntry(code).eidMinor ?? 'common#internalError'}`;
}

export function okResult(): string {
  return `<dss:Result xmlns:dss="${DSS_NS}"><dss:ResultMajor>${RESULT_MAJOR_OK}</dss:ResultMajor></dss:Result>`;
}

export function errorResult(code: ErrorCode, message?: string): string {
  const entry = catalogEntry(code);
  const minor = resultMinorOf(code);
  const shown = entry.expose && entry.eidMinor !== null ? (message ?? entry.summary) : undefined;
  return (
    `<dss:Result xmlns:dss="${DSS_NS}"><dss:ResultMajor>${RESULT_MAJOR_ERROR}</dss:ResultMajor><dss:ResultMinor>${minor}</dss:ResultMinor>` +
    (shown === undefined ? '' : `<dss:ResultMessage xml:lang="en">${esc(shown.slice(0, 500))}</dss:ResultMessage>`) +
    '</dss:Result>'
  );
}
