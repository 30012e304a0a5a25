/**
 * EAC step 3 (server): from EAC2OutputType (EF.CardSecurity, r_PICC, T_PICC) to an open secure
 * channel and the first Transmit batch. Document validity checks run in TR-03130-1 §2.4.6 order:
 * 1. passive authentication of EF.CardSecurity (config.verifyCardSecurity, throws on failure);
 * 2. CA v2 with the key from the verified EF.CardSecurity (the token proves the chip holds it);
 * 3. expiry (VERIFY id-DateOfExpiry in the batch) and 4. block list (on the RI identifiers) follow
 *    in handleTransmitResponse.
 *
 * @spec tr03112-7 §3.6.4.3 (EAC2OutputType), tr03110-2 §3.3 (CA v2), tr03130-1 §2.4.3, §2.4.6
 */
import type { CommandApdu } from '../../card/apdu.js';
import { encodeCommandApdu } from '../../card/apdu.js';
import { readBinarySfi } from '../../card/commands/read-binary.js';
import { selectApplication } from '../../card/commands/select.js';
import { verifyAuxiliaryData } from '../../card/commands/verify-auxiliary.js';
import { AT_RIGHTS, chatAllows, decodeChat, dgReadBit } from '../cvc/chat.js';
import { AUXILIARY_CHECK_OID } from '../auxiliary-data.js';
import { verifyChipAuthentication } from '../ca.js';
import { checkSectorKeysCertified, riCommands, selectRestrictedIdentification } from '../ri.js';
import { parseCvCertificate } from '../cvc/cv-certificate.js';
import { sectorExtension } from '../cvc/extensions.js';
import { taHashOfKeyOid } from '../ta.js';
import { SecureMessaging } from '../secure-messaging.js';
import { EacTerminalError } from '../eac-terminal-error.js';
import type { EacTerminalConfig } from './config.js';
import { wrapBatch } from './sm-batch.js';
import { requireStep } from './state.js';
import type { EacTerminalState, PlannedCommand } from './state.js';

export interface Eac2Output {
  efCardSecurity: Buffer;
  /** r_PICC of CA v2. */
  nonce: Buffer;
  /** T_PICC. */
  token: Buffer;
}

/** One InputAPDUInfo of a Transmit: SM-protected APDU bytes and the SW prefixes the client may continue on. */
export interface TransmitApdu {
  apdu: Buffer;
  acceptableStatusCodes: string[];
}

/** DG numbers whose read right is in the CHAT (TR-03110-4 §2.2.3.2: bits 8..29 = DG1..DG22). */
export function readableDataGroups(chat: ReturnType<typeof decodeChat>): number[] {
  const out: number[] = [];
  for (let dg = 1; dg <= 22; dg++) if (chatAllows(chat, dgReadBit(dg))) out.push(dg);
  return out;
}

const ACCEPT: Readonly<Record<PlannedCommand['kind'], string[]>> = {
  'ri-mse': ['9000'],
  'ri-ga': ['9000'],
  // TR-03110-3 App. B: VERIFY answers 9000 (fulfilled) or 6300 (not fulfilled); both are results.
  verify: ['9000', '6300'],
  select: ['9000'],
  // 6282: end of file before Ne bytes (normal for Le = max); 6A82: DG not on this chip (NOTONCHIP).
  read: ['9000', '6282', '6A82'],
};

export async function handleEac2Output(config: EacTerminalConfig, state: EacTerminalState, output: Eac2Output): Promise<{ state: EacTerminalState; transmit: TransmitApdu[] }> {
  requireStep(state, 'eac2');
  const { ca, ephemeral, effectiveChat } = state;
  if (state.challenge === undefined) throw new EacTerminalError('EAC_STEP_ORDER', 'EAC2 output before the TA signature was sent');
  if (ca === undefined || ephemeral === undefined || effectiveChat === undefined) throw new EacTerminalError('EAC_STATE_INVALID', 'EAC state lacks the TA results');
  // 1. Passive authentication. Trust: only these SecurityInfos (signed by a DS under our CSCA) are used below.
  const verifiedInfos = await config.verifyCardSecurity(output.efCardSecurity);
  // 2. CA v2 against the verified key.
  const caResult = verifyChipAuthentication({
    verifiedSecurityInfos: verifiedInfos,
    parameters: ca,
    ephemeralKey: { curve: ephemeral.curve, privateScalar: Buffer.from(ephemeral.privateScalar, 'hex'), publicPoint: Buffer.from(ephemeral.publicPoint, 'hex') },
    nonce: output.nonce,
    token: output.token,
  });
  const sm = new SecureMessaging(caResult.smKeys, 'terminal');
  const chat = decodeChat(Buffer.from(effectiveChat, 'hex'));
  const plan: { kind: PlannedCommand; command: CommandApdu }[] = [];
  let ri: EacTerminalState['ri'];
  const sectors = config.sectorPublicKeys ?? [];
  if (sectors.length > 0 && chatAllows(chat, AT_RIGHTS.RESTRICTED_IDENTIFICATION)) {
    const info = selectRestrictedIdentification(verifiedInfos, config.riKeyId);
    // TR-03110-3 §C.3.2.1: sector keys are bound to the terminal by its id-sector extension. Checked for
    // every RI key, not only authorizedOnly ones: with an uncertified key an eService could compute the
    // pseudonyms of another sector.
    const terminal = parseCvCertificate(config.terminalCertificate);
    const certified = sectorExtension(terminal.extensions);
    checkSectorKeysCertified(info.protocol, sectors, [certified?.sector1Hash, certified?.sector2Hash], taHashOfKeyOid(terminal.publicKey.oid));
    const [mse, ga] = riCommands(info.protocol, info.params.keyId, sectors);
    plan.push({ kind: { kind: 'ri-mse' }, command: mse! }, { kind: { kind: 'ri-ga' }, command: ga! });
    ri = { protocolOid: info.protocol, sectors: sectors.length };
  }
  for (const check of state.checks) {
    // Age / place verification only when the effective CHAT still holds the right (the user may deselect it).
    if (check === 'age' && !chatAllows(chat, AT_RIGHTS.AGE_VERIFICATION)) continue;
    if (check === 'place' && !chatAllows(chat, AT_RIGHTS.COMMUNITY_ID_VERIFICATION)) continue;
    plan.push({ kind: { kind: 'verify', check }, command: verifyAuxiliaryData(AUXILIARY_CHECK_OID[check]) });
  }
  const dgs = readableDataGroups(chat);
  if (dgs.length > 0) {
    plan.push({ kind: { kind: 'select' }, command: selectApplication() });
    // TR-03110-4 §3.1.2: DGn has SFI n; read exactly the DGs of the effective CHAT.
    for (const dg of dgs) plan.push({ kind: { kind: 'read', dg }, command: readBinarySfi(dg) });
  }
  // The stored SM state stays at the batch start: responses are unwrapped relative to it.
  const base = sm.exportState();
  const { wrapped } = wrapBatch(base, plan.map((p) => p.command));
  const transmit = wrapped.map((c, i) => ({ apdu: encodeCommandApdu(c), acceptableStatusCodes: ACCEPT[plan[i]!.kind.kind] }));
  const next: EacTerminalState = { ...state, step: 'transmit', sm: base, plan: plan.map((p) => p.kind) };
  delete next.ephemeral; // the ephemeral private key has done its job; do not keep it in the store
  if (ri !== undefined) next.ri = ri;
  return { state: next, transmit };
}
