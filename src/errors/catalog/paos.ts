import { entry } from './types.js';

/**
 * The eID client ⇄ eID-Server channel: TC Token, PAOS messages and the conversation (TR-03124-1
 * §2.4-§2.5, TR-03112-7 §3). To the eID client a PAOS error travels as StartPAOSResponse ResultMinor
 * (ecardMinor); to the eService the login ends with the eidMinor (getResult) or an authentication failure.
 */
const malformed = { http: 400, saml: ['Responder', 'AuthnFailed'], oidc: 'access_denied', ecardMinor: '/al/common#incorrectParameter', eidMinor: 'common#internalError' } as const;
const order = { ...malformed, ecardMinor: '/al/common#unknownAPIFunction' } as const;

export const paosCodes = {
  // XML layer (hardened parser)
  PAOS_XML_MALFORMED: entry('PAOS body is not well-formed XML', malformed),
  PAOS_XML_FORBIDDEN: entry('PAOS body contains a DTD, entity declaration or processing instruction', malformed),
  PAOS_XML_TOO_LARGE: entry('PAOS body exceeds the size limit', { ...malformed, http: 413 }),
  PAOS_XML_TOO_DEEP: entry('PAOS body nests elements deeper than the limit', malformed),
  // SOAP/PAOS envelope (TR-03112-7 §3; SOAP 1.1; WS-Addressing)
  PAOS_ENVELOPE_INVALID: entry('Not a SOAP 1.1 envelope with exactly one body element', malformed),
  PAOS_MESSAGE_UNKNOWN: entry('The body element is no PAOS message this endpoint knows', order),
  PAOS_MESSAGE_UNEXPECTED: entry('A known PAOS message arrived in a conversation state that does not expect it', order),
  PAOS_RELATES_TO_MISMATCH: entry('wsa:RelatesTo does not name the MessageID of the last server request', order),
  // Message contents
  PAOS_ELEMENT_MISSING: entry('A required element of a PAOS message is missing', malformed),
  PAOS_ELEMENT_UNEXPECTED: entry('A PAOS message has an unknown, repeated or out-of-order element', malformed),
  PAOS_VALUE_INVALID: entry('A PAOS element value is malformed (hex, integer, URI, protocol, xsi:type)', malformed),
  // Conversation
  PAOS_SESSION_UNKNOWN: entry('StartPAOS names no open eID session, or not the one the TLS-PSK channel is bound to', { ...malformed, http: 403, ecardMinor: '/al/common#noPermission' }),
  PAOS_SESSION_FINISHED: entry('StartPAOS repeated, or a message for an eID session whose conversation has ended', { ...malformed, http: 409, ecardMinor: '/al/common#noPermission' }),
  // Exposed: getResult carries the client's eCard-API ResultMinor as ResultMessage (TR-03130-1 §3.2.2; no personal data).
  PAOS_CLIENT_ERROR: entry('The eID client answered with an error result (ResultMinor kept in detail.minor)', { ...malformed, http: 200, ecardMinor: null, expose: true }),
  PAOS_CLIENT_CANCELLED: entry('The user cancelled in the eID client (sal#cancellationByUser)', { ...malformed, http: 200, ecardMinor: null, expose: true }),
  PAOS_METHOD_NOT_ALLOWED: entry('PAOS endpoint called with another method than POST', { http: 405, expose: true }),
  PAOS_CONTENT_TYPE: entry('PAOS request without Content-Type application/vnd.paos+xml', { http: 415, expose: true }),
  // TC Token / RefreshAddress (TR-03124-1 §2.4, §2.5)
  TCTOKEN_SESSION_UNKNOWN: entry('TC Token or RefreshAddress requested for an unknown, expired or finished eID session', { http: 404, expose: true }),
  TCTOKEN_ALREADY_ISSUED: entry('The TC Token of this eID session was already fetched (the PSK is handed out once)', { http: 410, expose: true }),
  TCTOKEN_INVALID: entry('A TC Token is malformed (Binding, PathSecurity, PSK hex, addresses)', { http: 502 }),
  // Reference eID client (tools/eid-client)
  EID_CLIENT_REDIRECT_REFUSED: entry('The eID client refused a redirect (not https, or too many hops)', { http: 502 }),
  EID_CLIENT_HTTP_ERROR: entry('The eID client got an unexpected HTTP answer (status, content type)', { http: 502 }),
} as const;
