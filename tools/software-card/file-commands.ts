/**
 * SELECT and READ BINARY on the chip, with the access rule of each file.
 *
 * @spec iso7816-4 §7.1.1 (SELECT: P1 00 MF, 02 EF under current DF, 04 DF name; P2 0C no data, 04 FCP)
 * @spec iso7816-4 §7.2.3 (READ BINARY B0: SFI in P1 with P2 offset, or 15-bit offset; B1: offset DO54, answer DO53)
 * @spec tr03110-3 §A.1.2 (EF.CardAccess readable without authentication), tr03110-4 §2.2.3.2 (DG read rights)
 *
 * | file | readable when |
 * |---|---|
 * | EF.CardAccess, EF.CardSecurity (MF) | always, with or without SM |
 * | DGn (eID application) | SM channel, TA + CA done, effective CHAT has "read DGn" |
 */
import { SW } from '../../src/eid/card/status-words.js';
import type { CommandApdu } from '../../src/eid/card/apdu.js';
import { decodeTlv, encodeTlv } from '../../src/eid/card/tlv.js';
import { chatAllows, dgReadBit } from '../../src/eid/eac/cvc/chat.js';
import { ChipStatus, ensure } from './chip-status.js';
import type { ChipSession } from './chip-session.js';
import { EID_AID, FID_MF } from './file-system.js';
import type { ElementaryFile, FileSystem } from './file-system.js';

function assertReadable(session: ChipSession, file: ElementaryFile): void {
  if (file.dg === null) return;
  const terminal = session.terminal;
  const allowed = session.sm !== null && terminal !== null && session.chipAuthenticated && chatAllows(terminal.chat, dgReadBit(file.dg));
  if (!allowed) throw new ChipStatus(SW.SECURITY_STATUS_NOT_SATISFIED, `DG${file.dg} not readable in this session`);
}

const P2 = { FCP: 0x04, NO_DATA: 0x0c } as const;

function fcp(file: ElementaryFile | null): Buffer {
  // ISO 7816-4 §5.3.3 Table 12: 80 size, 82 descriptor (01 transparent EF, 38 DF), 83 FID, 84 DF name.
  if (file === null) return encodeTlv(0x62, [encodeTlv(0x82, Buffer.of(0x38)), encodeTlv(0x84, EID_AID)]);
  const size = Buffer.alloc(2);
  size.writeUInt16BE(file.content.length);
  const fid = Buffer.alloc(2);
  fid.writeUInt16BE(file.fid);
  return encodeTlv(0x62, [encodeTlv(0x80, size), encodeTlv(0x82, Buffer.of(0x01)), encodeTlv(0x83, fid)]);
}

/** SELECT 00 A4 P1 P2 [data]: returns the response data (FCP when P2 = 04). */
export function select(fs: FileSystem, session: ChipSession, c: CommandApdu): Buffer {
  ensure(c.p2 === P2.NO_DATA || c.p2 === P2.FCP, SW.INCORRECT_P1P2, 'P2 must be 0C or 04');
  const answer = (file: ElementaryFile | null): Buffer => (c.p2 === P2.FCP ? fcp(file) : Buffer.alloc(0));
  switch (c.p1) {
    case 0x00: {
      // ISO 7816-4 §7.1.1: P1 00 with no data or 3F00 selects the MF.
      ensure(c.data.length === 0 || (c.data.length === 2 && c.data.readUInt16BE(0) === FID_MF), SW.FILE_NOT_FOUND, 'only the MF by P1 00');
      session.df = 'mf';
      session.ef = null;
      return c.p2 === P2.FCP ? encodeTlv(0x62, [encodeTlv(0x82, Buffer.of(0x38)), encodeTlv(0x83, Buffer.of(0x3f, 0x00))]) : Buffer.alloc(0);
    }
    case 0x02: {
      ensure(c.data.length === 2, SW.WRONG_LENGTH, 'EF identifier must be 2 bytes');
      const file = fs.byFid(session.df, c.data.readUInt16BE(0));
      if (file === undefined) throw new ChipStatus(SW.FILE_NOT_FOUND, 'no such EF in the current DF');
      assertReadable(session, file);
      session.ef = file;
      return answer(file);
    }
    case 0x04: {
      if (!c.data.equals(EID_AID)) throw new ChipStatus(SW.FILE_NOT_FOUND, 'unknown application');
      session.df = 'eid';
      session.ef = null;
      return answer(null);
    }
    default:
      throw new ChipStatus(SW.INCORRECT_P1P2, `SELECT P1 ${c.p1.toString(16)} not supported`);
  }
}

