/**
 * Status-word checks shared by the response parsers: anything not expected becomes a CardError
 * carrying the SW, so callers and tests name the status word instead of comparing numbers.
 *
 * @spec iso7816-4 §5.6
 */
import type { ResponseApdu } from '../apdu.js';
import { CardError } from '../errors.js';
import { SW, swName } from '../status-words.js';
import type { ErrorCode } from '../../../errors/catalog.js';

/** Returns the response data when the SW is one of `accepted` (default: 9000 only). */
export function expectStatus(response: ResponseApdu, what: string, accepted: readonly number[] = [SW.SUCCESS], code?: ErrorCode): Buffer {
  if (!accepted.includes(response.sw)) {
    throw new CardError(response.sw, `${what}: card answered ${swName(response.sw)}`, code === undefined ? {} : { code });
  }
  return response.data;
}
