/**
 * The eID client's share of EAC, at APDU level, against any `transmit(apdu) → response` (the
 * software card today, a PC/SC reader later). The server supplies certificates, CHAT, aux data,
 * ephemeral key and TA signature; this driver runs the card dialogue and relays Transmit APDUs.
 *
 * | step | APDUs | function |
 * |---|---|---|
 * | read EF.CardAccess | SELECT/READ BINARY SFI 1C (plain) | eac1 |
 * | PACE (PIN/CAN/PUK) | MSE:Set AT C1A4, GA ×4 (chained) | eac1 → runPace |
 * | TA challenge | GET CHALLENGE (SM, PACE keys) | eac1 |
 * | TA | MSE:Set DST + PSO:Verify per certificate, MSE:Set AT 81A4, EXTERNAL AUTHENTICATE | eac2 |
 * | read EF.CardSecurity | READ BINARY SFI 1D (SM) | eac2 |
 * | CA v2 | MSE:Set AT 41A4, GA {80 ePK_PCD} | eac2 |
 * | Transmit | the server's SM APDUs, verbatim, stop at first unacceptable SW | relayTransmit |
 *
 * @spec tr03110-2 §3.2-§3.4, tr03110-3 App. B, tr03112-7 §3.6 (DIDAuthenticate EAC1/EAC2, Transmit), tr03124-1 §2.6
 */
