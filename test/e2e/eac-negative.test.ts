/**
 * EAC failure paths between our terminal and the software card, over APDUs only; each asserts a
 * specific error code or a named status word.
 *
 * @spec tr03110-2 §2.5 (certificate validation), §3.2-§3.5 (PACE PIN states, TA, CA), tr03110-3 App. B, App. F (SM),
 *       tr03130-1 §2.4.3 (passive authentication), iso7816-4 §5.2 (BER-TLV)
 */
import assert from 'node:assert/strict';
import { decodeCommandApdu, decodeResponseApdu, encodeCommandApdu, encodeResponseApdu } from '../../src/eid/card/apdu.js';
import type { ResponseApdu } from '../../src/eid/card/apdu.js';
import { generalAuthenticate } from '../../src/eid/card/commands/general-authenticate.js';
import { mseSetAtPace } from '../../src/eid/card/commands/mse-set-at.js';
import { readBinarySfi } from '../../src/eid/card/commands/read-binary.js';
import { resetRetryCounter } from '../../src/eid/card/commands/reset-retry-counter.js';
import { SW } from '../../src/eid/card/status-words.js';
import { encodeTlv } from '../../src/eid/card/tlv.js';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { dgReadBit } from '../../src/eid/eac/cvc/chat.js';
import { decodeAuxiliaryData } from '../../src/eid/eac/auxiliary-data.js';
import { PACE_OID } from '../../src/eid/eac/pace.js';
import { SecureMessaging } from '../../src/eid/eac/secure-messaging.js';
import { handleEac1Output, startEac } from '../../src/eid/eac/terminal/index.js';
import type { EacTerminalState, TransmitApdu } from '../../src/eid/eac/terminal/index.js';
import { fixedClock } from '../../src/shared/clock.js';
import { keyObjectSigner } from '../../src/eid/eac/ta.js';
import { fromHex } from '../../src/shared/bytes.js';
import { readEfCardAccess, runPace } from '../../tools/eid-client/eac-driver.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createDv } from '../../tools/test-pki/cvc-chain.js';
import { channel, continueChannel, createWorld, issue, load, runEac, terminal, terminalConfig } from '../support/eac-world.js';
import type { ConfigOptions, World } from '../support/eac-world.js';

const RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG1', 'READ_DG4', 'READ_DG8'];
const OPTIONS: ConfigOptions = { required: RIGHTS, minimumAge: 18, communityPrefix: '63000' };
const WRONG_PIN = '000000';

function hasCode(code: string, sw?: number) {
  return (err: unknown): boolean => {
    const e = err as { code?: string; sw?: number; message?: string };
    assert.equal(e.code, code, `expected ${code}, got ${e.code ?? 'none'}: ${e.message ?? String(err)}`);
    if (sw !== undefined) assert.equal(e.sw?.toString(16), sw.toString(16));
    return true;
  };
}

/** Flips one bit of byte `index` (negative: from the end). */
function flip(bytes: Buffer, index: number): Buffer {
  const out = Buffer.from(bytes);
  const i = index < 0 ? out.length + index : index;
  out[i] = (out[i] as number) ^ 0x01;
  return out;
}

