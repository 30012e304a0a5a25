/**
 * The whole EAC between our terminal (src/eid/eac/terminal) and the software card, APDUs only:
 * PACE (PIN) → TA v2 → CA v2 → RI (two sectors) → SM READ BINARY of exactly the effective CHAT's DGs,
 * age and place verification both ways, the `de` profile, and a 384-bit curve.
 *
 * @spec tr03110-2 §3.2-§3.6, tr03112-7 §3.6, tr03130-1 §2.4
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChat } from '../../src/eid/eac/cvc/chat.js';
import { parseCvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import { pointOfPublicKey } from '../../src/eid/eac/domain-parameters.js';
import { verifyCardSecurity } from '../../src/eid/eac/passive-authentication.js';
import { keyObjectSigner } from '../../src/eid/eac/ta.js';
import type { EacTerminalConfig } from '../../src/eid/eac/terminal/index.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { readManifest, readPrivateKey, readRole, readX509 } from '../../tools/software-card/test-pki-dir.js';
import { readBinarySfi } from '../../src/eid/card/commands/read-binary.js';
import { SW } from '../../src/eid/card/status-words.js';
import type { AtRight } from '../../src/eid/eac/cvc/chat.js';
import { decodeChat, dgReadBit, chatAllows } from '../../src/eid/eac/cvc/chat.js';
import { readableDataGroups } from '../../src/eid/eac/terminal/index.js';
import type { DataGroupValue, EacResult } from '../../src/eid/eac/terminal/index.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import type { ProfileId } from '../../src/eid/profiles/index.js';
import { fromHex } from '../../src/shared/bytes.js';
import { fixedClock } from '../../src/shared/clock.js';
import type { SoftwareCard } from '../../tools/software-card/software-card.js';
import { createCvcaGeneration, createDv } from '../../tools/test-pki/cvc-chain.js';
import { generateEcKeyPair } from '../../src/eid/eac/domain-parameters.js';
import { riCommands } from '../../src/eid/eac/ri.js';
import { continueChannel, createWorld, DV_RIGHTS, issue, RI_PROTOCOL, load, personJson, runEac, terminal, terminalConfig } from '../support/eac-world.js';
import type { ConfigOptions, World } from '../support/eac-world.js';

/** The eService: some DGs, age and place verification, RI. Required ⊂ terminal CHAT; DG17 optional. */
const TERMINAL_RIGHTS: AtRight[] = ['AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG1', 'READ_DG4', 'READ_DG8', 'READ_DG17', 'READ_DG20'];
const REQUIRED: AtRight[] = ['AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG1', 'READ_DG4', 'READ_DG8'];
const OPTIONAL: AtRight[] = ['READ_DG17', 'READ_DG20'];

/** Expected decoded value of DG n: what the profile encodes from the person file, decoded again, plus a direct check below. */
function expectedDataGroups(profile: ProfileId, card: SoftwareCard, dgs: readonly number[]): Record<string, DataGroupValue> {
  const p = getProfile(profile);
  const out: Record<string, DataGroupValue> = {};
  for (const dg of dgs) {
    const raw = card.toJSON().files.dataGroups[String(dg)];
    if (raw === undefined) continue;
    const v = p.decodeDataGroup(dg, fromHex(raw));
    const value: DataGroupValue = typeof v.value === 'string' ? { attribute: v.attribute, text: v.value } : { attribute: v.attribute, base64: v.value.toString('base64') };
    // Places (de DG9 / DG17) also keep their GeneralPlace structure.
    out[String(dg)] = v.place === undefined ? value : { ...value, place: v.place };
  }
  return out;
}

function rightsOfResult(result: EacResult): number[] {
  return readableDataGroups(decodeChat(fromHex(result.effectiveChat)));
}

