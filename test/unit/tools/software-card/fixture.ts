/**
 * Test rig for the software card: a fresh CVCA → DV → terminal chain, an issued card, and a
 * terminal that speaks APDUs to it (PACE via the eID-client driver, TA/CA with the command builders).
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { CommandApdu, ResponseApdu } from '../../../../src/eid/card/apdu.js';
import { decodeResponseApdu, encodeCommandApdu } from '../../../../src/eid/card/apdu.js';
import { externalAuthenticate } from '../../../../src/eid/card/commands/external-authenticate.js';
import { generalAuthenticate, parseGeneralAuthenticateResponse } from '../../../../src/eid/card/commands/general-authenticate.js';
import { getChallenge } from '../../../../src/eid/card/commands/get-challenge.js';
import { mseSetAtCa, mseSetAtTa } from '../../../../src/eid/card/commands/mse-set-at.js';
import { mseSetDst } from '../../../../src/eid/card/commands/mse-set-dst.js';
import { psoVerifyCertificate } from '../../../../src/eid/card/commands/pso-verify-certificate.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { verifyChipAuthentication } from '../../../../src/eid/eac/ca.js';
import { createChat, encodeChat } from '../../../../src/eid/eac/cvc/chat.js';
import type { AtRight, ChatRole } from '../../../../src/eid/eac/cvc/chat.js';
import { parseCvCertificate, signCvCertificate } from '../../../../src/eid/eac/cvc/cv-certificate.js';
import type { CvCertificate } from '../../../../src/eid/eac/cvc/cv-certificate.js';
import type { CvcExtension } from '../../../../src/eid/eac/cvc/extensions.js';
import { TA_ECDSA_OIDS } from '../../../../src/eid/eac/cvc/oids.js';
import { cvcPublicKeyFromKeyObject } from '../../../../src/eid/eac/cvc/public-key.js';
import { generateEcKeyPair } from '../../../../src/eid/eac/domain-parameters.js';
import type { CurveName, EcKeyPair } from '../../../../src/eid/eac/domain-parameters.js';
import { SecureMessaging } from '../../../../src/eid/eac/secure-messaging.js';
import { decodeSecurityInfos, SecurityInfoOid } from '../../../../src/eid/eac/security-infos.js';
import { compressEphemeralPublicKey, generateTaEphemeralKey, keyObjectSigner, signTa } from '../../../../src/eid/eac/ta.js';
import type { TaEphemeralKey } from '../../../../src/eid/eac/ta.js';
import { fromHex } from '../../../../src/shared/bytes.js';
import { runPace } from '../../../../tools/eid-client/eac-driver.js';
import type { PacePasswordType } from '../../../../src/eid/eac/pace.js';
import type { CardJson } from '../../../../tools/software-card/card-json.js';
import { issueCard } from '../../../../tools/software-card/issue-card.js';
import { SoftwareCard } from '../../../../tools/software-card/software-card.js';

export const TW_PERSON: unknown = JSON.parse(readFileSync('test/fixtures/persons/tw-citizen.json', 'utf8'));
export const ALGORITHM = TA_ECDSA_OIDS.SHA_256;

export interface CertifiedKey { cert: Buffer; parsed: CvCertificate; key: EcKeyPair }

export interface CertOptions {
  car: string; chr: string; role: ChatRole; rights: readonly AtRight[]; issuer: EcKeyPair; subject?: EcKeyPair;
  effective?: string; expiration?: string; withDomainParameters?: boolean; extensions?: CvcExtension[]; curve?: CurveName;
}

export function certify(o: CertOptions): CertifiedKey {
  const key = o.subject ?? generateEcKeyPair(o.curve ?? 'brainpoolP256r1');
  const cert = signCvCertificate({
    profileId: 0, car: o.car, chr: o.chr, publicKey: cvcPublicKeyFromKeyObject(ALGORITHM, key.publicKey, o.withDomainParameters ?? o.role === 'cvca'),
    chat: createChat({ role: o.role, rights: o.rights }), effectiveDate: o.effective ?? '260101', expirationDate: o.expiration ?? '281231',
    extensions: o.extensions ?? [],
  }, o.issuer.privateKey, ALGORITHM);
  return { cert, parsed: parseCvCertificate(cert), key };
}

const ALL_READ: AtRight[] = Array.from({ length: 21 }, (_, i) => `READ_DG${i + 1}` as AtRight);
export const FULL_RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'CAN_ALLOWED', 'PIN_MANAGEMENT', ...ALL_READ];

export interface Pki { cvca: CertifiedKey; dv: CertifiedKey; terminal: CertifiedKey }

export function makePki(options: { terminalRights?: readonly AtRight[]; terminalExpiration?: string; sectorExtension?: CvcExtension[]; cvcaRights?: readonly AtRight[] } = {}): Pki {
  const cvcaKey = generateEcKeyPair('brainpoolP256r1');
  const cvca = certify({ car: 'TWCVCA00001', chr: 'TWCVCA00001', role: 'cvca', rights: options.cvcaRights ?? FULL_RIGHTS, issuer: cvcaKey, subject: cvcaKey, expiration: '291231' });
  const dv = certify({ car: 'TWCVCA00001', chr: 'TWDVTEST00001', role: 'dv-official', rights: FULL_RIGHTS, issuer: cvcaKey });
  const terminal = certify({
    car: 'TWDVTEST00001', chr: 'TWTERM000001', role: 'terminal', rights: options.terminalRights ?? FULL_RIGHTS, issuer: dv.key,
    effective: '260501', expiration: options.terminalExpiration ?? '260831', ...(options.sectorExtension ? { extensions: options.sectorExtension } : {}),
  });
  return { cvca, dv, terminal };
}

/** EF.CardSecurity stand-in for unit tests: the DER SecurityInfos themselves (the chip never interprets the file). */
export function makeCardJson(pki: Pki, overrides: Partial<CardJson> = {}): CardJson {
  const card = issueCard({
    profile: 'tw', person: TW_PERSON, trustPoints: [pki.cvca.parsed], issuedOn: '2026-06-01', pin: '123456', can: '482913', puk: '1234567890',
    signCardSecurity: (infos) => infos,
  });
  return { ...card, ...overrides };
}

