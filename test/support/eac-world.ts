/**
 * End-to-end EAC rig: a temporary test PKI (CVCA → DV → terminal CV certificates, CSCA → DS X.509
 * with CRL), a software card issued from a person file, our server-side EAC session
 * (src/eid/eac/terminal) and the eID client's APDU driver between them. The only thing crossing
 * from terminal to card is APDU bytes, through `transmit`, which tests may tap or tamper with.
 *
 * @spec tr03110-2 §3 (PACE → TA → CA → RI), tr03112-7 §3.6 (EAC1/EAC2/Transmit), tr03130-1 §2.4
 */
import { readFileSync } from 'node:fs';
import { decodeResponseApdu, encodeCommandApdu } from '../../src/eid/card/apdu.js';
import type { CommandApdu, ResponseApdu } from '../../src/eid/card/apdu.js';
import { readBinarySfi } from '../../src/eid/card/commands/read-binary.js';
import { createChat, encodeChat } from '../../src/eid/eac/cvc/chat.js';
import type { AtRight, Chat } from '../../src/eid/eac/cvc/chat.js';
import { generateEcKeyPair } from '../../src/eid/eac/domain-parameters.js';
import type { CurveName, EcKeyPair } from '../../src/eid/eac/domain-parameters.js';
import { buildCardSecurity } from '../../src/eid/eac/card-security.js';
import { verifyCardSecurity } from '../../src/eid/eac/passive-authentication.js';
import { sectorPublicKeyHash } from '../../src/eid/eac/ri.js';
import type { SectorPublicKey } from '../../src/eid/eac/ri.js';
import { SecurityInfoOid } from '../../src/eid/eac/security-infos.js';
import { keyObjectSigner, taHashOfKeyOid } from '../../src/eid/eac/ta.js';
import { handleEac1Output, handleEac2Output, handleTransmitResponse, parseEacTerminalState, signTaChallenge, startEac, unwrapBatchResponse, wrapBatch } from '../../src/eid/eac/terminal/index.js';
import type { Eac2Input, EacResult, EacTerminalConfig, EacTerminalState, TransmitApdu } from '../../src/eid/eac/terminal/index.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import type { ProfileId } from '../../src/eid/profiles/index.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { fixedClock } from '../../src/shared/clock.js';
import type { Clock } from '../../src/shared/clock.js';
import { eac1, eac2, eac2Complete, eac2Prepare, relayTransmit } from '../../tools/eid-client/eac-driver.js';
import type { CardTransmit } from '../../tools/eid-client/eac-driver.js';
import type { CardJson } from '../../tools/software-card/card-json.js';
import { issueCard } from '../../tools/software-card/issue-card.js';
import { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createCvca, createDv, createTerminal } from '../../tools/test-pki/cvc-chain.js';
import type { IssuedCvc, IssuedTerminal } from '../../tools/test-pki/cvc-chain.js';
import { createTestPki } from '../../tools/test-pki/x509.js';
import type { TestPki } from '../../tools/test-pki/x509.js';

export const PERSON_FILES: Readonly<Record<ProfileId, string>> = {
  tw: 'test/fixtures/persons/tw-citizen.json',
  de: 'test/fixtures/persons/de-citizen.json',
};

export function personJson(profile: ProfileId): Record<string, unknown> {
  return JSON.parse(readFileSync(PERSON_FILES[profile], 'utf8')) as Record<string, unknown>;
}

/** The day the terminal (eID-Server) believes it is; CVC and X.509 validity are laid around it. */
export const TODAY = new Date('2026-06-15T10:00:00Z');
export const TODAY_CVC = '260615';

export interface World {
  readonly curve: CurveName;
  readonly clock: Clock;
  readonly cvca: IssuedCvc;
  readonly dv: IssuedCvc;
  readonly x509: TestPki;
  readonly trustStore: TrustStore;
  /** Sector key pairs (RI); their public keys are certified in id-sector of terminals made by `terminal()`. */
  readonly sectors: readonly [EcKeyPair, EcKeyPair];
}