describe('e2e: EAC terminal ↔ software card over APDUs (tw)', function () {
  this.timeout(60_000);
  let world: World;
  let card: SoftwareCard;
  let config: ReturnType<typeof terminalConfig>;
  const base: ConfigOptions = { required: REQUIRED, optional: OPTIONAL, minimumAge: 18, communityPrefix: '63000' };

  before(() => {
    world = createWorld();
    card = load(issue(world));
    config = terminalConfig(world, terminal(world, { rights: TERMINAL_RIGHTS }), base);
  });

  it('PACE-PIN → TA v2 → CA v2 → RI → reads exactly the DGs of the effective CHAT; values equal the person file', async () => {
    // The user deselects the optional DG20 (photo) and keeps DG17.
    const run = await runEac(card, config, { userRights: [...REQUIRED, 'READ_DG17'] });
    const { result } = run;
    assert.deepEqual(rightsOfResult(result), [1, 4, 8, 17]);
    assert.deepEqual(Object.keys(result.dataGroups).map(Number).sort((a, b) => a - b), [1, 4, 8, 17]);
    assert.deepEqual(result.dataGroups, expectedDataGroups('tw', card, [1, 4, 8, 17]));
    const person = personJson('tw').attributes as Record<string, string>;
    assert.equal(result.dataGroups['4']?.text, person['ChineseName']);
    assert.equal(result.dataGroups['4']?.text, '陳𠀋安');
    assert.equal(result.dataGroups['17']?.text, person['HouseholdAddress']);
    assert.equal(result.dataGroups['8']?.text, '19900520');
    assert.deepEqual(result.notOnChip, []);
    assert.equal(result.ageVerified, true);
    assert.equal(result.placeVerified, true);
    assert.equal(result.documentValidity, 'valid');
    // Nothing but APDUs crossed: every command decodes as an APDU, every answer ends in a SW.
    for (const { response } of run.channel.log) assert.ok(response.length >= 2);
  });

  it('RI: two sectors give two different identifiers; a second run with the same card gives the same ones', async () => {
    const first = (await runEac(card, config)).result;
    const second = (await runEac(card, config)).result;
    assert.equal(first.restrictedIds?.length, 2);
    const [s1, s2] = first.restrictedIds ?? [];
    assert.equal(s1?.length, 64); // SHA-256 (id-RI-ECDH-SHA-256)
    assert.notEqual(s1, s2);
    assert.deepEqual(second.restrictedIds, first.restrictedIds);
    // Another card, same sectors: other identifiers (pseudonyms are per card).
    const other = load(issue(world));
    const third = (await runEac(other, config)).result;
    assert.notEqual(third.restrictedIds?.[0], s1);
    assert.notEqual(third.restrictedIds?.[1], s2);
  });

  it('a DG outside the effective CHAT is refused by the card under SM (6982)', async () => {
    const run = await runEac(card, config, { userRights: REQUIRED });
    assert.ok(!chatAllows(decodeChat(fromHex(run.result.effectiveChat)), dgReadBit(17)));
    // The terminal continues the channel after the batch (same SM state) and asks for DG17 and DG6.
    const [dg17, dg6, dg4] = continueChannel(card, run, [readBinarySfi(17), readBinarySfi(6), readBinarySfi(4)]);
    assert.equal(dg17?.sw, SW.SECURITY_STATUS_NOT_SATISFIED);
    assert.equal(dg6?.sw, SW.SECURITY_STATUS_NOT_SATISFIED);
    assert.equal(dg17?.data.length, 0);
    // The channel survives a refused read: an allowed DG still reads at the next SSC.
    assert.equal(dg4?.sw, SW.SUCCESS);
    assert.equal(getProfile('tw').decodeDataGroup(4, dg4.data).value, '陳𠀋安');
  });

  it('age verification: older than the threshold → true, younger → false', async () => {
    // Born 1990-05-20; on 2026-06-15 the holder is 36.
    const older = await runEac(card, terminalConfig(world, terminal(world, { rights: TERMINAL_RIGHTS }), { ...base, minimumAge: 36 }));
    assert.equal(older.result.ageVerified, true);
    const younger = await runEac(card, terminalConfig(world, terminal(world, { rights: TERMINAL_RIGHTS }), { ...base, minimumAge: 37 }));
    assert.equal(younger.result.ageVerified, false);
  });

  it('place verification: matching community prefix → true, non-matching → false', async () => {
    const term = terminal(world, { rights: TERMINAL_RIGHTS });
    assert.equal((await runEac(card, terminalConfig(world, term, { ...base, communityPrefix: '63000010' }))).result.placeVerified, true);
    assert.equal((await runEac(card, terminalConfig(world, term, { ...base, communityPrefix: '64000' }))).result.placeVerified, false);
  });
});

