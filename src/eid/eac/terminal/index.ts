/**
 * Server-side EAC session: pure step functions over a serialisable state.
 *
 * | step | input (PAOS) | output (PAOS) | file |
 * |---|---|---|---|
 * | startEac | eService config | EAC1InputType | start.ts |
 * | handleEac1Output | EAC1OutputType | EAC2InputType | eac1-output.ts |
 * | signTaChallenge | EAC2OutputType (Challenge) | EACAdditionalInputType | ta-signature.ts |
 * | handleEac2Output | EAC2OutputType | Transmit (SM APDUs) | eac2-output.ts |
 * | handleTransmitResponse | TransmitResponse | EacResult | transmit-response.ts |
 *
 * @spec tr03112-7 §3.6, tr03110-2 §3, tr03130-1 §2.4
 */
export type { EacTerminalConfig, AuxiliaryVerificationConfig } from './config.js';
export { parseEacTerminalState, type EacTerminalState, type PlannedCommand } from './state.js';
export { startEac, type Eac1Input } from './start.js';
export { handleEac1Output, type Eac1Output, type Eac2Input } from './eac1-output.js';
export { signTaChallenge, awaitsChallenge } from './ta-signature.js';
export { handleEac2Output, readableDataGroups, type Eac2Output, type TransmitApdu } from './eac2-output.js';
export { handleTransmitResponse } from './transmit-response.js';
export { chainFromTrustPoint, chainForCars, checkTerminalChain, effectiveChatOf, trustPointChat } from './certificate-chain.js';
export { wrapBatch, unwrapBatchResponse } from './sm-batch.js';
export type { EacResult, DataGroupValue, DocumentValidity } from './result.js';
