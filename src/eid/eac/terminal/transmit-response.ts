/**
 * EAC step 4 (server): TransmitResponse → result. Every response is MAC-verified and decrypted in
 * its batch position (sm-batch.ts); the client stops at the first SW outside AcceptableStatusCode,
 * so fewer responses than commands means the last one failed.
 *
 * - RI: sector identifiers checked for length (ri.ts), then the block list;
 * - VERIFY: 9000 / 6300 → true / false (auxiliary-data.ts);
 * - READ BINARY: decoded through the data profile; 6A82 → notOnChip; 6982 → EAC_DATA_GROUP_DENIED;
 * - document validity: PA and CA passed before the channel opened, then expiry, then block list.
 *
 * @spec tr03112-7 §3.6.5 (Transmit), tr03130-1 §2.4.6 (document validity), tr03110-2 §3.5-§3.6
 */
import { decodeResponseApdu } from '../../card/apdu.js';
import type { ResponseApdu } from '../../card/apdu.js';
import { CardError } from '../../card/errors.js';
import { SW, swName } from '../../card/status-words.js';
import { expectStatus } from '../../card/commands/response.js';
import { parseReadBinaryResponse } from '../../card/commands/read-binary.js';
import { parseVerifyAuxiliaryDataResponse } from '../../card/commands/verify-auxiliary.js';
import { interpretVerifications } from '../auxiliary-data.js';
import type { AuxiliaryCheck } from '../auxiliary-data.js';
import { parseRiResponse } from '../ri.js';
import { EacTerminalError } from '../eac-terminal-error.js';
import type { EacTerminalConfig } from './config.js';
import type { DataGroupValue, DocumentValidity, EacResult } from './result.js';
import { unwrapBatchResponse } from './sm-batch.js';
import { requireStep } from './state.js';
import type { EacTerminalState } from './state.js';

export async function handleTransmitResponse(config: EacTerminalConfig, state: EacTerminalState, outputApdus: readonly Buffer[]): Promise<{ state: EacTerminalState; result: EacResult }> {
  requireStep(state, 'transmit');
  const { plan, sm, effectiveChat } = state;
  if (plan === undefined || sm === undefined || effectiveChat === undefined) throw new EacTerminalError('EAC_STATE_INVALID', 'EAC state lacks the Transmit plan');
  if (outputApdus.length > plan.length || (outputApdus.length === 0 && plan.length > 0)) {
    throw new EacTerminalError('EAC_TRANSMIT_RESPONSE_INVALID', `${outputApdus.length} responses for ${plan.length} commands`);
  }
  const responses: ResponseApdu[] = outputApdus.map((bytes, i) => unwrapBatchResponse(sm, i, decodeResponseApdu(bytes)));
  if (responses.length < plan.length) {
    // The client stopped early: the last answer carries the reason.
    const last = responses[responses.length - 1]!;
    const step = plan[responses.length - 1]!;
    if (step.kind === 'read' && last.sw === SW.SECURITY_STATUS_NOT_SATISFIED) {
      throw new CardError(last.sw, `card refused DG${step.dg} inside the effective CHAT`, { code: 'EAC_DATA_GROUP_DENIED', detail: { dg: step.dg } });
    }
    throw new CardError(last.sw, `${step.kind} failed: ${swName(last.sw)}`, { code: 'EAC_CARD_REFUSED' });
  }
  const outcomes = new Map<AuxiliaryCheck, boolean>();
  const dataGroups: Record<string, DataGroupValue> = {};
  const notOnChip: number[] = [];
  let restrictedIds: Buffer[] | undefined;
  plan.forEach((step, i) => {
    const r = responses[i]!;
    switch (step.kind) {
      case 'ri-mse': expectStatus(r, 'MSE:Set AT (RI)', [SW.SUCCESS], 'EAC_CARD_REFUSED'); break;
      case 'ri-ga': restrictedIds = parseRiResponse(r, state.ri!.protocolOid, state.ri!.sectors); break;
      case 'verify': outcomes.set(step.check, parseVerifyAuxiliaryDataResponse(r)); break;
      case 'select': expectStatus(r, 'SELECT eID application', [SW.SUCCESS], 'EAC_CARD_REFUSED'); break;
      case 'read': {
        if (r.sw === SW.FILE_NOT_FOUND) {
          notOnChip.push(step.dg);
          break;
        }
        const decoded = config.profile.decodeDataGroup(step.dg, parseReadBinaryResponse(r));
        const value: DataGroupValue = typeof decoded.value === 'string'
          ? { attribute: decoded.attribute, text: decoded.value }
          : { attribute: decoded.attribute, base64: decoded.value.toString('base64') };
        // TR-03130-1 §3.3 GeneralPlaceType: a structured place reaches the eService as StructuredPlace, not flattened.
        if (decoded.place !== undefined) value.place = decoded.place;
        dataGroups[String(step.dg)] = value;
        break;
      }
    }
  });
  const aux = interpretVerifications(outcomes);
  // TR-03130-1 §2.4.6: PA and CA have passed (else no channel); then expiry, then block list.
  let documentValidity: DocumentValidity = 'valid';
  if (aux.documentValid === false) documentValidity = 'expired';
  else if (restrictedIds !== undefined && config.isBlocked !== undefined && (await config.isBlocked(restrictedIds))) documentValidity = 'revoked';
  const result: EacResult = { effectiveChat, dataGroups, notOnChip, documentValidity };
  if (restrictedIds !== undefined) result.restrictedIds = restrictedIds.map((b) => b.toString('hex'));
  if (aux.ageVerified !== undefined) result.ageVerified = aux.ageVerified;
  if (aux.placeVerified !== undefined) result.placeVerified = aux.placeVerified;
  const next: EacTerminalState = { ...state, step: 'done' };
  delete next.sm; // session keys are not needed any more
  return { state: next, result };
}
