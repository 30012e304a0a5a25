import assert from 'node:assert/strict';
import { encodeCommandApdu } from '../../../../../src/eid/card/apdu.js';
import { SW } from '../../../../../src/eid/card/status-words.js';
import {
  selectApplication, selectElementaryFile, readBinarySfi, readBinaryOffset, readBinaryOddIns, parseReadBinaryResponse, parseReadBinaryOddInsResponse,
  mseSetAtPace, mseSetAtTa, mseSetAtCa, mseSetAtRi, mseSetDst, psoVerifyCertificate, getChallenge, parseGetChallengeResponse,
  externalAuthenticate, generalAuthenticate, parseGeneralAuthenticateResponse, verifyAuxiliaryData, parseVerifyAuxiliaryDataResponse,
  resetRetryCounter, changePin, oidValue,
} from '../../../../../src/eid/card/commands/index.js';

const hexOf = (c: Parameters<typeof encodeCommandApdu>[0]): string => encodeCommandApdu(c).toString('hex');
const r = (data: string, sw: number) => ({ data: Buffer.from(data, 'hex'), sw });

describe('card commands (tr03110-3 App. B, iso7816-4 §7)', () => {
  it('SELECT eID application: 00 A4 04 0C 09 E80704007F00070302 (reference §4.3)', () => {
    assert.equal(hexOf(selectApplication()), '00a4040c09e80704007f00070302');
    assert.equal(hexOf(selectElementaryFile(0x011d)), '00a4020c02011d');
    assert.throws(() => selectApplication(Buffer.alloc(4)), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => selectElementaryFile(0x3f00), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => selectElementaryFile(0x10000), { code: 'CMD_ARGUMENT_INVALID' });
  });

  it('READ BINARY with SFI uses extended Le 0000 by default (00 B0 8x 00 00 00 00)', () => {
    assert.equal(hexOf(readBinarySfi(4)), '00b08400000000');
    assert.equal(hexOf(readBinarySfi(0x1d, 0, 256)), '00b09d0000');
    assert.equal(hexOf(readBinaryOffset(0x1234, 16)), '00b0123410');
    assert.equal(hexOf(readBinaryOddIns(0x012345, 256)), '00b1000005540301234500');
    for (const bad of [0, 31, 1.5]) assert.throws(() => readBinarySfi(bad), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => readBinarySfi(1, 256), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => readBinaryOffset(0x8000), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => readBinarySfi(1, 0, 65537), { code: 'CMD_ARGUMENT_INVALID' });
  });

  it('READ BINARY responses: 9000 and 6282 carry data, others are CardError with the SW', () => {
    assert.equal(parseReadBinaryResponse(r('6401', SW.SUCCESS)).toString('hex'), '6401');
    assert.equal(parseReadBinaryResponse(r('6401', SW.END_OF_FILE)).toString('hex'), '6401');
    assert.throws(() => parseReadBinaryResponse(r('', SW.SECURITY_STATUS_NOT_SATISFIED)), (e: { code: string; sw: number }) => e.code === 'CARD_STATUS_ERROR' && e.sw === SW.SECURITY_STATUS_NOT_SATISFIED);
    assert.equal(parseReadBinaryOddInsResponse(r('5302abcd', SW.SUCCESS)).toString('hex'), 'abcd');
    assert.throws(() => parseReadBinaryOddInsResponse(r('5402abcd', SW.SUCCESS)), { code: 'CMD_RESPONSE_INVALID' });
    assert.throws(() => parseReadBinaryOddInsResponse(r('5303abcd', SW.SUCCESS)), { code: 'TLV_TRUNCATED' });
  });

  it('MSE:Set AT for PACE: C1 A4 {80 OID, 83 03, 7F4C CHAT}', () => {
    const chat = Buffer.from('7f4c12060904007f00070301020253050001137c05', 'hex');
    const c = mseSetAtPace({ protocolOid: '0.4.0.127.0.7.2.2.4.2.2', password: 'PIN', chat });
    assert.equal(hexOf(c), `0022c1a4${(12 + 3 + chat.length).toString(16)}800a04007f00070202040202830103${chat.toString('hex')}`);
    assert.throws(() => mseSetAtPace({ protocolOid: '0.4.0.127.0.7.2.2.4.2.2', password: 'PIN', chat: Buffer.from('5301aa', 'hex') }), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => mseSetAtPace({ protocolOid: 'not-an-oid', password: 'CAN' }), { code: 'CMD_ARGUMENT_INVALID' });
    assert.equal(mseSetAtPace({ protocolOid: '0.4.0.127.0.7.2.2.4.2.2', password: 'CAN', parameterId: 13 }).data.toString('hex'), '800a04007f00070202040202830102' + '84010d');
  });

  it('MSE:Set AT for TA (81 A4), CA and RI (41 A4), MSE:Set DST (81 B6)', () => {
    const ta = mseSetAtTa({ protocolOid: '0.4.0.127.0.7.2.2.2', terminalChr: 'TWTERM00001', ephemeralPublicKeyComp: Buffer.alloc(32, 1), auxiliaryData: Buffer.from('6700', 'hex') });
    assert.equal(ta.p1, 0x81);
    assert.equal(ta.p2, 0xa4);
    assert.equal(ta.data.toString('hex'), '800804007f00070202028' + '30b' + Buffer.from('TWTERM00001').toString('hex') + '6700' + '9120' + '01'.repeat(32));
    assert.equal(hexOf(mseSetAtCa({ protocolOid: '0.4.0.127.0.7.2.2.3.2.2', keyId: 0x29 })), '002241a40f800a04007f0007020203020284 0129'.replace(' ', ''));
    assert.equal(mseSetAtRi({ protocolOid: '0.4.0.127.0.7.2.2.5.2.3', keyId: 1 }).data.toString('hex'), '800a04007f00070202050203840101');
    assert.equal(hexOf(mseSetDst('DETESTeID00005')), '002281b610830e' + Buffer.from('DETESTeID00005').toString('hex'));
    assert.throws(() => mseSetDst(''), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => mseSetDst('X'.repeat(17)), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => mseSetAtTa({ protocolOid: '0.4.0.127.0.7.2.2.2', terminalChr: '', ephemeralPublicKeyComp: Buffer.alloc(1) }), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => mseSetAtRi({ protocolOid: '0.4.0.127.0.7.2.2.5.2.3', keyId: -1 }), { code: 'CMD_ARGUMENT_INVALID' });
  });

  it('PSO:Verify Certificate sends the 7F21 content; rejects other structures', () => {
    const body = '7f4e03' + '5f2900'; // minimal shapes: the builder checks structure, not contents
    const cert = Buffer.from(`7f21${(6 + 5).toString(16).padStart(2, '0')}${body}5f3702abcd`, 'hex');
    assert.equal(hexOf(psoVerifyCertificate(cert)), `002a00be0b${body}5f3702abcd`);
    assert.throws(() => psoVerifyCertificate(Buffer.from('7f4e00', 'hex')), { code: 'CMD_ARGUMENT_INVALID' });
    const extra = Buffer.from(`7f210e${body}5f3702abcd5f2000`, 'hex');
    assert.throws(() => psoVerifyCertificate(extra), { code: 'CMD_ARGUMENT_INVALID' });
    assert.throws(() => psoVerifyCertificate(Buffer.from('7f2105', 'hex')), { code: 'TLV_TRUNCATED' });
  });

  it('GET CHALLENGE 00 84 00 00 08, response must be exactly 8 bytes', () => {
    assert.equal(hexOf(getChallenge()), '0084000008');
    assert.equal(parseGetChallengeResponse(r('0102030405060708', SW.SUCCESS)).length, 8);
    assert.throws(() => parseGetChallengeResponse(r('01020304050607', SW.SUCCESS)), { code: 'CMD_RESPONSE_INVALID' });
    assert.throws(() => parseGetChallengeResponse(r('', SW.CONDITIONS_NOT_SATISFIED)), { code: 'CARD_STATUS_ERROR' });
  });

  it('EXTERNAL AUTHENTICATE carries the signature, no Le', () => {
    assert.equal(hexOf(externalAuthenticate(Buffer.from('aabb', 'hex'))), '0082000002aabb');
    assert.throws(() => externalAuthenticate(Buffer.alloc(0)), { code: 'CMD_ARGUMENT_INVALID' });
  });

  it('GENERAL AUTHENTICATE: chaining bit, 7C wrapper, response checks', () => {
    assert.equal(hexOf(generalAuthenticate([], { chained: true })), '10860000027c0000');
    assert.equal(hexOf(generalAuthenticate([{ tag: 0x85, value: Buffer.from('0102', 'hex') }])), '00860000067c0485020102' + '00');
    const m = parseGeneralAuthenticateResponse(r('7c06810101820102', SW.SUCCESS), [0x81, 0x82]);
    assert.equal(m.get(0x82)?.toString('hex'), '02');
    assert.throws(() => parseGeneralAuthenticateResponse(r('7c03810101', SW.SUCCESS), [0x82]), { code: 'CMD_RESPONSE_INVALID' });
    assert.throws(() => parseGeneralAuthenticateResponse(r('7d00', SW.SUCCESS)), { code: 'CMD_RESPONSE_INVALID' });
    assert.throws(() => parseGeneralAuthenticateResponse(r('7c06810101810102', SW.SUCCESS)), { code: 'CMD_RESPONSE_INVALID' });
    assert.throws(() => parseGeneralAuthenticateResponse(r('7c0381010100', SW.SUCCESS)), { code: 'TLV_TRAILING_BYTES' });
    assert.throws(() => parseGeneralAuthenticateResponse(r('', SW.PIN_RETRY_2)), (e: { sw: number }) => e.sw === SW.PIN_RETRY_2);
  });

  it('VERIFY auxiliary data: 80 20 80 00 0B 06 09 04007F000703010401 (reference §4.3); 9000 true, 6300 false', () => {
    assert.equal(hexOf(verifyAuxiliaryData('0.4.0.127.0.7.3.1.4.1')), '802080000b060904007f000703010401');
    assert.equal(parseVerifyAuxiliaryDataResponse(r('', SW.SUCCESS)), true);
    assert.equal(parseVerifyAuxiliaryDataResponse(r('', SW.VERIFICATION_FAILED)), false);
    assert.throws(() => parseVerifyAuxiliaryDataResponse(r('', SW.SECURITY_STATUS_NOT_SATISFIED)), { code: 'CARD_STATUS_ERROR' });
  });

  it('RESET RETRY COUNTER: 00 2C 03 03 (resume PIN), 00 2C 02 03 <PIN> (change)', () => {
    assert.equal(hexOf(resetRetryCounter()), '002c0303');
    assert.equal(hexOf(changePin('123456')), '002c020306313233343536');
    assert.throws(() => changePin('12a456'), { code: 'CMD_ARGUMENT_INVALID' });
  });

  it('OID content octets (x690 §8.19)', () => {
    assert.equal(oidValue('0.4.0.127.0.7.2.2.2').toString('hex'), '04007f00070202' + '02');
    assert.throws(() => oidValue('1..2'), { code: 'CMD_ARGUMENT_INVALID' });
  });
});