export function chatBytes(rights: readonly AtRight[]): Buffer {
  return encodeChat(createChat({ role: 'terminal', rights }));
}

/** A terminal talking APDUs to one software card. */
export class TestTerminal {
  readonly card: SoftwareCard;
  readonly json: CardJson;
  sm: SecureMessaging | undefined;
  idPicc: Buffer = Buffer.alloc(0);
  cars: string[] = [];
  ephemeral: TaEphemeralKey | undefined;

  constructor(card: SoftwareCard, json: CardJson) {
    this.card = card;
    this.json = json;
  }

  static create(pki: Pki, overrides: Partial<CardJson> = {}): TestTerminal {
    const json = makeCardJson(pki, overrides);
    return new TestTerminal(SoftwareCard.fromJSON(json), json);
  }

  /** Raw bytes in, raw bytes out. */
  raw(apdu: Buffer): Buffer {
    return this.card.transmit(apdu);
  }

  /** One command; under SM when a channel is open. */
  send(command: CommandApdu, plain = false): ResponseApdu {
    const sm = plain ? undefined : this.sm;
    const wire = sm === undefined ? command : sm.wrapCommand(command);
    const response = decodeResponseApdu(this.card.transmit(encodeCommandApdu(wire)));
    if (sm === undefined) return response;
    if (response.data.length === 0) {
      // A plain SW under SM: the card dropped the channel.
      this.sm = undefined;
      return response;
    }
    return sm.unwrapResponse(response);
  }

  sw(command: CommandApdu, plain = false): number {
    return this.send(command, plain).sw;
  }

  async pace(type: PacePasswordType, value: string, chat?: Buffer, inside?: SecureMessaging): Promise<void> {
    const transmit = async (apdu: Buffer): Promise<Buffer> => this.card.transmit(apdu);
    const outcome = await runPace(transmit, fromHex(this.json.files.cardAccess), { type, value }, { chat, sm: inside });
    this.sm = outcome.sm;
    this.idPicc = outcome.idPicc;
    this.cars = outcome.cars;
  }

