/**
 * `neid pki init` → `neid pki terminal` → `neid card issue`, run as the real CLI (node bin/neid.mjs)
 * into a temporary directory; then the issued card runs a full EAC against the PKI's files:
 * passive authentication of its EF.CardSecurity, PACE, TA with link → DV → terminal, CA, RI, reading.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeResponseApdu, encodeCommandApdu } from '../../src/eid/card/apdu.js';
import type { CommandApdu } from '../../src/eid/card/apdu.js';
import { externalAuthenticate } from '../../src/eid/card/commands/external-authenticate.js';
import { generalAuthenticate, parseGeneralAuthenticateResponse } from '../../src/eid/card/commands/general-authenticate.js';
import { getChallenge } from '../../src/eid/card/commands/get-challenge.js';
import { mseSetAtCa, mseSetAtRi, mseSetAtTa } from '../../src/eid/card/commands/mse-set-at.js';
import { mseSetDst } from '../../src/eid/card/commands/mse-set-dst.js';
import { psoVerifyCertificate } from '../../src/eid/card/commands/pso-verify-certificate.js';
import { readBinarySfi } from '../../src/eid/card/commands/read-binary.js';
import { selectApplication } from '../../src/eid/card/commands/select.js';
import { SW } from '../../src/eid/card/status-words.js';
import { encodeTlv } from '../../src/eid/card/tlv.js';
import { verifyChipAuthentication } from '../../src/eid/eac/ca.js';
import { atRightNames, createChat, encodeChat } from '../../src/eid/eac/cvc/chat.js';
import { parseCvCertificate } from '../../src/eid/eac/cvc/cv-certificate.js';
import { encodeOidValue } from '../../src/eid/eac/cvc/oids.js';
import { ecdhSharedX, pointOfPublicKey } from '../../src/eid/eac/domain-parameters.js';
import { verifyCardSecurity } from '../../src/eid/eac/passive-authentication.js';
import { SecureMessaging } from '../../src/eid/eac/secure-messaging.js';
import { SecurityInfoOid } from '../../src/eid/eac/security-infos.js';
import { compressEphemeralPublicKey, generateTaEphemeralKey, keyObjectSigner, signTa } from '../../src/eid/eac/ta.js';
import { getProfile } from '../../src/eid/profiles/index.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { fromHex } from '../../src/shared/bytes.js';
import { fixedClock } from '../../src/shared/clock.js';
import { runPace } from '../../tools/eid-client/eac-driver.js';
import { SoftwareCard } from '../../tools/software-card/software-card.js';
import type { Manifest } from '../../tools/software-card/test-pki-dir.js';

const neid = (...args: string[]): string => execFileSync('node', ['bin/neid.mjs', ...args], { encoding: 'utf8', env: { ...process.env, NEID_FROM_SOURCE: '1' } });

describe('e2e: neid pki init / pki terminal / card issue', function () {
  this.timeout(60000);
  const tmp = mkdtempSync(join(tmpdir(), 'neid-pki-'));
  const pkiDir = join(tmp, 'pki');
  const cardFile = join(tmp, 'card.json');
  let manifest: Manifest;
  after(() => rmSync(tmp, { recursive: true, force: true }));

  before(() => {
    neid('pki', 'init', '--dir', pkiDir, '--cvca-name', 'TWCVCA00001');
    const desc = join(tmp, 'desc.json');
    writeFileSync(desc, JSON.stringify({ issuerName: 'Test DV', subjectName: 'Demo eService', subjectUrl: 'https://demo.example', termsOfUsage: 'test only' }));
    neid('pki', 'terminal', '--dir', pkiDir, '--name', 'TWTERM000001', '--attributes', 'ChineseName,DateOfBirth,RestrictedID,AgeVerification', '--description', desc);
    neid('card', 'issue', '--pki', pkiDir, '--profile', 'tw', '--data', 'test/fixtures/persons/tw-citizen.json', '--out', cardFile, '--pin', '246810', '--can', '482913');
    manifest = JSON.parse(readFileSync(join(pkiDir, 'manifest.json'), 'utf8')) as Manifest;
  });

  it('manifest names every file by role, and every named file exists', () => {
    assert.equal(manifest.format, 'neid-test-pki/1');
    for (const role of ['cvca-1', 'cvca-1-key', 'cvca-2', 'cvca-2-key', 'link-cvca-2', 'dv', 'dv-key', 'csca', 'csca-der', 'csca-key', 'ds', 'ds-key', 'crl',
      'master-list', 'master-list-signer', 'sector-1-key', 'sector-1-public', 'sector-2-key', 'sector-2-public',
      'terminal:TWTERM000001', 'terminal-key:TWTERM000001', 'terminal-description:TWTERM000001']) {
      const file = manifest.files[role];
      assert.ok(file !== undefined, role);
      assert.ok(existsSync(join(pkiDir, file.path)), `${role}: ${file.path}`);
    }
    assert.deepEqual(manifest.chains.TWTERM000001, ['link-cvca-2', 'dv', 'terminal:TWTERM000001']);
  });

  it('the CV certificates chain: CVCA-1 → link → CVCA-2 → DV → terminal with the CHAT of the attributes', () => {
    const read = (role: string) => parseCvCertificate(readFileSync(join(pkiDir, manifest.files[role]!.path)));
    const link = read('link-cvca-2');
    assert.equal(link.car, 'TWCVCA00001');
    assert.equal(link.chr, 'TWCVCA00002');
    assert.equal(read('dv').car, 'TWCVCA00002');
    const terminal = read('terminal:TWTERM000001');
    assert.equal(terminal.car, manifest.dv);
    assert.deepEqual(atRightNames(terminal.chat), ['AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG4', 'READ_DG8']);
    assert.deepEqual(terminal.extensions.map((e) => e.type).sort(), ['description', 'sector']);
  });

  it('card.json: the PIN/CAN given, trust point CVCA-1, DGs of the person', () => {
    const card = JSON.parse(readFileSync(cardFile, 'utf8')) as ReturnType<SoftwareCard['toJSON']>;
    assert.equal(card.passwords.pin, '246810');
    assert.equal(card.passwords.can, '482913');
    assert.deepEqual(card.trustPoints.map((t) => t.chr), ['TWCVCA00001']);
    assert.equal(getProfile('tw').decodeDataGroup(4, fromHex(card.files.dataGroups['4']!)).value, '陳𠀋安');
  });

  it('the issued card passes PA against the PKI CSCA + CRL and runs EAC with the PKI chain (trust point updated by the link)', async () => {
    const json = JSON.parse(readFileSync(cardFile, 'utf8')) as ReturnType<SoftwareCard['toJSON']>;
    const card = SoftwareCard.fromJSON(json);
    const store = new TrustStore();
    store.addCscas(readFileSync(join(pkiDir, manifest.files.csca!.path), 'utf8'));
    store.addCrl(readFileSync(join(pkiDir, manifest.files.crl!.path)));
    const pa = verifyCardSecurity(fromHex(json.files.cardSecurity), { trustStore: store, clock: fixedClock(new Date()) });

    const transmit = async (apdu: Buffer): Promise<Buffer> => card.transmit(apdu);
    const chat = encodeChat(createChat({ role: 'terminal', rights: ['READ_DG4', 'READ_DG8', 'RESTRICTED_IDENTIFICATION'] }));
    const pace = await runPace(transmit, fromHex(json.files.cardAccess), { type: 'pin', value: '246810' }, { chat });
    assert.deepEqual(pace.cars, ['TWCVCA00001']);
    let sm = pace.sm;
    const send = (c: CommandApdu) => sm.unwrapResponse(decodeResponseApdu(card.transmit(encodeCommandApdu(sm.wrapCommand(c)))));
    for (const role of manifest.chains.TWTERM000001!) {
      const raw = readFileSync(join(pkiDir, manifest.files[role]!.path));
      assert.equal(send(mseSetDst(parseCvCertificate(raw).car)).sw, SW.SUCCESS, role);
      assert.equal(send(psoVerifyCertificate(raw)).sw, SW.SUCCESS, role);
    }
    const eph = generateTaEphemeralKey(manifest.curve);
    const comp = compressEphemeralPublicKey(manifest.curve, eph.publicPoint);
    assert.equal(send(mseSetAtTa({ protocolOid: SecurityInfoOid.TA, terminalChr: 'TWTERM000001', ephemeralPublicKeyComp: comp })).sw, SW.SUCCESS);
    const challenge = send(getChallenge()).data;
    const terminalKey = createPrivateKey(readFileSync(join(pkiDir, manifest.files['terminal-key:TWTERM000001']!.path), 'utf8'));
    const sig = await signTa(keyObjectSigner(terminalKey), parseCvCertificate(readFileSync(join(pkiDir, manifest.files['terminal:TWTERM000001']!.path))).publicKey.oid,
      { idPicc: pace.idPicc, challenge, ephemeralPublicKeyComp: comp });
    assert.equal(send(externalAuthenticate(sig)).sw, SW.SUCCESS);
    const ca = json.chipAuthentication[0]!;
    assert.equal(send(mseSetAtCa({ protocolOid: ca.oid, keyId: ca.keyId })).sw, SW.SUCCESS);
    const objects = parseGeneralAuthenticateResponse(send(generalAuthenticate([{ tag: 0x80, value: eph.publicPoint }])), [0x81, 0x82]);
    // CA against the public key from the PA-verified EF.CardSecurity, not from card.json.
    const result = verifyChipAuthentication({
      verifiedSecurityInfos: pa.securityInfos, parameters: { protocolOid: ca.oid, keyId: ca.keyId, curve: manifest.curve },
      ephemeralKey: eph, nonce: objects.get(0x81)!, token: objects.get(0x82)!,
    });
    sm = new SecureMessaging(result.smKeys, 'terminal');
    assert.equal(send(selectApplication()).sw, SW.SUCCESS);
    const dg8 = send(readBinarySfi(8));
    assert.equal(getProfile('tw').decodeDataGroup(8, dg8.data).value, '19900520');
    assert.equal(send(readBinarySfi(9)).sw, SW.SECURITY_STATUS_NOT_SATISFIED);
    // RI with the authorizedOnly key and the PKI's sector 1 key (certified in the terminal's id-sector).
    const sectorPublic = createPublicKey(readFileSync(join(pkiDir, manifest.files['sector-1-public']!.path), 'utf8'));
    const sectorPoint = pointOfPublicKey(sectorPublic);
    assert.equal(send(mseSetAtRi({ protocolOid: SecurityInfoOid.RI_ECDH_SHA_256, keyId: 2 })).sw, SW.SUCCESS);
    const ri = send(generalAuthenticate([{ tag: 0xa0, value: [encodeTlv(0x06, encodeOidValue(SecurityInfoOid.RI_ECDH_SHA_256)), encodeTlv(0x86, sectorPoint)] }]));
    assert.equal(ri.sw, SW.SUCCESS);
    const sectorPrivate = createPrivateKey(readFileSync(join(pkiDir, manifest.files['sector-1-key']!.path), 'utf8'));
    const riKey = json.restrictedIdentification.find((k) => k.keyId === 2)!;
    // The sector side can compute the same identifier from the chip's RI public key (TR-03110-2 §3.6).
    const expected = createHash('sha256').update(ecdhSharedX(manifest.curve, sectorPrivate, fromHex(riKey.publicKey))).digest();
    assert.deepEqual(parseGeneralAuthenticateResponse(ri, [0x81]).get(0x81), expected);
    assert.deepEqual(card.toJSON().trustPoints.map((t) => t.chr), ['TWCVCA00002', 'TWCVCA00001']);
  });

  it('rejects bad options with exit code 2 and writes nothing', () => {
    const r = spawnSync('node', ['bin/neid.mjs', 'card', 'issue', '--pki', pkiDir, '--profile', 'xx', '--data', 'x', '--out', join(tmp, 'no.json')], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(existsSync(join(tmp, 'no.json')), false);
    const again = spawnSync('node', ['bin/neid.mjs', 'pki', 'terminal', '--dir', pkiDir, '--name', 'TWTERM000002'], { encoding: 'utf8' });
    assert.equal(again.status, 2);
  });

  it('pki init --curve brainpoolP384r1 gives a 384-bit PKI whose card runs PACE with AES-256', () => {
    const dir = join(tmp, 'pki384');
    neid('pki', 'init', '--dir', dir, '--curve', 'brainpoolP384r1', '--cvca-name', 'TWCVCA00011');
    const out = join(tmp, 'card384.json');
    neid('card', 'issue', '--pki', dir, '--profile', 'de', '--data', 'test/fixtures/persons/de-citizen.json', '--out', out);
    const card = JSON.parse(readFileSync(out, 'utf8')) as ReturnType<SoftwareCard['toJSON']>;
    assert.deepEqual(card.pace, [{ oid: SecurityInfoOid.PACE_ECDH_GM_AES_CBC_CMAC_256, curve: 'brainpoolP384r1', parameterId: 16 }]);
    assert.equal(card.profile, 'de');
  });
});
