/**
 * The chip's file system: MF with EF.CardAccess and EF.CardSecurity, and the eID application
 * with its data groups. Only structure and addressing live here; who may read what is decided by
 * access-rules.ts.
 *
 * @spec tr03110-3 §A.1.2 (EF.CardAccess 011C/SFI 1C, EF.CardSecurity 011D/SFI 1D)
 * @spec tr03110-4 §2.1 (eID application AID E8 07 04 00 7F 00 07 03 02, DGn FID 01nn, SFI n)
 */
import { fromHex } from '../../src/shared/bytes.js';
import type { CardJson } from './card-json.js';

/** TR-03110-4: AID of the eID application. */
export const EID_AID = fromHex('e80704007f00070302');
export const FID_MF = 0x3f00;

export type DfName = 'mf' | 'eid';

export interface ElementaryFile {
  readonly df: DfName;
  readonly fid: number;
  readonly sfi: number;
  /** Data group number for eID files, null for EF.CardAccess / EF.CardSecurity. */
  readonly dg: number | null;
  readonly content: Buffer;
}

/** TR-03110-3 §A.1.2 */
const CARD_ACCESS = { fid: 0x011c, sfi: 0x1c } as const;
const CARD_SECURITY = { fid: 0x011d, sfi: 0x1d } as const;

export class FileSystem {
  readonly #files: readonly ElementaryFile[];

  constructor(files: CardJson['files']) {
    const list: ElementaryFile[] = [
      { df: 'mf', ...CARD_ACCESS, dg: null, content: fromHex(files.cardAccess) },
      { df: 'mf', ...CARD_SECURITY, dg: null, content: fromHex(files.cardSecurity) },
    ];
    for (const [key, content] of Object.entries(files.dataGroups)) {
      const dg = Number(key);
      // TR-03110-4 §2.1: DGn of the eID application has FID 01 0n..01 16 and SFI n.
      list.push({ df: 'eid', fid: 0x0100 + dg, sfi: dg, dg, content: fromHex(content) });
    }
    this.#files = list;
  }

  bySfi(df: DfName, sfi: number): ElementaryFile | undefined {
    return this.#files.find((f) => f.df === df && f.sfi === sfi);
  }

  byFid(df: DfName, fid: number): ElementaryFile | undefined {
    return this.#files.find((f) => f.df === df && f.fid === fid);
  }

  dataGroup(dg: number): ElementaryFile | undefined {
    return this.#files.find((f) => f.df === 'eid' && f.dg === dg);
  }
}