/** Ne → number of bytes to return; a short APDU (Ne ≤ 256) never returns more than 256. */
function slice(file: ElementaryFile, offset: number, ne: number, wildcard = ne === 256 || ne === 65536): { data: Buffer; sw: number } {
  // ISO 7816-4 §7.2.3: an offset beyond the end of the EF is 6B00.
  if (offset > file.content.length) throw new ChipStatus(SW.WRONG_P1P2, 'offset beyond the end of the file');
  const data = file.content.subarray(offset, offset + ne);
  // ISO 7816-4 Table 6: 6282 when the end of the file comes before Ne bytes, unless Ne is the
  // maximum (Le = 00 / 0000 means "as many as available", §5.1).
  return { data: Buffer.from(data), sw: data.length < ne && !wildcard ? SW.END_OF_FILE : SW.SUCCESS };
}

function fileBySfi(fs: FileSystem, session: ChipSession, sfi: number): ElementaryFile {
  const file = fs.bySfi(session.df, sfi);
  if (file === undefined) throw new ChipStatus(SW.FILE_NOT_FOUND, `no EF with SFI ${sfi} in the current DF`);
  assertReadable(session, file);
  session.ef = file;
  return file;
}

function currentFile(session: ChipSession): ElementaryFile {
  const file = session.ef;
  if (file === null) throw new ChipStatus(SW.COMMAND_NOT_ALLOWED_NO_CURRENT_EF, 'no current EF');
  // Rights may have changed since SELECT (e.g. a new PACE): check again at each read.
  assertReadable(session, file);
  return file;
}

/** READ BINARY B0. */
export function readBinary(fs: FileSystem, session: ChipSession, c: CommandApdu): { data: Buffer; sw: number } {
  ensure(c.le !== null, SW.WRONG_LENGTH, 'READ BINARY needs Le');
  ensure(c.data.length === 0, SW.WRONG_LENGTH, 'READ BINARY (B0) has no command data');
  if ((c.p1 & 0x80) !== 0) {
    // ISO 7816-4 §7.2.2: P1 = 100x xxxx, bits 5-1 the SFI, P2 the offset.
    ensure((c.p1 & 0x60) === 0 && (c.p1 & 0x1f) !== 0, SW.INCORRECT_P1P2, 'bad SFI form in P1');
    return slice(fileBySfi(fs, session, c.p1 & 0x1f), c.p2, c.le);
  }
  return slice(currentFile(session), (c.p1 << 8) | c.p2, c.le);
}

/** READ BINARY B1 (odd INS): offset in DO54, P1-P2 0000 (current EF) or 00xx with xx the SFI; answer in DO53. */
export function readBinaryOddIns(fs: FileSystem, session: ChipSession, c: CommandApdu): { data: Buffer; sw: number } {
  ensure(c.le !== null, SW.WRONG_LENGTH, 'READ BINARY needs Le');
  ensure(c.p1 === 0 && c.p2 <= 0x1e, SW.INCORRECT_P1P2, 'P1-P2 must be 0000 or 00 SFI');
  const offsetDo = decodeTlv(c.data);
  ensure(offsetDo.tag === 0x54 && offsetDo.value.length >= 1 && offsetDo.value.length <= 3, SW.WRONG_DATA, 'offset DO54 expected');
  const offset = offsetDo.value.readUIntBE(0, offsetDo.value.length);
  const file = c.p2 === 0 ? currentFile(session) : fileBySfi(fs, session, c.p2);
  // DO53 header takes up to 4 bytes of Ne; the data is shortened so the answer fits.
  const room = Math.max(0, c.le - 4);
  const { data, sw } = slice(file, offset, room, c.le === 256 || c.le === 65536);
  return { data: encodeTlv(0x53, data), sw };
}