describe('e2e: EAC variants (deferred TA signature, CVCA link certificate, authorized-only RI key)', function () {
  this.timeout(60_000);
  let world: World;
  before(() => { world = createWorld(); });

  it('EACAdditionalInputType path: no challenge in EAC1OutputType, the server signs the challenge from EAC2OutputType', async () => {
    const card = load(issue(world));
    const config = terminalConfig(world, terminal(world, { rights: TERMINAL_RIGHTS }), base());
    const { result } = await runEac(card, config, { deferredSignature: true });
    assert.deepEqual(rightsOfResult(result), [1, 4, 8, 17, 20]);
    assert.equal(result.dataGroups['4']?.text, '陳𠀋安');
    assert.equal(result.ageVerified, true);
  });

  it('a card trusting the previous CVCA follows a link certificate, then reports the new CVCA as CAR_curr', async () => {
    const next = createCvcaGeneration(world.cvca, { chr: 'TWCVCAT00002', effectiveDate: '260601', expirationDate: '301231' });
    const dv = createDv(next.cvca, { chr: 'TWDVT0000002', rights: DV_RIGHTS, effectiveDate: '260601', expirationDate: '261231' });
    const config = terminalConfig(world, terminal(world, { rights: TERMINAL_RIGHTS, dv }), { ...base(), certificates: [next.link.certificate, dv.certificate] });
    const card = load(issue(world));
    const first = await runEac(card, config);
    assert.equal(first.result.dataGroups['1']?.text, 'TW');
    assert.deepEqual(card.toJSON().trustPoints.map((t) => t.chr), ['TWCVCAT00002', world.cvca.parsed.chr]);
    // Second session: CAR_curr is the new CVCA; the chain starts at the DV (no link certificate sent).
    const second = await runEac(card, config);
    assert.deepEqual(second.result.restrictedIds, first.result.restrictedIds);
  });

  it('RI with the authorized-only key: sectors certified in id-sector answer; an uncertified sector key is refused (6982)', async () => {
    const card = load(issue(world));
    const term = terminal(world, { rights: TERMINAL_RIGHTS });
    const open = (await runEac(card, terminalConfig(world, term, base()))).result.restrictedIds;
    const authorized = (await runEac(card, terminalConfig(world, term, { ...base(), riKeyId: 2 }))).result.restrictedIds;
    assert.equal(authorized?.length, 2);
    // Another chip key, another pseudonym for the same sector.
    assert.notEqual(authorized?.[0], open?.[0]);
    const stranger = { curve: world.curve, point: generateEcKeyPair(world.curve).publicPoint };
    // The server refuses a sector key its certificate does not name, before any RI APDU ...
    await assert.rejects(runEac(card, terminalConfig(world, term, { ...base(), riKeyId: 2, sectors: [stranger] })), { code: 'RI_SECTOR_KEY_NOT_CERTIFIED' });
    // ... and the card refuses it too when a terminal sends it anyway (authorized-only key, TR-03110-3 §C.3.2.1).
    const run = await runEac(card, terminalConfig(world, term, { ...base(), sectors: null }));
    assert.equal(run.result.restrictedIds, undefined);
    const [mse, ga] = riCommands(RI_PROTOCOL, 2, [stranger]);
    const [mseR, gaR] = continueChannel(card, run, [mse!, ga!]);
    assert.equal(mseR?.sw, SW.SUCCESS);
    assert.equal(gaR?.sw, SW.SECURITY_STATUS_NOT_SATISFIED);
  });
});