describe('e2e negative: EAC failures, each with a named code', function () {
  this.timeout(60_000);
  let world: World;
  let config: ReturnType<typeof terminalConfig>;

  before(() => {
    world = createWorld();
    config = terminalConfig(world, terminal(world, { rights: RIGHTS }), OPTIONS);
  });

  describe('PIN life cycle (TR-03110-2 §3.5.1)', () => {
    async function pace(card: SoftwareCard, type: 'pin' | 'can' | 'puk', value: string, sm?: SecureMessaging): Promise<SecureMessaging> {
      const ch = channel(card);
      // Inside an open channel the client reuses EF.CardAccess: a plain READ BINARY would end the channel.
      const access = sm === undefined ? await readEfCardAccess(ch.transmit) : fromHex(card.toJSON().files.cardAccess);
      return (await runPace(ch.transmit, access, { type, value }, { sm })).sm;
    }

    it('wrong PIN: 63C2, then 63C1 (suspended: PIN alone refused until CAN), then blocked (63C0 / 6983)', async () => {
      const card = load(issue(world));
      await assert.rejects(runEac(card, config, { password: { type: 'pin', value: WRONG_PIN } }), hasCode('PACE_PASSWORD_WRONG', SW.PIN_RETRY_2));
      await assert.rejects(runEac(card, config, { password: { type: 'pin', value: WRONG_PIN } }), hasCode('PACE_PIN_SUSPENDED', SW.PIN_SUSPENDED));
      // Suspended: even the right PIN is refused without a CAN channel first.
      await assert.rejects(runEac(card, config), hasCode('PACE_PIN_SUSPENDED', SW.PIN_SUSPENDED));
      assert.equal(card.toJSON().pinRetryCounter, 1);
      // CAN first, then a third wrong PIN inside the CAN channel: blocked.
      card.reset();
      const canSm = await pace(card, 'can', card.toJSON().passwords.can);
      await assert.rejects(pace(card, 'pin', WRONG_PIN, canSm), hasCode('PACE_PIN_BLOCKED', SW.PIN_RETRY_0));
      assert.equal(card.toJSON().pinRetryCounter, 0);
      // Blocked: the right PIN is refused too.
      await assert.rejects(runEac(card, config), hasCode('PACE_PIN_BLOCKED'));
      // A PACE GA without a usable password: the card names the blocked method.
      card.reset();
      const ch = channel(card);
      assert.equal(decodeResponseApdu(await ch.transmit(encodeCommandApdu(mseSetAtPace({ protocolOid: PACE_OID.ECDH_GM_AES_CBC_CMAC_128, password: 'PIN' })))).sw, SW.PIN_RETRY_0);
      assert.equal(decodeResponseApdu(await ch.transmit(encodeCommandApdu(generalAuthenticate([], { chained: true })))).sw, SW.AUTHENTICATION_METHOD_BLOCKED);
    });

    it('suspended PIN: CAN then the right PIN resumes it (counter back to 3), then EAC works', async () => {
      const card = load(issue(world, { overrides: { pinRetryCounter: 1 } }));
      const canSm = await pace(card, 'can', card.toJSON().passwords.can);
      await pace(card, 'pin', card.toJSON().passwords.pin, canSm);
      assert.equal(card.toJSON().pinRetryCounter, 3);
      assert.equal((await runEac(card, config)).result.documentValidity, 'valid');
    });

    it('blocked PIN: PACE with PUK + RESET RETRY COUNTER unblocks; EAC with the PIN works again', async () => {
      const card = load(issue(world, { overrides: { pinRetryCounter: 0 } }));
      await assert.rejects(runEac(card, config), hasCode('PACE_PIN_BLOCKED'));
      card.reset();
      const ch = channel(card);
      const sm = (await runPace(ch.transmit, await readEfCardAccess(ch.transmit), { type: 'puk', value: card.toJSON().passwords.puk })).sm;
      const r = sm.unwrapResponse(decodeResponseApdu(await ch.transmit(encodeCommandApdu(sm.wrapCommand(resetRetryCounter('PIN'))))));
      assert.equal(r.sw, SW.SUCCESS);
      assert.equal(card.toJSON().pinRetryCounter, 3);
      assert.deepEqual(Object.keys((await runEac(card, config)).result.dataGroups), ['1', '4', '8']);
    });
  });

  describe('CV certificate validity (terminal clock and card date)', () => {
    it('expired terminal certificate on the server clock: startEac refuses (TA_CHAIN_INVALID), no APDU sent', () => {
      const late = terminalConfig(world, terminal(world, { rights: RIGHTS }), { ...OPTIONS, clock: fixedClock('2026-08-02T00:00:00Z') });
      assert.throws(() => startEac(late), hasCode('TA_CHAIN_INVALID'));
    });

    it('not-yet-valid terminal certificate on the server clock: startEac refuses (TA_CHAIN_INVALID)', () => {
      const future = terminalConfig(world, terminal(world, { rights: RIGHTS, effectiveDate: '260701', expirationDate: '260831' }), OPTIONS);
      assert.throws(() => startEac(future), hasCode('TA_CHAIN_INVALID'));
    });

    it('terminal certificate expired on the card\'s date (advanced by a newer certificate): card refuses PSO:Verify with 6985', async () => {
      const card = load(issue(world));
      // A later eService run (server clock 2026-07-02, terminal 260701..260930, DV official) moves the card's date.
      const later = terminalConfig(world, terminal(world, { rights: RIGHTS, effectiveDate: '260701', expirationDate: '260930' }), { ...OPTIONS, clock: fixedClock('2026-07-02T10:00:00Z') });
      // Not yet valid on the card's date (2026-06-01): the chip has no clock and accepts it, moving its date
      // forward (TR-03110-2 §2.5); rejecting not-yet-valid certificates is the server's job (startEac above).
      assert.equal(card.toJSON().currentDate, '2026-06-01');
      await runEac(card, later);
      assert.equal(card.toJSON().currentDate, '2026-07-01');
      // Back on a server whose clock is 2026-06-15: its terminal certificate (260601..260630) is valid there, but not for the card.
      const earlier = terminalConfig(world, terminal(world, { rights: RIGHTS, expirationDate: '260630' }), OPTIONS);
      assert.doesNotThrow(() => startEac(earlier));
      await assert.rejects(runEac(card, earlier), hasCode('EAC_CARD_REFUSED', SW.CONDITIONS_NOT_SATISFIED));
    });
  });

  describe('certificate chain', () => {
    it('wrong CAR: a chain for an unknown CVCA is refused by the server (TA_CAR_UNKNOWN)', async () => {
      const other = createWorld({ cvcaChr: 'TWCVCAX00009' });
      const foreign = terminalConfig(other, terminal(other, { rights: RIGHTS }), OPTIONS);
      const card = load(issue(world));
      await assert.rejects(runEac(card, foreign), hasCode('TA_CAR_UNKNOWN'));
    });

    it('wrong CAR sent anyway: the card answers MSE:Set DST with 6A88 (reference data not found)', async () => {
      const other = createWorld({ cvcaChr: 'TWCVCAX00009' });
      const card = load(issue(world));
      await assert.rejects(runEac(card, config, {
        eac2Input: (input) => ({ ...input, certificates: [other.dv.certificate, terminal(other, { rights: RIGHTS }).certificate] }),
      }), hasCode('EAC_CARD_REFUSED', SW.REFERENCE_DATA_NOT_FOUND));
    });

    it('a CVCA with the card\'s CAR but another key: the card refuses the DV signature (6300)', async () => {
      const impostor = createWorld({ cvcaChr: world.cvca.parsed.chr });
      const card = load(issue(world));
      const config2 = terminalConfig(impostor, terminal(impostor, { rights: RIGHTS }), OPTIONS);
      await assert.rejects(runEac(card, config2), hasCode('EAC_CARD_REFUSED', SW.VERIFICATION_FAILED));
    });

    it('CHAT escalation beyond the DV: the server refuses the terminal certificate (TA_CHAIN_INVALID)', () => {
      const narrowDv = createDv(world.cvca, { chr: 'TWDVN0000001', rights: ['READ_DG1', 'READ_DG4', 'RESTRICTED_IDENTIFICATION'], effectiveDate: '260501', expirationDate: '261231' });
      const escalating = terminal(world, { rights: [...RIGHTS, 'READ_DG20'], dv: narrowDv });
      const c = terminalConfig(world, escalating, { ...OPTIONS, certificates: [narrowDv.certificate] });
      assert.throws(() => startEac(c), (err: unknown) => hasCode('TA_CHAIN_INVALID')(err) && ((err as { detail?: { bits?: number[] } }).detail?.bits ?? []).includes(dgReadBit(20)));
    });

    it('CHAT escalation beyond the DV, presented anyway: the card grants only DV ∧ terminal (DG20 → 6982)', async () => {
      const narrowDv = createDv(world.cvca, { chr: 'TWDVN0000001', rights: ['READ_DG1', 'READ_DG4', 'RESTRICTED_IDENTIFICATION'], effectiveDate: '260501', expirationDate: '261231' });
      const wide: AtRight[] = ['READ_DG1', 'READ_DG4', 'READ_DG20'];
      const escalating = terminalConfig(world, terminal(world, { rights: wide, dv: narrowDv }), { required: wide, certificates: [narrowDv.certificate], sectors: null });
      // A server that skipped its start check: the state of a well-formed config with the same CHATs.
      const start = startEac(terminalConfig(world, terminal(world, { rights: wide }), { required: wide, sectors: null }));
      const card = load(issue(world));
      const run = await runEac(card, escalating, { start });
      // The server also intersects with the DV's CHAT, so it only asked for DG1 and DG4 ...
      assert.deepEqual(Object.keys(run.result.dataGroups), ['1', '4']);
      // ... and the card refuses DG20 under SM.
      const [dg20, dg4] = continueChannel(card, run, [readBinarySfi(20), readBinarySfi(4)]);
      assert.equal(dg20?.sw, SW.SECURITY_STATUS_NOT_SATISFIED);
      assert.equal(dg4?.sw, SW.SUCCESS);
    });

    it('bad TA signature (one byte flipped): the card answers EXTERNAL AUTHENTICATE with 6300', async () => {
      const card = load(issue(world));
      await assert.rejects(runEac(card, config, { eac2Input: (input) => ({ ...input, signature: flip(input.signature!, 5) }) }), hasCode('EAC_CARD_REFUSED', SW.VERIFICATION_FAILED));
    });
  });

  describe('terminal key and chip key', () => {
    it('a signer whose key is not the terminal certificate\'s: the server refuses before the chip sees it (TA_TERMINAL_KEY_MISMATCH)', async () => {
      const card = load(issue(world));
      const other = terminal(world, { rights: RIGHTS });
      const wrongKey = { ...config, signer: keyObjectSigner(other.keyPair.privateKey) };
      const sent: Buffer[] = [];
      await assert.rejects(runEac(card, wrongKey, { wire: { command: (apdu) => { sent.push(apdu); return apdu; } } }), hasCode('TA_TERMINAL_KEY_MISMATCH'));
      // No EXTERNAL AUTHENTICATE went out (the PIN counter and the chip are untouched by a bad signature).
      assert.ok(!sent.some((a) => a[1] === 0x82));
      await assert.rejects(runEac(card, wrongKey, { deferredSignature: true }), hasCode('TA_TERMINAL_KEY_MISMATCH'));
    });

    it('a cloned chip (another card\'s genuine EF.CardSecurity, own CA key): PA passes, CA v2 fails (CA_TOKEN_INVALID)', async () => {
      const genuine = issue(world);
      const clone = load(issue(world, { overrides: { files: { ...issue(world).files, cardSecurity: genuine.files.cardSecurity } } }));
      await assert.rejects(runEac(clone, config), hasCode('CA_TOKEN_INVALID'));
      assert.equal((await runEac(load(genuine), config)).result.documentValidity, 'valid');
    });
  });

  describe('passive authentication of EF.CardSecurity', () => {
    it('content byte flipped: PA_CONTENT_TAMPERED', async () => {
      const card = load(issue(world, {
        tamperCardSecurity: (der) => {
          const content = encodeContentProbe(der);
          return flip(der, content);
        },
      }));
      await assert.rejects(runEac(card, config), hasCode('PA_CONTENT_TAMPERED'));
    });

    it('signature byte flipped: PA_SIGNATURE_INVALID', async () => {
      const card = load(issue(world, { tamperCardSecurity: (der) => flip(der, -3) }));
      await assert.rejects(runEac(card, config), hasCode('PA_SIGNATURE_INVALID'));
    });

    it('DS certificate revoked by the CSCA CRL: PA_DS_REVOKED', async () => {
      const card = load(issue(world, { documentSigner: world.x509.revokedDocumentSigner }));
      await assert.rejects(runEac(card, config), hasCode('PA_DS_REVOKED'));
    });

    it('DS certificate expired: PA_DS_EXPIRED', async () => {
      const card = load(issue(world, { documentSigner: world.x509.expiredDocumentSigner }));
      await assert.rejects(runEac(card, config), hasCode('PA_DS_EXPIRED'));
    });
  });
  describe('secure messaging (TR-03110-3 App. F)', () => {
    it('MAC byte flipped in a card response: the terminal refuses the batch (SM_MAC_INVALID)', async () => {
      const card = load(issue(world));
      await assert.rejects(runEac(card, config, {
        // DO8E is the last data object: its last byte sits right before SW1-SW2.
        transmitResponses: (responses) => responses.map((r, i) => (i === 2 ? flip(r, -3) : r)),
      }), hasCode('SM_MAC_INVALID'));
    });

    it('MAC byte flipped in a command: the card answers 6988 in plain and drops SM; the terminal refuses (SM_DATA_OBJECT_MISSING)', async () => {
      const card = load(issue(world));
      let sent: TransmitApdu[] = [];
      await assert.rejects(runEac(card, config, {
        transmitCommands: (apdus) => {
          sent = apdus.map((a, i) => (i === 1 ? { ...a, apdu: flipCommandMac(a.apdu) } : a));
          return sent;
        },
        transmitResponses: (responses) => {
          // The client stopped at the refused command; its answer is a plain 6988.
          assert.equal(responses.length, 2);
          assert.deepEqual(responses[1], encodeResponseApdu({ data: Buffer.alloc(0), sw: SW.SM_DATA_OBJECTS_INCORRECT }));
          return responses;
        },
      }), (err: unknown) => hasCode('SM_DATA_OBJECT_MISSING')(err) && (err as { detail?: { sw?: string } }).detail?.sw === '6988');
      // The channel is gone: the next (correctly wrapped) command of the batch is refused in plain.
      const next = decodeResponseApdu(card.transmit(sent[2]!.apdu));
      assert.equal(next.sw, SW.SECURE_MESSAGING_NOT_SUPPORTED);
      assert.equal(next.data.length, 0);
    });

    it('SSC replay: an earlier wrapped command sent again is refused by the card (6988) and ends the channel', async () => {
      const card = load(issue(world));
      const run = await runEac(card, config);
      const replayed = decodeResponseApdu(card.transmit(run.transmit[run.transmit.length - 1]!.apdu));
      assert.equal(replayed.sw, SW.SM_DATA_OBJECTS_INCORRECT);
      assert.equal(replayed.data.length, 0);
      // Even the correct next command is refused now: no channel.
      assert.throws(() => continueChannel(card, run, [readBinarySfi(4)]), hasCode('SM_DATA_OBJECT_MISSING'));
    });

    it('SSC replay inside the batch (command 1 sent again as command 2): the card refuses (6988)', async () => {
      const card = load(issue(world));
      await assert.rejects(runEac(card, config, {
        transmitCommands: (apdus) => apdus.map((a, i) => (i === 2 ? { ...a, apdu: apdus[1]!.apdu } : a)),
      }), (err: unknown) => hasCode('SM_DATA_OBJECT_MISSING')(err) && (err as { detail?: { sw?: string } }).detail?.sw === '6988');
    });
  });

  describe('malformed TLV', () => {
    /** `depth` nested constructed objects around a primitive one. */
    function nested(tag: number, depth: number): Buffer {
      let inner = encodeTlv(0x80, Buffer.of(0));
      for (let i = 0; i < depth; i++) inner = encodeTlv(tag, [inner]);
      return inner;
    }
    const TRUNCATED = Buffer.from('800a04007f00070202', 'hex');
    const OVERSIZED = Buffer.from('8084ffffffff00', 'hex');

    it('card: truncated, oversized and too-deep TLV in MSE:Set AT answer 6A80, never a throw', () => {
      const card = load(issue(world));
      for (const data of [TRUNCATED, OVERSIZED, nested(0x73, 40)]) {
        const mse = { cla: 0x00, ins: 0x22, p1: 0xc1, p2: 0xa4, data, le: null };
        let raw: Buffer | undefined;
        assert.doesNotThrow(() => { raw = card.transmit(encodeCommandApdu(mse)); });
        assert.deepEqual(decodeResponseApdu(raw!), { data: Buffer.alloc(0), sw: SW.WRONG_DATA });
      }
    });

    it('card: malformed TLV inside an SM channel ends it with 6988 (SM objects unreadable)', async () => {
      const card = load(issue(world));
      const run = await runEac(card, config);
      // A protected header whose DOs are truncated (Lc 04: 8E announcing 8 bytes, 2 present).
      const bad = decodeResponseApdu(card.transmit(Buffer.from('0cb08104048e08aabb00', 'hex')));
      assert.deepEqual(bad, { data: Buffer.alloc(0), sw: SW.SM_DATA_OBJECTS_INCORRECT });
      // The channel is gone: the terminal's next correctly wrapped command gets a plain 6882.
      assert.throws(() => continueChannel(card, run, [readBinarySfi(4)]), (err: unknown) => hasCode('SM_DATA_OBJECT_MISSING')(err) && (err as { detail?: { sw?: string } }).detail?.sw === '6882');
    });

    it('card: a truncated APDU or garbage bytes get a status word, never a throw', () => {
      const card = load(issue(world));
      for (const bytes of [Buffer.alloc(0), Buffer.of(0x00), Buffer.from('00a4040c09e807', 'hex'), Buffer.from('00a4040c00', 'hex'), Buffer.alloc(70000, 0xff)]) {
        let raw: Buffer | undefined;
        assert.doesNotThrow(() => { raw = card.transmit(bytes); });
        assert.equal(raw!.length, 2);
        assert.notEqual(decodeResponseApdu(raw!).sw, SW.SUCCESS);
      }
    });

    it('terminal: truncated / oversized / too-deep CHAT from the client → CVC_MALFORMED with the TLV code', async () => {
      const start = startEac(config);
      const base = { cars: [world.cvca.parsed.chr], efCardAccess: fromHex(load(issue(world)).toJSON().files.cardAccess), idPicc: Buffer.alloc(32, 1), challenge: Buffer.alloc(8, 2) };
      const cases: [Buffer, string][] = [
        [Buffer.from('7f4c0e060904007f0007030102025305', 'hex'), 'TLV_TRUNCATED'],
        [Buffer.from('7f4c84ffffffff00', 'hex'), 'TLV_LENGTH_TOO_LARGE'],
        [nested(0x7f4c, 20), 'TLV_TOO_DEEP'],
      ];
      for (const [chat, tlvCode] of cases) {
        await assert.rejects(handleEac1Output(config, start.state, { ...base, chat }), (err: unknown) => hasCode('CVC_MALFORMED')(err) && causeCode(err) === tlvCode);
      }
    });

    it('terminal: a forged-but-MACed RI answer with truncated / too-deep TLV → RI_RESPONSE_INVALID with the TLV code', async () => {
      for (const [body, tlvCode] of [[Buffer.from('7c2281', 'hex'), 'TLV_TRUNCATED'], [nested(0x7c, 20), 'TLV_TOO_DEEP']] as const) {
        const card = load(issue(world));
        await assert.rejects(runEac(card, config, {
          // A card (or relay holding the keys) answering RI's GA (batch position 1) with malformed objects.
          transmitResponses: (responses, state) => responses.map((r, i) => (i === 1 ? forgeResponse(state, i, { data: body, sw: SW.SUCCESS }) : r)),
        }), (err: unknown) => hasCode('RI_RESPONSE_INVALID')(err) && causeCode(err) === tlvCode);
      }
    });

    it('client driver: truncated and too-deep TLV in a card GA answer → TLV_TRUNCATED / TLV_TOO_DEEP', async () => {
      for (const [body, code] of [[Buffer.from('7c0a8108', 'hex'), 'TLV_TRUNCATED'], [nested(0x7c, 20), 'TLV_TOO_DEEP']] as const) {
        const card = load(issue(world));
        // The first PACE GA answer (encrypted nonce) replaced by a malformed one (plain phase of PACE).
        const ch = channel(card, { response: (r, _i, command) => (command[1] === 0x86 && command[0] === 0x10 && r.length > 2 && r[2] === 0x80 ? Buffer.concat([body, Buffer.from('9000', 'hex')]) : r) });
        await assert.rejects(runPace(ch.transmit, fromHex(card.toJSON().files.cardAccess), { type: 'pin', value: '123456' }), hasCode(code));
      }
    });

    it('terminal: auxiliary data parser (the card side uses it too) → TLV codes', () => {
      assert.throws(() => decodeAuxiliaryData(Buffer.from('670a7308', 'hex')), hasCode('TLV_TRUNCATED'));
      assert.throws(() => decodeAuxiliaryData(nested(0x67, 20)), hasCode('TLV_TOO_DEEP'));
      assert.throws(() => decodeAuxiliaryData(Buffer.from('6784ffffffff', 'hex')), hasCode('TLV_LENGTH_TOO_LARGE'));
    });
  });
});