/** Rights of the DV: everything an eService of this test may get (no PIN management, no CAN). */
export const DV_RIGHTS: readonly AtRight[] = [
  'AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION',
  ...Array.from({ length: 21 }, (_, i) => `READ_DG${i + 1}` as AtRight),
];

/** cvcaRights: the CVCA certificate's CHAT (default all rights); it bounds every chain below it (TR-03110-3 §C.4). */
export function createWorld(options: { curve?: CurveName; dvRights?: readonly AtRight[] | bigint; cvcaChr?: string; cvcaRights?: readonly AtRight[] | bigint } = {}): World {
  const curve = options.curve ?? 'brainpoolP256r1';
  const cvca = createCvca({
    chr: options.cvcaChr ?? 'TWCVCAT00001', curve, effectiveDate: '260101', expirationDate: '291231',
    ...(options.cvcaRights === undefined ? {} : { rights: options.cvcaRights }),
  });
  const dv = createDv(cvca, { chr: 'TWDVT0000001', rights: options.dvRights ?? DV_RIGHTS, effectiveDate: '260501', expirationDate: '261231' });
  const x509 = createTestPki({ curve, at: TODAY });
  const trustStore = new TrustStore();
  trustStore.addCsca(x509.csca.certificate);
  trustStore.addCrl(x509.crl);
  return { curve, clock: fixedClock(TODAY), cvca, dv, x509, trustStore, sectors: [generateEcKeyPair(curve), generateEcKeyPair(curve)] };
}

export function sectorKeys(world: World): SectorPublicKey[] {
  return world.sectors.map((k) => ({ curve: world.curve, point: k.publicPoint }));
}

/** The RI protocol of the issued cards (tools/software-card/card-security-infos.ts: id-RI-ECDH-SHA-256). */
export const RI_PROTOCOL = SecurityInfoOid.RI_ECDH_SHA_256;

export interface TerminalOptions {
  chr?: string;
  rights: readonly AtRight[] | bigint;
  effectiveDate?: string;
  expirationDate?: string;
  /** Issuer; default the world's DV. */
  dv?: IssuedCvc;
  /** Sector keys certified in id-sector; default the world's two. */
  sectors?: readonly SectorPublicKey[];
}

/** An eService's terminal (AT) certificate with the id-sector extension for its sector keys. */
export function terminal(world: World, o: TerminalOptions): IssuedTerminal {
  const dv = o.dv ?? world.dv;
  const hash = taHashOfKeyOid(dv.parsed.publicKey.oid);
  const sectors = o.sectors ?? sectorKeys(world);
  const [h1, h2] = sectors.map((s) => sectorPublicKeyHash(RI_PROTOCOL, s, hash));
  return createTerminal(dv, {
    chr: o.chr ?? 'TWTERMT00001', rights: o.rights, effectiveDate: o.effectiveDate ?? '260601', expirationDate: o.expirationDate ?? '260731',
    sector: { ...(h1 === undefined ? {} : { sector1Hash: h1 }), ...(h2 === undefined ? {} : { sector2Hash: h2 }) },
    description: {
      format: 'plain', issuerName: 'New eID Test DV', subjectName: 'Test eService', subjectUrl: 'https://service.example.test',
      termsOfUsage: 'Test only.',
    },
  });
}

export interface IssueOptions {
  profile?: ProfileId;
  person?: unknown;
  /** Default the world's DS; e.g. the revoked DS for PA tests. */
  documentSigner?: TestPki['documentSigner'];
  /** Hook on the signed EF.CardSecurity before it is written to the card. */
  tamperCardSecurity?: (der: Buffer) => Buffer;
  issuedOn?: string;
  overrides?: Partial<CardJson>;
}