import type { CommandApdu, ResponseApdu } from '../../src/eid/card/apdu.js';
import { decodeResponseApdu, encodeCommandApdu } from '../../src/eid/card/apdu.js';
import { CardError } from '../../src/eid/card/errors.js';
import { SW, isWarningRetries } from '../../src/eid/card/status-words.js';
import { decodeTlv } from '../../src/eid/card/tlv.js';
import { readBinarySfi, parseReadBinaryResponse } from '../../src/eid/card/commands/read-binary.js';
import { ELEMENTARY_FILES } from '../../src/eid/card/commands/select.js';
import { mseSetAtCa, mseSetAtPace, mseSetAtTa } from '../../src/eid/card/commands/mse-set-at.js';
import type { PacePassword as PasswordName } from '../../src/eid/card/commands/mse-set-at.js';
import { mseSetDst } from '../../src/eid/card/commands/mse-set-dst.js';
import { psoVerifyCertificate } from '../../src/eid/card/commands/pso-verify-certificate.js';
import { getChallenge, parseGetChallengeResponse } from '../../src/eid/card/commands/get-challenge.js';
import { externalAuthenticate } from '../../src/eid/card/commands/external-authenticate.js';
import { generalAuthenticate, parseGeneralAuthenticateResponse } from '../../src/eid/card/commands/general-authenticate.js';
import { expectStatus } from '../../src/eid/card/commands/response.js';
import { parseCvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import { decodeSecurityInfos, curveOfDomainParameters, SecurityInfoOid } from '../../src/eid/eac/security-infos.js';
import type { PaceInfo, PaceDomainParameterInfo, SecurityInfo } from '../../src/eid/eac/security-infos.js';
import { domainParametersByStandardizedId } from '../../src/eid/eac/domain-parameters.js';
import type { CurveName } from '../../src/eid/eac/domain-parameters.js';
import { terminalDecryptNonce, terminalKeyAgreement, terminalMapNonce, terminalMutualAuthentication, isPaceOid } from '../../src/eid/eac/pace.js';
import type { PacePasswordType } from '../../src/eid/eac/pace.js';
import { SecureMessaging } from '../../src/eid/eac/secure-messaging.js';
import type { SmState } from '../../src/eid/eac/secure-messaging.js';
import { caParametersFromCardAccess } from '../../src/eid/eac/ca.js';
import { compressEphemeralPublicKey } from '../../src/eid/eac/ta.js';
import { EacTerminalError } from '../../src/eid/eac/eac-terminal-error.js';
import type { TransmitApdu } from '../../src/eid/eac/terminal/eac2-output.js';

/** Byte-level card channel (one command APDU → one response APDU). */
export type CardTransmit = (apdu: Buffer) => Promise<Buffer>;

/** TR-03110-3 §A.1.1.3 / App. B: id-TA, the protocol OID of MSE:Set AT for TA. */
const ID_TA = SecurityInfoOid.TA;

async function send(transmit: CardTransmit, command: CommandApdu, sm?: SecureMessaging): Promise<ResponseApdu> {
  const wire = sm === undefined ? command : sm.wrapCommand(command);
  const response = decodeResponseApdu(await transmit(encodeCommandApdu(wire)));
  return sm === undefined ? response : sm.unwrapResponse(response);
}

const NAME_OF: Readonly<Record<PacePasswordType, PasswordName>> = { mrz: 'MRZ', can: 'CAN', pin: 'PIN', puk: 'PUK' };

/** Maps a PACE status word to a named error (TR-03110-3 App. B: 63Cx retries, 63C1 suspended, 63C0/6983 blocked, 6984 deactivated). */
function paceStatusError(sw: number, password: PacePasswordType): CardError {
  const retries = isWarningRetries(sw);
  if (sw === SW.AUTHENTICATION_METHOD_BLOCKED || retries === 0) return new CardError(sw, `${password} blocked`, { code: 'PACE_PIN_BLOCKED' });
  if (password === 'pin' && retries === 1) return new CardError(sw, 'PIN suspended: PACE with CAN first', { code: 'PACE_PIN_SUSPENDED', detail: { retries } });
  if (retries !== null) return new CardError(sw, `wrong ${password}, ${retries} tries left`, { code: 'PACE_PASSWORD_WRONG', detail: { retries } });
  if (sw === SW.REFERENCE_DATA_NOT_USABLE) return new CardError(sw, `${password} deactivated`, { code: 'PACE_PASSWORD_DEACTIVATED' });
  return new CardError(sw, `PACE refused (${sw.toString(16)})`, { code: 'EAC_CARD_REFUSED' });
}

function paceSetup(infos: readonly SecurityInfo[]): { oid: string; curve: CurveName; parameterId: number | null } {
  const info = infos.find((i): i is PaceInfo => i.type === 'PACEInfo' && i.version === 2 && isPaceOid(i.protocol));
  if (info === undefined) throw new EacTerminalError('CMD_RESPONSE_INVALID', 'EF.CardAccess offers no supported PACEInfo v2');
  if (info.parameterId !== null && info.parameterId <= 31) return { oid: info.protocol, curve: domainParametersByStandardizedId(info.parameterId).name, parameterId: info.parameterId };
  const dp = infos.find((i): i is PaceDomainParameterInfo => i.type === 'PACEDomainParameterInfo' && i.parameterId === info.parameterId);
  if (dp?.domainParameter.parameters == null) throw new EacTerminalError('CMD_RESPONSE_INVALID', 'no PACE domain parameters');
  return { oid: info.protocol, curve: curveOfDomainParameters(dp.domainParameter.parameters).name, parameterId: info.parameterId };
}

export interface PaceOutcome {
  sm: SecureMessaging;
  idPicc: Buffer;
  /** CAR_curr [, CAR_prev] from the last GA (87, 88). */
  cars: string[];
  /** SW of MSE:Set AT (63C2 = two PIN tries left before this PACE). */
  mseStatus: number;
}

/** PACE as PCD (TR-03110-2 §3.2), optionally inside an existing SM channel (PIN resume after CAN). */
export async function runPace(transmit: CardTransmit, efCardAccess: Buffer, password: { type: PacePasswordType; value: string }, options: { chat?: Buffer | undefined; sm?: SecureMessaging | undefined } = {}): Promise<PaceOutcome> {
  const setup = paceSetup(decodeSecurityInfos(efCardAccess, { allowZeroPadding: true }));
  const mse = await send(transmit, mseSetAtPace({ protocolOid: setup.oid, password: NAME_OF[password.type], chat: options.chat }), options.sm);
  // TR-03110-3 App. B: 63C2 is a warning (PACE may proceed); 63C1 means the PIN is suspended.
  if (mse.sw !== SW.SUCCESS && !(mse.sw === SW.PIN_RETRY_2 && password.type === 'pin')) {
    if (!(mse.sw === SW.PIN_SUSPENDED && password.type === 'pin' && options.sm !== undefined)) throw paceStatusError(mse.sw, password.type);
  }
  const params = { oid: setup.oid, curve: setup.curve, password };
  const ga = async (objects: { tag: number; value: Buffer }[], chained: boolean, required: number[]): Promise<Map<number, Buffer>> => {
    const r = await send(transmit, generalAuthenticate(objects, { chained }), options.sm);
    if (r.sw !== SW.SUCCESS) throw paceStatusError(r.sw, password.type);
    return parseGeneralAuthenticateResponse(r, required);
  };
  const step1 = await ga([], true, [0x80]);
  const d = terminalDecryptNonce(params, step1.get(0x80)!);
  const step2 = await ga([{ tag: 0x81, value: d.terminalMappingData }], true, [0x82]);
  const m = terminalMapNonce(d.state, step2.get(0x82)!);
  const step3 = await ga([{ tag: 0x83, value: m.terminalEphemeralPublicKey }], true, [0x84]);
  const k = terminalKeyAgreement(m.state, step3.get(0x84)!);
  const step4 = await ga([{ tag: 0x85, value: k.terminalToken }], false, [0x86]);
  const result = terminalMutualAuthentication(k.state, step4.get(0x86)!);
  const cars = [step4.get(0x87), step4.get(0x88)].filter((c): c is Buffer => c !== undefined).map((c) => c.toString('latin1'));
  return { sm: new SecureMessaging(result.keys, 'terminal'), idPicc: result.idPicc, cars, mseStatus: mse.sw };
}

/** What the client reports in EAC1OutputType, plus its live SM state. */
export interface Eac1Result {
  chat: Buffer | undefined;
  cars: string[];
  efCardAccess: Buffer;
  idPicc: Buffer;
  challenge: Buffer;
  /** PACE secure channel (secret); eac2 continues in it. */
  sm: SmState;
}

export async function readEfCardAccess(transmit: CardTransmit): Promise<Buffer> {
  return parseReadBinaryResponse(await send(transmit, readBinarySfi(ELEMENTARY_FILES.CARD_ACCESS.sfi)));
}

/**
 * DIDAuthenticate EAC1: EF.CardAccess, PACE with the user's password and the CHAT the user
 * approved (Required ∪ selected Optional), then GET CHALLENGE for TA.
 */
export async function eac1(transmit: CardTransmit, input: { password: { type: PacePasswordType; value: string }; chat?: Buffer | undefined }): Promise<Eac1Result> {
  const efCardAccess = await readEfCardAccess(transmit);
  const pace = await runPace(transmit, efCardAccess, input.password, { chat: input.chat });
  const challenge = parseGetChallengeResponse(await send(transmit, getChallenge(), pace.sm));
  return { chat: input.chat, cars: pace.cars, efCardAccess, idPicc: pace.idPicc, challenge, sm: pace.sm.exportState() };
}

export interface Eac2Result {
  efCardSecurity: Buffer;
  nonce: Buffer;
  token: Buffer;
}

/** EAC2 input as the server sends it; `signature` absent on the EACAdditionalInputType path. */
export interface Eac2Instructions {
  certificates: readonly Buffer[];
  ephemeralPublicKey: Buffer;
  auxiliaryData?: Buffer | undefined;
}

/**
 * DIDAuthenticate EAC2, first half: the server's chain (MSE:Set DST + PSO:Verify each) and
 * MSE:Set AT for TA. With `freshChallenge` the chip's r_PICC is fetched now (EACAdditionalInputType
 * path: the server signs only after it got this challenge in EAC2OutputType).
 */
export async function eac2Prepare(transmit: CardTransmit, session: Eac1Result, input: Eac2Instructions, options: { freshChallenge?: boolean } = {}): Promise<{ sm: SmState; challenge?: Buffer }> {
  const sm = SecureMessaging.importState(session.sm);
  const ok = (r: ResponseApdu, what: string): Buffer => expectStatus(r, what, [SW.SUCCESS], 'EAC_CARD_REFUSED');
  let terminalChr = '';
  for (const raw of input.certificates) {
    const cert = parseCvCertificate(raw);
    ok(await send(transmit, mseSetDst(cert.car), sm), 'MSE:Set DST');
    ok(await send(transmit, psoVerifyCertificate(raw), sm), 'PSO:Verify Certificate');
    terminalChr = cert.chr;
  }
  const ca = caParametersFromCardAccess(decodeSecurityInfos(session.efCardAccess, { allowZeroPadding: true }));
  ok(await send(transmit, mseSetAtTa({
    protocolOid: ID_TA, terminalChr, auxiliaryData: input.auxiliaryData,
    ephemeralPublicKeyComp: compressEphemeralPublicKey(ca.curve, input.ephemeralPublicKey),
  }), sm), 'MSE:Set AT (TA)');
  if (options.freshChallenge !== true) return { sm: sm.exportState() };
  const challenge = parseGetChallengeResponse(await send(transmit, getChallenge(), sm));
  return { sm: sm.exportState(), challenge };
}

/** DIDAuthenticate EAC2, second half: EXTERNAL AUTHENTICATE with the TA signature, READ EF.CardSecurity, CA v2. */
export async function eac2Complete(transmit: CardTransmit, session: Eac1Result, prepared: { sm: SmState }, input: { ephemeralPublicKey: Buffer; signature: Buffer }): Promise<Eac2Result> {
  const sm = SecureMessaging.importState(prepared.sm);
  const ok = (r: ResponseApdu, what: string): Buffer => expectStatus(r, what, [SW.SUCCESS], 'EAC_CARD_REFUSED');
  const ca = caParametersFromCardAccess(decodeSecurityInfos(session.efCardAccess, { allowZeroPadding: true }));
  ok(await send(transmit, externalAuthenticate(input.signature), sm), 'EXTERNAL AUTHENTICATE');
  const efCardSecurity = parseReadBinaryResponse(await send(transmit, readBinarySfi(ELEMENTARY_FILES.CARD_SECURITY.sfi), sm));
  decodeTlv(efCardSecurity, { maxLength: 65536 }); // one DER object; PA is the server's job
  ok(await send(transmit, mseSetAtCa({ protocolOid: ca.protocolOid, keyId: ca.keyId ?? undefined }), sm), 'MSE:Set AT (CA)');
  const objects = parseGeneralAuthenticateResponse(await send(transmit, generalAuthenticate([{ tag: 0x80, value: input.ephemeralPublicKey }]), sm), [0x81, 0x82]);
  return { efCardSecurity, nonce: objects.get(0x81)!, token: objects.get(0x82)! };
}

/**
 * DIDAuthenticate EAC2: TA with the server's chain, key and signature, then CA v2. After CA the
 * chip uses the CA session keys, which only the server knows: the PACE channel ends here.
 */
export async function eac2(transmit: CardTransmit, session: Eac1Result, input: Eac2Instructions & { signature: Buffer }): Promise<Eac2Result> {
  const prepared = await eac2Prepare(transmit, session, input);
  return eac2Complete(transmit, session, prepared, input);
}

/** Transmit: send each APDU verbatim; stop after the first response whose SW matches no acceptable prefix (tr03112-7 Transmit). */
export async function relayTransmit(transmit: CardTransmit, apdus: readonly TransmitApdu[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const a of apdus) {
    const response = await transmit(a.apdu);
    out.push(response);
    const sw = response.subarray(response.length - 2).toString('hex').toUpperCase();
    if (a.acceptableStatusCodes.length > 0 && !a.acceptableStatusCodes.some((p) => sw.startsWith(p.toUpperCase()))) break;
  }
  return out;
}