describe('e2e: document validity, block list, CAN-allowed', function () {
  this.timeout(60_000);
  let world: World;
  before(() => { world = createWorld(); });
  const rights: AtRight[] = ['RESTRICTED_IDENTIFICATION', 'READ_DG4'];

  it('a card past its renewal date: the chip answers the id-DateOfExpiry VERIFY with 6300 → documentValidity expired', async () => {
    const person = personJson('tw');
    person['attributes'] = { ...(person['attributes'] as object), DateOfIssue: '2016-01-15', DateOfRenewal: '2026-06-14' };
    const card = load(issue(world, { person }));
    const { result } = await runEac(card, terminalConfig(world, terminal(world, { rights }), { required: rights }));
    assert.equal(result.documentValidity, 'expired');
    // Still valid one day earlier: the server clock decides the reference date.
    const dayBefore = terminalConfig(world, terminal(world, { rights }), { required: rights, clock: fixedClock('2026-06-14T12:00:00Z') });
    assert.equal((await runEac(card, dayBefore)).result.documentValidity, 'valid');
  });

  it('a sector identifier on the block list → documentValidity revoked', async () => {
    const card = load(issue(world));
    const config = terminalConfig(world, terminal(world, { rights }), { required: rights });
    const ids = (await runEac(card, config)).result.restrictedIds ?? [];
    const blocked = { ...config, isBlocked: (sectorIds: readonly Buffer[]) => sectorIds.some((b) => ids.includes(b.toString('hex'))) };
    assert.equal((await runEac(card, blocked)).result.documentValidity, 'revoked');
    assert.equal((await runEac(load(issue(world)), blocked)).result.documentValidity, 'valid');
  });

  it('PACE with CAN: refused by the chip without CAN-allowed (6982), accepted with it', async () => {
    const dv = createDv(world.cvca, { chr: 'TWDVC0000001', rights: [...DV_RIGHTS, 'CAN_ALLOWED'], effectiveDate: '260501', expirationDate: '261231' });
    const card = load(issue(world));
    const can = { type: 'can' as const, value: card.toJSON().passwords.can };
    const without = terminalConfig(world, terminal(world, { rights, dv }), { required: rights, certificates: [dv.certificate] });
    await assert.rejects(runEac(card, without, { password: can }), (err: { code?: string; sw?: number }) => err.code === 'EAC_CARD_REFUSED' && err.sw === SW.SECURITY_STATUS_NOT_SATISFIED);
    const withCan: AtRight[] = [...rights, 'CAN_ALLOWED'];
    const allowed = terminalConfig(world, terminal(world, { rights: withCan, dv }), { required: withCan, certificates: [dv.certificate] });
    const { result } = await runEac(card, allowed, { password: can });
    assert.equal(result.dataGroups['4']?.text, '陳𠀋安');
  });

  it('a client CHAT beyond required ∪ optional, or without a required right: TA_EFFECTIVE_CHAT_INVALID', async () => {
    const card = load(issue(world));
    const config = terminalConfig(world, terminal(world, { rights: [...rights, 'READ_DG8'] }), { required: rights, optional: ['READ_DG8'] });
    await assert.rejects(runEac(card, config, { userRights: [...rights, 'READ_DG8', 'READ_DG20'] }), { code: 'TA_EFFECTIVE_CHAT_INVALID' });
    await assert.rejects(runEac(card, config, { userRights: ['READ_DG4'] }), { code: 'TA_EFFECTIVE_CHAT_INVALID' });
    assert.deepEqual(Object.keys((await runEac(card, config, { userRights: rights })).result.dataGroups), ['4']);
  });
});

describe('e2e: EAC with the de profile', function () {
  this.timeout(60_000);

  it('reads the effective CHAT DGs of Erika Mustermann, verifies age and community ID', async () => {
    const world = createWorld();
    const card = load(issue(world, { profile: 'de' }));
    const rights: AtRight[] = ['AGE_VERIFICATION', 'COMMUNITY_ID_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG4', 'READ_DG5', 'READ_DG8', 'READ_DG17', 'READ_DG18'];
    const config = terminalConfig(world, terminal(world, { rights }), { required: rights, minimumAge: 60, communityPrefix: '0276', profile: 'de' });
    const { result } = await runEac(card, config);
    assert.deepEqual(Object.keys(result.dataGroups).map(Number).sort((a, b) => a - b), [4, 5, 8, 17, 18]);
    assert.deepEqual(result.dataGroups, expectedDataGroups('de', card, [4, 5, 8, 17, 18]));
    assert.equal(result.dataGroups['4']?.text, 'ERIKA');
    assert.equal(result.dataGroups['5']?.text, 'MUSTERMANN');
    assert.equal(result.dataGroups['8']?.text, '19640812');
    assert.equal(result.ageVerified, true);
    assert.equal(result.placeVerified, true);
    assert.equal(result.restrictedIds?.length, 2);
    assert.equal(result.documentValidity, 'valid');
  });
});

