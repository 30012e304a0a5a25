/**
 * The card's current date: ISO YYYY-MM-DD in card.json, YYMMDD (years 2000–2099) when compared with
 * CV certificate dates. Day granularity, as the chip has no clock (TR-03110-2 §2.5).
 *
 * @spec tr03110-2 §2.5 (current date), tr03110-3 §D.2 (date data objects 5F24/5F25)
 */
import { checkCvcDate } from '../../src/eid/eac/cvc/dates.js';

export function cardDateToCvc(date: string): string {
  return checkCvcDate(`${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}`);
}

export function cvcDateToCard(date: string): string {
  checkCvcDate(date);
  return `20${date.slice(0, 2)}-${date.slice(2, 4)}-${date.slice(4, 6)}`;
}
