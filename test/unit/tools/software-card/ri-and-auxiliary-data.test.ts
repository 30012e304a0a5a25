import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generalAuthenticate, parseGeneralAuthenticateResponse } from '../../../../src/eid/card/commands/general-authenticate.js';
import { mseSetAtRi } from '../../../../src/eid/card/commands/mse-set-at.js';
import { verifyAuxiliaryData } from '../../../../src/eid/card/commands/verify-auxiliary.js';
import { SW } from '../../../../src/eid/card/status-words.js';
import { encodeTlv } from '../../../../src/eid/card/tlv.js';
import { AUXILIARY_DATA_OIDS, encodeAuxiliaryData } from '../../../../src/eid/eac/auxiliary-data.js';
import { encodeOidValue } from '../../../../src/eid/eac/cvc/oids.js';
import { ecdhSharedX, generateEcKeyPair, privateKeyFromScalar } from '../../../../src/eid/eac/domain-parameters.js';
import { sectorPublicKeyHash } from '../../../../src/eid/eac/ri.js';
import { SecurityInfoOid } from '../../../../src/eid/eac/security-infos.js';
import { getProfile } from '../../../../src/eid/profiles/index.js';
import { fromHex } from '../../../../src/shared/bytes.js';
import { FULL_RIGHTS, makePki, TestTerminal } from './fixture.js';
import type { AtRight } from '../../../../src/eid/eac/cvc/chat.js';

