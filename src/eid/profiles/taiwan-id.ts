/**
 * Taiwan national ID number (國民身分證統一編號) and the new-format resident number
 * (外來人口統一證號, since 2021): format and check digit.
 *
 * @spec taiwan-pki §4.2 (national ID), §4.3 (resident number, new format)
 *
 * Format: letter (area of first registration) + sex digit (1/2 national, 8/9 resident) + 8 digits,
 * the last being the check digit. The letter maps to a two-digit code; the weighted sum of
 * [d0, d1, c1 … c9] with weights [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1] must be ≡ 0 (mod 10).
 * The legacy resident format (second character A-D) is not accepted: SPEC §4.1 admits only the two above.
 */
import { ProfileError } from './types.js';

/** taiwan-pki §4.2: letter code = index in this string + 10 (note I=34, O=35, W=32, X=30, Y=31, Z=33). */
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
const WEIGHTS = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1] as const;
const FORMAT = /^[A-Z][1289]\d{8}$/;

export type NationalIdKind = 'national' | 'resident';

export interface NationalIdInfo {
  kind: NationalIdKind;
  /** Sex coded in the second digit: 1/8 male, 2/9 female. */
  sex: 'M' | 'F';
}

/** Checks format and check digit; throws PROFILE_NATIONAL_ID_INVALID. */
export function checkNationalId(id: string): NationalIdInfo {
  if (!FORMAT.test(id)) throw new ProfileError('PROFILE_NATIONAL_ID_INVALID', 'national ID must match ^[A-Z][12]\\d{8}$ or ^[A-Z][89]\\d{8}$');
  const code = LETTERS.indexOf(id[0] as string) + 10;
  const digits = [Math.floor(code / 10), code % 10, ...id.slice(1).split('').map(Number)];
  let sum = 0;
  for (let i = 0; i < WEIGHTS.length; i++) sum += (digits[i] as number) * (WEIGHTS[i] as number);
  if (sum % 10 !== 0) throw new ProfileError('PROFILE_NATIONAL_ID_INVALID', 'national ID check digit wrong');
  const second = id[1] as string;
  return { kind: second === '1' || second === '2' ? 'national' : 'resident', sex: second === '1' || second === '8' ? 'M' : 'F' };
}

export function isValidNationalId(id: string): boolean {
  try {
    checkNationalId(id);
    return true;
  } catch {
    return false;
  }
}

/** The check digit for the first nine characters (letter + 8 digits): (10 − S mod 10) mod 10. */
export function nationalIdCheckDigit(first9: string): number {
  if (!/^[A-Z][1289]\d{7}$/.test(first9)) throw new ProfileError('PROFILE_NATIONAL_ID_INVALID', 'expected letter, sex digit and 7 digits');
  const code = LETTERS.indexOf(first9[0] as string) + 10;
  const digits = [Math.floor(code / 10), code % 10, ...first9.slice(1).split('').map(Number)];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (digits[i] as number) * (WEIGHTS[i] as number);
  return (10 - (sum % 10)) % 10;
}