export function issue(world: World, o: IssueOptions = {}): CardJson {
  const profile = o.profile ?? 'tw';
  const json = issueCard({
    profile, person: o.person ?? personJson(profile), trustPoints: [world.cvca.parsed], issuedOn: o.issuedOn ?? '2026-06-01',
    signCardSecurity: (infos) => {
      const der = buildCardSecurity({ securityInfos: infos, documentSigner: o.documentSigner ?? world.x509.documentSigner });
      return o.tamperCardSecurity === undefined ? der : o.tamperCardSecurity(der);
    },
  });
  return { ...json, ...(o.overrides ?? {}) };
}

export interface ConfigOptions {
  required: readonly AtRight[];
  optional?: readonly AtRight[];
  minimumAge?: number;
  /** Digits as the profile writes them (tw: household area code prefix). */
  communityPrefix?: string;
  sectors?: readonly SectorPublicKey[] | null;
  riKeyId?: number;
  profile?: ProfileId;
  clock?: Clock;
  certificates?: readonly Buffer[];
}

function chatOf(rights: readonly AtRight[]): Chat {
  return createChat({ role: 'terminal', rights });
}

/** The eService configuration the eID-Server builds from the registry and key store. */
export function terminalConfig(world: World, term: IssuedTerminal, o: ConfigOptions): EacTerminalConfig {
  const profile = getProfile(o.profile ?? 'tw');
  const clock = o.clock ?? world.clock;
  return {
    certificates: o.certificates ?? [world.dv.certificate],
    terminalCertificate: term.certificate,
    signer: keyObjectSigner(term.keyPair.privateKey),
    requiredChat: chatOf(o.required),
    optionalChat: chatOf(o.optional ?? []),
    certificateDescription: term.description,
    auxiliary: {
      minimumAge: o.minimumAge,
      communityIdPrefix: o.communityPrefix === undefined ? undefined : profile.communityIdFromDigits(o.communityPrefix),
    },
    sectorPublicKeys: o.sectors === null ? [] : (o.sectors ?? sectorKeys(world)),
    riKeyId: o.riKeyId,
    profile,
    verifyCardSecurity: async (der) => verifyCardSecurity(der, { trustStore: world.trustStore, clock }).securityInfos,
    clock,
  };
}

/** A tap on the APDU wire: sees (and may replace) each command and response. */
export interface Wire {
  command?: (apdu: Buffer, index: number) => Buffer;
  response?: (apdu: Buffer, index: number, command: Buffer) => Buffer;
}

export interface Channel {
  transmit: CardTransmit;
  /** Every command and response, in order. */
  log: { command: Buffer; response: Buffer }[];
}

export function channel(card: SoftwareCard, wire: Wire = {}): Channel {
  const log: Channel['log'] = [];
  const transmit: CardTransmit = async (apdu) => {
    const index = log.length;
    const command = wire.command === undefined ? apdu : wire.command(Buffer.from(apdu), index);
    let response = card.transmit(command);
    if (wire.response !== undefined) response = wire.response(response, index, command);
    log.push({ command, response });
    return response;
  };
  return { transmit, log };
}

export interface RunOptions {
  password?: { type: 'pin' | 'can' | 'puk'; value: string };
  /** Rights the user leaves selected (default: required ∪ optional, i.e. no deselection). */
  userRights?: readonly AtRight[];
  wire?: Wire;
  /** Tampers with what the server hands the client for EAC2 (signature, certificates). */
  eac2Input?: (input: Eac2Input) => Eac2Input;
  /** Tampers with the Transmit batch on its way to the card (an untrusted client or network). */
  transmitCommands?: (apdus: TransmitApdu[]) => TransmitApdu[];
  /** Tampers with the card's answers on their way back to the server; gets the server state (SM keys) to forge with. */
  transmitResponses?: (responses: Buffer[], state: EacTerminalState) => Buffer[];
  /** EAC1OutputType without the challenge: signature via EACAdditionalInputType (tr03112-7 §3.6.4.5). */
  deferredSignature?: boolean;
  /** Replaces the EAC1InputType/state of startEac (a server that skipped its own start checks). */
  start?: ReturnType<typeof startEac>;
}

