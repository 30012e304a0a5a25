/**
 * ROC (民國) calendar dates: ROC year = Gregorian year − 1911; there is no year 0
 * (1911 is 民國前1年, 民前N年 = 1912 − N).
 *
 * @spec taiwan-pki §6.1
 *
 * Forms: 7 digits 'YYYMMDD' ('0660101' = 1977-01-01), 'YYY/MM/DD', '民國113年12月31日', and for
 * years before 1912 a leading minus ('-0010101' = 1911-01-01) or '民國前1年1月1日'.
 */
import { checkYyyymmdd } from './dg-codec.js';
import { ProfileError } from './types.js';

function invalid(s: string): never {
  throw new ProfileError('PROFILE_DATE_INVALID', `'${s}' is not an ROC date`);
}

/** Gregorian → ROC year; years before 1912 give negative numbers (−1 = 民國前1年 = 1911). */
export function rocYear(gregorianYear: number): number {
  return gregorianYear >= 1912 ? gregorianYear - 1911 : gregorianYear - 1912;
}

/** ROC → Gregorian year; 0 does not exist. */
export function gregorianYear(roc: number): number {
  if (!Number.isInteger(roc) || roc === 0) throw new ProfileError('PROFILE_DATE_INVALID', 'ROC year 0 does not exist');
  return roc > 0 ? roc + 1911 : roc + 1912;
}

export type RocStyle = 'digits' | 'slash' | 'chinese';

/** Formats 'YYYYMMDD' as an ROC date string in the given style. */
export function formatRocDate(yyyymmdd: string, style: RocStyle = 'digits'): string {
  checkYyyymmdd(yyyymmdd, 'date');
  const roc = rocYear(Number(yyyymmdd.slice(0, 4)));
  const mm = yyyymmdd.slice(4, 6);
  const dd = yyyymmdd.slice(6, 8);
  const sign = roc < 0 ? '-' : '';
  const y3 = String(Math.abs(roc)).padStart(3, '0');
  switch (style) {
    case 'digits': return `${sign}${y3}${mm}${dd}`;
    case 'slash': return `${sign}${y3}/${mm}/${dd}`;
    case 'chinese': return `${roc < 0 ? '民國前' : '民國'}${Math.abs(roc)}年${Number(mm)}月${Number(dd)}日`;
  }
}

/** Parses any of the ROC forms above into 'YYYYMMDD'; non-existent dates are rejected, not rolled over. */
export function parseRocDate(s: string): string {
  let neg: boolean;
  let y: number;
  let m: number;
  let d: number;
  let r = /^(-?)(\d{3})(\d{2})(\d{2})$/.exec(s) ?? /^(-?)(\d{1,3})\/(\d{1,2})\/(\d{1,2})$/.exec(s);
  if (r !== null) {
    neg = r[1] === '-';
    [y, m, d] = [Number(r[2]), Number(r[3]), Number(r[4])];
  } else {
    r = /^民國(前?)(\d{1,3})年(\d{1,2})月(\d{1,2})日$/.exec(s);
    if (r === null) invalid(s);
    neg = r[1] === '前';
    [y, m, d] = [Number(r[2]), Number(r[3]), Number(r[4])];
  }
  if (y === 0) invalid(s);
  const g = gregorianYear(neg ? -y : y);
  const out = `${String(g).padStart(4, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
  return checkYyyymmdd(out, 'ROC date');
}
