import assert from 'node:assert/strict';
import { fromHex, hex } from '../../../../../src/shared/bytes.js';
import {
  AT_RIGHTS, atRightNames, chatAllows, chatDiscretionaryData, chatIntersect, chatIsSubset, chatRightsBeyond, createChat,
  decodeChat, describeChat, dgReadBit, dgWriteBit, encodeChat,
} from '../../../../../src/eid/eac/cvc/chat.js';

// reference §4.2: CHAT of the EAC1 fixture (terminal; age, RI, DG3-7, DG9, DG10, DG13, DG17)
const FIXTURE = '7f4c12060904007f000703010202530500011 37c05'.replace(/\s/g, '');

describe('tr03110-3 §C.1.5 CHAT (chat.ts)', () => {
  it('decodes the EAC1 fixture CHAT to its rights', () => {
    const chat = decodeChat(fromHex(FIXTURE));
    assert.equal(chat.terminalType, 'at');
    assert.equal(chat.roleOid, '0.4.0.127.0.7.3.1.2.2');
    assert.equal(chat.role, 'terminal');
    assert.equal(chat.rights, 0x0001137c05n);
    assert.deepEqual(atRightNames(chat), [
      'AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG3', 'READ_DG4', 'READ_DG5', 'READ_DG6', 'READ_DG7',
      'READ_DG9', 'READ_DG10', 'READ_DG13', 'READ_DG17',
    ]);
    assert.equal(hex(encodeChat(chat)), FIXTURE);
  });

  it('encodes named rights to the exact bytes', () => {
    const chat = createChat({ role: 'terminal', rights: ['AGE_VERIFICATION', 'RESTRICTED_IDENTIFICATION', 'READ_DG4', 'READ_DG5', 'READ_DG17'] });
    assert.equal(hex(encodeChat(chat)), '7f4c12060904007f0007030102025305000100 1805'.replace(/\s/g, ''));
  });

  it('role bits 39-38: CVCA 11, DV official 10, DV non-official 01, terminal 00', () => {
    assert.equal(hex(chatDiscretionaryData(createChat({ role: 'cvca' }))), 'c000000000');
    assert.equal(hex(chatDiscretionaryData(createChat({ role: 'dv-official' }))), '8000000000');
    assert.equal(hex(chatDiscretionaryData(createChat({ role: 'dv-non-official' }))), '4000000000');
    assert.equal(hex(chatDiscretionaryData(createChat({ role: 'terminal' }))), '0000000000');
    assert.equal(decodeChat(fromHex('7f4c12060904007f00070301020253053fffffffff')).role, 'terminal');
    assert.equal(decodeChat(fromHex('7f4c12060904007f0007030102025305c000000000')).role, 'cvca');
    assert.equal(decodeChat(fromHex('7f4c12060904007f00070301020253058000000000')).role, 'dv-official');
    assert.equal(decodeChat(fromHex('7f4c12060904007f00070301020253054000000000')).role, 'dv-non-official');
  });

  it('every bit of TR-03110-4 §2.2.3.2 has its position', () => {
    const expect: Record<string, number> = {
      AGE_VERIFICATION: 0, COMMUNITY_ID_VERIFICATION: 1, RESTRICTED_IDENTIFICATION: 2, PRIVILEGED_TERMINAL: 3, CAN_ALLOWED: 4,
      PIN_MANAGEMENT: 5, INSTALL_CERTIFICATE: 6, INSTALL_QUALIFIED_CERTIFICATE: 7, PSA: 30, RFU_31: 31,
      WRITE_DG22: 32, WRITE_DG21: 33, WRITE_DG20: 34, WRITE_DG19: 35, WRITE_DG18: 36, WRITE_DG17: 37,
    };
    for (let dg = 1; dg <= 22; dg++) expect[`READ_DG${dg}`] = 7 + dg;
    assert.deepEqual({ ...AT_RIGHTS }, expect);
    assert.equal(dgReadBit(1), 8);
    assert.equal(dgReadBit(22), 29);
    assert.equal(dgWriteBit(17), 37);
    assert.equal(dgWriteBit(22), 32);
    assert.throws(() => dgReadBit(0), { code: 'CVC_CHAT_INVALID' });
    assert.throws(() => dgReadBit(23), { code: 'CVC_CHAT_INVALID' });
    assert.throws(() => dgWriteBit(16), { code: 'CVC_CHAT_INVALID' });
    // the highest right bit sits right below the role bits
    assert.equal(hex(chatDiscretionaryData(createChat({ role: 'cvca', rights: ['WRITE_DG17'] }))), 'e000000000');
    assert.throws(() => createChat({ role: 'terminal', rights: [38] }), { code: 'CVC_CHAT_INVALID' });
  });

  it('intersection, subset and rights beyond', () => {
    const dv = createChat({ role: 'dv-official', rights: ['AGE_VERIFICATION', 'READ_DG4', 'READ_DG5'] });
    const terminal = createChat({ role: 'terminal', rights: ['READ_DG4', 'READ_DG8', 'PIN_MANAGEMENT'] });
    const eff = chatIntersect(terminal, dv);
    assert.equal(eff.role, 'terminal');
    assert.deepEqual(atRightNames(eff), ['READ_DG4']);
    assert.equal(chatIsSubset(eff, dv), true);
    assert.equal(chatIsSubset(terminal, dv), false);
    assert.deepEqual(chatRightsBeyond(terminal, dv), [AT_RIGHTS.PIN_MANAGEMENT, AT_RIGHTS.READ_DG8]);
    assert.equal(chatAllows(eff, 'READ_DG4'), true);
    assert.equal(chatAllows(eff, dgReadBit(5)), false);
    const is = decodeChat(fromHex('7f4c0e060904007f000703010201530103'));
    assert.throws(() => chatIntersect(is, dv), { code: 'CVC_CHAT_TYPE_MISMATCH' });
  });

  it('recognises id-IS and id-ST with 1-byte discretionary data', () => {
    const is = decodeChat(fromHex('7f4c0e060904007f000703010201530183'));
    assert.equal(is.terminalType, 'is');
    assert.equal(is.role, 'dv-official');
    assert.equal(is.rights, 3n);
    assert.deepEqual(describeChat(is), ['Inspection system, role DV (official domestic)', 'bit 0', 'bit 1']);
    const st = decodeChat(fromHex('7f4c0e060904007f0007030102035301c3'));
    assert.equal(st.terminalType, 'st');
    assert.equal(st.role, 'cvca');
    assert.equal(hex(encodeChat(st)), '7f4c0e060904007f0007030102035301c3');
  });

  it('human-readable list', () => {
    const chat = createChat({ role: 'terminal', rights: ['AGE_VERIFICATION', 'READ_DG4', 'WRITE_DG17', 'PSA'] });
    assert.deepEqual(describeChat(chat), [
      'Authentication terminal, role Terminal', 'Age verification', 'Read DG4 (GivenNames)',
      'Pseudonymous signature authentication (PSA)', 'Write DG17 (PlaceOfResidence)',
    ]);
  });

  describe('malformed CHAT', () => {
    const cases: [string, string, string][] = [
      ['AT discretionary data of 4 bytes', '7f4c11060904007f000703010202530400000000', 'CVC_CHAT_INVALID'],
      ['AT discretionary data of 6 bytes', '7f4c13060904007f00070301020253060000000000 00', 'CVC_CHAT_INVALID'],
      ['unknown terminal type', '7f4c12060904007f0007030102095305 0000000000', 'CVC_CHAT_INVALID'],
      ['53 before 06', '7f4c12530500000000000 60904007f000703010202', 'CVC_CHAT_INVALID'],
      ['missing 53', '7f4c0b060904007f000703010202', 'CVC_CHAT_INVALID'],
      ['extra data object', '7f4c15060904007f00070301020253050000000000530100', 'CVC_CHAT_INVALID'],
      ['wrong outer tag', '7f4912060904007f0007030102025305 0000000000', 'CVC_WRONG_TAG'],
      ['non-minimal OID', '7f4c13060a04007f00070301028002530500 00000000', 'CVC_OID_INVALID'],
      ['truncated', '7f4c12060904007f00070301020253050000', 'CVC_MALFORMED'],
      ['trailing bytes', '7f4c12060904007f0007030102025305000000000000', 'CVC_TRAILING_DATA'],
    ];
    for (const [name, h, code] of cases) {
      it(name, () => assert.throws(() => decodeChat(fromHex(h)), { code }));
    }
  });
});
