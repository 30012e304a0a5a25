/**
 * PAOS messages between eID client and eID-Server, both directions: every file builds and parses
 * one message; the server builds what the client parses and vice versa (tools/eid-client).
 *
 * | message | direction | file |
 * |---|---|---|
 * | StartPAOS | C→S | start-paos.ts |
 * | InitializeFramework / Response | S→C / C→S | initialize-framework.ts |
 * | DIDAuthenticate EAC1InputType / EAC1OutputType | S→C / C→S | did-authenticate-eac1.ts |
 * | DIDAuthenticate EAC2InputType / EAC2OutputType | S→C / C→S | did-authenticate-eac2.ts |
 * | DIDAuthenticate EACAdditionalInputType | S→C | did-authenticate-eac-additional.ts |
 * | Transmit / TransmitResponse | S→C / C→S | transmit.ts |
 * | StartPAOSResponse | S→C | start-paos-response.ts |
 *
 * @spec tr03112-7 §3, iso24727-3 §3, tr03124-1 §2.5.3
 */
export { buildEnvelope, parseEnvelope, newMessageId, type ParsedEnvelope, type EnvelopeHeader, type Sender } from './envelope.js';
export { ECARD_RESULT_MINOR_PATTERN, RESULT_MAJOR, RESULT_MINOR, OK, buildResult, parseResult, resultForError, throwIfError, type PaosResult, type ResultMajor } from './result.js';
export { clientMessageKind, serverMessageKind, CLIENT_MESSAGES, SERVER_MESSAGES, type ClientMessageKind, type ServerMessageKind } from './message.js';
export * from './connection-handle.js';
export * from './start-paos.js';
export * from './initialize-framework.js';
export * from './did-authenticate-eac1.js';
export * from './did-authenticate-eac2.js';
export * from './did-authenticate-eac-additional.js';
export * from './transmit.js';
export * from './start-paos-response.js';
export { EAC_PROTOCOL, buildDidAuthenticateErrorResponse } from './did-authenticate.js';
export { PAOS_MEDIA_TYPE, PAOS_VERSION, NS } from './namespaces.js';
export { PaosError } from './errors.js';