export interface Run {
  result: EacResult;
  /** State before handleTransmitResponse (holds the SM state of the batch start). */
  transmitState: EacTerminalState;
  transmit: TransmitApdu[];
  channel: Channel;
}

/** Between PAOS steps the state lives in the session store: every step here gets it back from JSON. */
function stored(state: EacTerminalState): EacTerminalState {
  return parseEacTerminalState(JSON.parse(JSON.stringify(state)));
}

/** One complete EAC: startEac → client EAC1 → handleEac1Output → client EAC2 → handleEac2Output → Transmit → result. */
export async function runEac(card: SoftwareCard, config: EacTerminalConfig, o: RunOptions = {}): Promise<Run> {
  card.reset();
  const ch = channel(card, o.wire);
  const start = o.start ?? startEac(config);
  const requested = { ...config.requiredChat, rights: config.requiredChat.rights | config.optionalChat.rights };
  const userChat = o.userRights === undefined ? requested : { ...requested, rights: chatOf(o.userRights).rights };
  const chat = encodeChat(userChat);
  const password = o.password ?? { type: 'pin', value: (card.toJSON()).passwords.pin };
  const client1 = await eac1(ch.transmit, { password, chat });
  const step2 = await handleEac1Output(config, stored(start.state), {
    chat: client1.chat, cars: client1.cars, efCardAccess: client1.efCardAccess, idPicc: client1.idPicc,
    ...(o.deferredSignature === true ? {} : { challenge: client1.challenge }),
  });
  const input = o.eac2Input === undefined ? step2.eac2 : o.eac2Input(step2.eac2);
  const instructions = { certificates: input.certificates, ephemeralPublicKey: input.ephemeralPublicKey, auxiliaryData: start.eac1.authenticatedAuxiliaryData };
  let state = stored(step2.state);
  let client2;
  if (input.signature !== undefined) {
    client2 = await eac2(ch.transmit, client1, { ...instructions, signature: input.signature });
  } else {
    // EACAdditionalInputType path: the challenge comes back in EAC2OutputType, the signature follows.
    const prepared = await eac2Prepare(ch.transmit, client1, instructions, { freshChallenge: true });
    if (prepared.challenge === undefined) throw new Error('client returned no challenge');
    const signed = await signTaChallenge(config, state, prepared.challenge);
    state = stored(signed.state);
    client2 = await eac2Complete(ch.transmit, client1, prepared, { ephemeralPublicKey: input.ephemeralPublicKey, signature: signed.signature });
  }
  const step3 = await handleEac2Output(config, state, client2);
  const batch = o.transmitCommands === undefined ? step3.transmit : o.transmitCommands(step3.transmit);
  let responses = await relayTransmit(ch.transmit, batch);
  if (o.transmitResponses !== undefined) responses = o.transmitResponses(responses, step3.state);
  const done = await handleTransmitResponse(config, stored(step3.state), responses);
  return { result: done.result, transmitState: step3.state, transmit: step3.transmit, channel: ch };
}

/**
 * The terminal continues the CA channel after the Transmit batch of `run` (same SM state, next SSC)
 * with further commands, e.g. a READ BINARY the effective CHAT does not cover. Returns the
 * responses as the terminal unwraps them (MAC-verified).
 */
export function continueChannel(card: SoftwareCard, run: Run, commands: readonly CommandApdu[]): ResponseApdu[] {
  const start = run.transmitState.sm;
  if (start === undefined) throw new Error('run has no SM state');
  let sm = wrapBatch(start, run.transmit.map(() => readBinarySfi(1))).after;
  return commands.map((c) => {
    const { wrapped, after } = wrapBatch(sm, [c]);
    const response = unwrapBatchResponse(sm, 0, decodeResponseApdu(card.transmit(encodeCommandApdu(wrapped[0]!))));
    sm = after;
    return response;
  });
}

export function load(json: CardJson): SoftwareCard {
  return SoftwareCard.fromJSON(json);
}