function causeCode(err: unknown): string | undefined {
  return ((err as { cause?: { code?: string } }).cause)?.code;
}

/** Flips the last MAC byte of a protected command (DO8E is the last data object before Le). */
function flipCommandMac(apdu: Buffer): Buffer {
  const c = decodeCommandApdu(apdu);
  return encodeCommandApdu({ ...c, data: flip(c.data, -1) });
}

/** A response protected with the session keys at batch position `index` (as a card holding the keys would send). */
function forgeResponse(state: EacTerminalState, index: number, response: ResponseApdu): Buffer {
  const sm = state.sm!;
  const ssc = BigInt(`0x${sm.ssc}`) + 2n * BigInt(index) + 1n;
  const chip = SecureMessaging.importState({ ...sm, role: 'chip', phase: 'response', ssc: ssc.toString(16).padStart(32, '0') });
  return encodeResponseApdu(chip.wrapResponse(response));
}


/** Offset of a byte inside the eContent (the DER SecurityInfos) of EF.CardSecurity. */
function encodeContentProbe(der: Buffer): number {
  // eContent is [0] EXPLICIT OCTET STRING holding the SecurityInfos SET (31 ...): find "04 82 xx xx 31" or "04 81 xx 31".
  for (let i = 0; i < der.length - 5; i++) {
    if (der[i] === 0x04 && der[i + 1] === 0x82 && der[i + 4] === 0x31) return i + 20;
    if (der[i] === 0x04 && der[i + 1] === 0x81 && der[i + 3] === 0x31) return i + 20;
  }
  throw new Error('eContent not found');
}