for (const curve of ['brainpoolP384r1', 'P-384'] as const) {
  describe(`e2e: EAC on ${curve} (AES-256 SM, SHA-384 signatures)`, function () {
    this.timeout(120_000);

    it('full run with RI and DGs', async () => {
      const world = createWorld({ curve });
      const card = load(issue(world));
      assert.equal(card.toJSON().chipAuthentication[0]?.curve, curve);
      const config = terminalConfig(world, terminal(world, { rights: TERMINAL_RIGHTS }), base());
      const { result } = await runEac(card, config);
      assert.deepEqual(rightsOfResult(result), [1, 4, 8, 17, 20]);
      assert.deepEqual(result.dataGroups, expectedDataGroups('tw', card, [1, 4, 8, 17, 20]));
      assert.equal(result.dataGroups['20']?.base64, personJson('tw').attributes && (personJson('tw').attributes as Record<string, string>)['Photo']);
      assert.equal(result.restrictedIds?.length, 2);
      assert.equal(result.restrictedIds?.[0]?.length, 64);
      assert.equal(result.ageVerified, true);
      assert.equal(result.placeVerified, true);
    });
  });
}


describe('e2e: EAC with a PKI and card made by the CLI (neid pki init / pki terminal / card issue)', function () {
  this.timeout(180_000);

  it('the CLI outputs interoperate: link CVCA → DV → terminal chain, DS-signed EF.CardSecurity, RI with the manifest\'s sector keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-eac-e2e-'));
    try {
      const neid = (...args: string[]): void => { execFileSync(process.execPath, ['bin/neid.mjs', ...args], { stdio: 'pipe', env: { ...process.env, NEID_FROM_SOURCE: '1' } }); };
      neid('pki', 'init', '--dir', dir);
      neid('pki', 'terminal', '--dir', dir, '--name', 'TWTERMCLI001', '--attributes', 'ChineseName,DateOfBirth,RestrictedID,AgeVerification');
      neid('card', 'issue', '--pki', dir, '--profile', 'tw', '--data', 'test/fixtures/persons/tw-citizen.json', '--out', join(dir, 'card.json'));
      const manifest = readManifest(dir);
      const card = load(JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')));
      const trustStore = new TrustStore();
      trustStore.addCsca(readX509(dir, manifest, 'csca'));
      trustStore.addCrl(readRole(dir, manifest, 'crl'));
      const chain = manifest.chains['TWTERMCLI001'] ?? [];
      const terminalRole = chain[chain.length - 1]!;
      const terminalCert = parseCvCertificate(readRole(dir, manifest, terminalRole));
      const clock = fixedClock(new Date());
      const sectors = [1, 2].map((n) => ({ curve: manifest.curve, point: pointOfPublicKey(createPublicKey(readRole(dir, manifest, `sector-${n}-public`).toString('utf8'))) }));
      const config: EacTerminalConfig = {
        certificates: chain.slice(0, -1).map((role) => readRole(dir, manifest, role)),
        terminalCertificate: terminalCert.raw,
        signer: keyObjectSigner(readPrivateKey(dir, manifest, `terminal-key:TWTERMCLI001`)),
        requiredChat: terminalCert.chat,
        optionalChat: createChat({ role: 'terminal', rights: [] }),
        auxiliary: { minimumAge: 18 },
        sectorPublicKeys: sectors,
        profile: getProfile('tw'),
        verifyCardSecurity: async (der) => verifyCardSecurity(der, { trustStore, clock }).securityInfos,
        clock,
      };
      const { result } = await runEac(card, config);
      assert.deepEqual(Object.keys(result.dataGroups).sort(), ['4', '8']);
      assert.equal(result.dataGroups['4']?.text, '陳𠀋安');
      assert.equal(result.ageVerified, true);
      assert.equal(result.restrictedIds?.length, 2);
      assert.equal(result.documentValidity, 'valid');
      // The link certificate moved the card to the second CVCA generation.
      assert.equal(card.toJSON().trustPoints[0]?.chr, manifest.cvca.current);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function base(): ConfigOptions {
  return { required: REQUIRED, optional: OPTIONAL, minimumAge: 18, communityPrefix: '63000' };
}