describe('software card: Restricted Identification (TR-03110-2 §3.6)', () => {
  const pki = makePki();
  const sector = generateEcKeyPair('brainpoolP256r1');
  const sectorDo = (point: Buffer): { tag: number; value: Buffer[] } => ({
    tag: 0xa0, value: [encodeTlv(0x06, encodeOidValue(SecurityInfoOid.RI_ECDH_SHA_256)), encodeTlv(0x86, point)],
  });

  it('I_sector = SHA-256(x(SK_ID · PK_sector)), stable per sector, different per sector', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    const key = t.json.restrictedIdentification.find((k) => !k.authorizedOnly)!;
    assert.equal(t.sw(mseSetAtRi({ protocolOid: key.oid, keyId: key.keyId })), SW.SUCCESS);
    const r = t.send(generalAuthenticate([sectorDo(sector.publicPoint)]));
    assert.equal(r.sw, SW.SUCCESS);
    const id = parseGeneralAuthenticateResponse(r, [0x81]).get(0x81)!;
    const expected = createHash('sha256').update(ecdhSharedX('brainpoolP256r1', privateKeyFromScalar('brainpoolP256r1', fromHex(key.privateKey)), sector.publicPoint)).digest();
    assert.deepEqual(id, expected);
    const other = parseGeneralAuthenticateResponse(t.send(generalAuthenticate([sectorDo(generateEcKeyPair('brainpoolP256r1').publicPoint)])), [0x81]).get(0x81)!;
    assert.notDeepEqual(other, id);
  });

  it('without the RI right in the effective CHAT → 6982', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki, FULL_RIGHTS.filter((r) => r !== 'RESTRICTED_IDENTIFICATION'));
    t.sw(mseSetAtRi({ protocolOid: SecurityInfoOid.RI_ECDH_SHA_256, keyId: 1 }));
    assert.equal(t.sw(generalAuthenticate([sectorDo(sector.publicPoint)])), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('an authorizedOnly key answers only sectors named in the terminal certificate', async () => {
    const hash = sectorPublicKeyHash(SecurityInfoOid.RI_ECDH_SHA_256, { curve: 'brainpoolP256r1', point: sector.publicPoint }, 'sha256');
    const sectorPki = makePki({ sectorExtension: [{ type: 'sector', sector1Hash: hash, sector2Hash: undefined }] });
    const t = TestTerminal.create(sectorPki);
    await t.eac(sectorPki);
    assert.equal(t.sw(mseSetAtRi({ protocolOid: SecurityInfoOid.RI_ECDH_SHA_256, keyId: 2 })), SW.SUCCESS);
    assert.equal(t.sw(generalAuthenticate([sectorDo(sector.publicPoint)])), SW.SUCCESS);
    assert.equal(t.sw(generalAuthenticate([sectorDo(generateEcKeyPair('brainpoolP256r1').publicPoint)])), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('unknown RI key id → 6A88; a point off the curve → 6A80', async () => {
    const t = TestTerminal.create(pki);
    await t.eac(pki);
    assert.equal(t.sw(mseSetAtRi({ protocolOid: SecurityInfoOid.RI_ECDH_SHA_256, keyId: 9 })), SW.REFERENCE_DATA_NOT_FOUND);
    t.sw(mseSetAtRi({ protocolOid: SecurityInfoOid.RI_ECDH_SHA_256, keyId: 1 }));
    const bad = Buffer.from(sector.publicPoint);
    bad[40] = (bad[40] as number) ^ 1;
    assert.equal(t.sw(generalAuthenticate([sectorDo(bad)])), SW.WRONG_DATA);
  });
});

describe('software card: auxiliary-data verification (TR-03110-3 §B.11.7)', () => {
  const pki = makePki();
  const tw = getProfile('tw');

  async function verify(rights: readonly AtRight[], aux: Parameters<typeof encodeAuxiliaryData>[0], oid: string): Promise<number> {
    const t = TestTerminal.create(pki);
    await t.eac(pki, rights, encodeAuxiliaryData(aux));
    return t.sw(verifyAuxiliaryData(oid));
  }

  it('age: born 1990-05-20 is ≥ 18 on 2026-06-01 (9000), not ≥ 40 (6300)', async () => {
    assert.equal(await verify(FULL_RIGHTS, { bornOnOrBefore: '20080601' }, AUXILIARY_DATA_OIDS.DATE_OF_BIRTH), SW.SUCCESS);
    assert.equal(await verify(FULL_RIGHTS, { bornOnOrBefore: '19860601' }, AUXILIARY_DATA_OIDS.DATE_OF_BIRTH), SW.VERIFICATION_FAILED);
    assert.equal(await verify(FULL_RIGHTS, { bornOnOrBefore: '19900520' }, AUXILIARY_DATA_OIDS.DATE_OF_BIRTH), SW.SUCCESS);
    assert.equal(await verify(FULL_RIGHTS, { bornOnOrBefore: '19900519' }, AUXILIARY_DATA_OIDS.DATE_OF_BIRTH), SW.VERIFICATION_FAILED);
  });

  it('age without the age-verification right → 6982', async () => {
    const rights = FULL_RIGHTS.filter((r) => r !== 'AGE_VERIFICATION');
    assert.equal(await verify(rights, { bornOnOrBefore: '20080601' }, AUXILIARY_DATA_OIDS.DATE_OF_BIRTH), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('community ID: prefix of the household area code → 9000, other prefix → 6300, right missing → 6982', async () => {
    const own = tw.communityIdFromDigits('63000010');
    const other = tw.communityIdFromDigits('64000010');
    assert.equal(await verify(FULL_RIGHTS, { communityIdPrefix: own }, AUXILIARY_DATA_OIDS.COMMUNITY_ID), SW.SUCCESS);
    assert.equal(await verify(FULL_RIGHTS, { communityIdPrefix: other }, AUXILIARY_DATA_OIDS.COMMUNITY_ID), SW.VERIFICATION_FAILED);
    const rights = FULL_RIGHTS.filter((r) => r !== 'COMMUNITY_ID_VERIFICATION');
    assert.equal(await verify(rights, { communityIdPrefix: own }, AUXILIARY_DATA_OIDS.COMMUNITY_ID), SW.SECURITY_STATUS_NOT_SATISFIED);
  });

  it('document validity: renewal date 2036-05-20 → valid on 2026-06-01, not on 2037-01-01 (no right needed)', async () => {
    assert.equal(await verify(['READ_DG4'], { validOn: '20260601' }, AUXILIARY_DATA_OIDS.DATE_OF_EXPIRY), SW.SUCCESS);
    assert.equal(await verify(['READ_DG4'], { validOn: '20370101' }, AUXILIARY_DATA_OIDS.DATE_OF_EXPIRY), SW.VERIFICATION_FAILED);
  });

  it('no auxiliary data for the OID in TA → 6A88; VERIFY before TA → 6982', async () => {
    assert.equal(await verify(FULL_RIGHTS, { validOn: '20260601' }, AUXILIARY_DATA_OIDS.DATE_OF_BIRTH), SW.REFERENCE_DATA_NOT_FOUND);
    const t = TestTerminal.create(pki);
    assert.equal(t.sw(verifyAuxiliaryData(AUXILIARY_DATA_OIDS.DATE_OF_BIRTH)), SW.SECURITY_STATUS_NOT_SATISFIED);
  });
});
