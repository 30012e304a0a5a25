/**
 * CV certificate dates (certificate effective date 5F25, expiration date 5F24): six bytes, one
 * unpacked BCD digit (0x00–0x09) per byte, YYMMDD in GMT; YY means 20YY.
 *
 * @spec tr03110-3 §D.2 (data object encoding: Date), §C.1.6–§C.1.7 (effective / expiration date)
 */
import { CvcError } from './errors.js';

/** A CVC date as 'YYMMDD' (year 20YY). Strings compare in date order. */
export type CvcDate = string;

function invalid(message: string, detail?: Record<string, unknown>): CvcError {
  return new CvcError('CVC_DATE_INVALID', message, detail === undefined ? {} : { detail });
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Throws CVC_DATE_INVALID unless `date` is six digits naming a real calendar day. */
export function checkCvcDate(date: string): CvcDate {
  if (!/^\d{6}$/.test(date)) throw invalid(`date must be six digits YYMMDD, found ${JSON.stringify(date)}`);
  const year = 2000 + Number(date.slice(0, 2));
  const month = Number(date.slice(2, 4));
  const day = Number(date.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw invalid(`no such calendar day: ${date}`, { date });
  return date;
}

/** Decodes the value of 5F25 / 5F24. */
export function decodeCvcDate(value: Uint8Array): CvcDate {
  if (value.length !== 6) throw invalid(`date must be 6 bytes, found ${value.length}`);
  let text = '';
  for (const byte of value) {
    // TR-03110-3 §D.2: each byte holds one digit 0x00..0x09 (unpacked BCD), not ASCII.
    if (byte > 9) throw invalid(`date byte 0x${byte.toString(16).padStart(2, '0')} is not a digit 0x00–0x09`);
    text += String(byte);
  }
  return checkCvcDate(text);
}

/** Value bytes of 5F25 / 5F24. */
export function encodeCvcDate(date: CvcDate): Buffer {
  checkCvcDate(date);
  return Buffer.from([...date].map((c) => Number(c)));
}

/** The UTC calendar day of `at` as a CVC date (years 2000–2099). */
export function cvcDateFromDate(at: Date): CvcDate {
  const year = at.getUTCFullYear();
  if (year < 2000 || year > 2099) throw invalid(`year ${year} cannot be encoded as YY`);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(year - 2000)}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}`;
}

/** Midnight UTC at the start of the given day. */
export function cvcDateToDate(date: CvcDate): Date {
  checkCvcDate(date);
  return new Date(Date.UTC(2000 + Number(date.slice(0, 2)), Number(date.slice(2, 4)) - 1, Number(date.slice(4, 6))));
}

/** Adds (or with a negative count subtracts) calendar days. */
export function cvcDateAddDays(date: CvcDate, days: number): CvcDate {
  const d = cvcDateToDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return cvcDateFromDate(d);
}

/** Negative if a is before b, 0 if equal, positive if after. */
export function compareCvcDates(a: CvcDate, b: CvcDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