  /** MSE:Set DST + PSO:Verify for each certificate; returns the SWs. */
  verifyChain(certs: readonly Buffer[]): number[] {
    const out: number[] = [];
    for (const raw of certs) {
      const cert = parseCvCertificate(raw);
      out.push(this.sw(mseSetDst(cert.car)));
      out.push(this.sw(psoVerifyCertificate(raw)));
    }
    return out;
  }

  /** TA after the chain: MSE:Set AT, GET CHALLENGE, EXTERNAL AUTHENTICATE; returns the last SW. */
  async terminalAuthentication(terminal: CertifiedKey, options: { auxiliaryData?: Buffer; tamper?: boolean; signer?: KeyObject } = {}): Promise<number> {
    this.ephemeral = generateTaEphemeralKey('brainpoolP256r1');
    const comp = compressEphemeralPublicKey('brainpoolP256r1', this.ephemeral.publicPoint);
    const mse = this.sw(mseSetAtTa({ protocolOid: SecurityInfoOid.TA, terminalChr: terminal.parsed.chr, ephemeralPublicKeyComp: comp, auxiliaryData: options.auxiliaryData }));
    if (mse !== SW.SUCCESS) return mse;
    const challenge = this.send(getChallenge());
    if (challenge.sw !== SW.SUCCESS) return challenge.sw;
    const signature = await signTa(keyObjectSigner(options.signer ?? terminal.key.privateKey), ALGORITHM, {
      idPicc: this.idPicc, challenge: challenge.data, ephemeralPublicKeyComp: comp, auxiliaryData: options.auxiliaryData,
    });
    if (options.tamper === true) signature[5] = (signature[5] as number) ^ 0x01;
    return this.sw(externalAuthenticate(signature));
  }

  /** CA v2 with the TA ephemeral key; on success the terminal switches to the CA keys. */
  chipAuthentication(point?: Buffer): number {
    const eph = this.ephemeral as TaEphemeralKey;
    const ca = this.json.chipAuthentication[0] as CardJson['chipAuthentication'][number];
    const mse = this.sw(mseSetAtCa({ protocolOid: ca.oid, keyId: ca.keyId }));
    if (mse !== SW.SUCCESS) return mse;
    const response = this.send(generalAuthenticate([{ tag: 0x80, value: point ?? eph.publicPoint }]));
    if (response.sw !== SW.SUCCESS) return response.sw;
    const objects = parseGeneralAuthenticateResponse(response, [0x81, 0x82]);
    const result = verifyChipAuthentication({
      verifiedSecurityInfos: decodeSecurityInfos(fromHex(this.json.files.cardSecurity)),
      parameters: { protocolOid: ca.oid, keyId: ca.keyId, curve: 'brainpoolP256r1' },
      ephemeralKey: eph, nonce: objects.get(0x81) as Buffer, token: objects.get(0x82) as Buffer,
    });
    this.sm = new SecureMessaging(result.smKeys, 'terminal');
    return response.sw;
  }

  /** PACE with PIN and CHAT, TA with the chain, CA. */
  async eac(pki: Pki, chat: readonly AtRight[] = FULL_RIGHTS, auxiliaryData?: Buffer): Promise<void> {
    await this.pace('pin', this.json.passwords.pin, chatBytes(chat));
    const chain = this.verifyChain([pki.dv.cert, pki.terminal.cert]);
    if (chain.some((sw) => sw !== SW.SUCCESS)) throw new Error(`chain refused: ${chain.map((s) => s.toString(16)).join(' ')}`);
    const ta = await this.terminalAuthentication(pki.terminal, auxiliaryData === undefined ? {} : { auxiliaryData });
    if (ta !== SW.SUCCESS) throw new Error(`TA refused: ${ta.toString(16)}`);
    const ca = this.chipAuthentication();
    if (ca !== SW.SUCCESS) throw new Error(`CA refused: ${ca.toString(16)}`);
  }
}
